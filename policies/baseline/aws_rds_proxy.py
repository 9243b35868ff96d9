"""RDS Proxy (`aws:rds/proxy:Proxy`).

Provider/API defaults for absent inputs: `requireTls` false, `debugLogging` false, `defaultAuthScheme` NONE
(then `auths` is required). `auths[].authScheme` accepts only SECRETS.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from .common import (
    RDS_PROXY,
    UNKNOWN,
    as_bool,
    as_list,
    as_str,
    get,
    is_set,
    known,
    resource_policy,
)

_TAGS = ("aws", "rds", "rds-proxy")
_PROXY = (RDS_PROXY,)


def _flag(args: ResourceValidationArgs, prop: str, *, default: bool) -> bool:
    return bool(known(as_bool(get(args.props, prop), default=default), prop))


def _require_tls(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "requireTls", default=False):
        yield "requireTls is not true (the default is false): clients may connect without TLS."


def _debug_logging(args: ResourceValidationArgs) -> Iterator[str]:
    if _flag(args, "debugLogging", default=False):
        yield "debugLogging is true: the proxy logs the text of SQL statements, including any data in them."


def _credentials(args: ResourceValidationArgs) -> Iterator[str]:
    scheme = known(as_str(get(args.props, "defaultAuthScheme")), "defaultAuthScheme")
    if isinstance(scheme, str) and scheme.strip().upper() == "IAM_AUTH":
        return  # end-to-end IAM authentication: the proxy holds no database credentials
    auths = known(as_list(get(args.props, "auths")), "auths")
    if not auths:
        yield "no auths and defaultAuthScheme is not IAM_AUTH: the proxy has no Secrets Manager credentials."
        return
    for i, auth in enumerate(auths):
        known(auth, f"auths.{i}")
        if auth is UNKNOWN:
            continue
        scheme_i = known(as_str(get(auth, "authScheme")), f"auths.{i}.authScheme")
        if isinstance(scheme_i, str) and scheme_i.strip().upper() != "SECRETS":
            yield f"auths[{i}].authScheme is '{scheme_i}': only SECRETS (a Secrets Manager secret) is allowed."
        if not is_set(get(auth, "secretArn")):
            yield f"auths[{i}] has no secretArn: database credentials must come from Secrets Manager."


POLICIES = [
    resource_policy(
        name="aws-rds-proxy-require-tls",
        description="RDS proxies must require TLS for client connections.",
        sources=("FSBP RDS.43",),
        control="require_tls = true",
        severity=Severity.HIGH,
        remediation="Set `require_tls=True`.",
        resource_types=_PROXY,
        check=_require_tls,
        tags=(*_TAGS, "encryption-in-transit", "tls"),
    ),
    resource_policy(
        name="aws-rds-proxy-credentials-from-secrets-manager-or-iam",
        description="RDS proxies must get database credentials from Secrets Manager (auths with a secretArn) or "
        "use end-to-end IAM authentication (defaultAuthScheme IAM_AUTH), never inline.",
        sources=("AWS RDS Proxy docs: setting up database credentials",),
        control="credentials from Secrets Manager or IAM auth, never inline",
        severity=Severity.HIGH,
        remediation='Give every `auths` entry `auth_scheme="SECRETS"` and a `secret_arn` (e.g. the instance\'s '
        '`master_user_secrets[0].secret_arn`), or set `default_auth_scheme="IAM_AUTH"`.',
        resource_types=_PROXY,
        check=_credentials,
        tags=(*_TAGS, "secrets", "authentication"),
    ),
    resource_policy(
        name="aws-rds-proxy-disallow-debug-logging",
        description="RDS proxies must not have debug logging on (the logs contain SQL statement text).",
        sources=("AWS RDS Proxy docs: debug_logging",),
        control="debug_logging off",
        severity=Severity.MEDIUM,
        remediation="Set `debug_logging=False` (or omit it).",
        resource_types=_PROXY,
        check=_debug_logging,
        tags=(*_TAGS, "logging", "data-exposure"),
    ),
]
