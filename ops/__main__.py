"""Entry point for `python -m ops`."""

import signal

# Before any import that takes time: a Ctrl-C while Python loads the CLI must not print a traceback. The handler's
# module is standard-library only and fully loaded here, so the handler never imports (see ops/interrupt.py).
from ops.interrupt import handle_sigint

signal.signal(signal.SIGINT, handle_sigint)

from ops.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
