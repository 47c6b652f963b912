"""Accounts: reviewers (see every submission) and institutions (see their own).

An account signs API requests with a token shown once when it is made: only its sha256 is
stored (a 256-bit random token needs no slow hash; a lookup by hash stays one index probe).
Web-page passwords, chosen by people, are hashed with argon2id (argon2-cffi).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from annexkit.contract.formats import normalize_credit_code, validate_credit_code
from annexkit.service import db
from annexkit.service.db import Database
from annexkit.service.errors import ServiceError

TOKEN_PREFIX = "ak_"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    institution: str | None
    disabled: bool
    created_at: dt.datetime

    @property
    def is_reviewer(self) -> bool:
        return self.role == "reviewer"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (an argon2 hash); False for no password."""
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _user(row: sa.RowMapping) -> User:
    created = db.as_utc(row["created_at"])
    assert created is not None
    return User(
        int(row["id"]),
        row["name"],
        row["role"],
        row["institution"],
        bool(row["disabled"]),
        created,
    )


def add_user(
    database: Database,
    name: str,
    role: str,
    institution: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account; returns it and its API token (the only time the token exists
    outside the caller's hands)."""
    name = name.strip()
    if not name:
        raise ServiceError("bad-user", "用户名不能为空", "the user name must not be empty")
    if role not in db.ROLES:
        raise ServiceError(
            "bad-user", f"角色无效：{role}", f"unknown role {role!r}: reviewer or institution"
        )
    code: str | None = None
    if institution:
        code = normalize_credit_code(institution)
        problem = validate_credit_code(code)
        if problem is not None:
            raise ServiceError(
                "bad-user",
                f"统一社会信用代码无效：{problem.zh}",
                f"invalid credit code: {problem.en}",
            )
    if role == "institution" and code is None:
        raise ServiceError(
            "bad-user",
            "培训机构用户须用 --institution 给出统一社会信用代码",
            "an institution user needs --institution CREDIT_CODE",
        )
    token = new_token()
    values = {
        "name": name,
        "role": role,
        "institution": code,
        "token_hash": token_hash(token),
        "password_hash": hash_password(password) if password else None,
        "disabled": False,
        "created_at": db.now(),
    }
    with database.transaction(write=True) as conn:
        exists = conn.execute(sa.select(db.users.c.id).where(db.users.c.name == name)).first()
        if exists is not None:
            raise ServiceError(
                "user-exists", f"用户已存在：{name}", f"a user named {name!r} exists", status=409
            )
        conn.execute(db.users.insert().values(**values))
        row = conn.execute(sa.select(db.users).where(db.users.c.name == name)).mappings().one()
    return _user(row), token


def issue_token(database: Database, name: str) -> tuple[User, str]:
    """A fresh API token for account ``name``, replacing its stored hash: the old token stops
    working at once. Only the hash is kept, so a lost token cannot be shown again — this
    is how a user gets a new one (and how ``make run`` shows working demo tokens each run)."""
    token = new_token()
    with database.transaction(write=True) as conn:
        done = conn.execute(
            db.users.update().where(db.users.c.name == name).values(token_hash=token_hash(token))
        )
        if not done.rowcount:
            raise _no_user(name)
        row = conn.execute(sa.select(db.users).where(db.users.c.name == name)).mappings().one()
    return _user(row), token


def set_password(database: Database, name: str, password: str) -> User:
    """Set (or replace) the web-page password of account ``name`` (stored as argon2id)."""
    if not password:
        raise ServiceError("bad-user", "密码不能为空", "the password must not be empty")
    hashed = hash_password(password)  # before the transaction: argon2 is slow on purpose
    with database.transaction(write=True) as conn:
        done = conn.execute(
            db.users.update().where(db.users.c.name == name).values(password_hash=hashed)
        )
        if not done.rowcount:
            raise _no_user(name)
        row = conn.execute(sa.select(db.users).where(db.users.c.name == name)).mappings().one()
    return _user(row)


def user_by_name(database: Database, name: str) -> User | None:
    """The account called ``name`` (enabled or not), or None."""
    with database.transaction() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.name == name)).mappings().first()
    return None if row is None else _user(row)


def _no_user(name: str) -> ServiceError:
    return ServiceError("not-found", f"没有用户 {name}", f"no user named {name!r}", status=404)


def list_users(database: Database) -> list[User]:
    with database.transaction() as conn:
        rows = conn.execute(sa.select(db.users).order_by(db.users.c.name)).mappings().all()
    return [_user(r) for r in rows]


def disable_user(database: Database, name: str) -> User:
    with database.transaction(write=True) as conn:
        done = conn.execute(db.users.update().where(db.users.c.name == name).values(disabled=True))
        if not done.rowcount:
            raise _no_user(name)
        row = conn.execute(sa.select(db.users).where(db.users.c.name == name)).mappings().one()
    return _user(row)


def user_by_token(database: Database, token: str) -> User | None:
    """The enabled account ``token`` belongs to, or None."""
    with database.transaction() as conn:
        row = (
            conn.execute(sa.select(db.users).where(db.users.c.token_hash == token_hash(token)))
            .mappings()
            .first()
        )
    if row is None or row["disabled"]:
        return None
    return _user(row)


def user_by_id(database: Database, user_id: int) -> User | None:
    """The enabled account with ``user_id`` (for a web session), or None."""
    with database.transaction() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.id == user_id)).mappings().first()
    if row is None or row["disabled"]:
        return None
    return _user(row)


def check_password(database: Database, name: str, password: str) -> User | None:
    """The enabled account ``name`` when ``password`` is its password (web-page login)."""
    with database.transaction() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.name == name)).mappings().first()
    if row is None or row["disabled"] or not verify_password(row["password_hash"], password):
        return None
    return _user(row)
