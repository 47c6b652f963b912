"""Page pictures stored with a submission's report (service/jobs.py, service/pictures.py).

The job function runs in-process on a SQLite database in ``tmp_path`` (no server): a PDF
package with a wrong ledger age must get a picture of that ledger page whose outline lies
on the age cell — read back independently as the PDF's own text under the outline — and
points at the report's finding; a DOCX package gets none; running the job again or failing
to make pictures changes nothing else. The migration and the storage also run on
PostgreSQL when ``ANNEXKIT_TEST_PG_URL`` is set (under CI a missing URL fails).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import logging
import os
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.engine import make_url

from annexkit.checker.report import build_report
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document
from annexkit.service import db, jobs
from annexkit.service.db import Database
from annexkit.service.errors import ServiceError
from annexkit.service.pictures import StoredPicture, picture_bytes, picture_for, pictures_of
from annexkit.service.settings import Settings
from annexkit.service.storage import BlobStore, StoredFile
from tests.test_service_api import fresh_database

AGE_ROW = 17
"""A ledger row on the second page of the sample class's ledger."""
PACKAGE = "班级"


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def faulty(sample_documents: list[Document]) -> list[Document]:
    """The sample class with one wrong ledger age, and one sign-in sheet of its twenty."""
    out: list[Document] = []
    for document in sample_documents:
        if document.annex == "ledger":
            record = copy.deepcopy(document.record)
            record["rows"][AGE_ROW]["age"] += 1
            document = dataclasses.replace(document, record=record)
        if document.annex == "signin" and any(d.annex == "signin" for d in out):
            continue
        out.append(document)
    return out


@pytest.fixture(scope="module")
def pdf_zip(tmp_path_factory: pytest.TempPathFactory, faulty: list[Document]) -> bytes:
    """The faulty package as PDF only (LibreOffice), zipped as an institution uploads it."""
    made = tmp_path_factory.mktemp("pdf")
    write_documents(faulty, made, pdf=True)
    return _zipped(sorted(made.glob("*.pdf")))


@pytest.fixture(scope="module")
def docx_zip(tmp_path_factory: pytest.TempPathFactory, faulty: list[Document]) -> bytes:
    made = tmp_path_factory.mktemp("docx")
    write_documents(faulty, made)
    return _zipped(sorted(made.glob("*.docx")))


def _zipped(paths: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            archive.write(path, path.name)
    return buffer.getvalue()


@dataclass
class Service:
    database: Database
    store: BlobStore
    settings: Settings


def _service(folder: Path, db_url: str | None = None) -> Iterator[Service]:
    settings = Settings(data_dir=folder / "data", db_url=db_url, check_processes=1).resolve()
    database = Database(settings.url)
    try:
        db.migrate(database)
        yield Service(database, BlobStore(settings.blob_dir), settings)
    finally:
        database.close()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    yield from _service(tmp_path)


def _submit(service: Service, name: str, content: bytes) -> str:
    """A queued submission of one uploaded zip, as the upload endpoint stores it."""
    stored = service.store.put(name, io.BytesIO(content), len(content))
    sid = uuid.uuid4().hex
    with service.database.transaction(write=True) as conn:
        user = conn.execute(
            db.users.insert().values(
                name=f"机构-{sid[:8]}",
                role="institution",
                institution="52440700FY0TX3JPQX",
                token_hash=uuid.uuid4().hex,
                disabled=False,
                created_at=db.now(),
            )
        ).inserted_primary_key
        assert user is not None
        conn.execute(
            db.submissions.insert().values(
                id=sid,
                institution="52440700FY0TX3JPQX",
                uploaded_by=user[0],
                name=PACKAGE,
                status="queued",
                attempts=0,
                created_at=db.now(),
            )
        )
        conn.execute(
            db.submission_files.insert().values(
                submission_id=sid, position=0, name=name, sha256=stored.sha256, size=stored.size
            )
        )
    return sid


def _report(service: Service, sid: str) -> dict[str, Any]:
    with service.database.transaction() as conn:
        text = conn.execute(
            sa.select(db.reports.c.report).where(db.reports.c.submission_id == sid)
        ).scalar_one()
    report: dict[str, Any] = json.loads(text)
    return report


def _count(service: Service, table: sa.Table, sid: str) -> int:
    with service.database.transaction() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.submission_id == sid)
            ).scalar_one()
        )


def _blobs(store: BlobStore) -> set[Path]:
    return {p for p in store.root.rglob("*") if p.is_file()}


# ------------------------------------------------------------------------------ the job


@pytest.mark.pdf
def test_pdf_submission_stores_the_ledger_page_with_the_age_cell_outlined(
    service: Service, pdf_zip: bytes, faulty: list[Document]
) -> None:
    sid = _submit(service, "班级.zip", pdf_zip)
    assert jobs.check_submission(service.database, service.store, service.settings, sid) == "done"
    report = _report(service, sid)
    (package,) = report["packages"]
    ages = [
        (i, f)
        for i, f in enumerate(package["findings"])
        if f["code"] == "age-mismatch" and f["path"] == f"/rows/{AGE_ROW}/age"
    ]
    (number, finding), *_ = ages
    ledger = next(i for i, d in enumerate(package["documents"]) if d["annex"] == "ledger")
    assert finding["document"] == package["documents"][ledger]["path"]

    pictures = pictures_of(service.database, sid)
    assert pictures, "a PDF package with located findings must get pictures"
    assert [(p.package, p.document, p.page) for p in pictures] == sorted(
        (p.package, p.document, p.page) for p in pictures
    )
    (picture,) = [p for p in pictures if p.document == ledger and p.page == 2]
    assert picture.package == 0
    (outline,) = [o for o in picture.outlines if o["finding"] == number]
    assert outline["severity"] == finding["severity"]
    # inside the picture
    assert outline["x"] >= 0 and outline["x"] + outline["w"] <= picture.width
    assert outline["y"] >= 0 and outline["y"] + outline["h"] <= picture.height
    assert outline["w"] > 4 and outline["h"] > 4
    # every outline points at a finding of the report, of its document
    for stored in pictures:
        for o in stored.outlines:
            assert set(o) == {"finding", "severity", "x", "y", "w", "h"}
            shown = package["findings"][o["finding"]]
            assert shown["severity"] == o["severity"]
            assert shown["document"] == package["documents"][stored.document]["path"]

    # the stored JPEG is that picture, at the web page's width
    data = picture_bytes(service.store, picture.sha256)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.mode == "L"
    assert image.size == (picture.width, picture.height)
    assert picture.width == jobs.PICTURE_WIDTH or picture.height == 1200

    # the outline lies on the wrong age: the PDF's own text under it, in PDF user space
    wrong_age = next(d for d in faulty if d.annex == "ledger").record["rows"][AGE_ROW]["age"]
    with zipfile.ZipFile(io.BytesIO(pdf_zip)) as archive:
        pdf = pdfium.PdfDocument(archive.read(finding["document"]))
    try:
        page = pdf[picture.page - 1]
        width_pt, height_pt = page.get_size()
        scale = picture.width / width_pt
        text = page.get_textpage().get_text_bounded(
            left=outline["x"] / scale,
            right=(outline["x"] + outline["w"]) / scale,
            top=height_pt - outline["y"] / scale,
            bottom=height_pt - (outline["y"] + outline["h"]) / scale,
        )
    finally:
        pdf.close()
    assert text.strip() == str(wrong_age)


@pytest.mark.pdf
def test_a_second_run_stores_nothing_twice(service: Service, pdf_zip: bytes) -> None:
    sid = _submit(service, "班级.zip", pdf_zip)
    assert jobs.check_submission(service.database, service.store, service.settings, sid) == "done"
    rows, blobs = _count(service, db.page_pictures, sid), _blobs(service.store)
    assert rows > 0
    # the job again (a restart re-queued it): done already, nothing happens
    assert jobs.check_submission(service.database, service.store, service.settings, sid) == "done"
    # a run that raced the first and gets as far as storing: its report and pictures lose
    files = [StoredFile("班级.zip", _upload_sha(service, sid), len(pdf_zip))]
    checked = jobs.check_files(
        service.store, service.settings, files, PACKAGE, None, None, pictures=True
    )
    again = jobs.save_pictures(service.store, sid, checked.pictures)
    assert len(again) == rows
    revealed = build_report(checked.results, reveal=True)
    assert jobs.store_report(service.database, sid, checked.report, revealed, pictures=again)
    assert _count(service, db.page_pictures, sid) == rows
    assert _count(service, db.reports, sid) == 1
    # the same pages make the same JPEGs: stored once by content
    assert _blobs(service.store) == blobs


def _upload_sha(service: Service, sid: str) -> str:
    with service.database.transaction() as conn:
        return str(
            conn.execute(
                sa.select(db.submission_files.c.sha256).where(
                    db.submission_files.c.submission_id == sid
                )
            ).scalar_one()
        )


@pytest.mark.pdf
def test_pictures_that_cannot_be_made_never_fail_the_job(
    service: Service,
    pdf_zip: bytes,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    made = jobs.make_pictures

    def overdue(*args: Any, **kwargs: Any) -> list[jobs.PageJpeg]:
        # the child is given no time at all: the same path as a hung or crashed one
        return made(*args, **{**kwargs, "timeout": 0.0})

    monkeypatch.setattr(jobs, "make_pictures", overdue)
    sid = _submit(service, "班级.zip", pdf_zip)
    assert jobs.check_submission(service.database, service.store, service.settings, sid) == "done"
    assert _report(service, sid)["summary"]["errors"] > 0
    assert pictures_of(service.database, sid) == []
    assert "page pictures not made (TimeoutError" in caplog.text


class _Crash:
    """Unpickled in the picture child, it ends that child at once: as a segfault in PDFium
    would, with nothing sent back."""

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return (os._exit, (3,))


def test_a_crashing_picture_child_costs_only_the_pictures(caplog: pytest.LogCaptureFixture) -> None:
    scanned = [PackageResult("a.pdf", documents=[DocumentResult("a.pdf", "pdf")])]
    made = jobs.make_pictures(cast(Any, [_Crash()]), scanned, cast(Any, {"packages": []}))
    assert made == []
    assert "page pictures not made (EOFError, exit code 3)" in caplog.text


@pytest.mark.pdf
def test_a_full_disk_stores_the_report_without_pictures(
    service: Service, pdf_zip: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _submit(service, "班级.zip", pdf_zip)

    def full(*args: Any, **kwargs: Any) -> StoredFile:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service.store, "put", full)
    assert jobs.check_submission(service.database, service.store, service.settings, sid) == "done"
    assert pictures_of(service.database, sid) == []


def test_docx_submission_stores_no_pictures(
    service: Service, docx_zip: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    sid = _submit(service, "班级.zip", docx_zip)
    caplog.set_level(logging.INFO, logger="annexkit.service.jobs")
    assert jobs.check_submission(service.database, service.store, service.settings, sid) == "done"
    assert "page picture" not in caplog.text  # Word only: no picture child was started
    assert _report(service, sid)["summary"]["errors"] > 0  # findings, but no pages to show
    assert pictures_of(service.database, sid) == []


# ------------------------------------------------------------------------------ access


def _picture_row(sid: str, sha: str, page: int = 1) -> dict[str, Any]:
    outlines = [{"finding": 0, "severity": "error", "x": 1.0, "y": 2.0, "w": 30.0, "h": 8.0}]
    return {
        "submission_id": sid,
        "package": 0,
        "document": 2,
        "page": page,
        "width": 40,
        "height": 20,
        "sha256": sha,
        "outlines": json.dumps(outlines),
    }


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 20), 255).save(buffer, "JPEG")
    return buffer.getvalue()


def _stored_picture_round_trip(service: Service) -> None:
    """Two submissions, one with a picture: stored once, read back, and given out only as
    a picture of its own submission."""
    upload = b"%PDF-1.7 an uploaded document"
    sid = _submit(service, "a.pdf", upload)
    other = _submit(service, "b.pdf", upload)
    jpeg = _jpeg()
    sha = service.store.put("page.jpg", io.BytesIO(jpeg), len(jpeg)).sha256
    report = {"packages": [], "summary": {"errors": 1, "warnings": 0}}
    rows = [_picture_row(sid, sha, 2), _picture_row(sid, sha, 1)]
    for _ in range(2):  # the second store is a second run: it stores nothing
        jobs.store_report(service.database, sid, report, report, pictures=rows)
    jobs.store_report(service.database, other, report, report)

    assert pictures_of(service.database, sid) == [
        StoredPicture(0, 2, page, 40, 20, sha, [json.loads(rows[0]["outlines"])[0]])
        for page in (1, 2)
    ]
    assert pictures_of(service.database, other) == []
    assert picture_bytes(service.store, sha) == jpeg
    assert picture_for(service.database, service.store, sid, sha) == jpeg
    upload_sha = _upload_sha(service, sid)
    refused = [
        (service.database, service.store, other, sha),  # not a picture of that submission
        (service.database, service.store, sid, upload_sha),  # the upload, not a picture
    ]
    for args in refused:
        with pytest.raises(ServiceError) as caught:
            picture_for(*args)
        assert caught.value.status == 404
    for bad in (upload_sha, "../../etc/passwd", "0" * 64):
        with pytest.raises(ServiceError, match="no such page picture"):
            picture_bytes(service.store, bad)


def test_pictures_are_read_back_per_submission_on_sqlite(service: Service) -> None:
    _stored_picture_round_trip(service)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_migration_and_pictures_on_postgresql(backend: str, tmp_path: Path) -> None:
    for url in fresh_database(backend, tmp_path):
        assert url is not None
        for service in _service(tmp_path, url):
            db.migrate(service.database)  # again: already at the newest revision
            inspector = sa.inspect(service.database.engine)
            columns = {c["name"] for c in inspector.get_columns("page_pictures")}
            assert columns == {
                *("submission_id", "package", "document", "page"),
                *("width", "height", "sha256", "outlines"),
            }
            key = inspector.get_pk_constraint("page_pictures")["constrained_columns"]
            assert key == ["submission_id", "package", "document", "page"]
            with service.database.transaction() as conn:
                version = conn.execute(
                    sa.text(f"SELECT version_num FROM {db.VERSION_TABLE}")
                ).scalar_one()
            assert version >= "0002"  # this migration or a later one
            assert make_url(url).get_backend_name() == "postgresql"
            _stored_picture_round_trip(service)


@pytest.mark.pdf
def test_a_batch_of_the_local_runner_stores_the_same_pictures(
    service: Service, pdf_zip: bytes, docx_zip: bytes
) -> None:
    """The local runner checks queued submissions together and draws their pictures in one
    child after storing their reports: the same rows as one submission checked alone."""
    from annexkit.service import runner

    alone = _submit(service, "单独.zip", pdf_zip)
    assert jobs.check_submission(service.database, service.store, service.settings, alone)
    batch = [_submit(service, f"批{i}.zip", pdf_zip) for i in range(2)]
    batch.append(_submit(service, "文档.zip", docx_zip))
    runner.check_batch(service.database, service.store, service.settings, batch)

    def shown(sid: str) -> list[tuple[Any, ...]]:
        return [
            (p.package, p.document, p.page, p.sha256, p.outlines)
            for p in pictures_of(service.database, sid)
        ]

    assert shown(alone)
    assert shown(batch[0]) == shown(batch[1]) == shown(alone)
    assert shown(batch[2]) == []
    assert all(_report(service, sid) for sid in batch)
