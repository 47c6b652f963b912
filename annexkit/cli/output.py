"""Where a command's output goes: ``-o FILE``, or standard output for ``-o -``.

Output files are checked before any work starts (``annex check`` of a batch may take an
hour; finding then that the report cannot be written would waste it), and written with the
mode every file annexkit writes gets: ``0666 & ~umask``, the normal Unix rule, so a user who
wants reports and forms private sets ``umask 077``.
"""

from __future__ import annotations

import sys
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

import click

from annexkit.cli.errors import CommandError

STDOUT = "-"
"""The ``-o`` value meaning standard output, as for most Unix tools."""


def is_stdout(target: Path | str | None) -> bool:
    """Whether ``target`` (an ``-o`` value; None: not given) means standard output."""
    return target is None or str(target) == STDOUT


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def check_writable(target: Path) -> None:
    """Raise :class:`CommandError` unless ``target`` can be written as a file: it is not a
    folder, its folder exists or can be created, and a file can be created there (or the
    existing one opened for writing).

    Nothing is left behind: a file or folders created to find this out are removed again,
    so a run that fails later has not made an empty report; an existing file is opened
    without truncating it, so it survives until the new report replaces it."""
    if target.is_dir():
        raise CommandError(
            f"{target}：是文件夹，-o 应指定文件 / {target} is a folder: -o needs a file name"
        )
    created: list[Path] = []
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        created.append(folder)
        folder = folder.parent
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_folders(created)
        raise CommandError(
            f"无法创建文件夹 {target.parent}（{_reason(exc)}）/ cannot create the folder "
            f"{target.parent} for -o {target}: {_reason(exc)}"
        ) from None
    existed = target.exists()
    try:
        with open(target, "ab"):
            pass
    except OSError as exc:
        _remove_folders(created)
        raise CommandError(
            f"无法写入 {target}（{_reason(exc)}）/ cannot write {target}: {_reason(exc)}"
        ) from None
    if not existed:
        with suppress(OSError):
            target.unlink()
    _remove_folders(created)


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        with suppress(OSError):
            folder.rmdir()


def refuse_binary_terminal(what: str) -> None:
    """Raise :class:`CommandError` when standard output is a terminal: ``what`` (an XLSX
    report, a DOCX form) is bytes that would garble it."""
    if _binary_stdout().isatty():
        raise CommandError(
            f"{what}是二进制文件，不能输出到终端：请用 -o FILE，或重定向到文件 / {what} is a "
            "binary file and standard output is a terminal: give -o FILE or redirect it"
        )


def _binary_stdout() -> BinaryIO:
    """The bytes beneath ``sys.stdout`` (click's own helper for it is deprecated)."""
    buffer: BinaryIO | None = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        raise CommandError(
            "标准输出不能写入二进制数据，请用 -o FILE / standard output takes no bytes here: "
            "give -o FILE"
        )
    return buffer


def write_output(target: Path | None, content: str | bytes, *, text: bool = False) -> None:
    """Write ``content`` to the file ``target``, or to standard output when ``target`` is
    None or ``-``.

    Text is UTF-8 everywhere, as every report format declares, except ``text=True`` on
    standard output (a report for people), which goes through the terminal's encoding
    (:func:`annexkit.cli.main` makes that escape what it cannot show). Bytes are written as
    they are, and refused on a terminal."""
    if is_stdout(target):
        if isinstance(content, str) and text:
            click.echo(content.rstrip("\n"))
            return
        if isinstance(content, bytes):
            refuse_binary_terminal("报告 / the report")
            data = content
        else:
            data = content.encode("utf-8", "backslashreplace")
        # The text layer may hold what was echoed before: it must come out first.
        sys.stdout.flush()
        stream = _binary_stdout()
        stream.write(data)
        if not data.endswith(b"\n") and isinstance(content, str):
            stream.write(b"\n")
        stream.flush()
        return
    assert target is not None
    data = content if isinstance(content, bytes) else content.encode("utf-8", "backslashreplace")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # open() creates with 0666 & ~umask; an existing report keeps its mode.
        with open(target, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise CommandError(
            f"无法写入 {target}（{_reason(exc)}）/ cannot write {target}: {_reason(exc)}"
        ) from None
