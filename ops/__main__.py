"""Entry point for `python -m ops`."""

import os
import signal
import sys


def _interrupted_at_start_up(signum: int, frame: object) -> None:
    # Nothing has started yet (no pack process): end at once, as the CLI does after Ctrl-C, and leave
    # no earlier `--json` plan to be read as this run's.
    args = sys.argv
    for i, arg in enumerate(args):
        path = args[i + 1] if arg == "--json" and i + 1 < len(args) else arg[7:] if arg.startswith("--json=") else ""
        if path and os.path.isfile(path):
            os.unlink(path)
    os.write(2, b"interrupted\n")
    os._exit(130)


# Before any import that takes time: a Ctrl-C while Python loads the CLI must not print a traceback.
signal.signal(signal.SIGINT, _interrupted_at_start_up)

from ops.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
