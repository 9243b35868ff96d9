"""The stack files' JSON Schema: both stack files validate, and it refuses what the loader refuses at the key
and type level while admitting everything else a Pulumi stack file may hold."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from docgen.schema import bootstrap_schema, stack_schema
from ops.yamlfile import read_yaml
from tests.support.stacks import ROOT

SCHEMA_LINE = "# yaml-language-server: $schema=./schemas/pulumi-stack.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / "pulumi-stack.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema == stack_schema()
    return Draft202012Validator(schema)


@pytest.fixture
def prod() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(ROOT / "Pulumi.prod.yaml", "stack file"))


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_the_stack_files_validate_and_name_the_schema(validator: Draft202012Validator, stack: str) -> None:
    path = ROOT / f"Pulumi.{stack}.yaml"
    assert path.read_text().splitlines()[0] == SCHEMA_LINE
    assert _errors(validator, read_yaml(path, "stack file")) == []


@pytest.mark.parametrize("stack", ["prod", "preview"])
def test_the_bootstrap_stacks_validate_against_their_schema(stack: str) -> None:
    schema = json.loads((ROOT / "schemas" / "pulumi-bootstrap.schema.json").read_text())
    assert schema == bootstrap_schema()
    path = ROOT / "bootstrap" / f"Pulumi.{stack}.yaml"
    assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/pulumi-bootstrap.schema.json\n")
    validator = Draft202012Validator(schema)
    document = read_yaml(path, "stack file")
    assert _errors(validator, document) == []
    document["config"]["platform-bootstrap:admin"] = "x"
    assert _errors(validator, document)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: c.__setitem__("platform:databse", {}), id="unknown-platform-key"),
        pytest.param(lambda c: c.__setitem__("platform:Owner", "x"), id="unknown-platform-key-case"),
        pytest.param(lambda c: c["platform:database"].__setitem__("max_conections", 5), id="unknown-database-key"),
        pytest.param(lambda c: c["platform:database"]["proxy"].__setitem__("pool", 5), id="unknown-nested-key"),
        pytest.param(lambda c: c["platform:database"].__setitem__("performance_insights_retention_days", "31"),
                     id="string-for-integer"),
        pytest.param(lambda c: c["platform:database"].__setitem__("backup_retention_days", 36), id="out-of-range"),
        pytest.param(lambda c: c["platform:network"].__setitem__("egress", "nat"), id="not-one-of"),
        pytest.param(lambda c: c.__setitem__("platform:edge", "example.com"), id="string-for-object"),
        pytest.param(lambda c: c["platform:edge"]["dns_records"][0].__setitem__("ttl", "1"), id="list-item-type"),
        pytest.param(lambda c: c.__setitem__("region", "eu-west-1"), id="key-without-namespace"),
        pytest.param(lambda c: c.pop("platform:owner"), id="missing-owner"),
        pytest.param(lambda c: c.__setitem__("platform:owner", {"secure": 1}), id="secure-not-a-string"),
        pytest.param(lambda c: c.__setitem__("platform:owner", {"secure": "v1:x", "extra": 1}), id="secure-and-more"),
    ],
)
def test_the_schema_refuses(validator: Draft202012Validator, prod: dict[str, Any], change: Any) -> None:
    change(prod["config"])
    assert _errors(validator, prod)


def test_the_schema_refuses_unknown_top_level_keys(validator: Draft202012Validator, prod: dict[str, Any]) -> None:
    prod["configs"] = {}
    assert _errors(validator, prod)
    assert _errors(validator, {"secretsprovider": "passphrase"})  # config is required


def test_the_schema_admits_what_pulumi_stack_files_hold(validator: Draft202012Validator,
                                                        prod: dict[str, Any]) -> None:
    prod["secretsprovider"] = "awskms://alias/platform-pulumi-state?region=eu-west-1"
    prod["encryptedkey"] = "AQICAHh...=="
    prod["environment"] = ["platform/prod", "shared/aws"]
    config = prod["config"]
    config["platform:owner"] = {"secure": "v1:AAAA"}
    config["platform:alerts"]["slack"] = {"secure": "v1:BBBB"}
    config["platform:database"]["proxy"]["max_connections_percent"] = {"secure": "v1:CCCC"}
    config["platform:edge"]["waf"]["admin_countries"] = ["IE", {"secure": "v1:DDDD"}]
    config["platform:database"]["extra_parameters"] = {"work_mem": {"secure": "v1:EEEE"}}
    config["platform:environment"] = "prod"
    config["aws:defaultTags"] = {"tags": {"team": "web"}}
    config["aws:profile"] = "admin"
    config["cloudflare:apiToken"] = {"secure": "v1:FFFF"}
    config["github:owner"] = "example-org"
    config["platform-bootstrap:repository"] = "another project's namespace"
    assert _errors(validator, prod) == []
    prod["environment"] = "platform/prod"
    assert _errors(validator, prod) == []


def test_per_environment_defaults_and_floors_are_described() -> None:
    defs = stack_schema()["$defs"]
    retention = defs["DatabaseConfig"]["properties"]["backup_retention_days"]
    assert "default" not in retention
    assert "Default: preview 7; prod 14." in retention["description"]
    assert "Floor: preview >= 7 (FSBP RDS.11 / CKV_AWS_133); prod >= 14" in retention["description"]
    assert "backup_retention_days" not in defs["DatabaseConfig"].get("required", [])
    assert defs["DatabaseConfig"]["additionalProperties"] is False


def test_the_stack_files_are_still_read_as_ops_plan_reads_them() -> None:
    # The modeline is a comment: the CLI's reading of the files (ops.project) is unchanged.
    from ops.project import load_project, read_stack_file

    project = load_project(ROOT)
    for stack in ("preview", "prod"):
        stack_file = read_stack_file(project, stack, ROOT / f"Pulumi.{stack}.yaml")
        assert stack_file.values["platform:owner"] == "web-platform-team"
        assert stack_file.values["aws:region"] == "eu-west-1"
