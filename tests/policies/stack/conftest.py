from __future__ import annotations

import pytest

from tests.policies.harness import Pack, load_config


@pytest.fixture(scope="session")
def stack_pack() -> Pack:
    """The whole pack, stack-wide controls included, at policy defaults."""
    return Pack(stack_wide=True)


@pytest.fixture(scope="session")
def preview_stack_pack() -> Pack:
    return Pack(load_config("preview"), stack_wide=True)
