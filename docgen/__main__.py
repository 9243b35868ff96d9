"""python -m docgen --write | --check [--only KIND ...] [--root DIR]

--write rewrites every generated block of docs/*.md (and README.md) and the JSON Schemas in schemas/;
--check changes nothing and exits 1 listing each stale block (file, kind, argument), 0 when all are fresh.
Exit 2: an unknown kind or argument, or a malformed marker (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ops.yamlfile import YamlFileError

from .blocks import KINDS, outputs
from .errors import DocgenError
from .sources import REPO


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m docgen", description=__doc__.splitlines()[2])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the stale blocks and schemas")
    mode.add_argument("--check", action="store_true", help="exit 1 listing the stale blocks; change nothing")
    parser.add_argument("--only", action="append", default=[], choices=KINDS, metavar="KIND",
                        help=f"only blocks of this kind (repeatable): {', '.join(KINDS)}")
    parser.add_argument("--root", type=Path, default=REPO, help="the tree whose docs/, README.md and schemas/ "
                        "are written or checked (default: the repository)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    root: Path = args.root.resolve()
    try:
        results = list(outputs(root, args.only))
    except (DocgenError, YamlFileError) as error:
        print(f"docgen: error: {error}", file=sys.stderr)
        return 2
    stale = [(result, item) for result in results for item in result.stale]
    if args.check:
        for result, item in stale:
            print(f"stale: {result.path.as_posix()}: {item}")
        if stale:
            print("run: python -m docgen --write", file=sys.stderr)
        return 1 if stale else 0
    for result in results:
        if result.current != result.wanted:
            path = root / result.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(result.wanted, encoding="utf-8")
            print(f"wrote {result.path.as_posix()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
