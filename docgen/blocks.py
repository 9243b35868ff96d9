"""The block kinds and what fills them, and the files docgen owns (docs pages, README, schemas)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import config_reference, placeholders, policy_pack, policy_pages, rate_limits, schema
from .errors import DocgenError
from .markers import Block, MarkerError, frame, rewrite
from .markers import blocks as find_blocks

#: KIND -> render(ARG); each raises UnknownArgument for an argument it does not know.
RENDERERS: dict[str, Callable[[str], str]] = {
    "config": config_reference.render,
    "policies": policy_pages.render,
    "policy-table": policy_pack.render_policy_table,
    "checkov-parity": policy_pack.render_checkov_parity,
    "placeholders": placeholders.render,
    "rate-limits": rate_limits.render,
}
SCHEMA = "schema"
KINDS = (*RENDERERS, SCHEMA)


@dataclass(frozen=True)
class Output:
    """One file docgen writes: its path relative to the root, the text it has and the text it should have,
    and the blocks (or schema) that differ."""

    path: Path
    current: str | None
    wanted: str
    stale: list[str]


def documents(root: Path) -> list[Path]:
    """The markdown files that may hold blocks: docs/*.md and README.md."""
    found = sorted((root / "docs").glob("*.md"))
    readme = root / "README.md"
    return [*found, readme] if readme.exists() else found


class Renderer:
    """Renders each (kind, arg) once per run."""

    def __init__(self, only: Iterable[str] = ()) -> None:
        self.only = set(only)
        self._done: dict[tuple[str, str], str] = {}

    def wanted(self, block: Block, where: str) -> str | None:
        """The body `block` should hold, or None when the run leaves this kind alone."""
        render = RENDERERS.get(block.kind)
        if render is None:
            raise DocgenError(f"{where}:{block.line}: unknown block kind generated:{block.kind}; known: "
                              f"{', '.join(RENDERERS)}")
        if self.only and block.kind not in self.only:
            return None
        key = (block.kind, block.arg)
        if key not in self._done:
            try:
                self._done[key] = render(block.arg)
            except DocgenError as error:
                raise DocgenError(f"{where}:{block.line}: {error}") from None
        return self._done[key]


def outputs(root: Path, only: Iterable[str] = ()) -> Iterator[Output]:
    renderer = Renderer(only)
    for path in documents(root):
        where = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        stale: list[str] = []

        def fill(block: Block, text: str = text, where: str = where, stale: list[str] = stale) -> str:
            body = renderer.wanted(block, where)
            if body is None:
                return block.body(text).strip("\n")
            if frame(body) != block.body(text):
                stale.append(f"{block.kind} {block.arg}")
            return body

        try:
            list(find_blocks(text, where))  # every marker well-formed before anything is rendered
            wanted = rewrite(text, fill, where)
        except MarkerError as error:
            raise DocgenError(str(error)) from None
        yield Output(Path(where), text, wanted, stale)
    if not renderer.only or SCHEMA in renderer.only:
        for relative, wanted in schema.schema_files():
            path = root / relative
            current = path.read_text(encoding="utf-8") if path.exists() else None
            yield Output(relative, current, wanted, [] if current == wanted else [f"{SCHEMA} {relative.name}"])
