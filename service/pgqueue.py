"""Jobs on PostgreSQL, through procrastinate (a PostgreSQL task queue).

``annex serve --db postgresql+psycopg://…`` defers one procrastinate job per upload;
``annex worker --db URL`` — on any number of machines — runs them, each calling
:func:`~annexkit.service.jobs.check_submission` (which checks in the checker's own
crash-isolated worker processes). ``annex serve --workers N`` also runs an embedded worker.

Nothing is lost or done twice:

- every job carries ``lock=<submission id>`` (procrastinate never runs two jobs of one lock
  at once) and ``queueing_lock=<submission id>`` (at most one waiting job per submission);
- a job whose worker died (no heartbeat for ``stalled_after`` seconds) is put back in the
  queue by :func:`recover`, which every server and worker runs at start and every worker
  runs periodically;
- a submission still ``queued``/``running`` with no waiting or running job (a deferral lost
  between our commit and procrastinate's, a job procrastinate gave up on) is deferred again
  by :func:`recover`;
- the job itself is idempotent and stores its report in one transaction with ``done``.

procrastinate's schema is applied at start when absent (under an advisory lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

import procrastinate
import psycopg
import sqlalchemy as sa
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import URL

from annexkit.service.db import Database
from annexkit.service.jobs import check_submission
from annexkit.service.runner import start_fork_server
from annexkit.service.settings import Settings
from annexkit.service.storage import BlobStore

log = logging.getLogger("annexkit.service.pgqueue")

QUEUE = "annexkit-checks"
TASK = "annexkit.check_submission"
# pg_advisory_lock key serialising procrastinate's schema creation ("annexpcq").
_SCHEMA_LOCK_KEY = 0x616E6E6578706371


def conninfo(url: URL) -> str:
    """A libpq connection string for psycopg from the SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(
    settings: Settings, database: Database | None = None, store: BlobStore | None = None
) -> procrastinate.App:
    """The procrastinate app with our one task. A worker passes ``database`` and ``store``
    (the task runs with them); a server that only defers may leave them out."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings.url))
    )

    @app.task(name=TASK, queue=QUEUE)
    def check(submission_id: str) -> None:
        if database is None or store is None:
            raise RuntimeError("this procrastinate app only defers jobs")
        check_submission(database, store, settings, submission_id)

    return app


def apply_schema(settings: Settings) -> None:
    """Create procrastinate's tables unless they exist (servers and workers may race)."""
    with psycopg.connect(conninfo(settings.url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK_KEY,))
        try:
            found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                schema = SchemaManager.get_schema()
                with conn.transaction():
                    conn.execute(schema)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK_KEY,))


def defer(app: procrastinate.App, sid: str) -> None:
    """Queue submission ``sid``; nothing when a job for it is already waiting."""
    with contextlib.suppress(AlreadyEnqueued):
        app.configure_task(TASK, lock=sid, queueing_lock=sid).defer(submission_id=sid)


_ORPHANS = sa.text(
    """
    SELECT s.id FROM submissions s
    WHERE s.status IN ('queued', 'running')
      AND NOT EXISTS (
        SELECT 1 FROM procrastinate_jobs j
        WHERE j.task_name = :task AND j.args ->> 'submission_id' = s.id
          AND j.status IN ('todo', 'doing'))
    ORDER BY s.created_at
    """
)


async def recover_async(app: procrastinate.App, database: Database, settings: Settings) -> int:
    """Retry the jobs of dead workers and defer again submissions that have no job; how
    many jobs were put back."""
    count = 0
    stalled = await app.job_manager.get_stalled_jobs(
        task_name=TASK, seconds_since_heartbeat=settings.stalled_after
    )
    for job in stalled:
        log.warning("job %s of a dead worker is queued again", job.id)
        await app.job_manager.retry_job(job)
        count += 1
    orphans = await asyncio.to_thread(_orphans, database)
    for sid in orphans:
        log.warning("submission %s had no job: deferred again", sid)
        with contextlib.suppress(AlreadyEnqueued):
            await app.configure_task(TASK, lock=sid, queueing_lock=sid).defer_async(
                submission_id=sid
            )
        count += 1
    return count


def _orphans(database: Database) -> list[str]:
    with database.transaction() as conn:
        return [str(r[0]) for r in conn.execute(_ORPHANS, {"task": TASK})]


def recover(app: procrastinate.App, database: Database, settings: Settings) -> int:
    """:func:`recover_async` from synchronous code."""

    async def run() -> int:
        async with app.open_async():
            return await recover_async(app, database, settings)

    return asyncio.run(run())


async def work(
    settings: Settings,
    database: Database,
    store: BlobStore,
    concurrency: int,
    *,
    stop: asyncio.Event | None = None,
    signals: bool = True,
) -> None:
    """Run a worker until it is stopped (a signal, or ``stop`` being set), sweeping for
    stalled jobs every ``stalled_after`` seconds meanwhile."""
    # The checker's pool and the page-picture child fork from it: started once, with the
    # job's modules preloaded, so that no job pays for their imports.
    await asyncio.to_thread(start_fork_server)
    app = make_app(settings, database, store)
    async with app.open_async():
        await recover_async(app, database, settings)
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                install_signal_handlers=signals,
                update_heartbeat_interval=settings.heartbeat,
                stalled_worker_timeout=settings.stalled_after,
            )
        )
        sweeper = asyncio.create_task(_sweep(app, database, settings))
        waiters: set[asyncio.Task[Any]] = {worker}
        if stop is not None:
            waiters.add(asyncio.create_task(stop.wait()))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (worker, sweeper, *waiters):
                task.cancel()
            await asyncio.gather(worker, sweeper, *waiters, return_exceptions=True)


async def _sweep(app: procrastinate.App, database: Database, settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.stalled_after)
        try:
            await recover_async(app, database, settings)
        except Exception:
            log.exception("recovering stalled jobs failed")


class EmbeddedWorker:
    """A procrastinate worker in a thread of ``annex serve`` (``--workers N``)."""

    def __init__(
        self, settings: Settings, database: Database, store: BlobStore, concurrency: int
    ) -> None:
        self._args = (settings, database, store, concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="annexkit-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await work(*self._args, stop=self._stop, signals=False)

        try:
            asyncio.run(main())
        except Exception:
            log.exception("the embedded worker stopped")

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
