"""The CLI's one error type: what the user can act on, in Chinese and English, exit 2."""

from __future__ import annotations

import sys
from typing import IO, Any

import click

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130
"""Exit status after Ctrl-C: 128 + SIGINT, as shells report it (1 means errors found)."""


class CommandError(click.ClickException):
    """A failure the user can act on: printed as ``错误 Error: 中文 / English``, exit status 2.
    Commands raise it for their own checks; an :class:`~annexkit.contract.text.AnnexkitError`
    from below is shown the same way by :func:`annexkit.cli.main`."""

    exit_code = USAGE_EXIT

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误 Error: {self.format_message()}", file=file or sys.stderr)
