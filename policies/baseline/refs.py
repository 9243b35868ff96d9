"""Structured control references: which public control a policy implements, and where to read it.

A policy cites one or more `Ref`s. The first is its primary control: it becomes the policy's
`PolicyComplianceFramework` (name, reference, specification) and, where the framework publishes one page per
control (AWS FSBP), its `url`. Every reference also becomes a tag (`FSBP RDS.2`, `CKV_AWS_17`,
`AWSGuard rds-instance-public-access`), so a reviewer can filter diagnostics by control ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

FSBP: Final = "AWS Foundational Security Best Practices"
CHECKOV: Final = "Checkov"
AWSGUARD: Final = "Pulumi AWSGuard"
PLATFORM: Final = "Platform security baseline"
AWS_DOCS: Final = "AWS documentation"
POSTGRES_DOCS: Final = "PostgreSQL documentation"
CLOUDFLARE_DOCS: Final = "Cloudflare documentation"
GITHUB_DOCS: Final = "GitHub documentation"

_FSBP_URL: Final = "https://docs.aws.amazon.com/securityhub/latest/userguide/{service}-controls.html#{service}-{number}"
_PREFIX: Final = {
    FSBP: "FSBP ",
    AWSGUARD: "AWSGuard ",
    PLATFORM: "",
    CHECKOV: "",
    AWS_DOCS: "AWS docs: ",
    POSTGRES_DOCS: "PostgreSQL docs: ",
    CLOUDFLARE_DOCS: "Cloudflare docs: ",
    GITHUB_DOCS: "GitHub docs: ",
}


@dataclass(frozen=True)
class Ref:
    """One control of one framework. `analogue` marks a control written for a sibling resource type (e.g. the
    ElastiCache node-cluster controls applied to a serverless cache)."""

    framework: str
    control: str
    analogue: bool = False
    url: str | None = None

    def __str__(self) -> str:
        text = f"{_PREFIX.get(self.framework, '')}{self.control}"
        return f"{text} (analogue)" if self.analogue else text

    @property
    def tag(self) -> str:
        """The tag that carries this reference (the control ID, without the analogue note)."""
        return f"{_PREFIX.get(self.framework, '')}{self.control}"


def fsbp(control: str, *, analogue: bool = False) -> Ref:
    """A Security Hub FSBP control such as `RDS.2`; its documentation anchor is derived from the ID."""
    service, _, number = control.partition(".")
    url = _FSBP_URL.format(service=service.lower(), number=number) if number.isdigit() else None
    return Ref(FSBP, control, analogue, url)


def ckv(check_id: str, *, analogue: bool = False) -> Ref:
    """A Checkov check ID such as `CKV_AWS_17` or `CKV2_AWS_11`."""
    return Ref(CHECKOV, check_id, analogue)


def awsguard(rule: str) -> Ref:
    """A rule of Pulumi's AWSGuard pack (`@pulumi/awsguard`)."""
    return Ref(AWSGUARD, rule)


def platform(baseline: str) -> Ref:
    """One of the platform's own baselines (`data-loss baseline`, `data-exposure baseline`, ...)."""
    return Ref(PLATFORM, baseline)


def aws_docs(topic: str, url: str) -> Ref:
    """A requirement stated in AWS's own documentation."""
    return Ref(AWS_DOCS, topic, url=url)


def postgres_docs(topic: str, url: str) -> Ref:
    """A behaviour stated in PostgreSQL's own documentation."""
    return Ref(POSTGRES_DOCS, topic, url=url)


def cloudflare_docs(topic: str, url: str) -> Ref:
    """A recommendation or requirement stated in Cloudflare's own documentation (Security Center, SSL/TLS, WAF)."""
    return Ref(CLOUDFLARE_DOCS, topic, url=url)
def github_docs(topic: str, url: str) -> Ref:
    """A requirement or behaviour stated in GitHub's own documentation (e.g. its Actions hardening guide)."""
    return Ref(GITHUB_DOCS, topic, url=url)
