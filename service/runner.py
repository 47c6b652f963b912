"""The local job runner of the SQLite default: threads inside ``annex serve``.

The submissions table is the queue (``status``): a thread claims the oldest ``queued`` row
in a write transaction (SQLite's ``BEGIN IMMEDIATE`` lets one claimer at a time through),
runs :func:`~annexkit.service.jobs.check_submission` — whose check runs in the checker's own
crash-isolated worker processes — and looks again; an upload wakes it at once.

At start, every ``running`` row that began before this process did belongs to a server that
died (SQLite has one server per data folder): it is queued again, so no job is lost; the job
is idempotent, so none stores two reports.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

import sqlalchemy as sa

from annexkit.service import db
from annexkit.service.db import Database
from annexkit.service.jobs import check_submission
from annexkit.service.settings import Settings
from annexkit.service.storage import BlobStore

log = logging.getLogger("annexkit.service.runner")
_IDLE_POLL = 5.0


def requeue_interrupted(database: Database, started_before: dt.datetime) -> int:
    """Queue again the jobs a previous process left ``running``; how many there were."""
    with database.transaction(write=True) as conn:
        result = conn.execute(
            db.submissions.update()
            .where(
                db.submissions.c.status == "running",
                sa.or_(
                    db.submissions.c.started_at.is_(None),
                    db.submissions.c.started_at < started_before,
                ),
            )
            .values(status="queued")
        )
    count = int(result.rowcount or 0)
    if count:
        log.warning("re-queued %d job(s) interrupted by a restart", count)
    return count


def claim_next(database: Database) -> str | None:
    """Mark the oldest queued submission running and return its id (None: none queued)."""
    with database.transaction(write=True) as conn:
        sid = conn.execute(
            sa.select(db.submissions.c.id)
            .where(db.submissions.c.status == "queued")
            .order_by(db.submissions.c.created_at, db.submissions.c.id)
            .limit(1)
        ).scalar_one_or_none()
        if sid is None:
            return None
        # started_at: requeue_interrupted compares it with a start time; the attempt is
        # counted here, where the job becomes visibly running.
        conn.execute(
            db.submissions.update()
            .where(db.submissions.c.id == sid)
            .values(
                status="running",
                started_at=db.now(),
                attempts=db.submissions.c.attempts + 1,
            )
        )
    return str(sid)


class LocalRunner:
    """``threads`` job threads; :meth:`wake` after an upload, :meth:`stop` at shutdown."""

    def __init__(
        self, database: Database, store: BlobStore, settings: Settings, threads: int
    ) -> None:
        self.database, self.store, self.settings = database, store, settings
        self._threads = [
            threading.Thread(target=self._loop, name=f"annexkit-job-{i}", daemon=True)
            for i in range(max(1, threads))
        ]
        self._wakeup = threading.Condition()
        self._pending = 0
        self._stopping = False

    def start(self, started_at: dt.datetime) -> None:
        requeue_interrupted(self.database, started_at)
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        with self._wakeup:
            self._pending += 1
            self._wakeup.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs. A job still running is left ``running`` and is queued again at
        the next start (its check may take minutes; shutdown does not wait for it)."""
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify_all()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._wakeup:
                if self._stopping:
                    return
                self._pending = max(0, self._pending - 1)
            try:
                sid = claim_next(self.database)
                if sid is not None:
                    check_submission(self.database, self.store, self.settings, sid, claimed=True)
                    continue
            except Exception:
                log.exception("job runner error")
            with self._wakeup:
                if not self._pending and not self._stopping:
                    self._wakeup.wait(_IDLE_POLL)
