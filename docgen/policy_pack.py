"""`policy-table all` and `checkov-parity all`: docs/policy-pack.md's full table and Checkov summary, as
`baseline.catalog` and `baseline.checkov_parity` produce them."""

from __future__ import annotations

from .errors import UnknownArgument
from .pack import baseline

ALL = "all"


def render_policy_table(arg: str) -> str:
    if arg != ALL:
        raise UnknownArgument("policy-table", arg, [ALL])
    return baseline("catalog").markdown_table()


def render_checkov_parity(arg: str) -> str:
    if arg != ALL:
        raise UnknownArgument("checkov-parity", arg, [ALL])
    return baseline("checkov_parity").summary()
