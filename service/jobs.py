"""The one job: check a submission with the checker's own pass and store its report.

Both runners (:mod:`.runner` on SQLite, :mod:`.pgqueue` on PostgreSQL) call
:func:`check_submission`. It is idempotent, so a job interrupted by a restart can simply be
run again: a submission already done or failed is left alone, the report's primary key is
the submission, and the report row and the ``done`` status are written in one transaction
(a second run that races the first stores nothing).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from annexkit.checker.engine import (
    CheckError,
    CheckOptions,
    check_sources,
    find_packages,
    profile_reference,
)
from annexkit.checker.report import build_report
from annexkit.checker.result import PackageResult
from annexkit.service import db
from annexkit.service.db import Database
from annexkit.service.errors import ServiceError
from annexkit.service.settings import Settings, test_delay
from annexkit.service.storage import BlobStore, StoredFile

log = logging.getLogger("annexkit.service.jobs")


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
        results = run_check(store, settings, files, row["name"], row["profile"], row["claim_date"])
    except (CheckError, ServiceError) as exc:
        # The check could not start (a package.yaml naming an unknown profile, say): what
        # `annex check` reports as a usage error is this submission's failure.
        return _fail(database, sid, str(exc))
    except Exception:
        log.exception("checking submission %s failed", sid)
        return _fail(
            database, sid, "内部错误，检查未完成 / internal error: the check did not complete"
        )
    report = build_report(results)
    revealed = build_report(results, reveal=True)
    return store_report(database, sid, report, revealed)


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
    return results


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


def store_report(
    database: Database, sid: str, report: dict[str, Any], revealed: dict[str, Any]
) -> str:
    """Report row and ``done`` in one transaction; nothing when a report exists already."""
    codes = sorted({f["code"] for package in report["packages"] for f in package["findings"]})
    # PostgreSQL: should another run store its report first, that one stands.
    with contextlib.suppress(sa.exc.IntegrityError):
        _insert_report(database, sid, report, revealed, codes)
    return "done"


def _insert_report(
    database: Database,
    sid: str,
    report: dict[str, Any],
    revealed: dict[str, Any],
    codes: list[str],
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
