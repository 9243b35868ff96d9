"""Factories for the simple checks, in the spirit of Checkov's `BaseResourceValueCheck`: one line of intent each.

* `flag_policy`: a boolean input must be true (or false), with the provider default applied when it is absent.
* `present_policy`: an input must be set (not absent, null or empty); an unknown value counts as set.
* `protected_policy`: a stateful resource carries the `protect` resource option.
* `minimum_policy`: a number is at least the stack's configured minimum (a `Threshold` of thresholds.py).

Each returns the whole policy, guarded by `common.resource_policy`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pulumi_policy import PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy

from .common import MISSING, About, as_bool, as_number, config_number, fmt_number, get, is_set, known, resource_policy
from .thresholds import Threshold

Applies = Callable[[ResourceValidationArgs], bool]


def _shown(value: bool) -> str:
    return "true" if value else "false"


def flag_policy(
    about: About,
    resource_type: str,
    prop: str,
    *,
    required: bool,
    default: bool,
    consequence: str,
    applies: Applies | None = None,
) -> ResourceValidationPolicy:
    """`prop` must be `required`; absent means the provider's `default`. `applies` narrows the policy's scope
    (e.g. engines that support the feature). An unknown value is "can't run during preview"."""

    def check(args: ResourceValidationArgs) -> Iterator[str]:
        if applies is not None and not applies(args):
            return
        value = bool(known(as_bool(get(args.props, prop), default=default), prop))
        if value is required:
            return
        if get(args.props, prop) is not MISSING:
            yield f"{prop} is {_shown(value)}: {consequence}."
        else:
            yield f"{prop} is absent (the provider default is {_shown(default)}): {consequence}."

    return resource_policy(about, (resource_type,), check)


def present_policy(
    about: About, resource_type: str, prop: str, *, consequence: str, applies: Applies | None = None
) -> ResourceValidationPolicy:
    """`prop` must be set. An unknown value counts as set: it holds whatever the resource it comes from produces."""

    def check(args: ResourceValidationArgs) -> Iterator[str]:
        if applies is not None and not applies(args):
            return
        if not is_set(get(args.props, prop)):
            yield f"{prop} is not set: {consequence}."

    return resource_policy(about, (resource_type,), check)


def protected_policy(about: About, resource_type: str, what: str) -> ResourceValidationPolicy:
    """The data-loss baseline's check that a stateful resource carries the `protect` resource option."""

    def check(args: ResourceValidationArgs) -> Iterator[str]:
        if not bool(getattr(args.opts, "protect", False)):
            yield (
                "the resource option 'protect' is not set: `pulumi destroy` or a replacement could delete "
                f"the {what}."
            )

    return resource_policy(about, (resource_type,), check)


def minimum_policy(
    about: About,
    resource_type: str,
    prop: str,
    threshold: Threshold,
    *,
    absent: str,
    applies: Applies | None = None,
) -> ResourceValidationPolicy:
    """`prop` must be at least the stack's `threshold` (policy config `threshold.key`, bounds in its schema).

    An absent, null or non-numeric value counts as 0; `absent` says what that means (e.g. "provider default 0",
    "logs never expire"). The threshold's unit and the configured minimum appear in the message."""
    if about.name != threshold.policy:
        raise ValueError(f"threshold {threshold.policy} belongs to another policy than {about.name}")

    def check(args: ResourceValidationArgs) -> Iterator[str]:
        if applies is not None and not applies(args):
            return
        minimum = config_number(args.get_config(), threshold.key, threshold.default, minimum=threshold.minimum)
        number = known(as_number(get(args.props, prop)), prop)
        value = number if isinstance(number, float) else 0.0
        if value >= minimum:
            return
        if get(args.props, prop) is MISSING:
            shown = f"absent ({absent})"
        elif not isinstance(number, float):
            shown = f"not a number ({absent})"
        else:
            shown = f"0 ({absent})" if value == 0 else fmt_number(value)
        yield f"{prop} is {shown}; at least {fmt_number(minimum)} {threshold.unit} are required."

    schema = PolicyConfigSchema(properties={threshold.key: threshold.schema()})
    return resource_policy(about, (resource_type,), check, config_schema=schema)
