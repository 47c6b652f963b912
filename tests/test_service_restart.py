"""A job whose server is killed mid-run is finished after a restart, with exactly one report.

The job is kept running long enough to kill the server by ``ANNEXKIT_TEST_JOB_DELAY``
(seconds a job sleeps after it is marked running; a hook for tests only, see
``annexkit.service.settings``). The server is killed with SIGKILL, so no shutdown code runs;
the restarted one (without the delay) must pick the job up: on SQLite by re-queueing
``running`` rows older than itself, on PostgreSQL by procrastinate's stalled-job recovery
(no heartbeat for ``--stalled-after`` seconds).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from annexkit.service.settings import TEST_DELAY_VARIABLE
from tests.test_service_api import (
    INSTITUTION_A,
    SAMPLES,
    Server,
    fresh_database,
    wait_done,
    zipped,
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_job_finishes_once_after_restart(backend: str, tmp_path: Path) -> None:
    for db_url in fresh_database(backend, tmp_path):
        server = Server(tmp_path / "data", db_url, env={TEST_DELAY_VARIABLE: "60"})
        token = server.add_user("机构甲", "institution", INSTITUTION_A)
        headers = {"Authorization": f"Bearer {token}"}
        server.start()
        try:
            with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
                response = client.post(
                    "/api/v1/submissions", files={"file": ("clean.zip", zipped(SAMPLES / "clean"))}
                )
                sid = response.json()["id"]
                deadline = time.monotonic() + 30
                while client.get(f"/api/v1/submissions/{sid}").json()["status"] != "running":
                    assert time.monotonic() < deadline, "the job never started"
                    time.sleep(0.1)
            server.kill()

            server.env = {}
            server.start()
            with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
                body = wait_done(client, sid, timeout=90)
            assert body["status"] == "done"
            assert body["summary"] == {"errors": 0, "warnings": 0}
            with server.engine().connect() as conn:
                reports = conn.execute(
                    sa.text("SELECT count(*) FROM reports WHERE submission_id = :s"), {"s": sid}
                ).scalar_one()
                attempts = conn.execute(
                    sa.text("SELECT attempts FROM submissions WHERE id = :s"), {"s": sid}
                ).scalar_one()
            assert reports == 1
            assert attempts == 2  # the killed run and the one that finished
        finally:
            server.stop()


def test_a_batch_stores_what_one_job_at_a_time_stores(tmp_path: Path) -> None:
    """The SQLite runner checks several claimed submissions in one pass of the pool
    (``runner.check_batch``): each gets the status, error and report that
    ``jobs.check_submission`` alone gives it — different options, a submission whose check
    cannot start (a zipped package.yaml naming a profile file) and several files included."""
    from annexkit.service import db
    from annexkit.service.jobs import check_submission
    from annexkit.service.runner import check_batch, claim_batch
    from annexkit.service.settings import Settings
    from annexkit.service.storage import BlobStore
    from annexkit.service.users import add_user

    uploads: list[tuple[list[tuple[str, bytes]], str, str | None, str | None]] = [
        ([("clean.zip", zipped(SAMPLES / "clean"))], "clean.zip", None, None),
        ([("low.zip", zipped(SAMPLES / "low-attendance"))], "low.zip", None, None),
        (
            [(p.name, p.read_bytes()) for p in sorted((SAMPLES / "missing-annex").iterdir())],
            "missing-annex",
            None,
            None,
        ),
        ([("date.zip", zipped(SAMPLES / "date-order"))], "date.zip", None, "2026-03-01"),
        ([("count.zip", zipped(SAMPLES / "count-mismatch"))], "count.zip", None, None),
    ]

    def run(folder: Path, batched: bool) -> list[tuple[Any, ...]]:
        settings = Settings(data_dir=folder, check_processes=1).resolve()
        database = db.Database(settings.url)
        db.migrate(database)
        store = BlobStore(settings.blob_dir)
        user, _ = add_user(database, "u", "reviewer")
        sids = []
        for index, (files, name, profile, claim) in enumerate(uploads):
            stored = [store.put(n, io.BytesIO(b), len(b)) for n, b in files]
            sid = f"{index:032x}"
            with database.transaction(write=True) as conn:
                conn.execute(
                    db.submissions.insert().values(
                        id=sid,
                        institution=None,
                        uploaded_by=user.id,
                        name=name,
                        profile=profile,
                        claim_date=dt.date.fromisoformat(claim) if claim else None,
                        status="queued",
                        attempts=0,
                        created_at=db.now(),
                    )
                )
                conn.execute(
                    db.submission_files.insert(),
                    [
                        {"submission_id": sid, "position": i, "name": s.name}
                        | {"sha256": s.sha256, "size": s.size}
                        for i, s in enumerate(stored)
                    ],
                )
            sids.append(sid)
        if batched:
            claimed = claim_batch(database, 10)
            assert claimed == sids
            check_batch(database, store, settings, claimed)
        else:
            for sid in sids:
                check_submission(database, store, settings, sid)
        found = []
        with database.transaction() as conn:
            for sid in sids:
                row = (
                    conn.execute(sa.select(db.submissions).where(db.submissions.c.id == sid))
                    .mappings()
                    .one()
                )
                report = conn.execute(
                    sa.select(db.reports.c.report).where(db.reports.c.submission_id == sid)
                ).scalar_one_or_none()
                packages = json.loads(report)["packages"] if report else None
                found.append((row["status"], row["error"], packages, row["attempts"]))
        database.close()
        return found

    batched = run(tmp_path / "batched", True)
    alone = run(tmp_path / "alone", False)
    assert [f[0] for f in batched] == ["done", "failed", "done", "done", "done"]
    assert batched == alone
