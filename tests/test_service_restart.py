"""A job whose server is killed mid-run is finished after a restart, with exactly one report.

The job is kept running long enough to kill the server by ``ANNEXKIT_TEST_JOB_DELAY``
(seconds a job sleeps after it is marked running; a hook for tests only, see
``annexkit.service.settings``). The server is killed with SIGKILL, so no shutdown code runs;
the restarted one (without the delay) must pick the job up: on SQLite by re-queueing
``running`` rows older than itself, on PostgreSQL by procrastinate's stalled-job recovery
(no heartbeat for ``--stalled-after`` seconds).
"""

from __future__ import annotations

import time
from pathlib import Path

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
