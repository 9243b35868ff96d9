"""The stack's monthly AWS budget covers what the plan is estimated to cost.

The estimate is the planner's (ops/cost in this repository: the same price table and rules `ops plan` prints),
run over the resources the engine hands the stack policy and the usage assumptions the program exports as the
stack's `cost_usage` output. It compares the AWS part of the estimate (what an AWS budget sees; Cloudflare and
Azure bill elsewhere) with the `aws:budgets/budget:Budget` the stack declares (`platform:budget.monthly_usd`):

- a budget below the estimate is a violation: it would alert every month, so nobody would read it;
- a stack of this platform (it exports `cost_usage`) without a budget is a violation: nobody would hear of a
  runaway bill before the invoice. A program that exports no `cost_usage` is not judged.

The estimate's known part is a lower bound (charges of unknown price are not counted), so "above the budget" is
certain when it is reported. "Within the budget" is not, while a charge billed every hour whatever the traffic
(instance-, vCPU-, GB-hours) or a type without a price rule has no price: the policy then says it cannot decide and
names those charges, through the SDK's own "can't run policy" note, which the engine reports as advisory whatever
the policy's enforcement level (pulumi_policy 1.21, `PolicyPack.AnalyzeStack`: an `UnknownValueError` becomes an
advisory diagnostic). It never passes a budget against an estimate that misses an always-on charge.

The pack reads ops/cost from the repository it lives in (PulumiPolicy.yaml's virtualenv is `../.venv`): the pack
published alone would report this policy as unable to run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from ..common import MISSING, About, get, has_key, is_unknown, stack_policy
from ..refs import aws_docs, platform

STACK: Final = "pulumi:pulumi:Stack"
REPO: Final = Path(__file__).resolve().parents[3]
_UNKNOWN: Final = "[unknown]"  # ops.cost.estimate.UNKNOWN: a value known only at deploy
_DEPTH: Final = 16
#: The "URN" a check yields with a cannot-decide message: turned into the SDK's advisory note, never a violation.
_UNDECIDED: Final = "cannot-decide"


class CannotDecide(UnknownValueError):
    """The SDK's "can't run policy" signal with a message of its own: the engine reports it as advisory."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.unknown_type_sentinel = ""
        self.props: list[str] = []
        self.message = message


def _cost() -> Any:
    """ops.cost, from the repository this pack is part of (appended to sys.path, never shadowing the pack)."""
    if str(REPO) not in sys.path:
        sys.path.append(str(REPO))
    import ops.cost  # noqa: PLC0415

    return ops.cost


def plain(value: Any, depth: int = 0) -> Any:
    """A property value as the estimate reads it: plain JSON, `[unknown]` for what the engine does not know yet."""
    result: Any = _UNKNOWN
    if value is MISSING or value is None:
        result = None
    elif is_unknown(value) or depth > _DEPTH:
        result = _UNKNOWN
    elif isinstance(value, str):
        result = str(value)  # secret strings arrive as str subclasses (baseline/secret_marks.py)
    elif isinstance(value, bool | int | float):
        result = value
    elif isinstance(value, Mapping):
        result = {str(key): plain(get(value, key), depth + 1) for key in list(value) if has_key(value, key)}
    elif isinstance(value, Sequence):  # lists arrive as the SDK's `_ListProxy`, a Sequence and not a list
        result = [plain(get(value, index), depth + 1) for index in range(len(value))]
    return result


def resource_dicts(resources: list[PolicyResource]) -> list[dict[str, Any]]:
    """The stack's resources in the shape of `ops plan --json`'s: custom ones have a provider, components none."""
    out: list[dict[str, Any]] = []
    providers: dict[str, dict[str, Any]] = {}
    for resource in resources:
        provider = resource.provider
        if provider is not None and provider.urn not in providers:
            providers[provider.urn] = {"urn": provider.urn, "type": provider.resource_type, "name": provider.name,
                                       "custom": True, "inputs": plain(provider.props)}
        out.append({
            "urn": resource.urn,
            "type": resource.resource_type,
            "name": resource.name,
            "custom": provider is not None,
            "parent": resource.parent.urn if resource.parent is not None else None,
            "provider": f"{provider.urn}::id" if provider is not None else None,
            "inputs": plain(resource.props),
        })
    return [*out, *(p for p in providers.values() if p["urn"] not in {r["urn"] for r in out})]


def _usage(resources: list[PolicyResource]) -> Mapping[str, Any] | None:
    for resource in resources:
        if resource.resource_type == STACK:
            usage = plain(get(resource.props, "cost_usage"))
            return usage if isinstance(usage, Mapping) else None
    return None


def _undecided(estimate: Any) -> list[str]:
    """The AWS charges billed every hour (or of a type without a price rule) whose price is unknown, as
    `type: what [region] (names)`."""
    return [f"{group.type}: {group.what} [{group.region}] ({', '.join(group.names)})"
            for group in estimate.unknown_hourly if group.type.startswith("aws:")]


def _check(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    resources = [r for r in args.resources if isinstance(r, PolicyResource)]
    usage = _usage(resources)
    cost = _cost()
    estimate = cost.estimate(cost.build_items(resource_dicts(resources)), usage)
    aws = estimate.vendor_usd("aws")
    unknown = estimate.unknown_count
    plural = "charge" if unknown == 1 else "charges"
    bound = f" (a lower bound: {unknown} {plural} of unknown price not counted)" if unknown else ""
    if not estimate.budgets:
        if usage is None:
            return  # not a program of this platform: it declares no cost assumptions to be judged by
        yield (
            f"the stack has no AWS budget; its AWS resources are estimated at {aws:,.2f} USD a month{bound}. "
            "Set platform:budget.monthly_usd so AWS Budgets alerts the alert topic before the invoice does.",
            None,
        )
        return
    hourly = _undecided(estimate)
    for budget in estimate.budgets:
        if budget.monthly_usd is None:
            continue  # not a monthly USD cost budget, or an amount known only at deploy
        if aws > budget.monthly_usd:
            yield (
                f"{budget.name}: the AWS estimate is {aws:,.2f} USD a month{bound}, above the budget of "
                f"{budget.monthly_usd:,.2f} USD: it would alert every month. Raise platform:budget.monthly_usd or "
                "make the stack cheaper (ops plan prints the largest lines).",
                budget.urn,
            )
        elif hourly:
            plural = "charge billed every hour has" if len(hourly) == 1 else "charges billed every hour have"
            yield (
                f"cannot decide whether {budget.name} ({budget.monthly_usd:,.2f} USD a month) covers the AWS "
                f"estimate: {aws:,.2f} USD a month is known, but {len(hourly)} {plural} no price: "
                f"{'; '.join(hourly)}. Price them in ops/cost/prices.json with their page and its date "
                "(docs/cost.md), or leave headroom for them in platform:budget.monthly_usd.",
                _UNDECIDED,
            )


def _deciding(guarded: StackValidationPolicy) -> Any:
    """`guarded`'s validation, with its cannot-decide message raised as the SDK's advisory note after the
    violations it reports."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        undecided: list[str] = []

        def report(message: str, urn: str | None = None) -> None:
            if urn == _UNDECIDED:
                undecided.append(message)
            else:
                report_violation(message, urn)

        guarded.validate(args, report)
        if undecided:
            raise CannotDecide(" ".join(undecided))

    return validate


RESOURCE_TYPE = STACK
"""Stack-wide: the estimate needs every resource of the stack."""

ABOUT = About(
    name="stack-require-budget-above-estimate",
    description="The stack's AWS account has a monthly AWS Budgets cost budget (platform:budget.monthly_usd) "
    "at or above the offline estimate of its AWS resources (ops/cost: the cited price table and the "
    "platform:cost usage assumptions).",
    refs=(
        platform("cost baseline"),
        aws_docs("AWS Budgets, actual and forecasted cost alerts",
                 "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-managing-costs.html"),
    ),
    control="a monthly budget per stack, notifying the alert topic, that covers the estimate",
    severity=Severity.MEDIUM,
    remediation="Set `platform:budget.monthly_usd` in the stack file at or above the AWS estimate `ops plan` "
    "prints (section Cost), with headroom for what the estimate lists as unknown; or reduce the stack "
    "(NAT gateways, instance classes, Multi-AZ) until it fits.",
    tags=("stack", "cost"),
    url="https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-managing-costs.html",
)
POLICIES = [StackValidationPolicy(validate=_deciding(stack_policy(ABOUT, _check)), **ABOUT.metadata())]
