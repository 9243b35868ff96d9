"""Entry point for `python -m ops`."""

import os
import signal


def _interrupted_at_start_up(signum: int, frame: object) -> None:
    # Nothing has started yet (no pack process): end at once, as the CLI does after Ctrl-C, and leave
    # no earlier `--json` plan to be read as this run's.
    from ops.commands.common import interrupted_exit  # noqa: PLC0415 - stdlib only, fast

    os._exit(interrupted_exit())


# Before any import that takes time: a Ctrl-C while Python loads the CLI must not print a traceback.
signal.signal(signal.SIGINT, _interrupted_at_start_up)

from ops.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
