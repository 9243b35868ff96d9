"""The pack converts a resource's properties once per Analyze call, and every policy still sees them."""

from __future__ import annotations

from typing import Any

from tests.policies import harness  # noqa: F401  (puts policies/ on sys.path)

from baseline import convert_once  # isort: skip


def test_the_installed_pulumi_policy_has_the_layout_the_patch_needs() -> None:
    # If pulumi_policy's Analyze changes shape, the pack stays correct but slow: this says so.
    assert convert_once.install() is True
    from pulumi_policy import policy

    assert hasattr(policy.deserialize_properties, "__wrapped__")
    assert hasattr(policy.unknown_checking_proxy, "__wrapped__")
    assert hasattr(policy.json_format.MessageToDict, "__wrapped__")


def test_one_conversion_per_object_even_when_two_alternate() -> None:
    calls: list[Any] = []

    def convert(value: Any, *flags: Any) -> dict[str, Any]:
        calls.append(value)
        return {"converted": value}

    cached = convert_once._last_calls_cache(convert)
    props, provider = {"a": 1}, {"b": 2}
    for _ in range(37):  # one resource, 37 policies: its properties and its provider's, in turn
        assert cached(props) == {"converted": props}
        assert cached(provider) == {"converted": provider}
    assert calls == [props, provider]


def test_equal_but_distinct_objects_and_other_flags_are_converted_again() -> None:
    calls: list[Any] = []
    cached = convert_once._last_calls_cache(lambda value, *flags: calls.append((value, flags)) or len(calls))
    first, second = {"a": 1}, {"a": 1}
    assert cached(first) == 1
    assert cached(second) == 2, "a new request with the same content is a new conversion"
    assert cached(first, True) == 3, "the keep-secrets flag of Remediate is part of the key"
    assert cached(first) == 1
