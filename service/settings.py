"""What a server (or worker) is started with: one frozen value passed to every part."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from annexkit.service.errors import ServiceError

DEFAULT_DATA_DIR = "annex-data"
DB_FILE = "annexkit.sqlite"
MB = 1024 * 1024

TEST_DELAY_VARIABLE = "ANNEXKIT_TEST_JOB_DELAY"
"""Seconds each job sleeps after it is marked running, before checking. For tests only (a
job that is still running when the test kills the server); never set it in production."""


@dataclass(frozen=True)
class Settings:
    """A server's configuration. Paths are absolute once :func:`resolve` has run."""

    data_dir: Path = Path(DEFAULT_DATA_DIR)
    """Uploaded files (``blobs/``) and, by default, the SQLite database."""
    db_url: str | None = None
    """SQLAlchemy URL; None: ``sqlite:///DATA/annexkit.sqlite``."""
    max_upload_bytes: int = 200 * MB
    """Largest request body of an upload (all its files); larger requests get 413."""
    job_workers: int = 1
    """Jobs this process runs at once (SQLite: the local pool; PostgreSQL: an embedded
    procrastinate worker, 0 for none — then ``annex worker`` runs them)."""
    check_processes: int | None = None
    """Processes of the checker's pool for one job (None: the number of cores)."""
    check_timeout: float = 120.0
    """Seconds one document may take (``annex check --timeout``)."""
    stalled_after: float = 30.0
    """PostgreSQL: seconds without a worker heartbeat after which its job is re-queued."""
    heartbeat: float = 10.0
    """PostgreSQL: seconds between a worker's heartbeats."""

    @property
    def url(self) -> URL:
        return database_url(self.db_url, self.data_dir)

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def resolve(self) -> Settings:
        """The same settings with an absolute data folder (the working folder may change)."""
        return Settings(
            data_dir=self.data_dir.expanduser().absolute(),
            db_url=self.db_url,
            max_upload_bytes=self.max_upload_bytes,
            job_workers=self.job_workers,
            check_processes=self.check_processes,
            check_timeout=self.check_timeout,
            stalled_after=self.stalled_after,
            heartbeat=self.heartbeat,
        )


def database_url(given: str | None, data_dir: Path) -> URL:
    """The database of a server: ``given`` (a URL or a SQLite file path), else the SQLite
    file in ``data_dir``. Raises :class:`ServiceError` for anything but SQLite or PostgreSQL."""
    try:
        if not given:
            url = URL.create("sqlite", database=str((data_dir / DB_FILE).absolute()))
        elif "://" in given:
            url = make_url(given)
        else:
            url = URL.create("sqlite", database=str(Path(given).expanduser().absolute()))
    except (ArgumentError, ValueError) as exc:
        raise ServiceError(
            "bad-database-url",
            f"数据库地址无效：{given}",
            f"not a database URL: {given} ({exc})",
        ) from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ServiceError(
            "bad-database-url",
            f"不支持的数据库：{backend}（支持 sqlite:///文件 与 postgresql+psycopg://…）",
            f"unsupported database {backend!r}: use sqlite:///FILE or "
            "postgresql+psycopg://USER:PASSWORD@HOST/DB",
        )
    if url.drivername == "postgresql":
        # psycopg 3 is what annexkit installs; SQLAlchemy's default would be psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url


def test_delay() -> float:
    """:data:`TEST_DELAY_VARIABLE` in seconds (0 when unset or not a number)."""
    try:
        return max(0.0, float(os.environ.get(TEST_DELAY_VARIABLE, "0")))
    except ValueError:
        return 0.0
