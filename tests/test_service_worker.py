"""``annex worker`` on PostgreSQL: a server that runs no jobs itself (``annex serve
--workers 0``) and two separate worker processes check every upload exactly once, and a job
whose worker is killed mid-run is finished by the other.

Worker A is started first, with ``ANNEXKIT_TEST_JOB_DELAY`` (a test-only hook: each job
sleeps that long once running), so it takes the first upload and holds it; worker B then
takes all the others. A is killed with SIGKILL (no shutdown code runs, as when its machine
dies): after ``--stalled-after`` seconds without its heartbeat, B's periodic recovery queues
its job again and B checks it.

Needs PostgreSQL (``ANNEXKIT_TEST_PG_URL``): skipped without it, failed under ``CI``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from annexkit.service.settings import TEST_DELAY_VARIABLE
from tests.test_service_api import (
    INSTITUTION_A,
    SAMPLES,
    annex,
    free_port,
    fresh_database,
    wait_done,
    zipped,
)

PACKAGES = ["clean", "count-mismatch", "date-order", "missing-annex", "party-mismatch"]
STALLED_AFTER = "3"


class Processes:
    """Child processes of one test, each logging to a file; all stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(
        self, name: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "annexkit", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
        self.started.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text('utf-8', 'replace')}" for _, log in self.started
        )

    def stop_all(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                process.terminate()
        for process, _ in self.started:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def wait_healthy(base: str, process: subprocess.Popen[bytes], processes: Processes) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, processes.logs()
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"annex serve did not start:\n{processes.logs()}")


def wait_status(client: httpx.Client, sid: str, status: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while client.get(f"/api/v1/submissions/{sid}").json()["status"] != status:
        assert time.monotonic() < deadline, f"submission {sid} never became {status}"
        time.sleep(0.1)


def test_two_workers_check_each_upload_once_and_survive_a_killed_worker(
    tmp_path: Path, processes: Processes
) -> None:
    for db_url in fresh_database("postgresql", tmp_path):
        assert db_url is not None
        data = tmp_path / "data"
        where = ["--db", db_url, "--data", str(data)]
        token = annex(
            "users",
            "add",
            "机构甲",
            "--role",
            "institution",
            "--institution",
            INSTITUTION_A,
            *where,
        ).split()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = processes.start(
            "serve",
            "serve",
            "--port",
            str(port),
            "--workers",
            "0",
            *where,
            "--stalled-after",
            STALLED_AFTER,
        )
        wait_healthy(base, server, processes)
        worker_args = ["worker", *where, "--check-processes", "1", "--stalled-after", STALLED_AFTER]
        doomed = processes.start("worker-a", *worker_args, env={TEST_DELAY_VARIABLE: "120"})

        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:

            def upload(name: str) -> str:
                answer = client.post(
                    "/api/v1/submissions", files={"file": (f"{name}.zip", zipped(SAMPLES / name))}
                )
                assert answer.status_code == 202, answer.text
                sid: str = answer.json()["id"]
                return sid

            sids = [upload(PACKAGES[0])]
            wait_status(client, sids[0], "running")  # worker A holds it, asleep
            survivor = processes.start("worker-b", *worker_args)
            sids += [upload(name) for name in PACKAGES[1:]]
            # B checks the others while A still holds the first.
            for sid in sids[1:]:
                assert wait_done(client, sid, timeout=120)["status"] == "done", processes.logs()
            assert client.get(f"/api/v1/submissions/{sids[0]}").json()["status"] == "running"

            doomed.kill()  # SIGKILL mid-job
            doomed.wait()
            body = wait_done(client, sids[0], timeout=120)
            assert body["status"] == "done", processes.logs()
            assert body["summary"] == {"errors": 0, "warnings": 0}
            assert survivor.poll() is None, processes.logs()

        engine = sa.create_engine(db_url)
        try:
            with engine.connect() as conn:
                reports: dict[str, int] = dict(
                    conn.execute(
                        sa.text("SELECT submission_id, count(*) FROM reports GROUP BY 1")
                    ).all()
                )
                attempts: dict[str, int] = dict(
                    conn.execute(sa.text("SELECT id, attempts FROM submissions")).all()
                )
                waiting = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                    )
                ).scalar_one()
        finally:
            engine.dispose()
        assert reports == {sid: 1 for sid in sids}  # one report each, none twice
        assert attempts == {sid: 2 if sid == sids[0] else 1 for sid in sids}
        assert waiting == 0
