"""The one job: check a submission with the checker's own pass and store its report.

Both runners (:mod:`.runner` on SQLite, :mod:`.pgqueue` on PostgreSQL) call
:func:`check_submission`. It is idempotent, so a job interrupted by a restart can simply be
run again: a submission already done or failed is left alone, the report's primary key is
the submission, and the report row and the ``done`` status are written in one transaction
(a second run that races the first stores nothing).

With the report it stores pictures of the checked pages that have findings (for the web
page, which outlines each finding's cell): the JPEGs in the :class:`BlobStore` by content
hash, a ``page_pictures`` row each in the report's transaction, so they come and go with
it. Pictures are an aid: whatever goes wrong making them, the job stores its report
without them. They are rendered in a child process of their own, as the checker reads
documents in its own: PDFium and the image decoders are C code fed untrusted files, and a
crash or an endless page must cost the pictures, never the server.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# _cap_memory: the checker's cap on a worker's memory, reused rather than written twice.
from annexkit.checker.batch import DEFAULT_MAX_MEMORY, _cap_memory
from annexkit.checker.discover import PackageSource
from annexkit.checker.engine import (
    CheckError,
    CheckOptions,
    check_sources,
    find_packages,
    profile_reference,
)
from annexkit.checker.page_pictures import PagePicture, collect
from annexkit.checker.report import Report, build_report, finding_value, reported_findings
from annexkit.checker.result import PackageResult
from annexkit.service import db
from annexkit.service.db import Database
from annexkit.service.errors import ServiceError
from annexkit.service.settings import Settings, test_delay
from annexkit.service.storage import BlobStore, StoredFile

log = logging.getLogger("annexkit.service.jobs")

PICTURE_WIDTH = 900
"""Pixels of a stored page picture's width: the web page shows one page at a time, about as
wide as a laptop's content column, where a ledger's row and its digits must be legible (the
HTML report's 400 suits thumbnails only). ``page_pictures.HEIGHT`` (1200) still bounds the
height, so an A4 portrait page comes out about 848 × 1200 and a landscape ledger 900 × 636."""
PICTURE_BUDGET = 8_000_000
"""Characters of ``data:`` URIs (``page_pictures.collect``'s measure; the JPEG bytes are
3/4 of it, about 6 MB) for all pictures of one submission. Measured at 900 px: a generated
ledger page is 40–80 kB of URI, a noisy 300 dpi scan of one about the same after
downscaling; so about 100 pages with findings get pictures, a whole class and more. Pages
beyond get none (a batch of dozens of broken classes): the findings still list them, and
the disk spent per submission stays bounded at a few percent of a 200 MB upload."""
PICTURE_TIMEOUT = 180.0
"""Seconds the picture child may take in all; a page renders in tens of milliseconds (a
large scan in a few tenths), so only a pathological file reaches it."""
PICTURE_MEMORY = DEFAULT_MAX_MEMORY
"""Memory the picture child may take: the checker's own cap per document (same reasons)."""
_JPEG_MAGIC = b"\xff\xd8\xff"
_PICTURED_FORMATS = frozenset(("pdf", "png", "jpg", "jpeg", "tif", "tiff"))
"""Formats ``page_pictures`` draws pages of (PDF and the scan reader's images)."""


def check_submission(
    database: Database, store: BlobStore, settings: Settings, sid: str, *, claimed: bool = False
) -> str:
    """Check submission ``sid`` unless it is finished already; returns its final status.
    ``claimed``: the caller has marked it running and counted the attempt already."""
    with database.transaction(write=True) as conn:
        row = (
            conn.execute(sa.select(db.submissions).where(db.submissions.c.id == sid))
            .mappings()
            .first()
        )
        if row is None:
            log.warning("submission %s does not exist", sid)
            return "missing"
        if row["status"] in ("done", "failed"):
            return str(row["status"])
        if not claimed:
            conn.execute(
                db.submissions.update()
                .where(db.submissions.c.id == sid)
                .values(status="running", started_at=db.now(), attempts=row["attempts"] + 1)
            )
        files = [
            StoredFile(f["name"], f["sha256"], int(f["size"]))
            for f in conn.execute(
                sa.select(db.submission_files)
                .where(db.submission_files.c.submission_id == sid)
                .order_by(db.submission_files.c.position)
            ).mappings()
        ]
    delay = test_delay()
    if delay:
        time.sleep(delay)
    try:
        checked = check_files(
            store, settings, files, row["name"], row["profile"], row["claim_date"], pictures=True
        )
    except (CheckError, ServiceError) as exc:
        # The check could not start (a package.yaml naming an unknown profile, say): what
        # `annex check` reports as a usage error is this submission's failure.
        return _fail(database, sid, str(exc))
    except Exception:
        log.exception("checking submission %s failed", sid)
        return _fail(
            database, sid, "内部错误，检查未完成 / internal error: the check did not complete"
        )
    revealed = revealed_values(checked.results)
    rows = save_pictures(store, sid, checked.pictures)
    return store_report(database, sid, checked.report, revealed, pictures=rows)


@dataclass(frozen=True)
class PageJpeg:
    """A page picture as made, before it is stored: the JPEG and where its findings are."""

    package: int
    """Index of the package in the report's ``packages``."""
    document: int
    """Index of the document in its package's ``documents`` of the report."""
    page: int
    """1-based page of the file, as in ``page_pictures.PagePicture``."""
    width: int
    height: int
    jpeg: bytes
    outlines: list[dict[str, Any]]
    """``{finding, severity, x, y, w, h}``: the finding's index in its package's findings of
    the (masked) report, its severity and its cell's box in the picture's pixels."""


@dataclass
class Checked:
    """What one check of a submission's files gives."""

    results: list[PackageResult]
    report: Report
    """The masked report (ID and phone numbers masked), built from :attr:`results`."""
    pictures: list[PageJpeg] = field(default_factory=list)


def run_check(
    store: BlobStore,
    settings: Settings,
    files: list[StoredFile],
    name: str,
    profile: str | None,
    claim_date: Any,
) -> list[PackageResult]:
    """The files checked as ``annex check`` checks them; package paths as the uploader
    named them (the file name, or the submission's name for several files)."""
    return check_files(store, settings, files, name, profile, claim_date).results


def check_files(
    store: BlobStore,
    settings: Settings,
    files: list[StoredFile],
    name: str,
    profile: str | None,
    claim_date: Any,
    *,
    pictures: bool = False,
) -> Checked:
    """:func:`run_check` with its masked report and, when ``pictures``, the page pictures
    (made while the laid-out files still exist; none when making them fails)."""
    with store.laid_out(files, name) as target:
        base = target.parent
        sources = find_packages([target])
        for source in sources:
            _refuse_outside_profile(source.profile, Path(source.path), base)
        options = CheckOptions(
            profile=profile,
            claim_date=claim_date,
            workers=settings.check_processes,
            timeout=settings.check_timeout,
            progress=False,
        )
        results = list(check_sources(sources, options))
        for result in results:
            result.path = os.path.relpath(result.path, base)
        report = build_report(results)
        made = make_pictures(sources, results, report) if pictures else []
    return Checked(results, report, made)


# ----------------------------------------------------------------------- page pictures


Drawable = tuple[Sequence[PackageSource], Sequence[PackageResult], Report]
"""One submission's packages as found, their results and its masked report."""


def make_pictures(
    sources: Sequence[PackageSource],
    results: Sequence[PackageResult],
    report: Report,
    *,
    width: int = PICTURE_WIDTH,
    max_bytes: int = PICTURE_BUDGET,
    timeout: float = PICTURE_TIMEOUT,
) -> list[PageJpeg]:
    """The masked pictures of the pages of ``report`` that have outlined findings, made in a
    child process (see the module's docstring); ``sources`` must still be readable. An empty
    list, logged, when the child fails, dies or overruns ``timeout``: never an error."""
    return make_pictures_of_many(
        [(sources, results, report)], width=width, max_bytes=max_bytes, timeout=timeout
    )[0]


def make_pictures_of_many(
    items: Sequence[Drawable],
    *,
    width: int = PICTURE_WIDTH,
    max_bytes: int = PICTURE_BUDGET,
    timeout: float = PICTURE_TIMEOUT,
) -> list[list[PageJpeg]]:
    """:func:`make_pictures` for several submissions in one child process (one start-up for
    a batch of the local runner), each with its own ``max_bytes``; ``timeout`` is per
    submission. Every list empty when the child fails: pictures are only an aid."""
    wanted = [
        any(d.format.lower() in _PICTURED_FORMATS for r in results for d in r.documents)
        for _, results, _ in items
    ]
    out: list[list[PageJpeg]] = [[] for _ in items]
    if not any(wanted):
        return out  # Word and Excel documents only: no pages to draw, no child to start
    work = [
        (list(sources), list(results), report)
        for (sources, results, report), want in zip(items, wanted, strict=True)
        if want
    ]
    # As the checker's pool: a fork server where there is one (a clean single-threaded
    # parent, where a fork of this threaded server could inherit a held lock), else spawn.
    context: BaseContext
    process: type[BaseProcess]
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        context, process = server, server.Process
    else:
        spawned = multiprocessing.get_context("spawn")
        context, process = spawned, spawned.Process
    receiver, sender = context.Pipe(duplex=False)
    child = process(
        target=_picture_child,
        args=(sender, work, width, max_bytes),
        name="annexkit-pictures",
        daemon=True,  # never outlives the server, whatever happens to it
    )
    started = time.monotonic()
    reply: tuple[Any, ...]
    try:
        child.start()
        sender.close()  # ours: so that a dead child reads as EOF, not as a silent wait
        if not receiver.poll(timeout * len(work)):
            raise TimeoutError(f"no pictures after {timeout * len(work):g} s")
        reply = receiver.recv()  # EOFError: the child died (crash, memory cap)
    except Exception as exc:
        reply = ("error", type(exc).__name__)
    finally:
        sender.close()
        receiver.close()
        if child.is_alive():
            child.kill()
        with contextlib.suppress(Exception):  # not started: nothing to wait for
            child.join(5)
    if reply[0] != "ok":
        # Only the kind of failure and the exit code (negative: the signal that killed
        # it): an exception's text may quote a document, and logs must not hold what the
        # reports mask.
        log.warning(
            "page pictures not made (%s, exit code %s); the report is stored without them",
            reply[1],
            child.exitcode,
        )
        return out
    made: list[list[PageJpeg]] = reply[1]
    omitted, failed = reply[2], reply[3]
    log.info(
        "made %d page picture(s) of %d bytes for %d submission(s) in %.1f s "
        "(%d over the budget, %d unrenderable)",
        sum(len(m) for m in made),
        sum(len(p.jpeg) for m in made for p in m),
        len(work),
        time.monotonic() - started,
        omitted,
        failed,
    )
    drawn = iter(made)
    return [next(drawn) if want else [] for want in wanted]


def _picture_child(
    conn: Connection,
    work: list[tuple[list[PackageSource], list[PackageResult], Report]],
    width: int,
    max_bytes: int,
) -> None:
    """The picture child's whole life: collect, send back, exit."""
    # Ctrl-C reaches the whole process group: the parent decides when this child stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Pictures are an aid: on a busy server the checks come first.
    with contextlib.suppress(OSError):
        os.nice(10)
    _cap_memory(PICTURE_MEMORY)
    reply: tuple[Any, ...]
    try:
        made: list[list[PageJpeg]] = []
        omitted = failed = 0
        for sources, results, report in work:
            pictures = collect(sources, results, report, width=width, max_bytes=max_bytes)
            made.append(
                [
                    _as_jpeg(package, picture)
                    for package, pages in sorted(pictures.packages.items())
                    for picture in pages
                ]
            )
            omitted += pictures.omitted
            failed += pictures.failed
        reply = ("ok", made, omitted, failed)
    except Exception as exc:
        reply = ("error", type(exc).__name__)
    try:
        conn.send(reply)
    finally:
        conn.close()


def _as_jpeg(package: int, picture: PagePicture) -> PageJpeg:
    """A ``page_pictures.PagePicture`` as bytes and plain outlines."""
    _, encoded = picture.uri.split(",", 1)
    outlines = [
        {
            "finding": o.finding,
            "severity": o.severity,
            "x": o.x,
            "y": o.y,
            "w": o.width,
            "h": o.height,
        }
        for o in picture.outlines
    ]
    return PageJpeg(
        package,
        picture.document,
        picture.page,
        picture.width,
        picture.height,
        base64.b64decode(encoded),
        outlines,
    )


def save_pictures(store: BlobStore, sid: str, pictures: Sequence[PageJpeg]) -> list[dict[str, Any]]:
    """The JPEGs written to ``store`` (by content: a second run rewrites nothing) and their
    ``page_pictures`` rows for :func:`store_report`; none when a write fails (disk full).
    Written before the report's transaction so that it does not hold the database's write
    lock for file I/O; a blob whose job then stops before its report is harmless and is
    stored again, the same bytes, by the run that completes."""
    rows: list[dict[str, Any]] = []
    try:
        for picture in pictures:
            if not picture.jpeg.startswith(_JPEG_MAGIC):
                raise ValueError("not a JPEG")
            stored = store.put("page.jpg", io.BytesIO(picture.jpeg), len(picture.jpeg))
            rows.append(
                {
                    "submission_id": sid,
                    "package": picture.package,
                    "document": picture.document,
                    "page": picture.page,
                    "width": picture.width,
                    "height": picture.height,
                    "sha256": stored.sha256,
                    "outlines": json.dumps(picture.outlines, ensure_ascii=False),
                }
            )
    except Exception as exc:
        log.warning(
            "page pictures of submission %s not stored (%s); the report is stored without them",
            sid,
            type(exc).__name__,
        )
        return []
    return rows


def _refuse_outside_profile(given: str | None, package: Path, base: Path) -> None:
    """A ``package.yaml`` may name a profile FILE: on a server that must be a file inside
    the upload, never one of the server's own files."""
    if not given:
        return
    reference = profile_reference(given, package)
    if not reference.endswith((".yaml", ".yml")) and "/" not in reference:
        return  # a shipped profile's name
    resolved = Path(reference)
    resolved = (resolved if resolved.is_absolute() else package / resolved).resolve()
    if base.resolve() not in resolved.parents:
        raise ServiceError(
            "profile-outside-package",
            f"package.yaml 指定的政策文件不在上传的材料中：{given}",
            f"the profile file package.yaml names is not part of the upload: {given}",
        )


def revealed_values(results: Sequence[PackageResult]) -> dict[str, Any]:
    """What the audited reveal endpoint may show: each reported finding's unmasked
    ``value``, in the report's shape (``packages[].findings[].value``, finding ``n`` in the
    same place as in the report) but nothing else — a whole second, unmasked report would
    cost as much to build as the first and keep more personal data than the endpoint needs."""
    return {
        "packages": [
            {
                "findings": [
                    {"value": finding_value(f, reveal=True)} for f, _ in reported_findings(p)
                ]
            }
            for p in results
        ]
    }


def store_report(
    database: Database,
    sid: str,
    report: dict[str, Any],
    revealed: dict[str, Any],
    *,
    pictures: Sequence[dict[str, Any]] = (),
) -> str:
    """Report row, its page pictures' rows (:func:`save_pictures`) and ``done`` in one
    transaction; nothing when a report exists already."""
    codes = sorted({f["code"] for package in report["packages"] for f in package["findings"]})
    # PostgreSQL: should another run store its report first, that one stands (with its own
    # pictures: this run's rows go with its rolled-back transaction).
    with contextlib.suppress(sa.exc.IntegrityError):
        _insert_report(database, sid, report, revealed, codes, pictures)
    return "done"


def add_pictures(database: Database, sid: str, pictures: Sequence[dict[str, Any]]) -> None:
    """Page pictures' rows for a report stored without them (the local runner draws a
    batch's pictures after storing its reports); nothing when the submission has some."""
    if not pictures:
        return
    with contextlib.suppress(sa.exc.IntegrityError), database.transaction(write=True) as conn:
        held = conn.execute(
            sa.select(db.page_pictures.c.submission_id)
            .where(db.page_pictures.c.submission_id == sid)
            .limit(1)
        ).first()
        if held is None:
            conn.execute(db.page_pictures.insert(), list(pictures))


def _insert_report(
    database: Database,
    sid: str,
    report: dict[str, Any],
    revealed: dict[str, Any],
    codes: list[str],
    pictures: Sequence[dict[str, Any]] = (),
) -> None:
    with database.transaction(write=True) as conn:
        exists = conn.execute(
            sa.select(db.reports.c.submission_id).where(db.reports.c.submission_id == sid)
        ).first()
        if exists is not None:
            return
        conn.execute(
            db.reports.insert().values(
                submission_id=sid,
                report=json.dumps(report, ensure_ascii=False),
                revealed=json.dumps(revealed, ensure_ascii=False),
                created_at=db.now(),
            )
        )
        if codes:
            conn.execute(
                db.submission_codes.insert(), [{"submission_id": sid, "code": c} for c in codes]
            )
        if pictures:
            conn.execute(db.page_pictures.insert(), list(pictures))
        conn.execute(
            db.submissions.update()
            .where(db.submissions.c.id == sid)
            .values(
                status="done",
                error=None,
                errors=report["summary"]["errors"],
                warnings=report["summary"]["warnings"],
                finished_at=db.now(),
            )
        )


def _fail(database: Database, sid: str, message: str) -> str:
    with database.transaction(write=True) as conn:
        conn.execute(
            db.submissions.update()
            .where(db.submissions.c.id == sid, db.submissions.c.status != "done")
            .values(status="failed", error=message, finished_at=db.now())
        )
    return "failed"
