"""The `relance` console script: Django management commands with Relance's settings."""

from __future__ import annotations

import os
import select
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "relance"
    code: int | str | None = 0
    try:
        try:
            execute_from_command_line(args)
        except SystemExit as exc:  # keep the command's exit code while its output is flushed below
            code = exc.code
        sys.stdout.flush()
    except BrokenPipeError:
        if not _stdout_reader_gone():
            raise  # a broken pipe elsewhere (a socket): an unexpected error, exit code 1
        # `relance rates list | head`: the reader has what it wanted. Python's recipe: point stdout at
        # /dev/null so that the interpreter's last flush does not fail again, and leave quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code)


def _stdout_reader_gone() -> bool:
    """True when stdout is a pipe whose reading end is closed (poll reports an error on the writing end)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll() on this platform, or stdout is no real file
        return True


if __name__ == "__main__":
    main()
