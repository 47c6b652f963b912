"""Who is asking: the ``Authorization: Bearer TOKEN`` header, or any other
:data:`Authenticator` installed on the app — the reviewers' web page installs
:func:`session_user`, its session cookie.

Every API route depends on :func:`current_user`; without a valid, enabled account the answer
is 401, whatever the route, so nothing about a submission leaks to the unauthenticated.

Web sessions: the cookie holds a random id; only its sha256 is stored (``web_sessions``), as
for API tokens, so a copy of the database opens no session. Each session has its own CSRF
token: web forms carry it in a field, and an API request authenticated by the cookie alone
must send it as ``X-CSRF-Token`` to change anything (the cookie is SameSite=Strict too; the
token also covers sibling sub-domains, which SameSite counts as the same site).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request

from annexkit.service import db
from annexkit.service.db import Database
from annexkit.service.errors import ServiceError
from annexkit.service.users import User, user_by_id, user_by_token

Authenticator = Callable[[Request], User | None]
"""Finds the account of a request by other means than a bearer token (e.g. the web page's
session cookie); installed in ``app.state.authenticators``, tried in order after the token."""


def unauthorized() -> ServiceError:
    return ServiceError(
        "unauthorized",
        "需要有效的访问令牌（Authorization: Bearer TOKEN）",
        "a valid token is required (Authorization: Bearer TOKEN)",
        status=401,
    )


def current_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = user_by_token(request.app.state.database, token.strip())
        if user is None:
            raise unauthorized()
        return user
    authenticators: list[Authenticator] = getattr(request.app.state, "authenticators", [])
    for authenticate in authenticators:
        found = authenticate(request)
        if found is not None:
            return found
    raise unauthorized()


def require_reviewer(user: User) -> None:
    """For actions only reviewers may take. Called after the submission was found visible
    to ``user`` (an institution asking about another's gets 404 before this), so a 403 here
    tells an institution nothing it could not see."""
    if not user.is_reviewer:
        raise ServiceError(
            "forbidden",
            "只有审核人员可以执行此操作",
            "only reviewers may do this",
            status=403,
        )


CurrentUser = Annotated[User, Depends(current_user)]


# ------------------------------------------------------------------------------ web sessions

SESSION_COOKIE = "annexkit_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = dt.timedelta(hours=12)
"""A session ends this long after sign-in, used or not: a working day, so that a forgotten
browser on a shared office computer does not stay signed in for days."""
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))

web_sessions = sa.Table(
    "web_sessions",
    db.metadata,
    # Declared beside the other tables' metadata (Alembic's target) though used only here;
    # migration r0003 creates it.
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", db.users.c.id.type, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("web_sessions_expires_idx", "expires_at"),
)


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its account and the token its forms must carry."""

    user: User
    csrf: str
    expires_at: dt.datetime


def _session_hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def start_session(database: Database, user: User) -> tuple[str, Session]:
    """A new session for ``user`` (at every sign-in: never reuse an id the browser brought,
    so a planted cookie cannot become a signed-in one). Returns the cookie value and the
    session; expired sessions of everyone are swept on the way."""
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = db.now()
    expires = now + SESSION_LIFETIME
    with database.transaction(write=True) as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))
        conn.execute(
            web_sessions.insert().values(
                id_hash=_session_hash(cookie),
                user_id=user.id,
                csrf=csrf,
                created_at=now,
                expires_at=expires,
            )
        )
    return cookie, Session(user, csrf, expires)


def session_of(database: Database, cookie: str | None) -> Session | None:
    """The live session of a cookie value, or None (none, unknown, expired, or its account
    disabled since)."""
    if not cookie or len(cookie) > 200:
        return None
    with database.transaction() as conn:
        row = (
            conn.execute(
                sa.select(web_sessions).where(web_sessions.c.id_hash == _session_hash(cookie))
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    expires = db.as_utc(row["expires_at"])
    if expires is None or expires <= db.now():
        return None
    user = user_by_id(database, int(row["user_id"]))
    if user is None:
        return None
    return Session(user, str(row["csrf"]), expires)


def end_session(database: Database, cookie: str | None) -> None:
    """Sign out: the session's row is deleted, so the cookie is worthless even if kept."""
    if not cookie:
        return
    with database.transaction(write=True) as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.id_hash == _session_hash(cookie)))


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a CSRF token."""
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def request_session(request: Request) -> Session | None:
    """The session of a request's cookie, looked up once per request."""
    cached: Session | bool | None = getattr(request.state, "annexkit_session", False)
    if cached is not False:
        return cached if isinstance(cached, Session) else None
    session = session_of(request.app.state.database, request.cookies.get(SESSION_COOKIE))
    request.state.annexkit_session = session
    return session


def session_user(request: Request) -> User | None:
    """The :data:`Authenticator` of the web page's cookie, for the API routes: any request
    may read with it; one that changes something must also carry the session's CSRF token
    in ``X-CSRF-Token`` (a cookie is sent by the browser whoever made the page)."""
    session = request_session(request)
    if session is None:
        return None
    if request.method not in _SAFE_METHODS and not same_token(
        request.headers.get(CSRF_HEADER), session.csrf
    ):
        return None
    return session.user
