"""Batch machinery: discovery of packages (folders, batches, zips, hostile zips) and checking
many packages in worker processes that may crash, hang or raise.

The per-document checkers here are fakes, module-level so that they pickle to the workers.
A fake reads its file's text and acts on it: ``segfault``, ``hang``, ``raise``, ``exit``,
``memory``, ``unpicklable``, ``not-a-list``; any other text is returned as the data.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import multiprocessing
import os
import signal
import stat
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annexkit.checker.batch import StartMethod, run_batch
from annexkit.checker.discover import DiscoveryError, PackageSource, discover
from annexkit.checker.result import DocumentResult, PackageResult

# --- fake per-document checkers ----------------------------------------------------------


def fake_check(path: Path, display: str) -> list[DocumentResult]:
    text = path.read_text("utf-8")
    if text == "segfault":
        faulthandler.disable()  # a real crash prints nothing; keep pytest's dump out of CI logs
        os.kill(os.getpid(), signal.SIGSEGV)
    if text == "hang":
        time.sleep(60)
    if text == "raise":
        raise ValueError("boom")
    if text == "exit":
        os._exit(3)
    if text == "memory":
        raise MemoryError
    if text == "unpicklable":
        return [DocumentResult(display, "docx", data={"f": lambda: None})]
    if text == "not-a-list":
        return "oops"  # type: ignore[return-value]
    return [DocumentResult(display, path.suffix.lstrip("."), annex="ledger", data={"text": text})]


def where_check(path: Path, display: str) -> list[DocumentResult]:
    """Says where the file it was given lives, to show unpacked files are removed after."""
    return [DocumentResult(display, "docx", data={"at": str(path), "text": path.read_text()})]


def two_part_check(path: Path, display: str) -> list[DocumentResult]:
    """A PDF holding two annexes: two results, the checker leaves their seconds at 0."""
    time.sleep(0.05)
    return [DocumentResult(f"{display}#pages={p}", "pdf") for p in ("1-1", "2-2")]


# --- helpers -----------------------------------------------------------------------------


def write(path: Path, text: str | bytes = "ok") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def make_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content)
    return path


def codes(result: PackageResult) -> list[tuple[str, str]]:
    return [(d.path, f.code) for d in result.documents for f in d.findings]


def comparable(results: list[PackageResult]) -> list[Any]:
    """Everything but timings."""
    return [
        (
            r.path,
            r.profile,
            [
                (d.path, d.format, d.annex, d.data, [(f.code, f.message) for f in d.findings])
                for d in r.documents
            ],
            [(f.code, f.message) for f in r.findings],
        )
        for r in results
    ]


BAD = {(7, 1): "segfault", (19, 0): "hang", (28, 2): "raise"}
TOO_LARGE = (41, 1)
LIMIT = 1024


@pytest.fixture(scope="module")
def fifty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch folder of 50 packages of 3 documents; four documents are bad."""
    root = tmp_path_factory.mktemp("batch")
    for i in range(50):
        for j, suffix in enumerate(("docx", "pdf", "xlsx")):
            text = BAD.get((i, j), f"package {i} document {j}")
            if (i, j) == TOO_LARGE:
                text = "x" * (2 * LIMIT)  # the fake would happily read it: it must not get it
            write(root / f"班{i}" / f"d{j}.{suffix}", text)
    return root


# --- batch -------------------------------------------------------------------------------


def test_fifty_packages_four_bad_documents_one_and_two_workers(fifty: Path) -> None:
    started = time.monotonic()
    packages = discover([fifty])
    assert [p.path for p in packages] == [str(fifty / f"班{i}") for i in range(50)]
    runs: dict[int, list[PackageResult]] = {}
    for workers in (1, 2):
        t = time.monotonic()
        runs[workers] = list(
            run_batch(packages, workers=workers, timeout=2, max_bytes=LIMIT, check=fake_check)
        )
        assert time.monotonic() - t < 12, f"workers={workers} took too long"
    assert comparable(runs[1]) == comparable(runs[2])

    results = runs[1]
    assert [r.path for r in results] == [p.path for p in packages]  # input order
    unreadable = {
        (i, d.path): f.message
        for i, r in enumerate(results)
        for d in r.documents
        for f in d.findings
        if f.code == "unreadable-document"
    }
    assert unreadable.keys() == {(7, "d1.pdf"), (19, "d0.docx"), (28, "d2.xlsx"), (41, "d1.pdf")}
    assert "崩溃" in unreadable[7, "d1.pdf"] and "crashed" in unreadable[7, "d1.pdf"]
    assert "SIGSEGV" in unreadable[7, "d1.pdf"]
    assert "超时" in unreadable[19, "d0.docx"] and "timed out" in unreadable[19, "d0.docx"]
    assert "出错" in unreadable[28, "d2.xlsx"] and "ValueError: boom" in unreadable[28, "d2.xlsx"]
    assert "文件过大" in unreadable[41, "d1.pdf"] and "file too large" in unreadable[41, "d1.pdf"]
    assert "2 KB" in unreadable[41, "d1.pdf"] and "1 KB" in unreadable[41, "d1.pdf"]
    for (_, name), message in unreadable.items():
        assert message.startswith(f"{name}：") and f" / {name}: " in message

    for i, result in enumerate(results):
        assert [d.path for d in result.documents] == ["d0.docx", "d1.pdf", "d2.xlsx"]
        for j, document in enumerate(result.documents):
            if (i, document.path) in unreadable:
                assert document.data is None and document.extraction.confidence == 0.0
                continue
            assert document.findings == []
            assert document.data == {"text": f"package {i} document {j}"}
            assert document.seconds > 0
    assert results[19].documents[0].seconds >= 2
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("method", ["forkserver", "spawn", "fork"])
def test_start_methods_agree(tmp_path: Path, method: StartMethod) -> None:
    for name, text in (("a.docx", "segfault"), ("b.docx", "fine"), ("c.docx", "raise")):
        write(tmp_path / "p" / name, text)
    [result] = run_batch(
        discover([tmp_path / "p"]), workers=1, check=fake_check, start_method=method
    )
    assert codes(result) == [("a.docx", "unreadable-document"), ("c.docx", "unreadable-document")]
    assert result.documents[1].data == {"text": "fine"}


def test_other_deaths_and_bad_returns(tmp_path: Path) -> None:
    texts = ["exit", "fine 1", "memory", "unpicklable", "not-a-list", "fine 2"]
    for i, text in enumerate(texts):
        write(tmp_path / "p" / f"{i}.docx", text)
    [result] = run_batch(discover([tmp_path / "p"]), workers=1, check=fake_check)
    messages = [d.findings[0].message if d.findings else d.data for d in result.documents]
    assert "exited unexpectedly with status 3" in str(messages[0])
    assert messages[1] == {"text": "fine 1"}
    assert "needs more than 2 GB of memory" in str(messages[2])
    assert "result cannot be sent back" in str(messages[3])
    assert "not list[DocumentResult]" in str(messages[4])
    assert messages[5] == {"text": "fine 2"}


def test_results_stream_with_bounded_lookahead(tmp_path: Path) -> None:
    document = write(tmp_path / "a.docx", "fine")
    pulled = 0

    def packages() -> Iterator[PackageSource]:
        nonlocal pulled
        for i in range(200):
            pulled += 1
            yield PackageSource(f"p{i}", documents=[(document, "a.docx")])

    results = run_batch(packages(), workers=1, check=fake_check)
    first = next(results)
    assert first.path == "p0"
    assert pulled < 20  # not the whole input before the first result
    assert [r.path for r in results] == [f"p{i}" for i in range(1, 200)]


def test_stopping_early_kills_workers_and_removes_unpacked_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unpacked = tmp_path / "tmp"
    unpacked.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(unpacked))  # zips are unpacked by the parent
    make_zip(tmp_path / "p.zip", {"fine.docx": "fine", "stuck.docx": "hang"})
    [source] = discover([tmp_path / "p.zip"])
    fine = write(tmp_path / "fine.docx", "fine")
    results = run_batch(
        [PackageSource("first", documents=[(fine, "fine.docx")]), source],
        workers=2,
        timeout=60,
        check=fake_check,
    )
    assert next(results).path == "first"
    time.sleep(0.3)  # the stuck document is being checked now
    assert list(unpacked.glob("annexkit-*"))
    started = time.monotonic()
    results.close()
    assert time.monotonic() - started < 1.5  # the stuck worker is killed, not waited for
    assert not [p for p in multiprocessing.active_children() if p.name == "annexkit-checker"]
    assert list(unpacked.glob("annexkit-*")) == []


def test_zip_documents_are_unpacked_for_checking_and_removed(tmp_path: Path) -> None:
    make_zip(tmp_path / "班1.zip", {"班1/备案表.docx": "filing", "班1/第1天.pdf": "day 1"})
    [source] = discover([tmp_path / "班1.zip"])
    [result] = run_batch([source], workers=1, check=where_check)
    assert [(d.path, d.data and d.data["text"]) for d in result.documents] == [
        ("备案表.docx", "filing"),
        ("第1天.pdf", "day 1"),
    ]
    for document in result.documents:
        assert document.data is not None
        assert not Path(document.data["at"]).exists()


def test_seconds_shared_among_parts_and_profile_carried(tmp_path: Path) -> None:
    write(tmp_path / "p" / "both.pdf")
    write(tmp_path / "p" / "package.yaml", "profile: youth-2024\n")
    [result] = run_batch(discover([tmp_path / "p"]), workers=1, check=two_part_check)
    assert result.profile == "youth-2024"
    first, second = result.documents
    assert first.seconds == second.seconds and first.seconds >= 0.02


def test_discovery_refusals_become_package_findings(tmp_path: Path) -> None:
    make_zip(tmp_path / "p.zip", {"a.docx": "fine", "../evil.docx": "x"})
    [result] = run_batch(discover([tmp_path / "p.zip"]), workers=1, check=fake_check)
    assert [d.path for d in result.documents] == ["a.docx"]
    assert [(f.code, f.document) for f in result.findings] == [
        ("unreadable-document", "../evil.docx")
    ]


def test_progress_only_when_asked_or_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = write(tmp_path / "a.docx", "fine")
    packages = [PackageSource(f"p{i}", documents=[(document, "a.docx")]) for i in range(3)]
    list(run_batch(packages, workers=1, check=fake_check))  # stderr is no terminal here
    assert capsys.readouterr().err == ""
    list(run_batch(packages, workers=1, check=fake_check, progress=True))
    err = capsys.readouterr().err
    assert "3/3" in err and "packages" in err and "docs/s" in err


def test_bad_arguments_fail_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="workers"):
        run_batch([], workers=0, check=fake_check)
    with pytest.raises(TypeError, match="module-level"):
        run_batch([], check=lambda path, display: [])


# --- discovery ---------------------------------------------------------------------------


def test_folder_is_one_package_without_litter(tmp_path: Path) -> None:
    folder = tmp_path / "班1"
    for name in ("备案表.docx", "台账.xlsx", "签到第2天.pdf", "签到第10天.pdf"):
        write(folder / name)
    for litter in (".DS_Store", "~$备案表.docx", ".hidden.docx", "Thumbs.db", ".git/x.docx"):
        write(folder / litter)
    write(folder / "package.yaml", "profile: jiangmen-2019\nclaim_date: 2025-06-30\n")
    [package] = discover([folder])
    assert package.path == str(folder)
    assert [d for _, d in package.documents] == [
        "台账.xlsx",
        "备案表.docx",
        "签到第2天.pdf",
        "签到第10天.pdf",
    ]
    assert all(path.is_file() for path, _ in package.documents)
    assert package.profile == "jiangmen-2019"
    assert package.claim_date == dt.date(2025, 6, 30)
    assert package.refusals == []


def test_single_file_is_a_package(tmp_path: Path) -> None:
    file = write(tmp_path / "台账.xlsx")
    [package] = discover([str(file)])
    assert package.path == str(file) and package.documents == [(file, "台账.xlsx")]


def test_batch_folder_with_loose_files_folders_and_zips(tmp_path: Path) -> None:
    batch = tmp_path / "批次"
    write(batch / "loose.docx")
    write(batch / "package.yaml", "claim_date: 2025年7月1日\n")
    write(batch / "班2" / "a.docx")
    write(batch / "班2" / "签到" / "第2天.pdf")  # inside a batch's package, folders nest
    write(batch / "班2" / "签到" / "第10天.pdf")
    write(batch / "班2" / "package.yaml", "profile: youth\n")
    write(batch / "班10" / "b.pdf")
    write(batch / ".cache" / "c.pdf")
    make_zip(batch / "班3.zip", {"x.docx": "zipped"})
    make_zip(batch / "班4.zip", {"甲/a.docx": "a", "乙/b.docx": "b"})  # itself a batch
    packages = discover([batch])
    assert [(p.path, [d for _, d in p.documents]) for p in packages] == [
        (str(batch), ["loose.docx"]),
        (str(batch / "班2"), ["a.docx", "签到/第2天.pdf", "签到/第10天.pdf"]),
        (str(batch / "班3.zip"), ["x.docx"]),
        (f"{batch / '班4.zip'}/乙", ["b.docx"]),
        (f"{batch / '班4.zip'}/甲", ["a.docx"]),
        (str(batch / "班10"), ["b.pdf"]),
    ]
    # the batch's package.yaml gives defaults; a package's own overrides them
    assert {p.claim_date for p in packages} == {dt.date(2025, 7, 1)}
    assert [p.profile for p in packages] == [None, "youth", None, None, None, None]


def test_zip_package_wrapped_in_a_folder(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "p.zip",
        {
            "班1/备案表.docx": "filing",
            "班1/package.yaml": "profile: p1\n",
            "班1/第1天.pdf": "day 1",
            "__MACOSX/班1/._备案表.docx": "resource fork",
            "班1/.DS_Store": "litter",
        },
    )
    [package] = discover([archive])
    assert package.path == str(archive) and package.archive == archive
    assert [d for _, d in package.documents] == ["备案表.docx", "第1天.pdf"]
    assert package.profile == "p1"
    with package.open() as opened:
        assert [(p.read_text(), d) for p, d in opened.documents] == [
            ("filing", "备案表.docx"),
            ("day 1", "第1天.pdf"),
        ]
        folder = opened.documents[0][0].parent
        assert opened.documents[0][0].suffix == ".docx"
    assert not folder.exists()


def test_zip_batch_with_loose_files(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "b.zip",
        {
            "说明.docx": "loose",
            "package.yaml": "claim_date: 2025-01-02\n",
            "a/x.docx": "",
            "a/签到/1.pdf": "",
            "b/y.pdf": "",
        },
    )
    packages = discover([archive])
    assert [(p.path, [d for _, d in p.documents]) for p in packages] == [
        (str(archive), ["说明.docx"]),
        (f"{archive}/a", ["x.docx", "签到/1.pdf"]),
        (f"{archive}/b", ["y.pdf"]),
    ]
    assert {p.claim_date for p in packages} == {dt.date(2025, 1, 2)}


def test_unsafe_zip_entries_are_refused_and_never_written(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("link.docx")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ok.docx", "fine")
        z.writestr(zipfile.ZipInfo("../evil.docx"), "escape")
        z.writestr(zipfile.ZipInfo("a/../../evil2.docx"), "escape")
        z.writestr(zipfile.ZipInfo("/etc/evil.docx"), "absolute")
        z.writestr(zipfile.ZipInfo("C:\\evil.docx"), "drive")
        z.writestr(link, "/etc/passwd")
    [package] = discover([archive])
    assert [d for _, d in package.documents] == ["ok.docx"]
    refused = {f.document: f.message for f in package.refusals}
    assert refused.keys() == {
        "../evil.docx",
        "a/../../evil2.docx",
        "/etc/evil.docx",
        "C:/evil.docx",
        "link.docx",
    }
    assert all(f.code == "unreadable-document" for f in package.refusals)
    assert "'..'" in refused["../evil.docx"] and "“..”" in refused["../evil.docx"]
    assert "absolute path" in refused["/etc/evil.docx"] and "绝对路径" in refused["/etc/evil.docx"]
    assert "symbolic link" in refused["link.docx"] and "符号链接" in refused["link.docx"]
    with package.open() as opened:
        assert [p.read_text() for p, _ in opened.documents] == ["fine"]
    assert not (tmp_path.parent / "evil.docx").exists()


def test_zip_bomb_refused_quickly_without_extracting(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    chunk = bytes(1 << 20)
    # 300 MB of zeros, written a megabyte at a time: the test never holds it in memory.
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
        z.open("备案表.docx", "w") as member,
    ):
        for _ in range(300):
            member.write(chunk)
    assert archive.stat().st_size < 5 * (1 << 20)
    started = time.monotonic()
    [package] = discover([archive])
    assert time.monotonic() - started < 1
    assert package.documents == [] and package.archive is None
    [refusal] = package.refusals
    assert refusal.code == "unreadable-document" and refusal.document == "bomb.zip"
    assert "压缩炸弹" in refusal.message and "zip bomb" in refusal.message
    assert "nothing extracted" in refusal.message


def test_zip_over_size_limit_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "big.zip", {"a.docx": os.urandom(4096)})
    [package] = discover([archive], max_archive_bytes=1024)
    assert package.documents == []
    assert "exceeds the limit of 1 KB" in package.refusals[0].message


def test_zip_member_over_max_bytes_is_not_unpacked(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "p.zip", {"small.docx": "fine", "big.pdf": os.urandom(4096)})
    [package] = discover([archive])
    with package.open(max_bytes=1024) as opened:
        assert [d for _, d in opened.documents] == ["small.docx"]
        [finding] = opened.unreadable
        assert (
            finding.document == "big.pdf"
            and "file too large (4 KB > limit 1 KB)" in finding.message
        )


def test_corrupt_zip_is_a_finding(tmp_path: Path) -> None:
    archive = write(tmp_path / "broken.zip", b"PK\x03\x04 not really")
    [package] = discover([archive])
    assert package.documents == []
    assert "cannot open the zip archive" in package.refusals[0].message


def test_gbk_names_without_utf8_flag(tmp_path: Path) -> None:
    """Windows Explorer zips store GBK names without the UTF-8 flag."""
    name = "签到表.docx"
    placeholder = "ABCDEF.docx"  # as many bytes as the GBK name
    assert len(name.encode("gbk")) == len(placeholder)
    archive = make_zip(tmp_path / "gbk.zip", {placeholder: "signin"})
    archive.write_bytes(archive.read_bytes().replace(b"ABCDEF", "签到表".encode("gbk")))
    [package] = discover([archive])
    assert [d for _, d in package.documents] == [name]
    with package.open() as opened:
        assert [(p.read_text(), d) for p, d in opened.documents] == [("signin", name)]


def test_bad_package_yaml_is_reported_not_fatal(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.docx")
    write(tmp_path / "a" / "package.yaml", "profile: [unclosed\n")
    write(tmp_path / "b" / "x.docx")
    write(tmp_path / "b" / "package.yaml", "claim_date: 2025-02-30\nclaim-date: 2025-01-01\n")
    write(tmp_path / "c" / "x.docx")
    write(tmp_path / "c" / "package.yaml", "- just a list\n")
    a, b, c = discover([tmp_path])
    assert [d for _, d in a.documents] == ["x.docx"]
    [syntax] = a.refusals
    assert syntax.code == "unreadable-document" and syntax.document == "package.yaml"
    assert "invalid YAML" in syntax.message and "YAML 格式错误" in syntax.message
    assert b.claim_date is None
    assert [(f.code, f.path, f.severity) for f in b.refusals] == [
        ("invalid-value", "/claim_date", "error"),
        ("invalid-value", "/claim-date", "warning"),
    ]
    assert "mapping" in c.refusals[0].message


def test_gbk_package_yaml(tmp_path: Path) -> None:
    write(tmp_path / "x.docx")
    write(tmp_path / "package.yaml", "profile: 江门\n".encode("gbk"))
    [package] = discover([tmp_path])
    assert package.profile == "江门"


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="no such file"):
        discover([tmp_path / "nope", tmp_path])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unlistable_folder_is_a_finding(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can list any folder")
    write(tmp_path / "p" / "a.docx")
    locked = tmp_path / "p" / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        [package] = discover([tmp_path / "p"])
    finally:
        locked.chmod(0o755)
    assert [d for _, d in package.documents] == ["a.docx"]
    assert "cannot list folder" in package.refusals[0].message
