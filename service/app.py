"""The FastAPI application: :func:`create_app` builds one from :class:`Settings`.

At start (the lifespan) the database is migrated and the jobs begin: on SQLite a
:class:`~annexkit.service.runner.LocalRunner` inside this process; on PostgreSQL
procrastinate's schema is applied, lost jobs are recovered, and with ``job_workers`` > 0
an embedded procrastinate worker runs too. ``app.state`` carries ``settings``,
``database``, ``store``, ``enqueue`` (submission id → job) and ``authenticators`` (the web
page's session cookie is installed there, so it works for the API too), and ``templates_dir``
for the web page's templates. The reviewers' web page (:mod:`.web`, docs/web.md) is served at
``/``, ``/login`` and ``/submissions/…``, outside /openapi.json.

Every error is JSON (``{"error": {"code", "message", "zh", "en"}}``); no traceback ever
reaches a response (it goes to the server's log).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from annexkit import __version__
from annexkit.service import db, web
from annexkit.service.api import packages, submissions
from annexkit.service.auth import session_user
from annexkit.service.errors import ServiceError
from annexkit.service.settings import Settings
from annexkit.service.storage import BlobStore, too_large

log = logging.getLogger("annexkit.service")

API_PREFIX = "/api/v1"
_LIMITED_PATHS = (f"{API_PREFIX}/submissions", f"{API_PREFIX}/packages")
_FORM_PATHS = ("/login", "/logout", "/submissions/")
"""The web page's forms: a name, a password, a reason — never more than :data:`FORM_LIMIT`."""
FORM_LIMIT = 64 * 1024
_DRAIN_FACTOR = 4
"""A body over the limit is read on (and dropped) up to this many times the limit before the
connection is cut, so that ordinary clients, which send the whole body before reading the
answer, see the 413 instead of a broken connection."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def templates_dir() -> Path:
    """Jinja2 templates of the reviewers' web page (:mod:`.web`); the report's partials
    (``annexkit.templates``) are found after them."""
    return Path(str(files("annexkit.service") / "templates"))


def create_app(settings: Settings) -> FastAPI:
    settings = settings.resolve()
    database = db.Database(settings.url)
    store = BlobStore(settings.blob_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # In a thread: migrating and starting the jobs block (and procrastinate's recovery
        # runs an event loop of its own).
        stop = await asyncio.to_thread(_start_jobs, app, settings, database, store)
        try:
            yield
        finally:
            await asyncio.to_thread(stop)
            database.close()

    app = FastAPI(
        title="annexkit",
        version=__version__,
        description="职业技能培训补贴材料（附件5–8）检查服务 / Checking service for the "
        "paperwork of subsidised vocational-skills training. See docs/api.md.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database
    app.state.store = store
    app.state.authenticators = [session_user]
    app.state.templates_dir = templates_dir()
    app.state.enqueue = lambda sid: None  # replaced when the jobs start
    app.include_router(submissions.router, prefix=API_PREFIX)
    app.include_router(packages.router, prefix=API_PREFIX)
    app.include_router(web.router)
    _add_health(app)
    _add_error_handlers(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.add_middleware(BodyLimit, limit=FORM_LIMIT, paths=_FORM_PATHS)
    return app


def _start_jobs(
    app: FastAPI, settings: Settings, database: db.Database, store: BlobStore
) -> Callable[[], None]:
    """Migrate, start the jobs, set ``app.state.enqueue``; returns how to stop them."""
    started = db.now()
    db.migrate(database)
    if not settings.is_postgres:
        from annexkit.service.runner import LocalRunner

        runner = LocalRunner(database, store, settings, settings.job_workers)

        def enqueue_local(sid: str) -> None:
            runner.wake()

        app.state.enqueue = enqueue_local
        runner.start(started)
        return runner.stop

    pgqueue = load_pgqueue()
    pgqueue.apply_schema(settings)
    deferrer = pgqueue.make_app(settings)
    deferrer.open()
    pgqueue.recover(pgqueue.make_app(settings), database, settings)

    def enqueue_pg(sid: str) -> None:
        pgqueue.defer(deferrer, sid)

    app.state.enqueue = enqueue_pg
    worker = None
    if settings.job_workers > 0:
        worker = pgqueue.EmbeddedWorker(settings, database, store, settings.job_workers)
        worker.start()

    def stop() -> None:
        if worker is not None:
            worker.stop()
        deferrer.close()

    return stop


def load_pgqueue() -> ModuleType:
    """:mod:`annexkit.service.pgqueue`, whose libraries come with ``annexkit[postgres]``."""
    try:
        return importlib.import_module("annexkit.service.pgqueue")
    except ImportError as exc:
        raise ServiceError(
            "postgres-not-installed",
            "使用 PostgreSQL 需要安装 annexkit[postgres]（psycopg、procrastinate）",
            f"PostgreSQL needs annexkit[postgres] (psycopg, procrastinate): {exc}",
        ) from None


def _add_health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> JSONResponse:
        """Whether the server and its database answer (no token needed)."""
        database: db.Database = request.app.state.database
        try:
            with database.transaction() as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            body = ServiceError(
                "database-unavailable", "数据库不可用", "the database does not answer", status=503
            ).body()
            return JSONResponse({"status": "unavailable", **body}, status_code=503)
        return JSONResponse({"status": "ok", "version": __version__})


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "path": "/" + "/".join(str(p) for p in e.get("loc", ())),
                "en": str(e.get("msg", "")),
                "type": e.get("type"),
            }
            for e in exc.errors()
        ]
        error = ServiceError(
            "invalid-request",
            f"请求内容无效，共{len(problems)}处",
            f"the request is invalid: {len(problems)} problems",
            status=422,
            problems=problems,
        )
        return JSONResponse(error.body(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        texts = {
            404: ("not-found", "找不到该地址", "not found"),
            405: ("method-not-allowed", "不支持该请求方法", "method not allowed"),
        }
        code, zh, en = texts.get(exc.status_code, ("http-error", "请求出错", str(exc.detail)))
        error = ServiceError(code, zh, en, status=exc.status_code)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # Starlette names only the methods of the first route on the path; a path served
            # by several routes (GET and POST /submissions) allows all of theirs (RFC 9110).
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return JSONResponse(error.body(), status_code=exc.status_code, headers=headers or None)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        error = ServiceError(
            "internal-error", "服务器内部错误", "internal server error", status=500
        )
        return JSONResponse(error.body(), status_code=500)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for an upload whose body exceeds ``limit`` bytes, counted as it arrives (before
    the multipart parser spools it to disk), whatever Content-Length claims. ``paths``: the
    path prefixes it guards (the API's uploads by default; the web page's forms too)."""

    def __init__(self, app: ASGIApp, limit: int, paths: tuple[str, ...] = _LIMITED_PATHS) -> None:
        self.app, self.limit, self.paths = app, limit, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or not str(scope.get("path", "")).startswith(self.paths)
        ):
            await self.app(scope, receive, send)
            return
        received = 0
        exceeded = False
        finished = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded, finished
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body", False)
                if received > self.limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            exceeded = True
        except Exception:
            if not exceeded:
                raise
        if not exceeded:
            return
        # Read the rest (up to a bound) so the client gets to read our answer.
        while not finished and received <= self.limit * _DRAIN_FACTOR:
            message = await receive()
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            finished = not message.get("more_body", False)
        response = JSONResponse(too_large(self.limit).body(), status_code=413)
        if not finished:
            response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves on the request's path (a route whose path
    matches but not its method is a partial match)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        matched, _ = route.matches(request.scope)
        if matched != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)
