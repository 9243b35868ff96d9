"""Defaults a model derives from other settings in a `mode="before"` validator, where `default_for` cannot
see them. tests/docs/test_defaults.py compares every default docgen shows with what the loader gives the
repository's stacks, and fails for a derived default missing here."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from components.backup.config import BackupConfig
from components.concern import Environment
from components.edge.config import WafConfig

_JOB_PATHS = "the paths the jobs call (each platform:jobs.jobs.<name>.path), so the exemption matches them"

DERIVED_DEFAULTS: Mapping[tuple[type[BaseModel], str, Environment], str] = {
    (BackupConfig, "copy_region", "prod"): "aws:region's partner region (PARTNER_REGIONS in "
                                           "components/backup/config.py), e.g. \"eu-central-1\" for \"eu-west-1\"",
    (WafConfig, "job_path_prefixes", "preview"): _JOB_PATHS,
    (WafConfig, "job_path_prefixes", "prod"): _JOB_PATHS,
}


def derived_default(model: type[BaseModel], name: str, environment: Environment | None) -> str | None:
    if environment is None:
        return None
    return DERIVED_DEFAULTS.get((model, name, environment))
