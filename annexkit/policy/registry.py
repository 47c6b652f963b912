"""The registry of granted subsidies: who was subsidised for which occupation and level, in
which year, through which package — so that a new package can be checked against the policy
(data contract: ``duplicate-subsidy``, ``subsidy-limit-exceeded``). This module is the store
and its history queries; the rules and their findings are the checker's
(``annexkit.checker.rules.registry``).

Policy (Jiangmen 江人社函〔2019〕613号): a person gets at most ``per_year`` subsidies a year
(a profile setting, 3 in Jiangmen), and the same occupation and level only once; a level
already granted blocks the same or a lower level of the same occupation later
(学徒工 < 初级工 < 中级工 < 高级工 < 技师 < 高级技师 < 特级技师 < 首席技师). Tracks without a
level (专项职业能力, 培训合格, or no level given) block only the same track of the same
occupation.

One code path serves SQLite (the default: a private file) and PostgreSQL (a registry shared
by several reviewers), through SQLAlchemy Core:

* a grant is one row of ``grants``, unique on ``(id_number, occupation, level, package)``, so
  adding a package again changes nothing;
* rows are inserted with ``INSERT … ON CONFLICT DO NOTHING`` (the dialects' own insert
  constructs) in one transaction per package, in key order, so concurrent adds never lose,
  duplicate or deadlock;
* SQLite runs in WAL mode with a busy timeout, and write transactions start with
  ``BEGIN IMMEDIATE`` so that writers queue at the start instead of failing half-way;
* the tables are created on first use, under ``BEGIN IMMEDIATE`` (SQLite) or a transaction
  advisory lock (PostgreSQL), so two processes opening a new registry at once do not collide.

A package's own grants never count against it, nor do grants registered after it: re-checking
a registered package reports what checking it before registration reported.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import random
import re
import sqlite3
import stat
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from annexkit.contract.dates import parse_date
from annexkit.contract.formats import normalize_id_number, validate_id_number
from annexkit.contract.masking import mask_id
from annexkit.policy.profiles import LEVEL_ORDER
from annexkit.policy.values import passed

__all__ = [
    "LEVELS",
    "AddResult",
    "Grant",
    "InsecurePermissionsWarning",
    "PassedRow",
    "RegisteredGrant",
    "Registry",
    "RegistryError",
    "blocks",
    "default_url",
    "level_rank",
    "normalize_level",
    "package_key",
    "passed_rows",
]

SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 30.0
"""Seconds a writer waits for another writer (SQLite busy timeout) or for a PostgreSQL
server to answer a connection attempt."""
FILE_NAME = "registry.sqlite"

LEVELS: tuple[str, ...] = LEVEL_ORDER
"""Skill levels from lowest to highest (domain notes, 职业技能等级)."""
UNRANKED_LEVELS: tuple[str, ...] = ("专项职业能力", "培训合格")
"""Tracks that carry no level: they block only themselves."""
_LEVEL_ALIASES = {
    "五级": "初级工",
    "四级": "中级工",
    "三级": "高级工",
    "二级": "技师",
    "一级": "高级技师",
    "学徒": "学徒工",
    "合格": "培训合格",
    "培训合格证": "培训合格",
}
_NO_LEVEL = ""

# Rows per INSERT: 8 parameters a row stays under SQLite's oldest limit of 999 variables.
_CHUNK = 100
_KEY = ("id_number", "occupation", "level", "package")
# pg_advisory_xact_lock key serialising table creation ("annexkit" in ASCII).
_PG_LOCK_KEY = 0x616E6E65786B6974
# SQLSTATEs worth one more attempt: serialization failure, deadlock.
_RETRY_SQLSTATES = frozenset(("40001", "40P01"))
_ATTEMPTS = 3


class RegistryError(Exception):
    """The registry cannot be used: a bad URL, an unreachable or failing database, a
    registry made by a newer annexkit. The message is Chinese and English."""


class InsecurePermissionsWarning(UserWarning):
    """A SQLite registry file (which holds ID numbers) was readable by other users."""


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Grant:
    """A subsidy granted to one person: what :meth:`Registry.add` stores for a package."""

    id_number: str
    name: str
    occupation: str
    level: str | None
    """Canonical skill level (初级工 …), 专项职业能力, 培训合格, or None/"" for none."""
    year: int
    """Year the training ended."""
    document: str | None = None
    """The ledger inside the package the grant comes from."""


@dataclass(frozen=True)
class AddResult:
    added: int
    """Grants that were new."""
    already_present: int
    """Grants the registry already held for this package (or given twice)."""
    skipped: int = 0
    """Passed ledger rows that could not be registered: no valid ID number, no occupation,
    or no training dates (:meth:`Registry.add_package` only)."""


@dataclass(frozen=True)
class RegisteredGrant:
    """A grant as the registry holds it."""

    serial: int
    """Registration order (the table's primary key)."""
    id_number: str
    name: str
    occupation: str
    level: str
    """"" when the grant carries no level."""
    year: int
    package: str
    document: str | None
    added_at: dt.datetime
    """When it was registered (UTC)."""


# ---------------------------------------------------------------------------- policy


def normalize_level(value: object) -> str:
    """``中级工``, ``四级``, ``中级工（四级）`` → ``中级工``; ``合格`` → ``培训合格``; None or
    blank → ``""`` (no level). Unknown text is kept (NFKC, no spaces) and compared as is."""
    if value is None:
        return _NO_LEVEL
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return _NO_LEVEL
    known = _known_level(text)
    if known is not None:
        return known
    # 初级工(五级), 五级(初级工): NFKC has made the brackets ASCII.
    match = re.fullmatch(r"([^()]+)\(([^()]+)\)", text)
    if match:
        for part in match.groups():
            known = _known_level(part)
            if known is not None:
                return known
    return text


def _known_level(text: str) -> str | None:
    if text in LEVELS or text in UNRANKED_LEVELS:
        return text
    return _LEVEL_ALIASES.get(text)


def level_rank(level: str | None) -> int | None:
    """Position of ``level`` in :data:`LEVELS` (学徒工 0 … 首席技师 7), None for no level."""
    normalized = normalize_level(level)
    return LEVELS.index(normalized) if normalized in LEVELS else None


def blocks(granted: str, claimed: str) -> bool:
    """Whether a grant at ``granted`` forbids a new one at ``claimed`` (same occupation)."""
    if granted == claimed:
        return True
    held, wanted = level_rank(granted), level_rank(claimed)
    return held is not None and wanted is not None and held > wanted


def _normalize_occupation(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def _year(value: object) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    if not isinstance(value, str):
        return None
    parsed = parse_date(value)
    return int(parsed.value[:4]) if parsed is not None and parsed.certain else None


@dataclass(frozen=True)
class PassedRow:
    """A passed ledger row of a package, as a grant."""

    document: str
    """The ledger it is in (its path inside the package)."""
    index: int
    """Its index among the ledger's rows."""
    grant: Grant


Ledgers = Mapping[str, Sequence[Any]]
"""A package's recognised ledgers: each ledger's path inside the package → its rows."""


def passed_rows(ledgers: Ledgers) -> tuple[list[PassedRow], int]:
    """The passed rows (score ≥ 60, 合格, 通过) of ``ledgers`` that can be registered, and
    how many passed rows cannot (invalid ID, no occupation, no dates)."""
    rows: list[PassedRow] = []
    skipped = 0
    for document, table in ledgers.items():
        for index, row in enumerate(table):
            if not isinstance(row, Mapping) or passed(row.get("score")) is not True:
                continue
            grant = _grant_from_row(row, document)
            if grant is None:
                skipped += 1
            else:
                rows.append(PassedRow(document, index, grant))
    return rows, skipped


def _grant_from_row(row: Mapping[str, Any], document: str) -> Grant | None:
    raw_id = row.get("id_number")
    if not isinstance(raw_id, str):
        return None
    id_number = normalize_id_number(raw_id)
    if validate_id_number(id_number) is not None:
        return None
    occupation = _normalize_occupation(row.get("occupation"))
    year = _year(row.get("end_date")) or _year(row.get("start_date"))
    if not occupation or year is None:
        return None
    name = str(row.get("name") or "").strip()
    return Grant(
        id_number, name, occupation, normalize_level(row.get("skill_level")), year, document
    )


def _normalized(grant: Grant) -> Grant:
    """``grant`` in the registry's canonical form; ValueError when it cannot be keyed."""
    id_number = normalize_id_number(grant.id_number)
    problem = validate_id_number(id_number)
    if problem is not None:
        raise ValueError(f"invalid ID number {mask_id(id_number)}: {problem.en}")
    occupation = _normalize_occupation(grant.occupation)
    if not occupation:
        raise ValueError(f"grant for {mask_id(id_number)} has no occupation")
    if not 1900 <= grant.year <= 9999:
        raise ValueError(f"grant for {mask_id(id_number)} has an impossible year {grant.year}")
    return Grant(
        id_number,
        grant.name.strip(),
        occupation,
        normalize_level(grant.level),
        grant.year,
        grant.document,
    )


# ---------------------------------------------------------------------------- tables

metadata = sa.MetaData()

grants_table = sa.Table(
    "grants",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("id_number", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("occupation", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("package", sa.Text, nullable=False),
    sa.Column("document", sa.Text, nullable=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint(*_KEY, name="grants_person_occupation_level_package_key"),
    sa.Index("grants_package_idx", "package"),
    # Ids never reused, so that registration order survives removals.
    sqlite_autoincrement=True,
)

meta_table = sa.Table(
    "registry_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def _insert_new(dialect: sa.Dialect, rows: list[dict[str, Any]]) -> sa.Executable:
    """``INSERT … ON CONFLICT (key) DO NOTHING`` for ``rows``, returning the ids of the rows
    actually inserted (where the database can return them)."""
    if dialect.name == "postgresql":
        stmt: postgresql.Insert | sqlite.Insert = postgresql.insert(grants_table)
    else:
        stmt = sqlite.insert(grants_table)
    stmt = stmt.values(rows).on_conflict_do_nothing(index_elements=_KEY)
    return stmt.returning(grants_table.c.id) if dialect.insert_returning else stmt


# ---------------------------------------------------------------------------- location


def default_url() -> str:
    """The registry used when none is given: ``$ANNEXKIT_REGISTRY`` (a database URL, a
    file, or a folder to hold ``registry.sqlite``), else
    ``$XDG_DATA_HOME/annexkit/registry.sqlite`` (``~/.local/share/annexkit/…``)."""
    return _default_url().render_as_string(hide_password=False)


def _default_url() -> URL:
    configured = os.environ.get("ANNEXKIT_REGISTRY", "").strip()
    if "://" in configured:
        return make_url(configured)
    if configured:
        path = Path(configured).expanduser()
        if path.is_dir():
            path = path / FILE_NAME
    else:
        data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(data_home).expanduser() / "annexkit" / FILE_NAME
    return _file_url(path)


def _file_url(path: Path) -> URL:
    # URL.create: a path holding ?, # or % needs no escaping.
    if not str(path).strip():
        raise ValueError("empty path")
    return URL.create("sqlite", database=str(path.expanduser().absolute()))


def package_key(path: str) -> str:
    """The identity under which a checked package is registered: its absolute path with
    symbolic links resolved (``batch.zip/班1`` inside an archive keeps its inner part), so
    that ``annex check`` and ``annex registry add`` agree whatever folder they run from."""
    return os.path.realpath(path)


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("uri"):
        return None
    return Path(database).expanduser().absolute()


def _prepare_sqlite_file(path: Path, timeout: float) -> None:
    """Create the registry file owner-only (0600), and its folders (0700) when missing. An
    existing file readable by others is made 0600 with a warning; one we do not own only
    gets the warning."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.is_dir()]
    for folder in reversed(missing):
        # Folders we create are owner-only (as XDG asks of ~/.local/share); existing ones are
        # left alone.
        try:
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)  # whatever the umask
        except FileExistsError:
            pass
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        # A link would have us open, and SQLite write beside, a file of someone else's
        # choosing: refused, never followed.
        if candidate.is_symlink():
            raise OSError(
                errno.ELOOP,
                "是符号链接，已拒绝（请给出文件本身）/ is a symbolic link: refused (name the file "
                "itself)",
                str(candidate),
            )
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    try:
        # An empty file is an empty SQLite database; SQLite gives its -wal and -shm files
        # the permissions of the database file. O_NOFOLLOW: a link put there meanwhile is
        # not followed either.
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
        os.close(os.open(path, flags, 0o600))
        os.chmod(path, 0o600)  # whatever the umask
    except FileExistsError:
        pass
    else:
        # A new registry starts in WAL mode, before any other process writes to it.
        with closing(sqlite3.connect(path, timeout=timeout)) as connection:
            _use_wal(connection, timeout)
    for file in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        _warn_if_readable(file)


_SIDE_FILES = ("-wal", "-shm", "-journal")


def _warn_if_readable(path: Path) -> None:
    """A registry file others may read gets a warning; its mode is left as it is — a file
    annexkit did not create is not annexkit's to change."""
    if os.name != "posix":
        return  # no Unix permission bits to speak of
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o077:
        return
    mode = f"{info.st_mode & 0o777:04o}"
    warnings.warn(
        f"登记库文件 {path} 的权限为 {mode}，其他用户可读取其中的身份证号码（可运行 chmod 600 "
        f"{path}）/ the registry file {path} has mode {mode}: other users can read the ID "
        f"numbers it holds (chmod 600 {path})",
        InsecurePermissionsWarning,
        stacklevel=4,
    )


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


# ---------------------------------------------------------------------------- the registry


class Registry:
    """The registry at ``url``: a SQLAlchemy URL (``sqlite:///path``,
    ``postgresql+psycopg://user:password@host/db``; plain ``postgresql://`` means psycopg),
    a SQLite file's path, or None for :func:`default_url`. The tables are
    created on first use. Raises :class:`RegistryError` when the URL is malformed, names
    another kind of database, or the database cannot be reached.

    One instance may be used by several threads; a child process must open its own."""

    def __init__(self, url: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        self.url = self._parse(url)
        self._engine = self._create_engine(self.url, timeout)
        try:
            self._ensure_schema()
        except BaseException:
            self._engine.dispose()
            raise

    # --- setting up ---------------------------------------------------------------------

    @staticmethod
    def _parse(url: str | None) -> URL:
        try:
            if url is None:
                parsed = _default_url()
            elif "://" in url:
                parsed = make_url(url)
            else:
                parsed = _file_url(Path(url))
        except (ArgumentError, ValueError) as exc:
            raise RegistryError(
                f"数据库地址无效：{url} / not a database URL: {url} ({exc})"
            ) from None
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise RegistryError(
                f"不支持的数据库：{backend}（支持 sqlite:///文件 与 postgresql+psycopg://…）/ "
                f"unsupported database {backend!r}: use sqlite:///FILE or "
                "postgresql+psycopg://USER:PASSWORD@HOST/DB"
            )
        file = _sqlite_file(parsed) if backend == "sqlite" else None
        if file is not None:
            parsed = parsed.set(database=str(file))  # independent of the working folder
        if parsed.drivername == "postgresql":
            # psycopg 3 is what annexkit installs; SQLAlchemy's default would be psycopg2.
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed

    def _create_engine(self, url: URL, timeout: float) -> Engine:
        connect_args: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            connect_args["timeout"] = timeout
            path = _sqlite_file(url)
            if path is not None:
                try:
                    _prepare_sqlite_file(path, timeout)
                except (OSError, sqlite3.Error) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) else None
                    raise RegistryError(
                        f"无法创建登记库文件 {path} / cannot create the registry file {path}: "
                        f"{reason or exc}"
                    ) from None
        elif "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = max(1, round(timeout))
        try:
            engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError) as exc:
            raise RegistryError(
                f"无法使用数据库 {_shown(url)} / cannot use the database {_shown(url)}: {exc}"
            ) from None
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, timeout, in_memory=_sqlite_file(url) is None)
        return engine

    def _ensure_schema(self) -> None:
        # Fast path, readable by a read-only role: the tables exist at our version.
        with self._transaction(write=False) as conn:
            version = self._schema_version(conn)
        if version == SCHEMA_VERSION:
            return
        with self._transaction(write=True) as conn:
            if conn.dialect.name == "postgresql":
                # CREATE TABLE IF NOT EXISTS still races in PostgreSQL (pg_type's unique
                # index): serialise creation. SQLite's BEGIN IMMEDIATE already does.
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
            metadata.create_all(conn, checkfirst=True)
            version = self._schema_version(conn)
            if version is None:
                conn.execute(
                    meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
                )
                version = SCHEMA_VERSION
        if version is not None and version > SCHEMA_VERSION:
            raise RegistryError(
                f"登记库 {_shown(self.url)} 由较新版本的 annexkit 创建（结构版本 {version}），"
                f"请升级 / the registry {_shown(self.url)} was made by a newer annexkit "
                f"(schema version {version}): upgrade annexkit"
            )
        if version != SCHEMA_VERSION:
            raise RegistryError(
                f"登记库 {_shown(self.url)} 的结构版本无法识别 / the registry {_shown(self.url)} "
                "has an unrecognised schema version: is it an annexkit registry?"
            )

    @staticmethod
    def _schema_version(conn: Connection) -> int | None:
        if not sa.inspect(conn).has_table(meta_table.name):
            return None
        value = conn.execute(
            sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
        ).scalar_one_or_none()
        try:
            return None if value is None else int(value)
        except ValueError:
            return -1

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        """One transaction; SQLAlchemy errors become :class:`RegistryError`. On SQLite a
        write transaction takes the write lock at its start (``BEGIN IMMEDIATE``)."""
        try:
            with self._engine.connect() as conn:
                conn.execution_options(annexkit_write=write)
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise RegistryError(
                f"登记库 {_shown(self.url)} 出错 / the registry {_shown(self.url)} failed: "
                f"{_reason(exc)}"
            ) from exc

    def close(self) -> None:
        """Close the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- adding -------------------------------------------------------------------------

    def add(self, package_id: str, rows: Iterable[Grant]) -> AddResult:
        """Register ``rows`` as granted through ``package_id``, atomically. Rows the
        registry already holds for that package (same person, occupation and level) are
        left as they are, so adding a package twice changes nothing. Raises ValueError for a
        row without a valid ID number, an occupation or a plausible year."""
        if not package_id:
            raise ValueError("package_id must not be empty")
        unique: dict[tuple[str, str, str], Grant] = {}
        given = 0
        for row in rows:
            given += 1
            grant = _normalized(row)
            unique.setdefault((grant.id_number, grant.occupation, grant.level or ""), grant)
        if not unique:
            return AddResult(0, 0)
        now = dt.datetime.now(dt.UTC)
        # Key order: concurrent transactions meet each other's rows in the same order, so
        # PostgreSQL's waits on an uncommitted duplicate can never form a cycle.
        values = [
            {
                "id_number": g.id_number,
                "name": g.name,
                "occupation": g.occupation,
                "level": g.level or "",
                "year": g.year,
                "package": package_id,
                "document": g.document,
                "added_at": now,
            }
            for _, g in sorted(unique.items())
        ]
        added = self._retrying(lambda: self._insert(values))
        return AddResult(added, given - added)

    def _insert(self, values: list[dict[str, Any]]) -> int:
        added = 0
        with self._transaction(write=True) as conn:
            for start in range(0, len(values), _CHUNK):
                chunk = values[start : start + _CHUNK]
                result = conn.execute(_insert_new(conn.dialect, chunk))
                if conn.dialect.insert_returning:
                    added += len(result.all())
                else:
                    # SQLite before 3.35: the row count of one INSERT statement.
                    added += result.rowcount
        return added

    def _retrying(self, action: Callable[[], int]) -> int:
        for attempt in range(_ATTEMPTS):
            try:
                return action()
            except RegistryError as exc:
                cause = exc.__cause__
                state = getattr(getattr(cause, "orig", None), "sqlstate", None)
                if state not in _RETRY_SQLSTATES or attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def add_package(self, package_id: str, ledgers: Ledgers) -> AddResult:
        """Register the passed rows (:func:`passed_rows`) of a package's recognised
        ``ledgers`` under ``package_id`` (:func:`package_key` of its path). Passed rows
        without a valid ID number, an occupation or training dates are counted in
        ``skipped``."""
        rows, skipped = passed_rows(ledgers)
        added = self.add(package_id, [r.grant for r in rows])
        return AddResult(added.added, added.already_present, skipped)

    def remove(self, package_id: str) -> int:
        """Forget every grant registered through ``package_id``; how many there were."""
        with self._transaction(write=True) as conn:
            removed: int = conn.execute(
                sa.delete(grants_table).where(grants_table.c.package == package_id)
            ).rowcount
        return removed

    # --- reading ------------------------------------------------------------------------

    def grants(
        self, *, id_number: str | None = None, package: str | None = None
    ) -> list[RegisteredGrant]:
        """Registered grants, optionally of one person and/or one package, by person, year
        and registration order."""
        query = sa.select(grants_table).order_by(
            grants_table.c.id_number, grants_table.c.year, grants_table.c.id
        )
        if id_number is not None:
            query = query.where(grants_table.c.id_number == normalize_id_number(id_number))
        if package is not None:
            query = query.where(grants_table.c.package == package)
        with self._transaction(write=False) as conn:
            return [_registered(row) for row in conn.execute(query).mappings()]

    def history(
        self, id_numbers: Iterable[str], *, package: str | None = None
    ) -> list[RegisteredGrant]:
        """The grants of the people with ``id_numbers`` that count against ``package``: those
        of other packages registered before it (all of them when it is not registered), by
        year and registration order. A package's own grants never count against it, nor do
        grants registered after it, so re-checking a registered package reports what
        checking it before registration reported."""
        wanted = sorted({normalize_id_number(i) for i in id_numbers})
        found: list[RegisteredGrant] = []
        with self._transaction(write=False) as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = sa.select(grants_table).where(grants_table.c.id_number.in_(chunk))
                found.extend(_registered(row) for row in conn.execute(query).mappings())
        cutoff = min((g.serial for g in found if g.package == package), default=None)
        return sorted(
            (g for g in found if g.package != package and (cutoff is None or g.serial < cutoff)),
            key=lambda g: (g.year, g.serial),
        )


def _configure_sqlite(engine: Engine, timeout: float, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun by us (below), not by the sqlite3 module.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        if not in_memory:
            _use_wal(dbapi_connection, timeout)

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("annexkit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _use_wal(connection: sqlite3.Connection, timeout: float) -> None:
    """Put the database in WAL mode (a setting kept in the file) unless it is already.

    Changing the journal mode needs the file to itself. When another process is committing
    its first transaction on a brand-new file (still in rollback-journal mode), SQLite
    answers SQLITE_BUSY at once instead of waiting (the two would deadlock), so the change
    is retried until ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        try:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                connection.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if not _sqlite_busy(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay * (1 + random.random()))
        delay = min(delay * 2, 0.1)


def _sqlite_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED and their extended codes
    return "locked" in str(exc) or "busy" in str(exc)


def _reason(exc: SQLAlchemyError) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return f"{type(exc.orig).__name__}: {str(exc.orig).strip()}"
    return f"{type(exc).__name__}: {exc}"


def _registered(row: sa.RowMapping) -> RegisteredGrant:
    added_at: dt.datetime = row["added_at"]
    # SQLite keeps no time zone: the value was written in UTC.
    added_at = (
        added_at.replace(tzinfo=dt.UTC) if added_at.tzinfo is None else added_at.astimezone(dt.UTC)
    )
    return RegisteredGrant(
        serial=int(row["id"]),
        id_number=row["id_number"],
        name=row["name"],
        occupation=row["occupation"],
        level=row["level"],
        year=int(row["year"]),
        package=row["package"],
        document=row["document"],
        added_at=added_at,
    )
