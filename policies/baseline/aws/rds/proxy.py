"""RDS Proxy (`aws:rds/proxy:Proxy`).

Provider/API defaults for absent inputs: `requireTls` false, `debugLogging` false, `defaultAuthScheme` NONE
(then `auths` is required). `auths[].authScheme` accepts only SECRETS. With `defaultAuthScheme = IAM_AUTH`
(end-to-end IAM authentication, pulumi-aws 7.51) the proxy authenticates to the database with IAM and `auths`
is optional; any `auths` entry it still has must take its credentials from Secrets Manager.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from ...common import (
    RDS_PROXY,
    UNKNOWN,
    About,
    StackIndex,
    as_list,
    as_str,
    get,
    is_set,
    known,
    lower_str,
    resource_policy,
    stack_policy,
)
from ...factories import flag_policy
from ...refs import aws_docs, ckv, fsbp
from ..cloudwatch.log_group import missing_log_groups

_TAGS = ("aws", "rds", "rds-proxy")
_PROXY_GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html"


def _credentials(args: ResourceValidationArgs) -> Iterator[str]:
    auths = known(as_list(get(args.props, "auths")), "auths")
    if not auths:  # the scheme matters only when there are no auths entries to check
        if lower_str(args, "defaultAuthScheme") != "iam_auth":
            yield "no auths and defaultAuthScheme is not IAM_AUTH: the proxy has no Secrets Manager credentials."
        return
    for i, auth in enumerate(auths):
        known(auth, f"auths.{i}")
        if auth is UNKNOWN:
            continue
        scheme = known(as_str(get(auth, "authScheme")), f"auths.{i}.authScheme")
        if isinstance(scheme, str) and scheme.strip().upper() != "SECRETS":
            yield f"auths[{i}].authScheme is '{scheme}': only SECRETS (a Secrets Manager secret) is allowed."
        if not is_set(get(auth, "secretArn")):
            yield f"auths[{i}] has no secretArn: database credentials must come from Secrets Manager."


def _log_group(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    for proxy in index.of_type(RDS_PROXY):
        name = as_str(get(proxy.props, "name"))
        if not isinstance(name, str) or not name.strip():
            yield (
                f"{proxy.name}: name is not a known string, so the log group /aws/rds/proxy/<name> cannot be "
                "declared in advance (or verified); set `name` explicitly.",
                proxy.urn,
            )
            continue
        for message in missing_log_groups(index, proxy, [f"/aws/rds/proxy/{name}"]):
            yield message, proxy.urn


RESOURCE_TYPE = RDS_PROXY
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    flag_policy(
        About(
            name="aws-rds-proxy-require-tls",
            description="RDS proxies must require TLS for client connections.",
            refs=(fsbp("RDS.43"),),
            control="require_tls = true",
            severity=Severity.HIGH,
            remediation="Set `require_tls=True`.",
            tags=(*_TAGS, "encryption-in-transit", "tls"),
        ),
        RDS_PROXY, "requireTls", required=True, default=False,
        consequence="clients may connect without TLS",
    ),
    resource_policy(
        About(
            name="aws-rds-proxy-disallow-inline-credentials",
            description="RDS proxies must use end-to-end IAM authentication (defaultAuthScheme IAM_AUTH) or get "
            "database credentials from Secrets Manager (auths with a secretArn), never inline.",
            refs=(aws_docs("RDS Proxy: setting up database credentials", _PROXY_GUIDE),),
            control="credentials from Secrets Manager or IAM auth, never inline",
            severity=Severity.HIGH,
            remediation='Set `default_auth_scheme="IAM_AUTH"`, or give every `auths` entry `auth_scheme="SECRETS"` '
            "and a `secret_arn` (e.g. the instance's `master_user_secrets[0].secret_arn`).",
            tags=(*_TAGS, "secrets", "authentication"),
        ),
        (RDS_PROXY,),
        _credentials,
    ),
    flag_policy(
        About(
            name="aws-rds-proxy-disallow-debug-logging",
            description="RDS proxies must not have debug logging on (the logs contain SQL statement text).",
            refs=(aws_docs("RDS Proxy: debug_logging", _PROXY_GUIDE),),
            control="debug_logging off",
            severity=Severity.MEDIUM,
            remediation="Set `debug_logging=False` (or omit it).",
            tags=(*_TAGS, "logging", "data-exposure"),
        ),
        RDS_PROXY, "debugLogging", required=False, default=False,
        consequence="the proxy logs the text of SQL statements, including any data in them",
    ),
    stack_policy(
        About(
            name="aws-rds-proxy-require-log-group",
            description="The CloudWatch log group an RDS proxy writes to (/aws/rds/proxy/<name>) must be declared in "
            "the stack and created before the proxy, so its retention and key apply.",
            refs=(aws_docs("Monitoring RDS Proxy with CloudWatch Logs", _PROXY_GUIDE),
                  ckv("CKV_AWS_338", analogue=True), ckv("CKV_AWS_158", analogue=True)),
            control="log groups RDS Proxy writes to are pre-created with retention and a CMK",
            severity=Severity.MEDIUM,
            remediation='Declare `aws.cloudwatch.LogGroup(name=f"/aws/rds/proxy/{name}", retention_in_days=..., '
            "kms_key_id=...)` and pass it in the proxy's `depends_on`.",
            tags=(*_TAGS, "logging"),
        ),
        _log_group,
    ),
]
