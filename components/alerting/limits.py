"""The limits the "near the limit" alarms are derived from: an RDS instance class's memory and PostgreSQL's
max_connections on RDS. No provider import.
"""

from __future__ import annotations

import re

from components.postgres.config import DatabaseConfig

GIB = 1024**3
# RDS for PostgreSQL's default max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000)
# (AWS RDS User Guide, "Maximum number of database connections").
MAX_CONNECTIONS_DIVISOR = 9_531_392
MAX_CONNECTIONS_CAP = 5000

_CLASS = re.compile(r"db\.(?P<family>[a-z0-9]+)\.(?P<size>micro|small|medium|large|xlarge|(?P<n>[0-9]+)xlarge|metal)")
# Burstable classes (AWS RDS User Guide, "Hardware specifications for DB instance classes"), GiB.
_BURSTABLE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
# GiB per vCPU of the other families: general purpose 4, memory optimized 8, x2g 16.
_GIB_PER_VCPU = {"m": 4, "r": 8, "x": 16}


def instance_memory_gib(instance_class: str) -> int | None:
    """The nominal memory of an RDS instance class, or None when it is not derivable (metal sizes vary)."""
    match = _CLASS.fullmatch(instance_class)
    if not match:
        return None
    family, size = match.group("family"), match.group("size")
    if family.startswith("t"):
        return _BURSTABLE_GIB.get(size)
    if size == "metal" or family[0] not in _GIB_PER_VCPU:
        return None
    vcpus = {"large": 2, "xlarge": 4}.get(size) or (4 * int(match.group("n")) if match.group("n") else None)
    return vcpus * _GIB_PER_VCPU[family[0]] if vcpus else None


def configured_max_connections(database: DatabaseConfig) -> str | None:
    """The parameter group's max_connections as the stack sets it (extra_parameters), if it does."""
    return database.extra_parameters.get("max_connections")


def max_connections(database: DatabaseConfig) -> int | None:
    """The instance's max_connections: the parameter group's value when set to a number, else the RDS default
    formula on the class's nominal memory. None when neither is known (a metal class, a formula value).

    The engine's DBInstanceClassMemory is a little below the nominal memory (the OS keeps a share), so the
    formula here is at most a few percent above the server's real limit."""
    configured = configured_max_connections(database)
    if configured is not None:
        return int(configured) if configured.isdigit() and int(configured) > 0 else None
    memory = instance_memory_gib(database.instance_class)
    if memory is None:
        return None
    return min(memory * GIB // MAX_CONNECTIONS_DIVISOR, MAX_CONNECTIONS_CAP)
