"""The local job runner of the SQLite default: threads inside ``annex serve``.

The submissions table is the queue (``status``): a thread claims the oldest ``queued`` rows
— up to :data:`BATCH` at once — in a write transaction (SQLite's ``BEGIN IMMEDIATE`` lets
one claimer at a time through), checks them and looks again; an upload wakes it at once.

Several claimed submissions are checked in **one** pass of the checker's pool
(:func:`check_batch`), as ``annex check`` checks a folder of packages: starting the pool's
crash-isolated worker processes costs a few tenths of a second, which per job was a large
share of a ten-page package's check (issue 13: the service under load must stay within 20 %
of ``annex check`` on the same packages). Each submission's report is stored as soon as its
last package is checked, exactly as :func:`~annexkit.service.jobs.check_submission` stores
it; a submission the batch cannot take (a laying-out error, the pass failing) is handed to
``check_submission`` itself, whose errors are the job's. Under light load a batch is one
submission, checked by ``check_submission`` as before.

At start, every ``running`` row that began before this process did belongs to a server that
died (SQLite has one server per data folder): it is queued again, so no job is lost; the job
is idempotent, so none stores two reports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from annexkit.checker.batch import _preload, default_check
from annexkit.checker.discover import PackageSource
from annexkit.checker.engine import CheckOptions, check_sources, find_packages
from annexkit.checker.report import Report, build_report
from annexkit.checker.result import PackageResult
from annexkit.service import db
from annexkit.service import jobs as job_module
from annexkit.service.db import Database
from annexkit.service.jobs import check_submission
from annexkit.service.settings import Settings, test_delay
from annexkit.service.storage import BlobStore, StoredFile

log = logging.getLogger("annexkit.service.runner")
_IDLE_POLL = 5.0
_DRAW_QUEUE = 64
BATCH = 32
"""Most submissions one thread claims and checks in one pass of the pool. Enough to spread
the pool's start-up thin; few enough that two threads still share a burst of uploads and
that a submission waits for at most this many before its own report is stored."""

_JOB_MODULES = (
    "annexkit.service.jobs",
    "annexkit.checker.page_pictures",
    "PIL.Image",
    "PIL.ImageDraw",
    "PIL.JpegImagePlugin",
)
"""What the job's child processes (the page-picture child) import: preloaded in the fork
server beside the checker, so that each child costs a fork, not 0.4 s of imports
(SQLAlchemy and FastAPI come with :mod:`annexkit.service.jobs`; Pillow draws and encodes
the pictures)."""


def start_fork_server() -> None:
    """Start multiprocessing's fork server now, with the checker and the job's modules
    preloaded. The checker's pool and the picture child both start their processes from it;
    whichever started it first decided its preload, and the checker alone would leave every
    picture child importing the service again."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    modules = [*_preload(default_check), *_JOB_MODULES]
    multiprocessing.get_context("forkserver").set_forkserver_preload(modules)
    try:
        multiprocessing.forkserver.ensure_running()
    except Exception:  # the pool starts it itself, with the checker's preload only
        log.exception("could not start the fork server ahead of the jobs")


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
    claimed = claim_batch(database, 1)
    return claimed[0] if claimed else None


def claim_batch(database: Database, limit: int) -> list[str]:
    """Mark the oldest ``limit`` queued submissions running; their ids, oldest first."""
    with database.transaction(write=True) as conn:
        sids = [
            str(sid)
            for sid in conn.execute(
                sa.select(db.submissions.c.id)
                .where(db.submissions.c.status == "queued")
                .order_by(db.submissions.c.created_at, db.submissions.c.id)
                .limit(limit)
            ).scalars()
        ]
        if not sids:
            return []
        # started_at: requeue_interrupted compares it with a start time; the attempt is
        # counted here, where the job becomes visibly running.
        conn.execute(
            db.submissions.update()
            .where(db.submissions.c.id.in_(sids))
            .values(
                status="running",
                started_at=db.now(),
                attempts=db.submissions.c.attempts + 1,
            )
        )
    return sids


@dataclass
class _Job:
    """A claimed submission as the batch checks it."""

    sid: str
    name: str
    profile: str | None
    claim_date: Any
    files: list[StoredFile]
    base: Path = Path()
    sources: list[PackageSource] = field(default_factory=list)


def check_batch(
    database: Database,
    store: BlobStore,
    settings: Settings,
    sids: Sequence[str],
    draw: DrawLater | None = None,
) -> None:
    """Check claimed submissions ``sids`` in as few passes of the checker's pool as their
    options allow (one per profile and claim date), storing each report as it completes."""
    if len(sids) == 1:
        check_submission(database, store, settings, sids[0], claimed=True)
        return
    claimed = _load(database, sids)
    delay = test_delay()
    if delay:
        time.sleep(delay)
    groups: dict[tuple[str | None, Any], list[_Job]] = {}
    for job in claimed:
        groups.setdefault((job.profile, job.claim_date), []).append(job)
    left: list[str] = []
    for (profile, claim_date), group in groups.items():
        left += _check_group(database, store, settings, group, profile, claim_date, draw)
    for sid in left:
        # Alone, with check_submission's own handling of whatever kept it out of the batch.
        check_submission(database, store, settings, sid, claimed=True)


def _load(database: Database, sids: Sequence[str]) -> list[_Job]:
    """The claimed submissions still to check, in claim order, with their files."""
    with database.transaction() as conn:
        rows = {
            r["id"]: r
            for r in conn.execute(
                sa.select(db.submissions).where(db.submissions.c.id.in_(list(sids)))
            ).mappings()
        }
        files: dict[str, list[StoredFile]] = {}
        for f in conn.execute(
            sa.select(db.submission_files)
            .where(db.submission_files.c.submission_id.in_(list(sids)))
            .order_by(db.submission_files.c.submission_id, db.submission_files.c.position)
        ).mappings():
            files.setdefault(f["submission_id"], []).append(
                StoredFile(f["name"], f["sha256"], int(f["size"]))
            )
    return [
        _Job(sid, row["name"], row["profile"], row["claim_date"], files.get(sid, []))
        for sid in sids
        if (row := rows.get(sid)) is not None and row["status"] not in ("done", "failed")
    ]


def _check_group(
    database: Database,
    store: BlobStore,
    settings: Settings,
    group: list[_Job],
    profile: str | None,
    claim_date: Any,
    draw: DrawLater | None = None,
) -> list[str]:
    """One pass of the pool over ``group`` (same options); the ids it could not finish.
    The page pictures are drawn afterwards: by ``draw`` (which lays the files out again
    when it gets to them) or here, before the laid-out files go."""
    left: list[str] = []
    with contextlib.ExitStack() as stack:
        pending: deque[_Job] = deque()
        for job in group:
            # As jobs.check_files does for one submission.
            try:
                target = stack.enter_context(store.laid_out(job.files, job.name))
                job.base = target.parent
                job.sources = find_packages([target])
                for source in job.sources:
                    job_module._refuse_outside_profile(source.profile, Path(source.path), job.base)
            except Exception:
                left.append(job.sid)
                continue
            pending.append(job)
        options = CheckOptions(
            profile=profile,
            claim_date=claim_date,
            workers=settings.check_processes,
            timeout=settings.check_timeout,
            progress=False,
        )
        done: list[PackageResult] = []
        storing: list[tuple[_Job, Future[Checked]]] = []
        # Reports are built and stored by a thread of their own: while this one is busy, the
        # pool's workers get no new documents.
        with ThreadPoolExecutor(1, thread_name_prefix="annexkit-store") as storer:
            try:
                _finish_ready(database, pending, done, storer, storing)
                results = check_sources([s for job in pending for s in job.sources], options)
                try:
                    for result in results:
                        done.append(result)
                        _finish_ready(database, pending, done, storer, storing)
                finally:
                    # Stops the pool's workers at once should the batch stop early.
                    if isinstance(results, Generator):
                        results.close()
            except Exception:
                log.exception(
                    "a batch of %d submissions stopped; checking the rest one by one", len(group)
                )
        checked: list[Checked] = []
        for job, future in storing:
            try:
                checked.append(future.result())
            except Exception:
                log.exception("storing the report of submission %s failed", job.sid)
                left.append(job.sid)
        left += [job.sid for job in pending]
        # The reports are stored; the pictures follow, for the whole batch in one child.
        if checked and draw is not None:
            draw(checked)
        elif checked:
            _draw(
                database,
                store,
                [(c.job.sid, (c.job.sources, c.results, c.report)) for c in checked],
            )
    return left


def _draw(
    database: Database, store: BlobStore, drawable: list[tuple[str, job_module.Drawable]]
) -> None:
    try:
        made = job_module.make_pictures_of_many([item for _, item in drawable])
        for (sid, _), pictures in zip(drawable, made, strict=True):
            rows = job_module.save_pictures(store, sid, pictures)
            job_module.add_pictures(database, sid, rows)
    except Exception:
        log.exception("page pictures of a batch were not stored")


def _draw_again(database: Database, store: BlobStore, checked: list[Checked]) -> None:
    """:func:`_draw` for a batch whose laid-out files are gone: laid out again from the
    stored uploads (the same packages, found the same way)."""
    try:
        with contextlib.ExitStack() as stack:
            drawable: list[tuple[str, job_module.Drawable]] = []
            for item in checked:
                target = stack.enter_context(store.laid_out(item.job.files, item.job.name))
                drawable.append(
                    (item.job.sid, (find_packages([target]), item.results, item.report))
                )
            _draw(database, store, drawable)
    except Exception:
        log.exception("page pictures of a batch were not stored")


def _finish_ready(
    database: Database,
    pending: deque[_Job],
    done: list[PackageResult],
    storer: ThreadPoolExecutor,
    storing: list[tuple[_Job, Future[Checked]]],
) -> None:
    """Hand every leading submission whose packages are all checked to ``storer``."""
    while pending and len(done) >= len(pending[0].sources):
        job = pending.popleft()
        results = done[: len(job.sources)]
        del done[: len(job.sources)]
        storing.append((job, storer.submit(_store, database, job, results)))


@dataclass
class Checked:
    """A submission of a batch whose report is stored: what its pictures need."""

    job: _Job
    results: list[PackageResult]
    report: Report


def _store(database: Database, job: _Job, results: list[PackageResult]) -> Checked:
    """What jobs.check_submission does with one submission's results, but the pictures:
    they are drawn for the whole batch afterwards."""
    for result in results:
        result.path = os.path.relpath(result.path, job.base)
    report = build_report(results)
    job_module.store_report(database, job.sid, report, job_module.revealed_values(results))
    return Checked(job, results, report)


DrawLater = Callable[[list[Checked]], None]
"""Takes a checked batch's submissions, to draw their pictures later."""


class _Drawer:
    """The local runner's picture thread: a job thread hands over its checked batch and goes
    on to the next one, so the checks never wait for pictures (niced, these take what the
    checks leave). It holds no files: each batch is laid out again from the stored uploads
    when its turn comes. At most :data:`_DRAW_QUEUE` batches wait (then a job thread waits
    too). Reports are stored before their pictures: a stop that comes between leaves those
    submissions without pictures, never without reports."""

    def __init__(self, database: Database, store: BlobStore) -> None:
        self.database, self.store = database, store
        self._queue: queue.Queue[list[Checked] | None] = queue.Queue(_DRAW_QUEUE)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="annexkit-pictures", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def put(self, checked: list[Checked]) -> None:
        if not self._stopping.is_set():
            self._queue.put(checked)

    def stop(self, timeout: float) -> None:
        self._stopping.set()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                checked = self._queue.get(timeout=_IDLE_POLL)
            except queue.Empty:
                continue
            if checked is None:
                return
            _draw_again(self.database, self.store, checked)


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
        self._drawer = _Drawer(database, store)

    def start(self, started_at: dt.datetime) -> None:
        requeue_interrupted(self.database, started_at)
        start_fork_server()
        self._drawer.start()
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
        self._drawer.stop(timeout)

    def _loop(self) -> None:
        while True:
            with self._wakeup:
                if self._stopping:
                    return
                self._pending = max(0, self._pending - 1)
            try:
                sids = claim_batch(self.database, BATCH)
                if sids:
                    check_batch(self.database, self.store, self.settings, sids, self._drawer.put)
                    continue
            except Exception:
                log.exception("job runner error")
            with self._wakeup:
                if not self._pending and not self._stopping:
                    self._wakeup.wait(_IDLE_POLL)
