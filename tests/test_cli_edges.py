"""The CLI at its edges, as a user meets them: ``-o -``, outputs that cannot be written,
Ctrl-C, locales without Chinese, bilingual help everywhere, and the mode of written files.

Exit codes, signals and locales are tested on the installed ``annex`` in a subprocess (they
belong to the process: the entry point, its streams, its children); the rest with click's
CliRunner.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from annexkit.checker.report import FORMATS
from annexkit.cli import cli
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document

ROOT = Path(__file__).resolve().parent.parent
ANNEX = Path(sys.executable).with_name("annex")
SAMPLES = ROOT / "samples" / "packages"
CLEAN = SAMPLES / "clean"
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def bilingual(text: str | None) -> bool:
    return bool(text and HAN.search(text) and LATIN.search(text))


def annex(
    *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(ANNEX), *args], capture_output=True, env=env or os.environ.copy(), **kwargs
    )


# ------------------------------------------------------------------------------------ -o -


def test_dash_output_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check", str(CLEAN), "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [p["path"] for p in report["packages"]] == [str(CLEAN)]
    assert not (tmp_path / "-").exists()  # it used to be a file named "-"


def test_dash_output_beside_a_file(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run("check", str(CLEAN), "--format", "json", "-o", str(out), "--format", "sarif")
    assert result.exit_code == 0
    assert json.loads(out.read_text("utf-8"))["packages"]
    assert json.loads(result.stdout)["version"] == "2.1.0"  # the SARIF went to stdout


def test_two_formats_on_standard_output_is_a_usage_error() -> None:
    result = run("check", str(CLEAN), "--format", "json", "-o", "-", "--format", "text")
    assert result.exit_code == 2
    assert "标准输出" in result.output and "standard output" in result.output


def test_generate_dash_output_writes_the_docx_to_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_annex: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "filing.json"
    data.write_text(json.dumps(by_annex("filing").record, ensure_ascii=False), "utf-8")
    result = CliRunner().invoke(cli, ["generate", "filing", str(data), "-o", "-"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(result.stdout_bytes)) as docx:
        assert "word/document.xml" in docx.namelist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filing.json"]
    refused = run("generate", "filing", str(data), "-o", "-", "--pdf")
    assert refused.exit_code == 2 and "--pdf" in refused.output


def _on_a_terminal(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """``annex ARGS`` with standard output a terminal (a pseudo-terminal)."""
    import pty

    primary, secondary = pty.openpty()
    try:
        return subprocess.run(
            [str(ANNEX), *args], stdout=secondary, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(secondary)
        os.close(primary)


def test_binary_output_is_refused_on_a_terminal(tmp_path: Path, by_annex: Any) -> None:
    data = tmp_path / "filing.json"
    data.write_text(json.dumps(by_annex("filing").record, ensure_ascii=False), "utf-8")
    done = _on_a_terminal(["generate", "filing", str(data), "-o", "-"])
    assert done.returncode == 2
    message = done.stderr.decode("utf-8")
    assert "终端" in message and "terminal" in message


@pytest.mark.skipif("xlsx" not in FORMATS, reason="no binary report format yet")
def test_binary_report_is_refused_on_a_terminal_before_checking() -> None:
    done = _on_a_terminal(["check", str(SAMPLES), "--format", "xlsx"])
    assert done.returncode == 2  # checked, the samples would give 1 (errors found)
    message = done.stderr.decode("utf-8")
    assert "终端" in message and "terminal" in message and "-o FILE" in message


@pytest.mark.skipif("xlsx" not in FORMATS, reason="no binary report format yet")
def test_binary_report_to_a_file_and_a_pipe(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert run("check", str(CLEAN), "--format", "xlsx", "-o", str(out)).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"
    piped = annex("check", str(CLEAN), "--format", "xlsx", timeout=120)
    assert piped.returncode == 0
    # The same workbook (a zip's timestamps may differ): whole, not newline-mangled.
    with zipfile.ZipFile(io.BytesIO(piped.stdout)) as book, zipfile.ZipFile(out) as written:
        assert book.namelist() == written.namelist()
        assert book.testzip() is None


# ------------------------------------------------------------------ unwritable -o targets


@pytest.fixture
def no_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any checking starts."""

    def refuse(*args: object, **kwargs: object) -> Iterator[object]:
        raise AssertionError("the check started before its output was found unwritable")

    monkeypatch.setattr("annexkit.checker.engine.check", refuse)


def _unwritable(kind: str, tmp_path: Path) -> Path:
    if kind == "folder cannot be created":
        return Path("/proc/annexkit-no-such-folder/r.json")  # not even root may mkdir there
    if kind == "a folder":
        return tmp_path
    if kind == "parent is a file":
        (tmp_path / "file").write_text("mine", "utf-8")
        return tmp_path / "file" / "r.json"
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    return locked / "r.json"


@pytest.mark.parametrize(
    "kind", ["folder cannot be created", "a folder", "parent is a file", "read-only folder"]
)
def test_unwritable_output_is_a_usage_error_before_checking(
    kind: str, tmp_path: Path, no_check: None
) -> None:
    if kind == "read-only folder" and os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    target = _unwritable(kind, tmp_path)
    result = run("check", str(CLEAN), "--format", "json", "-o", str(target))
    assert result.exit_code == 2
    assert result.output.startswith("错误 Error: ")
    assert bilingual(result.output)
    assert "Internal error" not in result.output
    assert str(target) in result.output


def test_unwritable_output_in_a_subprocess_is_exit_2(tmp_path: Path) -> None:
    done = annex("check", str(CLEAN), "-o", "/proc/annexkit-no-such-folder/r.txt", timeout=60)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr and b"Internal error" not in done.stderr


def test_a_run_that_fails_leaves_no_output_behind(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "r.json"
    result = run("check", str(tmp_path / "missing"), "--format", "json", "-o", str(target))
    assert result.exit_code == 2
    assert not (tmp_path / "new").exists()  # neither the file nor the folders made to test it


def test_an_existing_report_survives_a_failed_run(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("yesterday's report", "utf-8")
    result = run("check", str(tmp_path / "missing"), "--format", "json", "-o", str(target))
    assert result.exit_code == 2
    assert target.read_text("utf-8") == "yesterday's report"


def test_generate_into_an_unwritable_folder_is_a_usage_error(by_annex: Any, tmp_path: Path) -> None:
    data = tmp_path / "filing.json"
    data.write_text(json.dumps(by_annex("filing").record, ensure_ascii=False), "utf-8")
    (tmp_path / "file").write_text("mine", "utf-8")
    result = run("generate", "filing", str(data), "-o", str(tmp_path / "file" / "f.docx"))
    assert result.exit_code == 2
    assert "Internal error" not in result.output and bilingual(result.output)
    assert (tmp_path / "file").read_text("utf-8") == "mine"


# ----------------------------------------------------------------------------------- Ctrl-C


def _batch(tmp_path: Path, copies: int) -> Path:
    """Every sample package ``copies`` times: a batch that takes seconds with one worker."""
    batch = tmp_path / "batch"
    for sample in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        for i in range(copies):
            shutil.copytree(sample, batch / f"{sample.name}-{i}")
    return batch


def _group(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (zombies waiting to be reaped excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _interrupt(args: list[str]) -> tuple[subprocess.CompletedProcess[bytes], list[int]]:
    """Run ``annex check`` in its own process group, press Ctrl-C (SIGINT to the whole
    group, as a terminal does) once workers are busy; return the run and the processes of
    the group still alive a few seconds after it exited."""
    process = subprocess.Popen(
        [str(ANNEX), "check", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    # The CLI, the fork server and at least one worker: the batch is under way.
    while len(_group(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    assert process.poll() is None, "the batch finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    left = _group(process.pid)
    deadline = time.monotonic() + 10
    while left and time.monotonic() < deadline:  # the fork server exits when it sees EOF
        time.sleep(0.1)
        left = _group(process.pid)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done, left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_ctrl_c_stops_the_workers_and_exits_130(tmp_path: Path) -> None:
    batch = _batch(tmp_path, 10)
    report = tmp_path / "r.json"
    done, left = _interrupt([str(batch), "--workers", "1", "--format", "json", "-o", str(report)])
    assert done.returncode == 130, done.stderr.decode("utf-8", "replace")
    message = done.stderr.decode("utf-8")
    assert "Traceback" not in message
    assert "已中断" in message and "interrupted" in message
    assert "--partial-report" in message
    assert left == []
    assert not report.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_ctrl_c_with_partial_report_writes_what_was_finished(tmp_path: Path) -> None:
    batch = _batch(tmp_path, 10)
    total = sum(1 for _ in batch.iterdir())
    report = tmp_path / "r.json"
    done, left = _interrupt(
        [str(batch), "--workers", "1", "--partial-report", "--format", "json", "-o", str(report)]
    )
    assert done.returncode == 130
    assert b"Traceback" not in done.stderr
    assert left == []
    finished = json.loads(report.read_text("utf-8"))["packages"]
    assert len(finished) < total
    assert f"{len(finished)} " in done.stderr.decode("utf-8")


# ---------------------------------------------------------------------------------- locales


def _env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE", "PYTHONIOENCODING")
    }
    env.update(values)
    return env


LOCALES = {
    "LC_ALL=C": _env(LC_ALL="C"),
    "LANG=C": _env(LANG="C"),
    "C without UTF-8 mode": _env(LC_ALL="C", PYTHONUTF8="0"),
    "LANG=en_US.ISO-8859-1": _env(LANG="en_US.ISO-8859-1", PYTHONUTF8="0"),
    "PYTHONIOENCODING=latin-1": _env(PYTHONIOENCODING="latin-1"),
    "PYTHONIOENCODING=ascii": _env(PYTHONIOENCODING="ascii"),
}


def _shows_chinese(output: bytes, word: str) -> bool:
    """``word`` as UTF-8, or backslash-escaped where the stream had no Chinese."""
    escaped = word.encode("ascii", "backslashreplace")
    return word.encode("utf-8") in output or escaped in output


@pytest.mark.parametrize("locale", list(LOCALES))
@pytest.mark.parametrize(
    "args",
    [["--help"], ["check", "--help"], ["rules", "missing-field"], ["check", str(CLEAN)]],
    ids=["help", "check-help", "rules", "check"],
)
def test_every_locale_shows_the_output(locale: str, args: list[str]) -> None:
    done = annex(*args, env=LOCALES[locale], timeout=120)
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert b"Traceback" not in done.stderr and b"Internal error" not in done.stderr
    word = "检查" if args[0] != "rules" else "缺少"
    if args == ["check", str(CLEAN)]:
        word = "未发现问题"
    assert _shows_chinese(done.stdout, word)


@pytest.mark.parametrize("locale", list(LOCALES))
def test_every_locale_shows_errors(locale: str) -> None:
    done = annex("check", "/no/such/package", env=LOCALES[locale], timeout=60)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"no such file or folder" in done.stderr
    assert _shows_chinese(done.stderr, "路径不存在")


def test_machine_formats_on_stdout_are_utf8_in_any_locale() -> None:
    done = annex("check", str(CLEAN), "--format", "json", env=LOCALES["PYTHONIOENCODING=ascii"])
    assert done.returncode == 0
    report = json.loads(done.stdout.decode("utf-8"))
    assert report["packages"][0]["documents"][0]["path"].startswith("附件5")


# ------------------------------------------------------------------------------------- help


def _commands() -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every command, nested groups included, as the root's LazyGroup finds them."""

    def walk(
        command: click.Command, path: str, ctx: click.Context
    ) -> Iterator[tuple[str, click.Command, click.Context]]:
        yield path, command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, f"{path} {name}"
                yield from walk(
                    sub, f"{path} {name}", click.Context(sub, info_name=name, parent=ctx)
                )

    yield from walk(cli, "annex", click.Context(cli, info_name="annex"))


COMMAND_PATHS = [path for path, _, _ in _commands()]


@pytest.mark.parametrize("path", COMMAND_PATHS)
def test_every_help_is_bilingual(path: str) -> None:
    command = dict((p, c) for p, c, _ in _commands())[path]
    first = (command.help or "").strip().splitlines()[0] if command.help else ""
    assert bilingual(first), f"{path}: first line of its help: {first!r}"
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in ("help", "version"):
            assert bilingual(param.help), f"{path} {param.opts}: {param.help!r}"
    shown = CliRunner().invoke(cli, [*path.split()[1:], "--help"])
    assert shown.exit_code == 0 and bilingual(shown.output)


def test_the_walk_reaches_nested_commands() -> None:
    for expected in ("annex generate package", "annex calendar show", "annex registry add"):
        assert expected in COMMAND_PATHS


# ------------------------------------------------------------------------------ file modes


@pytest.fixture(params=[0o022, 0o027, 0o077])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generated_forms_follow_the_umask(
    tmp_path: Path, umask: int, sample_documents: list[Document]
) -> None:
    written = write_documents(sample_documents[:2], tmp_path / "out")
    assert written
    assert {_mode(p) for p in written} == {0o666 & ~umask}


@pytest.mark.pdf
def test_docx_and_pdf_beside_it_have_one_mode(
    tmp_path: Path, sample_documents: list[Document]
) -> None:
    old = os.umask(0o022)
    try:
        written = write_documents(sample_documents[:1], tmp_path / "out", pdf=True)
    finally:
        os.umask(old)
    assert sorted(p.suffix for p in written) == [".docx", ".pdf"]
    assert {_mode(p) for p in written} == {0o644}


def test_reports_follow_the_umask(tmp_path: Path, umask: int) -> None:
    targets = [tmp_path / f"r.{fmt}" for fmt in FORMATS]
    args = [
        a for fmt, t in zip(FORMATS, targets, strict=True) for a in ("--format", fmt, "-o", str(t))
    ]
    assert run("check", str(CLEAN), *args).exit_code == 0
    assert {_mode(t) for t in targets} == {0o666 & ~umask}


def test_searchable_copies_follow_the_umask(tmp_path: Path, umask: int) -> None:
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from annexkit.checker.searchable import write_searchable

    source = tmp_path / "scan.png"
    cv2.imwrite(str(source), np.full((200, 150, 3), 255, dtype=np.uint8))
    out = write_searchable(source, [], tmp_path / "copies" / "scan.pdf", dpi=100)
    assert _mode(out) == 0o666 & ~umask


def test_generate_command_files_follow_the_umask(tmp_path: Path, by_annex: Any) -> None:
    data = tmp_path / "signin.json"
    data.write_text(json.dumps(by_annex("signin").record, ensure_ascii=False), "utf-8")
    old = os.umask(0o002)
    try:
        result = run("generate", "signin", str(data), "-o", str(tmp_path / "s.docx"))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert _mode(tmp_path / "s.docx") == 0o664
