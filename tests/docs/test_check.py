"""`python -m docgen --check`: clean on the repository, and it catches a stale block or schema in a copy;
`--write` repairs only what lies between the markers."""

from __future__ import annotations

from pathlib import Path

from docgen.markers import blocks
from tests.docs.support import copy_outputs, docgen


def test_the_repository_is_fresh() -> None:
    run = docgen("--check")
    assert run.code == 0, f"stale generated docs (run: python -m docgen --write):\n{run.stdout}{run.stderr}"
    assert run.stdout == ""


def _replace_in_block(path: Path, kind: str, arg: str, old: str, new: str) -> None:
    text = path.read_text()
    (block,) = [b for b in blocks(text) if (b.kind, b.arg) == (kind, arg)]
    body = block.body(text)
    assert old in body
    path.write_text(text[: block.start] + body.replace(old, new, 1) + text[block.end :])


def test_check_names_each_stale_block_and_schema(tmp_path: Path) -> None:
    root = copy_outputs(tmp_path)
    _replace_in_block(root / "docs" / "database.md", "config", "database", "`platform:database.multi_az`",
                      "`platform:database.multi_az_renamed`")
    _replace_in_block(root / "docs" / "going-live.md", "placeholders", "all", "| prod |", "| staging |")
    schema = root / "schemas" / "pulumi-stack.schema.json"
    schema.write_text(schema.read_text().replace('"additionalProperties": false', '"additionalProperties": true', 1))

    run = docgen("--check", "--root", str(root))
    assert run.code == 1
    assert run.stdout.splitlines() == [
        "stale: docs/database.md: config database",
        "stale: docs/going-live.md: placeholders all",
        "stale: schemas/pulumi-stack.schema.json: schema pulumi-stack.schema.json",
    ]
    assert "python -m docgen --write" in run.stderr


def test_a_block_emptied_by_hand_is_stale(tmp_path: Path) -> None:
    root = copy_outputs(tmp_path)
    page = root / "docs" / "policy-pack.md"
    text = page.read_text()
    (block,) = [b for b in blocks(text) if b.kind == "checkov-parity"]
    page.write_text(text[: block.start] + text[block.end :])
    run = docgen("--check", "--root", str(root))
    assert (run.code, run.stdout) == (1, "stale: docs/policy-pack.md: checkov-parity all\n")


def test_write_fills_blocks_and_keeps_the_prose_around_them(tmp_path: Path) -> None:
    root = copy_outputs(tmp_path)
    page = root / "docs" / "cache.md"
    original = page.read_text()
    (block,) = [b for b in blocks(original) if b.kind == "config"]
    opening_end = original.rfind("\n", 0, block.start - 1) + 1
    # Prose rewritten around the markers (as the README split will), and the block emptied.
    before = "# Cache\n\nNew intro | with a pipe.\n\n" + original[opening_end : block.start]
    after = original[block.end :] + "\nA closing paragraph.\n"
    page.write_text(before + after)

    write = docgen("--write", "--root", str(root))
    assert write.code == 0, write.stderr
    assert "wrote docs/cache.md" in write.stdout
    text = page.read_text()
    assert text.startswith(before)
    assert text.endswith(after)
    assert text == before + original[block.start : block.end] + after
    assert docgen("--check", "--root", str(root)).code == 0
    again = docgen("--write", "--root", str(root))
    assert (again.code, again.stdout) == (0, "")
