"""The stack's config: one field per concern, and the one loader that validates a stack's config.

Every key lives under the project's namespace (`platform:`). Object-valued keys (`platform:database`, ...)
arrive from the engine as JSON strings; the Pulumi.yaml project schema only types scalars and arrays, so the
concern models (`components/<concern>/config.py`) are the validation for everything inside them. Each
concern model declares its own per-environment defaults and floors. A bad config stops the program before
any resource is registered, with one message that lists every problem by its key path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, cast, get_args, get_origin

import pulumi
from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from components.alerting.config import AlertsConfig
from components.alerting.limits import configured_max_connections, instance_memory_gib, max_connections
from components.aws_regions import region_problem
from components.backup.config import BackupConfig, automated_backup_conflicts, expiring_runs
from components.backup_storage.config import BackupStorageConfig
from components.backup_storage.copy_schedule import (
    COPY_MAX_LAG_MINUTES,
    TIER_MAX_GAP_HOURS,
    WORKFLOW,
    CopyScheduleError,
    copy_times,
    dump_gap_hours,
    dump_jobs,
    late_copies,
    margin_minutes,
    shared_cron_advice,
    sibling_dumps,
    stack_dumps,
    workflow_crons,
)
from components.cache.config import CacheConfig
from components.concern import (
    ENVIRONMENTS,
    KEY_CONTEXT,
    ConcernConfig,
    Environment,
    OversizedInteger,
    full_match,
    shown,
)
from components.cost.config import BudgetConfig, CostConfig
from components.edge.config import EdgeConfig
from components.github.config import GitHubConfig
from components.jobs.config import BACKUP_JOB_PATH, JobsConfig
from components.naming import NAME_PREFIX, physical_name
from components.network.config import NetworkConfig
from components.postgres.config import DatabaseConfig


class ConfigError(pulumi.RunError):
    """Raised before any resource is registered; the language host prints RunError messages without a traceback."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        plural = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"invalid configuration for stack '{stack}' ({len(problems)} {plural}); nothing was created:\n{lines}"
        )


class StackConfig(BaseModel):
    """Everything the program reads from config, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str
    stack: str
    environment: Environment
    aws_region: str
    owner: str
    cost_center: str
    network: NetworkConfig
    database: DatabaseConfig
    cache: CacheConfig
    alerts: AlertsConfig
    edge: EdgeConfig
    backup_storage: BackupStorageConfig
    backup: BackupConfig
    jobs: JobsConfig
    github: GitHubConfig
    cost: CostConfig
    budget: BudgetConfig

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def name_prefix(self) -> str:
        """Physical-name prefix: unique per project and stack, valid inside RDS, ElastiCache and IAM names
        (a stack name that is too long or not name-safe gets a stable hash; components/naming.py)."""
        return physical_name(self.project, self.stack, NAME_PREFIX)

    def tags(self, component: str) -> dict[str, str]:
        """The required tags (tagging baseline) plus the component that owns the resource."""
        return {
            "environment": self.environment,
            "owner": self.owner,
            "cost-center": self.cost_center,
            "managed-by": "pulumi",
            "pulumi-project": self.project,
            "pulumi-stack": self.stack,
            "component": component,
        }


# Scalar keys and the object-valued concern keys, with their models.
SCALAR_KEYS = ("environment", "owner", "cost_center")
CONCERN_MODELS: dict[str, type[ConcernConfig]] = {
    "network": NetworkConfig,
    "database": DatabaseConfig,
    "cache": CacheConfig,
    "alerts": AlertsConfig,
    "edge": EdgeConfig,
    "backup_storage": BackupStorageConfig,
    "backup": BackupConfig,
    "jobs": JobsConfig,
    "github": GitHubConfig,
    "cost": CostConfig,
    "budget": BudgetConfig,
}
#: The repository the program runs from (the off-site copy's workflow is read from it).
REPOSITORY = Path(__file__).resolve().parents[1]
_TAG_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,127}")
# Config objects nest at most three levels (database.proxy.<key>, database.extra_parameters.<name>).
MAX_DEPTH = 8
# Longest echoed key path part and problem line; a problem line always fits a terminal's scrollback.
_KEY_LIMIT = 40
LINE_LIMIT = 299


def build_stack_config(
    raw: Mapping[str, Any], *, project: str, stack: str, secret_keys: Collection[str] = ()
) -> StackConfig:
    """Validate a flat `{"<ns>:<key>": value}` config map (values as the engine sends them: scalars as
    strings, objects as JSON) into a StackConfig, or raise ConfigError listing every problem of every key.
    Values of `secret_keys` are never echoed."""
    problems: list[str] = []
    prefix = f"{project}:"
    own = {key[len(prefix):]: value for key, value in raw.items() if key.startswith(prefix)}
    known = (*SCALAR_KEYS, *CONCERN_MODELS)

    for key in sorted(set(own) - set(known)):
        problems.append(f"{_key(prefix + key)}: unknown key; {_suggest(key, known, project)}")
    problems += _misplaced_keys(raw, project, known)

    environment_problems: list[str] = []
    environment = _environment(own.get("environment"), stack, project, environment_problems)
    problems += environment_problems
    problems += _reserved_prefix_problems(project, stack)

    region = raw.get("aws:region")
    region_error = region_problem(region)
    if region is None:
        problems.append("aws:region: required; one of the AWS provider's regions such as eu-west-1 or us-east-1")
    elif region_error is not None:
        problems.append(f"aws:region = {shown(region)}: {region_error}")

    scalars: dict[str, str] = {}
    for key in ("owner", "cost_center"):
        value = own.get(key)
        if not full_match(_TAG_VALUE, value):
            echoed = "" if value is None else " = [secret]" if prefix + key in secret_keys else f" = {shown(value)}"
            problems.append(
                f"{prefix}{key}{echoed}: required; 1-128 ASCII letters, digits, spaces or ._@+-, starting with a "
                f"letter or digit (used as the '{key.replace('_', '-')}' tag)"
            )
        else:
            scalars[key] = value

    if environment_problems:
        # Which environment's defaults and floors apply is unknown until it is set: report what is wrong in every
        # environment, not what would be wrong in one of them (a preview stack is not told prod's floors).
        runs = [_concern_problems(own, prefix, stack, candidate, region=region, secret_keys=secret_keys)
                for candidate in ENVIRONMENTS]
        concern_problems, concerns = runs[-1]
        problems += [problem for problem in concern_problems if all(problem in other for other, _ in runs)]
    else:
        concern_problems, concerns = _concern_problems(own, prefix, stack, environment, region=region,
                                                        secret_keys=secret_keys)
        problems += concern_problems

    if problems:
        raise ConfigError(stack, [_fit(problem) for problem in problems])
    return StackConfig(
        project=project,
        stack=stack,
        environment=environment,
        aws_region=cast(str, region),
        **scalars,
        **concerns,
    )


def _concern_problems(
    own: Mapping[str, Any], prefix: str, stack: str, environment: Environment, *, region: Any,
    secret_keys: Collection[str],
) -> tuple[list[str], dict[str, ConcernConfig]]:
    """Each concern's object validated for `environment` (its defaults and floors), then what concerns check
    together: the problems, and the concerns that validated."""
    problems: list[str] = []
    concerns: dict[str, ConcernConfig] = {}
    for key, model in CONCERN_MODELS.items():
        secret = prefix + key in secret_keys
        data = _decode_object(own.get(key, {}), prefix + key, problems, secret=secret)
        if data is None:
            continue
        try:
            # The region lets a model check region-shaped values (AZ names and ids); an invalid one is withheld.
            context = {"environment": environment, "aws_region": region if region_problem(region) is None else None}
            concerns[key] = model.model_validate(data, context=context)
        except ValidationError as error:
            problems.extend(_describe(error, prefix + key, model, secret=secret, data=data))
    problems += _cross_concern_problems(concerns, prefix)
    _derive_health_check_path(concerns)
    problems += _job_path_problems(concerns, prefix)
    _derive_job_paths(concerns)
    problems += _copy_environment_problems(concerns, prefix, stack)
    problems += _backup_window_problems(concerns, prefix)
    problems += _backup_job_problems(concerns, prefix)
    problems += _offsite_copy_problems(concerns, prefix, stack)
    problems += _automated_backup_window_problems(concerns, prefix)
    return problems, concerns


def _cross_concern_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """What no single concern can see: settings of two concerns that cannot work together."""
    return (_network_database_problems(concerns, prefix) + _alerting_problems(concerns, prefix)
            + _github_problems(concerns, prefix) + _edge_host_problems(concerns, prefix))


def called_hosts(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[tuple[str, str, str]]:
    """(key, value, host) of every host the stack itself calls: the uptime check's and the cron jobs' target."""
    hosts: list[tuple[str, str, str]] = []
    alerts, jobs = concerns.get("alerts"), concerns.get("jobs")
    if isinstance(alerts, AlertsConfig):
        fqdn = alerts.health_check.fqdn
        hosts.append((f"{prefix}alerts.health_check.fqdn", fqdn, fqdn))
    if isinstance(jobs, JobsConfig) and jobs.base_url is not None:
        host = jobs.base_url.removeprefix("https://").partition(":")[0].lower()
        hosts.append((f"{prefix}jobs.base_url", jobs.base_url, host))
    return hosts


def _edge_host_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """Every host the stack calls is served by its own zone (a record in edge.dns_records), or is declared
    external: a placeholder host left outside the zone, or a preview pointing at prod's host, is caught here."""
    edge = concerns.get("edge")
    if not isinstance(edge, EdgeConfig):
        return []
    problems = []
    for key, value, host in called_hosts(concerns, prefix):
        if edge.serves(host) or host in edge.external_hosts:
            continue
        if host == edge.domain or host.endswith(f".{edge.domain}"):
            relative = "@" if host == edge.domain else host.removesuffix(f".{edge.domain}")
            why = (f"the zone {edge.domain} has no A, AAAA or CNAME record for it; add one to {prefix}edge.dns_records "
                   f"(name {shown(relative)})")
        else:
            why = (f"it is outside this stack's zone ({edge.domain}), e.g. another stack's host; use a host of this "
                   f"zone, or list it in {prefix}edge.external_hosts if another zone serves it on purpose")
        problems.append(f"{key} = {shown(value)}: the stack calls {host}, but {why}")
    return problems


#: The bootstrap's IAM namespace (`platform-infra-deploy-<stack>`, `platform-infra-readonly`, the boundary policy
#: `platform-infra-boundary`): a stack whose prefix fell inside it would let its deploy role manage them.
RESERVED_STACK_PREFIX = "infra"


def _reserved_prefix_problems(project: str, stack: str) -> list[str]:
    prefix = physical_name(project, stack, NAME_PREFIX)
    reserved = f"{project}-{RESERVED_STACK_PREFIX}"
    if prefix != reserved and not prefix.startswith(f"{reserved}-"):
        return []
    return [
        f"stack name {shown(stack)}: its IAM names would start with '{reserved}-', the bootstrap's own (its deploy "
        "and read-only roles and the permissions boundary); the stack's deploy role could then change them. "
        "Name the stack otherwise (e.g. 'prod-infra')"
    ]


def _copy_environment_problems(concerns: Mapping[str, ConcernConfig], prefix: str, stack: str) -> list[str]:
    """The copy job's environment is its own: not the app's (`<stack>`, the app role's subject) nor one of the
    infrastructure's (`infra-<stack>`, `infra-drift-<stack>`, the bootstrap's roles' subjects)."""
    storage = concerns.get("backup_storage")
    if not isinstance(storage, BackupStorageConfig) or storage.github_environment is None:
        return []
    taken = {stack: "the app's", f"infra-{stack}": "the deploy job's", f"infra-drift-{stack}": "the drift job's"}
    owner = taken.get(storage.github_environment)
    if owner is None:
        return []
    return [
        f"{prefix}backup_storage.github_environment = {shown(storage.github_environment)}: is {owner} "
        "environment; each OIDC subject is trusted by one role, so the copy job needs its own (leave it unset: "
        f"backup-copy-{stack})"
    ]


def _github_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """The off-site copy's workflow lives in the app's repository, next to the environment the stack creates for
    it: a token from another repository carries another `sub`, which neither AWS nor Azure would accept."""
    github, storage = concerns.get("github"), concerns.get("backup_storage")
    if not isinstance(github, GitHubConfig) or not isinstance(storage, BackupStorageConfig):
        return []
    if storage.github_repository == github.repository:
        return []
    return [
        f"{prefix}backup_storage.github_repository = {shown(storage.github_repository)}: must be "
        f"{prefix}github.repository ({shown(github.repository)}): the off-site copy workflow lives in the app's "
        "repository, where the stack creates its environment; the copy role and the Azure identity trust only "
        "that repository's token (docs/backups.md)"
    ]


def _health_path_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """One health path: `alerts.health_check.path` (what Route 53 requests) owns it; the WAF's exemption for the
    health checkers (`edge.waf.health_check_path`) follows it unless set to null (no exemption). Set to another
    path, the exemption would miss the checked path and the checks could be challenged."""
    alerts, edge = concerns.get("alerts"), concerns.get("edge")
    if not isinstance(alerts, AlertsConfig) or not isinstance(edge, EdgeConfig):
        return []
    waf_path = edge.waf.health_check_path
    if "health_check_path" not in edge.waf.model_fields_set or waf_path is None:
        return []
    if waf_path == alerts.health_check.path:
        return []
    return [
        f"{prefix}edge.waf.health_check_path = {shown(waf_path)}: must be {prefix}alerts.health_check.path "
        f"({shown(alerts.health_check.path)}), the path the Route 53 checkers request, or the exemption misses it; "
        "leave it unset (it follows alerts.health_check.path) or null for no exemption"
    ]


def _derive_health_check_path(concerns: dict[str, ConcernConfig]) -> None:
    """The WAF exemption's path follows the uptime check's path unless set (to the same path, or null)."""
    alerts, edge = concerns.get("alerts"), concerns.get("edge")
    if not isinstance(alerts, AlertsConfig) or not isinstance(edge, EdgeConfig):
        return
    if "health_check_path" in edge.waf.model_fields_set:
        return
    waf = edge.waf.model_copy(update={"health_check_path": alerts.health_check.path})
    concerns["edge"] = edge.model_copy(update={"waf": waf})


def _job_paths(concerns: Mapping[str, ConcernConfig]) -> list[str] | None:
    jobs = concerns.get("jobs")
    return sorted({job.path for job in jobs.jobs.values()}) if isinstance(jobs, JobsConfig) else None


def _job_path_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """The WAF lets the scheduled jobs past its challenges on `edge.waf.job_path_prefixes`: set by hand, every
    path a job calls must be under one, or those calls meet the challenge (which a cron job cannot solve)."""
    edge, paths = concerns.get("edge"), _job_paths(concerns)
    if not isinstance(edge, EdgeConfig) or paths is None or "job_path_prefixes" not in edge.waf.model_fields_set:
        return []
    missed = [path for path in paths if not any(path.startswith(p) for p in edge.waf.job_path_prefixes)]
    if not missed:
        return []
    return [
        f"{prefix}edge.waf.job_path_prefixes = {shown(edge.waf.job_path_prefixes)}: misses the paths the jobs call "
        f"({', '.join(missed)}, {prefix}jobs.jobs); leave it unset (it follows the jobs' paths) or cover them"
    ]


def _derive_job_paths(concerns: dict[str, ConcernConfig]) -> None:
    """The WAF's job exemption follows the paths the jobs call (`jobs.jobs.<name>.path`) unless set."""
    edge, paths = concerns.get("edge"), _job_paths(concerns)
    if not isinstance(edge, EdgeConfig) or paths is None or "job_path_prefixes" in edge.waf.model_fields_set:
        return
    concerns["edge"] = edge.model_copy(update={"waf": edge.waf.model_copy(update={"job_path_prefixes": paths})})


def _alerting_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """The database alarms derive their thresholds from the instance's memory and max_connections, the proxy
    borrow-latency alarm from the proxy's borrow timeout."""
    database = concerns.get("database")
    if not isinstance(database, DatabaseConfig) or not isinstance(concerns.get("alerts"), AlertsConfig):
        return []
    problems = _health_path_problems(concerns, prefix)
    if database.proxy.connection_borrow_timeout_seconds == 0:
        # The alarm's threshold is a share of the timeout: 0 gives `borrow latency >= 0`, which is always true
        # (an alarm that can never be OK).
        problems.append(
            f"{prefix}database.proxy.connection_borrow_timeout_seconds = 0: the proxy-borrow-latency alarm fires at "
            "a share of it, so its threshold would be 0 and the alarm could never be OK; set at least 1 second"
        )
    configured = configured_max_connections(database)
    if configured is not None and max_connections(database) is None:
        problems.append(
            f"{prefix}database.extra_parameters.max_connections = {shown(configured)}: must be a whole number of "
            "connections when set: the connections alarm is a share of it (or leave it unset for the RDS default)"
        )
    if instance_memory_gib(database.instance_class) is None:
        problems.append(
            f"{prefix}database.instance_class = {shown(database.instance_class)}: the memory and connections "
            "alarms derive their thresholds from the class's memory, unknown for metal classes; choose a sized "
            "class such as 'db.m7g.16xlarge'"
        )
    return problems


def _network_database_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    network, database = concerns.get("network"), concerns.get("database")
    if not isinstance(network, NetworkConfig) or not isinstance(database, DatabaseConfig):
        return []
    if network.mode == "create" and network.egress == "none" and database.bootstrap_on_up:
        # The bootstrap function runs in the app subnets and verifies the database's certificate against
        # the RDS CA bundle it downloads (truststore.pki.rds.amazonaws.com): without a NAT gateway its
        # invocation fails, and with it the `pulumi up`.
        return [
            f"{prefix}database.bootstrap_on_up = true: with {prefix}network.egress = 'none' the bootstrap "
            "function cannot download the RDS CA bundle, so `pulumi up` would fail; set egress to 'single_nat' "
            "or 'nat_per_az', or bootstrap_on_up: false and invoke it by hand with RDS_CA_BUNDLE_URL set "
            "(docs/database.md: The database bootstrap)"
        ]
    return []


def _backup_window_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """AWS Backup rules that would end EXPIRED: due where RDS backups cannot start (from an hour before the
    database's maintenance window to its end), with a start window too short to wait it out."""
    backup, database = concerns.get("backup"), concerns.get("database")
    if not isinstance(backup, BackupConfig) or not isinstance(database, DatabaseConfig):
        return []
    return [
        f"{prefix}backup.{tier}.schedule = {shown(backup.rules[tier].schedule)}: due when RDS backups cannot start "
        f"(1 h before database.maintenance_window to its end) and start_window_minutes = "
        f"{backup.start_window_minutes} ends first: the job would expire (first on {run:%a %Y-%m-%d %H:%M} "
        f"{backup.time_zone}); move it or lengthen the start window"
        for tier, run in expiring_runs(backup, database.maintenance_window).items()
    ]


def _backup_job_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """The backup bucket is only ever written by the app's dump jobs: each of its tiers needs an enabled job that
    writes it (POST BACKUP_JOB_PATH with {"tier": <tier>}), or its dumps stop without a word."""
    jobs, storage = concerns.get("jobs"), concerns.get("backup_storage")
    if not isinstance(jobs, JobsConfig) or not isinstance(storage, BackupStorageConfig):
        return []
    tiers = list(storage.tiers())
    if jobs.base_url is None:
        return [
            f"{prefix}jobs.base_url: unset, so no cron job is declared and nothing writes the backup bucket's "
            f"tiers ({', '.join(tiers)}); set it to the app's HTTPS origin (docs/cron-jobs.md)"
        ]
    written = jobs.backup_jobs()
    problems = [
        f"{prefix}jobs.jobs.{name}.payload = {shown(jobs.jobs[name].payload)}: tier {shown(tier)} is none of the "
        f"backup bucket's tiers ({', '.join(tiers)}): the writer may put dumps only under those prefixes"
        for name, tier in written.items() if tier not in tiers
    ]
    wanted = f'POST {BACKUP_JOB_PATH} with payload {{"tier": "<tier>"}}, enabled'
    for tier in tiers:
        if tier in written.values():
            continue
        name = f"backup-{tier}"
        job = jobs.jobs.get(name)
        if job is None:
            key = f"{prefix}jobs.jobs.{name} = null"
        elif not job.enabled:
            key = f"{prefix}jobs.jobs.{name}.enabled = false"
        else:
            key = f"{prefix}jobs.jobs.{name} = {job.method} {shown(job.path)} with {shown(job.payload)}"
        problems.append(
            f"{key}: no job writes the backup bucket's {tier}/ dumps, which would stop without a word; keep "
            f"{name} or add a job that does ({wanted.replace('<tier>', tier)})"
        )
    for tier, gap in dump_gap_hours(jobs, storage).items():
        if gap > TIER_MAX_GAP_HOURS.get(tier, gap):
            writers = ", ".join(f"{name} = {shown(jobs.jobs[name].schedule)}"
                                for name, written in written.items() if written == tier)
            problems.append(
                f"{prefix}jobs.jobs ({writers}): the {tier}/ dumps are up to {gap:.0f} hours apart on some dates; "
                f"the {tier} tier allows at most {TIER_MAX_GAP_HOURS[tier]} (its dumps would stop being {tier}): "
                "schedule its writer at least that often"
            )
    return problems


def _offsite_copy_problems(concerns: Mapping[str, ConcernConfig], prefix: str, stack: str) -> list[str]:
    """The off-site copy workflow's schedule (UTC, shared by every stack) must follow each of this stack's dumps
    on every date: components/backup_storage/copy_schedule.py states the bounds."""
    jobs, storage = concerns.get("jobs"), concerns.get("backup_storage")
    if not isinstance(jobs, JobsConfig) or not isinstance(storage, BackupStorageConfig) or not dump_jobs(jobs, storage):
        return []
    path = REPOSITORY / WORKFLOW
    try:
        crons = workflow_crons(path.read_text())
        copy_times(crons)
    except OSError:
        return [f"{WORKFLOW}: cannot be read: the off-site copy runs from it (docs/workflows.md)"]
    except CopyScheduleError as error:
        return [f"{WORKFLOW} {error}"]
    margin = margin_minutes(jobs, storage)
    if margin > COPY_MAX_LAG_MINUTES:
        return [
            f"{prefix}backup_storage.dump_duration_minutes = {storage.dump_duration_minutes}: with "
            f"jobs.flexible_window_minutes = {jobs.flexible_window_minutes}, a dump may land {_duration(margin)} "
            f"after its scheduled time, past the {_duration(COPY_MAX_LAG_MINUTES)} within which the copy must "
            "follow it; lower either (docs/backups.md, Off-site copy schedule)"
        ]
    return _late_copy_problems(jobs, storage, crons, prefix, stack)


def _late_copy_problems(
    jobs: JobsConfig, storage: BackupStorageConfig, crons: tuple[str, ...], prefix: str, stack: str
) -> list[str]:
    """This stack's first dump the shared cron does not follow, and what to change for every stack sharing it."""
    times = copy_times(crons)
    late = late_copies(jobs, storage, times)
    if not late:
        return []
    first, others = late[0], [copy.job for copy in late[1:]]
    job = jobs.jobs[first.job]
    margin = margin_minutes(jobs, storage)
    # The workflow is shared by every stack file beside it: the advice must not break another stack.
    this = stack_dumps(stack, jobs, storage)
    advice = shared_cron_advice(this, sibling_dumps(REPOSITORY, prefix, stack), times)
    # Quoted as the workflow file writes them: a bare `47 5 * * *` beside "UTC" reads as one phrase.
    cron = ", ".join(f"'{entry}'" for entry in crons)
    also = f" (so do {', '.join(others)})" if others else ""
    late_line = (
        f"{prefix}jobs.jobs.{first.job}.schedule = {shown(job.schedule)} ({jobs.zone_of(job)}): {WORKFLOW.name} "
        f"({cron} UTC) starts {_duration(first.lag_minutes)} after its run of {first.run:%a %Y-%m-%d %H:%M} "
        f"({first.run.astimezone(dt.UTC):%H:%M} UTC), not {_duration(margin)} to {_duration(COPY_MAX_LAG_MINUTES)}"
        f"{also}"
    )
    if len(late_line) + len(advice) + 2 <= LINE_LIMIT:
        return [f"{late_line}: {advice}"]
    # The shared-cron advice does not fit the same line: on its own, never cut.
    return [f"{late_line}: what to change is on the next line", f"{prefix}jobs.jobs: {advice}"]


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours}h" if hours else "", f"{rest}m" if rest else "") if part) or "0m"


def _automated_backup_window_problems(concerns: Mapping[str, ConcernConfig], prefix: str) -> list[str]:
    """AWS Backup rules that can fire within an hour of the database's automated backup window (RDS activity
    takes precedence and the job may fail: components/backup/config.py, AUTOMATED_BACKUP_MARGIN_MINUTES)."""
    backup, database = concerns.get("backup"), concerns.get("database")
    if not isinstance(backup, BackupConfig) or not isinstance(database, DatabaseConfig):
        return []
    return [
        f"{prefix}backup.{tier}.schedule = {shown(backup.rules[tier].schedule)}: at {', '.join(times)} UTC, within "
        f"1 h of database.backup_window = {shown(database.backup_window)}; keep them 1 h apart (RDS backups take "
        "precedence, the job may fail: re:Post backup-coordinates-pitr)"
        for tier, times in automated_backup_conflicts(backup, database.backup_window).items()
    ]


def environment_of_stack(stack: str) -> set[Environment]:
    """The environments a stack's name names: the whole name or one of its '-', '_' or '.' separated parts
    ('prod', 'prod-eu', 'eu.preview'), in any case."""
    parts = {part.lower() for part in re.split(r"[-_.]", stack)}
    return {environment for environment in ENVIRONMENTS if environment in parts}


def _environment(declared: Any, stack: str, project: str, problems: list[str]) -> Environment:
    """The environment follows from the stack's name; `platform:environment` may only name it for a stack
    whose name names none. On any problem, the rest is validated against prod, the strictest floors."""
    key = f"{project}:environment"
    allowed = " or ".join(ENVIRONMENTS)
    named = environment_of_stack(stack)
    if declared is not None and declared not in ENVIRONMENTS:
        if len(named) == 1:
            # The name already sets it: the key is redundant at best.
            problems.append(f"{key} = {shown(declared)}: not an environment ({allowed}), and stack {shown(stack)} "
                            f"is a {next(iter(named))} stack by its name: remove {key}")
        else:
            # Nothing else sets it: this key must name one (the stack's name is no way out for an existing stack).
            meant = _closest(str(declared).lower(), {env: env for env in ENVIRONMENTS}, cutoff=0.6) \
                if isinstance(declared, str) else None
            hint = f"did you mean {meant}? " if meant else ""
            problems.append(f"{key} = {shown(declared)}: must be {allowed}; {hint}the stack name {shown(stack)} "
                            f"names no environment, so this key sets which environment's defaults and floors "
                            f"apply (a staging stack is usually preview: docs/configuration.md#adding-a-stack)")
        return "prod"
    if len(named) > 1:
        problems.append(f"{key}: the stack name {shown(stack)} names both {' and '.join(sorted(named))}; "
                        f"name the stack after one environment, e.g. 'prod-eu'")
        return "prod"
    if named:
        (environment,) = named
        if declared is not None and declared != environment:
            problems.append(f"{key} = {shown(declared)}: stack {shown(stack)} is a {environment} stack (its name "
                            f"says so) and cannot declare another environment; remove {key}")
            return "prod"
        return environment
    if declared is None:
        problems.append(f"{key}: required, since the stack name {shown(stack)} names no environment; set it to "
                        f"{allowed}, or name the stack after its environment (e.g. 'prod-eu', 'preview-pr-42')")
        return "prod"
    return cast(Environment, declared)


def _misplaced_keys(raw: Mapping[str, Any], project: str, known: Iterable[str]) -> list[str]:
    """Keys that were probably meant for the project's namespace: a near-miss of the namespace
    (`Platform:database`, `platfrom:owner`) or one of its keys under another namespace (`aws:database`)."""
    problems = []
    known_lower = {_normal(key): key for key in known}
    for key in sorted(k for k in raw if isinstance(k, str) and ":" in k):
        namespace, name = key.split(":", 1)
        if namespace == project:
            continue
        # difflib is quadratic: compare no more than a key's length can sensibly be.
        name, lower_namespace = _normal(name[: _KEY_LIMIT + 1]), namespace[: _KEY_LIMIT + 1].lower()
        meant = known_lower.get(name) or _closest(name, known_lower, cutoff=0.85)
        if lower_namespace == project.lower() or _closest(lower_namespace, {project.lower(): project}):
            target = f"{project}:{meant}" if meant else f"{project}:<key>"
            problems.append(f"{_key(key)}: namespace {shown(namespace)} is not the project's ({project}); "
                            f"did you mean {target}? (the key is ignored as written)")
        elif meant is not None:
            problems.append(f"{_key(key)}: this project reads its settings only from its own namespace; "
                            f"did you mean {project}:{meant}? (the key is ignored as written)")
    return problems


def _normal(key: str) -> str:
    return key.lower().replace("-", "_")


def _closest(word: str, candidates: Mapping[str, str], cutoff: float = 0.8) -> str | None:
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return candidates[match[0]] if match else None


def _suggest(key: str, allowed: Iterable[str], project: str | None = None, where: str = "") -> str:
    """`did you mean X?` for a near-miss, else what is allowed (within a line's budget)."""
    names = list(allowed)
    qualify = (lambda name: f"{project}:{name}") if project else (lambda name: name)
    meant = {_normal(name): name for name in names}.get(_normal(key)) or _closest(
        _normal(key[:_KEY_LIMIT]), {_normal(name): name for name in names}, cutoff=0.7
    )
    if meant is not None:
        return f"did you mean {qualify(meant)}?"
    listed, budget = [], 150
    for name in names:
        budget -= len(qualify(name)) + 2
        if budget < 0:
            break
        listed.append(qualify(name))
    more = f" and {len(names) - len(listed)} more{where}" if len(listed) < len(names) else ""
    return f"allowed keys here are {', '.join(listed)}{more}"


def _decode_object(value: Any, key: str, problems: list[str], *, secret: bool = False) -> dict[str, Any] | None:
    if isinstance(value, str):
        with contextlib.suppress(json.JSONDecodeError, RecursionError):  # reported below, as the text it is
            value = json.loads(value, parse_int=_parse_int)
    if not isinstance(value, dict):
        problems.append(f"{key} = {'[secret]' if secret else shown(value)}: must be an object (a YAML mapping "
                        f"under the key)")
        return None
    if _depth(value) > MAX_DEPTH:
        problems.append(f"{key}: nests more than {MAX_DEPTH} levels deep; its settings nest at most 3 levels")
        return None
    return value


def _parse_int(text: str) -> int | OversizedInteger:
    # int() refuses strings over 4,300 digits (CVE-2020-10735 guard); no setting is anywhere near that.
    digits = len(text.lstrip("-"))
    return OversizedInteger(digits) if digits > 4300 else int(text)


def _depth(value: Any) -> int:
    """How deep a decoded JSON value nests, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


_UNSET = object()


def _given(data: Any, loc: Iterable[str]) -> Any:
    """The value the stack file gives at `loc` (keys as strings, list indices as digits), or `_UNSET`."""
    for part in loc:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return _UNSET
    return data


def _echo(data: Any, loc: list[str], fallback: Any, *, secret: bool) -> str:
    """` = <value>` as the stack file gives it; for a key it does not set, the default the loader used, marked so
    (nothing for a null default: "the key is not set" is the point)."""
    given = _given(data, loc) if data is not None else fallback
    if given is not _UNSET:
        return f" = {'[secret]' if secret else shown(given)}"
    if fallback is None or (isinstance(fallback, Mapping | list | tuple) and not fallback):
        return ""
    return f" (unset; default {'[secret]' if secret else shown(fallback)})"


def _describe(
    error: ValidationError, root: str, model: type[BaseModel], *, secret: bool = False, data: Any = None
) -> list[str]:
    """One line per pydantic error: the key path to change, the value the stack file gives it (`data`, the
    decoded object; without it the value pydantic saw), and what is allowed."""
    problems = []
    for item in error.errors(include_url=False):
        parts: list[str | int] = list(item["loc"])
        context = item.get("ctx") or {}
        named = context.get(KEY_CONTEXT)
        if isinstance(named, str | int) and not isinstance(named, bool):
            # A cross-field check names the key (or list index) to change: report it there, with its value.
            parts.append(named)
            value = getattr(item["input"], named, None) if isinstance(item["input"], BaseModel) and \
                isinstance(named, str) else _given(item["input"], [str(named)])
            value = None if value is _UNSET else value
        else:
            value = item["input"]
        loc = [str(part) for part in parts]
        path = key_path(root, parts)
        field = _field_at(model, loc)
        if item["type"] == "extra_forbidden":
            owner = _model_at(model, loc[:-1])
            why = owner.not_configurable.get(loc[-1]) if owner is not None and issubclass(owner, ConcernConfig) \
                else None
            if why is not None:
                problems.append(f"{path}: not configurable by design: {why}; delete the key")
                continue
            where = f" ({model.__module__.replace('.', '/')}.py)"
            fields = list(owner.model_fields) if owner is not None else []
            problems.append(f"{path}: unknown key; {_suggest(loc[-1], fields, where=where)}")
            continue
        if item["type"] == "missing":
            # The key's own field, also inside a list item or an optional sub-model (`_field_at` stops at those).
            owner = _model_at(model, loc[:-1])
            field = owner.model_fields.get(loc[-1]) if owner is not None else field
            problems.append(f"{path}: required; {_missing_advice(field, loc[-1], root)}")
            continue
        echoed = _echo(data, loc, value, secret=secret)
        if isinstance(value, OversizedInteger):
            message = f"far out of range; {_allowed(field) or 'a number of a few digits'}"
        elif item["type"] in _RANGE_ERRORS and (allowed := _allowed(field)):
            message = f"out of range; must be {allowed}"
        else:
            message = _PLAIN_MESSAGES.get(item["type"], item["msg"].removeprefix("Value error, "))
            hint = _allowed(field) if item["type"] in _PLAIN_MESSAGES else None
            message = f"{message}; {hint}" if hint else message
        problems.append(f"{path}{echoed}: {message}")
    return problems


_RANGE_ERRORS = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}
# Pydantic's own messages, reworded to say what to write instead.
_PLAIN_MESSAGES = {
    "string_type": "must be a quoted string (unquoted, YAML reads 12:30 as 750 and 16.10 as 16.1)",
    "int_type": "must be a whole number, not text, a fraction or true/false",
    "int_from_float": "must be a whole number",
    "finite_number": "must be a whole number",
    "bool_type": "must be true or false (unquoted)",
    "list_type": "must be a list (a YAML sequence)",
    "dict_type": "must be an object (a YAML mapping)",
    "model_type": "must be an object (a YAML mapping)",
    "model_attributes_type": "must be an object (a YAML mapping)",
}


def _field_at(model: type[BaseModel], loc: list[str]) -> FieldInfo | None:
    current: Any = model
    field = None
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            # Inside a list or mapping: the field that holds it, whose description is about its items. Not when
            # it holds models (an optional model, a list or mapping of them): its description is the container's.
            return None if _holds_model(current) else field
        if part not in current.model_fields:
            return None
        field = current.model_fields[part]
        current = field.annotation
    return field


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in get_args(annotation))


def _allowed(field: FieldInfo | None) -> str | None:
    """What a field allows, from its annotation, bounds and description, in one short clause."""
    if field is None:
        return None
    annotation = field.annotation
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(shown(member) for member in get_args(annotation))
    low = next((m.ge for m in field.metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in field.metadata if isinstance(m, Le)), None)
    if low is not None and high is not None:
        return f"a whole number from {low} to {high}"
    if low is not None or high is not None:
        return f"a whole number of at least {low}" if low is not None else f"a whole number up to {high}"
    if field.description:
        return first_sentence(field.description)
    return None


#: A sentence ends at a full stop followed by a space and a capital (or the end), not after an abbreviation.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)\.(?:\s+(?=[A-Z(`'\"])|\s*$)")
_CLAUSE_LIMIT = 160


def first_sentence(text: str, limit: int = _CLAUSE_LIMIT) -> str:
    """A description's first sentence as a clause (lower-case start, no full stop; not split at "e.g." or "i.e."),
    shortened at a word boundary, marked, when longer than `limit`."""
    end = _SENTENCE_END.search(text)
    sentence = (text[: end.start()] if end else text).strip().rstrip(".")
    if len(sentence) > limit:
        cut = sentence[: limit - 1]
        sentence = (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(",;:") + "…"
    if len(sentence) > 1 and sentence[0].isupper() and sentence[1].islower():
        sentence = sentence[0].lower() + sentence[1:]
    return sentence


def _missing_advice(field: FieldInfo | None, key: str, root: str) -> str:
    """What to set for a required key the stack file leaves out: what it holds, an example, and where the docs are."""
    docs = concern_docs(root.partition(":")[2].partition(".")[0])
    parts = []
    allowed = _allowed(field)
    if allowed:
        parts.append(allowed)
    if field is not None and field.examples and "e.g." not in (allowed or ""):
        parts.append(f"for example {_key(key)}: {shown(field.examples[0])}")
    if not parts:
        return f"set it as {docs} describes"
    return f"{'; '.join(parts)} ({docs})"


def concern_docs(concern: str) -> str:
    """The docs anchor of a concern's keys: the page whose Configuration section holds its generated reference
    (`docs/edge.md#configuration`), else docs/configuration.md."""
    marker = f"<!-- generated:config {concern} "
    for page in sorted((REPOSITORY / "docs").glob("*.md")):
        with contextlib.suppress(OSError):
            if marker in page.read_text(encoding="utf-8"):
                return f"docs/{page.name}#configuration"
    return "docs/configuration.md"


def _model_at(model: type[BaseModel], loc: Iterable[str]) -> type[BaseModel] | None:
    """The model whose keys are valid at `loc`: through nested models, optional ones (`X | None`) and the items of
    lists and mappings of models (whose indices and keys `loc` holds); None where no single model applies."""
    current: type[BaseModel] = model
    in_container = False
    for part in loc:
        if part in current.model_fields:
            annotation = current.model_fields[part].annotation
            models = _models_in(annotation)
            if len(models) != 1:
                return None
            current = models[0]
            in_container = _holds_container(annotation)
        elif in_container:
            in_container = False  # the index of a list item or the key of a mapping entry
        else:
            return None
    return current


def _holds_container(annotation: Any) -> bool:
    """A list, tuple, set or mapping annotation (also inside `| None`): its errors' locations hold an index or key."""
    if get_origin(annotation) in (list, dict, tuple, set, frozenset):
        return True
    return any(_holds_container(arg) for arg in get_args(annotation))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def key_path(root: str, parts: Iterable[str | int]) -> str:
    """`root` and a location as a key path: keys dotted, list indices in brackets (`platform:edge.dns_records[2].ttl`),
    one notation for errors and warnings alike."""
    return root + "".join(f"[{part}]" if isinstance(part, int) else f".{_key(part)}" for part in parts)


def _key(part: str) -> str:
    """A key as a path echoes it: printable ASCII, at most 40 characters."""
    if not (part.isascii() and part.isprintable()):
        part = repr(part)[1:-1]
    return part if len(part) <= _KEY_LIMIT else part[: _KEY_LIMIT - 3] + "..."


def _fit(problem: str) -> str:
    return problem if len(problem) <= LINE_LIMIT else problem[: LINE_LIMIT - 3] + "..."


def load_stack_config() -> StackConfig:
    """Read this stack's config from the Pulumi runtime and validate it. The one place config is loaded."""
    project = pulumi.get_project()
    stack = pulumi.get_stack()
    raw: dict[str, Any] = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    secret_keys = {key for key in raw if pulumi.runtime.is_config_secret(key)}
    secret_keys |= set(pulumi.runtime.get_config_secret_keys_env())
    return build_stack_config(raw, project=project, stack=stack, secret_keys=secret_keys)
