"""The command line: typer commands (`commands`) over the public API, with the plumbing that
turns every error into one line (`shell`)."""

import signal

from .commands import app


def main(**options) -> None:
    """The console entry point. SIGTERM (a killed job, ``timeout``) ends a command as Ctrl-C
    does, through its clean-up: a file being written is removed, a sweep keeps its chunks;
    the default action ended the process at once and left ``.NAME.part`` files behind."""

    def terminated(signum, frame):
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, terminated)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        app(**options)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


__all__ = ["app", "main"]
