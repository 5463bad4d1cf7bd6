"""The command line: typer commands (`commands`) over the public API, with the plumbing that
turns every error into one line (`shell`)."""

from .commands import app

main = app  # the console entry point

__all__ = ["app", "main"]
