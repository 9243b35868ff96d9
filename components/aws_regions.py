"""The AWS regions a stack may name in `aws:region`: a copy of the pinned AWS provider's own list.

Copied, not imported: `import pulumi_aws` costs seconds and config code never pays for a provider import.
tests/components/test_aws_regions.py checks that this copy equals `pulumi_aws.Region` (pulumi_aws/_enums.py, "A Region
represents any valid Amazon region that may be targeted with deployments") of the SDK in requirements.txt, so
an SDK upgrade that adds a region fails that test until the copy follows.
"""

from __future__ import annotations

import difflib

AWS_REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "eu-isoe-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
)


def region_problem(value: object) -> str | None:
    """Why `value` is not an AWS region (with the nearest one, for a typo), or None when it is one."""
    if isinstance(value, str) and value in AWS_REGIONS:
        return None
    if isinstance(value, str) and value.isascii():
        typed = value.strip().lower()[:40]
        ratios = {region: difflib.SequenceMatcher(None, typed, region).ratio() for region in AWS_REGIONS}
        best = max(ratios.values())
        meant = [region for region, ratio in ratios.items() if ratio == best and ratio >= 0.8]
        if meant:
            return f"not an AWS region; did you mean {' or '.join(meant)}?"
    return "not an AWS region: one of the AWS provider's regions such as eu-west-1 or us-east-1"
