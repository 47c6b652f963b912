"""The service's tables and its database connection, on SQLite or PostgreSQL.

One code path for both, through SQLAlchemy Core (as the registry does). The tables are
declared here once; Alembic's migrations (:mod:`annexkit.service.migrations`) create and
change them, and :func:`migrate` applies them at every start, serialised by a lock so that a
server and its workers starting together do not collide.

SQLite runs in WAL mode with a busy timeout, and write transactions begin with
``BEGIN IMMEDIATE``: the local job runner's threads and the API's threads queue for the
write lock at the start of a transaction instead of failing half-way through it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

from annexkit.service.errors import ServiceError

STATUSES = ("queued", "running", "done", "failed")
ROLES = ("reviewer", "institution")
REVIEW_STATES = ("pending", "passed", "returned")
VERSION_TABLE = "annexkit_service_alembic_version"
"""Alembic's bookkeeping table: named for us, since the database may be shared (the
registry, procrastinate)."""
BUSY_TIMEOUT = 30.0
# pg_advisory_lock key serialising migrations ("annexsvc" in ASCII).
_PG_LOCK_KEY = 0x616E6E6578737663

metadata = sa.MetaData()
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("institution", sa.String(18), nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", _TIME, nullable=False),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("institution", sa.String(18), nullable=True),
    sa.Column("uploaded_by", _ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("profile", sa.Text, nullable=True),
    sa.Column("claim_date", sa.Date, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("errors", sa.Integer, nullable=True),
    sa.Column("warnings", sa.Integer, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", _TIME, nullable=False),
    sa.Column("started_at", _TIME, nullable=True),
    sa.Column("finished_at", _TIME, nullable=True),
    sa.Index("submissions_status_created_idx", "status", "created_at"),
    sa.Index("submissions_institution_created_idx", "institution", "created_at"),
)

submission_files = sa.Table(
    "submission_files",
    metadata,
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)

reports = sa.Table(
    "reports",
    metadata,
    # The primary key is the submission: a job that runs twice cannot store two reports.
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("report", sa.Text, nullable=False),
    # The findings' unmasked values (jobs.revealed_values), read only by the audited reveal
    # endpoint; rows of earlier versions hold the whole unmasked report, of the same shape.
    sa.Column("revealed", sa.Text, nullable=False),
    sa.Column("created_at", _TIME, nullable=False),
)

page_pictures = sa.Table(
    "page_pictures",
    metadata,
    # One picture per page of a checked submission (web page: the page with each finding's
    # cell outlined); the key makes a second run of the job unable to store one twice.
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("package", sa.Integer, primary_key=True),
    sa.Column("document", sa.Integer, primary_key=True),
    sa.Column("page", sa.Integer, primary_key=True),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    # The JPEG in the BlobStore (content hash): the same page checked twice is stored once.
    sa.Column("sha256", sa.String(64), nullable=False),
    # JSON list of {finding, severity, x, y, w, h} in the picture's pixels.
    sa.Column("outlines", sa.Text, nullable=False),
)

submission_codes = sa.Table(
    "submission_codes",
    metadata,
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Index("submission_codes_code_idx", "code"),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("finding", sa.Integer, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("reviewer", _ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("decided_at", _TIME, nullable=False),
    sa.Index("reviews_submission_idx", "submission_id", "finding"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("reviewer", _ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("decided_at", _TIME, nullable=False),
    sa.Index("decisions_submission_idx", "submission_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("user_id", _ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("submission_id", sa.String(32), nullable=True),
    sa.Column("finding", sa.Integer, nullable=True),
    # What was revealed (code and JSON pointer), never the value itself.
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("at", _TIME, nullable=False),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time in UTC (SQLite keeps no time zone: it was written in UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Database:
    """The service's engine and its transactions."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.is_postgres = url.get_backend_name() == "postgresql"
        connect_args: dict[str, Any] = {}
        if not self.is_postgres:
            connect_args["timeout"] = BUSY_TIMEOUT
            # The API answers from a thread pool: connections move between threads.
            connect_args["check_same_thread"] = False
            if url.database:
                folder = Path(url.database).parent
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        else:
            connect_args["connect_timeout"] = 10
        try:
            self.engine: Engine = sa.create_engine(
                url, connect_args=connect_args, pool_pre_ping=True
            )
        except (sa.exc.SQLAlchemyError, ImportError) as exc:
            raise ServiceError(
                "database-unavailable",
                f"无法使用数据库 {self.shown}",
                f"cannot use the database {self.shown}: {exc}",
            ) from None
        if not self.is_postgres:
            _configure_sqlite(self.engine)

    @property
    def shown(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """One transaction; on SQLite a write transaction takes the write lock at once."""
        with self.engine.connect() as conn:
            conn.execution_options(annexkit_write=write)
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun by us (below), not by the sqlite3 module.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("annexkit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def migrations_folder() -> Path:
    return Path(str(files("annexkit.service") / "migrations"))


def migrate(database: Database) -> None:
    """Bring the schema to the newest migration shipped with this annexkit (Alembic)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    config.set_main_option("version_table", VERSION_TABLE)
    try:
        if database.is_postgres:
            # A server and workers may start together: one migrates, the others wait.
            with database.engine.connect() as conn:
                conn.execute(sa.select(sa.func.pg_advisory_lock(_PG_LOCK_KEY)))
                conn.commit()
                try:
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
                    conn.commit()
                finally:
                    conn.execute(sa.select(sa.func.pg_advisory_unlock(_PG_LOCK_KEY)))
                    conn.commit()
        else:
            with database.engine.connect() as conn:
                # BEGIN IMMEDIATE: a second process starting at once waits for this one.
                conn.execution_options(annexkit_write=True)
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()
    except sa.exc.SQLAlchemyError as exc:
        raise ServiceError(
            "database-unavailable",
            f"数据库 {database.shown} 无法使用或无法升级",
            f"the database {database.shown} cannot be used or migrated: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
        ) from None


def private_folder(path: Path) -> None:
    """Create ``path`` owner-only (uploads hold ID numbers)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
