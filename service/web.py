"""The reviewers' web page: sign in, the queue of submissions, one submission with its
findings, page pictures and review buttons. Server-rendered (Jinja2), usable without
JavaScript; docs/web.md describes it.

Everything a page does goes through the API's own logic (:mod:`.api.submissions`): who may
see a submission (another institution's is 404, as in the API), the review and the decision
on the package (the same functions the API routes are, called with the session's account),
and the masking of ID and phone numbers (the page shows the masked report; a value is
revealed only through the audited API route). The report's partials (``annexkit.templates``:
``_summary.html``, ``_package.html``) draw the findings as the saved HTML report does.

Sessions (:mod:`.auth`): an opaque cookie (HttpOnly, SameSite=Strict, Secure over HTTPS),
and a per-session CSRF token that every form carries. The sign-in form, which has no session
yet, is protected by a double-submitted token (a cookie and a field that must match).

None of these routes is in /openapi.json (``include_in_schema=False``): they answer HTML
for people, not the API's JSON.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from pydantic import ValidationError

from annexkit.checker.findings import CATALOGUE
from annexkit.checker.page_pictures import Outline, PagePicture, Pictures
from annexkit.checker.report_html import _names, environment, report_view
from annexkit.contract.masking import mask_text
from annexkit.service import db
from annexkit.service.api import submissions as api
from annexkit.service.auth import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    Session,
    end_session,
    request_session,
    same_token,
    start_session,
)
from annexkit.service.errors import ServiceError, not_found
from annexkit.service.pictures import StoredPicture, picture_for, pictures_of
from annexkit.service.review import (
    finding_decisions,
    flat_findings,
    package_decision,
    review_state,
    review_states,
)
from annexkit.service.users import check_password, hash_password, user_by_name, verify_password

log = logging.getLogger("annexkit.service.web")

router = APIRouter(include_in_schema=False)

LOGIN_COOKIE = "annexkit_login"
"""The sign-in form's double-submit token (no session exists yet to hold one)."""
PER_PAGE = 20
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""Times are shown, and date filters read, in China's time (no daylight saving)."""

STATIC = {
    # name → (package, media type): a fixed list, never a path from the URL.
    "report.css": ("annexkit.templates", "text/css; charset=utf-8"),
    "report.js": ("annexkit.templates", "text/javascript; charset=utf-8"),
    "web.css": ("annexkit.service", "text/css; charset=utf-8"),
    "web.js": ("annexkit.service", "text/javascript; charset=utf-8"),
}

STATUS_ZH = {
    "queued": "排队中 queued",
    "running": "检查中 running",
    "done": "已完成 done",
    "failed": "失败 failed",
}
STATE_ZH = {
    "pending": "待审核 pending",
    "passed": "已通过 passed",
    "returned": "已退回 returned",
}
DECISION_ZH = {
    "confirmed": "已确认 confirmed",
    "dismissed": "已驳回 dismissed",
    "passed": "通过 passed",
    "returned": "退回 returned",
}
MESSAGES = {
    # ?done= and ?error= after a form: fixed texts by code, never text from the URL.
    "reviewed": "已记录对检查项的审核 / the finding's review is recorded",
    "decided": "已记录对材料包的决定 / the decision on the package is recorded",
    "reason-required": "驳回检查项或退回材料包须填写理由 / a reason is required to dismiss "
    "a finding or return a package",
    "not-ready": "检查尚未完成，暂不能审核 / the check has not finished yet",
    "invalid-request": "表单内容无效（理由最长2000字）/ the form is invalid (a reason has at "
    "most 2000 characters)",
    "not-found": "找不到该检查项 / no such finding",
}

_SID = re.compile(r"[0-9a-f]{32}")
_SHA = re.compile(r"[0-9a-f]{64}")
_CREDIT = re.compile(r"[0-9A-Za-z]{1,18}")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

_HEADERS = {
    # The page's own files only: no inline script (report.js is served as a file); inline
    # style attributes stay allowed for the pictures' aspect ratio.
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages show names of trainees: not kept by the browser or a proxy.
    "Cache-Control": "no-store",
}


# ------------------------------------------------------------------------------ rendering


@functools.cache
def _environment(folder: str) -> Environment:
    """The report's environment (autoescape, finalize, its globals) over the service's
    templates first, then the report's partials."""
    base = environment()
    assert base.loader is not None
    env = base.overlay(loader=ChoiceLoader([FileSystemLoader(folder), base.loader]))
    # Own copies: the overlay would otherwise add to the report environment's dicts.
    env.filters = {**base.filters, "cst": shown_time}
    env.globals = {
        **base.globals,
        "STATUS_ZH": STATUS_ZH,
        "STATE_ZH": STATE_ZH,
        "DECISION_ZH": DECISION_ZH,
    }
    return env


def shown_time(value: Any) -> str:
    """An ISO time or a datetime as ``2025-06-01 14:03`` in China's time; "" for none."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, dt.datetime):
        return ""
    at = db.as_utc(value)
    assert at is not None
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _render(
    request: Request,
    template: str,
    session: Session | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    folder = str(request.app.state.templates_dir)
    html = (
        _environment(folder)
        .get_template(template)
        .render(
            user=session.user if session else None,
            csrf=session.csrf if session else "",
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _error_page(request: Request, session: Session | None, error: ServiceError) -> HTMLResponse:
    return _render(request, "error.html", session, status=error.status, zh=error.zh, en=error.en)


def _to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': here})}", status_code=303)


def _local(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no ``//host`` or scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return "/"  # browsers drop tabs and newlines: "/\t/host" would become "//host"
    return target


def _forbidden_form() -> ServiceError:
    return ServiceError(
        "csrf",
        "表单已过期或来源不明，请重新打开页面后再提交",
        "the form has expired or did not come from this site: reload the page and try again",
        status=403,
    )


# ------------------------------------------------------------------------------ static files


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The page's style and script (the report's own, and the page's additions)."""
    found = STATIC.get(name)
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    package, media = found
    # The report's files sit in its package; the page's own in the service's static/.
    folder = files(package) if package == "annexkit.templates" else files(package) / "static"
    data = (folder / name).read_bytes()
    return Response(
        data,
        media_type=media,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


# ------------------------------------------------------------------------------ signing in


def _login_form(
    request: Request, next_page: str, status: int = 200, message: str = "", name: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = _render(
        request,
        "login.html",
        None,
        status=status,
        login_token=token,
        next_page=next_page,
        message=message,
        name=name,
    )
    _set_cookie(request, response, LOGIN_COOKIE, token, max_age=3600, path="/login")
    return response


def _set_cookie(
    request: Request, response: Response, key: str, value: str, max_age: int, path: str = "/"
) -> None:
    response.set_cookie(
        key,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


@router.get("/login")
def login_page(request: Request) -> Response:
    next_page = _local(request.query_params.get("next"))
    if request_session(request) is not None:
        return RedirectResponse(next_page, status_code=303)
    return _login_form(request, next_page)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    next_page: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    next_page = _local(next_page)
    if not same_token(token, request.cookies.get(LOGIN_COOKIE) or ""):
        return _login_form(
            request,
            next_page,
            status=403,
            message="登录表单已过期，请再试一次 / the sign-in form has expired: please try again",
            name=name[:200],
        )
    database: db.Database = request.app.state.database
    user = None
    if user_by_name(database, name.strip()) is None:
        # As slow as a wrong password: the answer's time must not tell which names exist.
        verify_password(_dummy_hash(), password)
    else:
        user = check_password(database, name.strip(), password)
    if user is None:
        log.info("web sign-in refused for %r", mask_text(name.strip()[:100]))
        return _login_form(
            request,
            next_page,
            status=401,
            message="用户名或密码错误 / wrong user name or password",
            name=name[:200],
        )
    cookie, _session = start_session(database, user)
    response = RedirectResponse(next_page, status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, cookie, int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_COOKIE, path="/login", httponly=True, samesite="strict")
    return response


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    session = request_session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    if not same_token(csrf, session.csrf):
        return _error_page(request, session, _forbidden_form())
    end_session(request.app.state.database, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


# ------------------------------------------------------------------------------ the queue


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _china_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC)


@router.get("/")
def queue(request: Request) -> Response:
    """Submissions visible to the account, newest first, filtered and paged."""
    session = request_session(request)
    if session is None:
        return _to_login(request)
    user = session.user
    q = request.query_params
    filters = {
        "status": q.get("status", "") if q.get("status") in db.STATUSES else "",
        "review": q.get("review", "") if q.get("review") in db.REVIEW_STATES else "",
        "institution": (q.get("institution") or "").strip().upper(),
        "code": (q.get("code") or "").strip(),
        "from": q.get("from", "") if _day(q.get("from")) else "",
        "to": q.get("to", "") if _day(q.get("to")) else "",
    }
    problems: list[str] = []
    if filters["institution"] and not _CREDIT.fullmatch(filters["institution"]):
        problems.append("统一社会信用代码只含字母和数字 / a credit code has letters and digits")
        filters["institution"] = ""
    if filters["code"] and not _CODE.fullmatch(filters["code"]):
        filters["code"] = ""
    for key in ("from", "to"):
        if q.get(key) and not filters[key]:
            problems.append("日期应为 YYYY-MM-DD / a date is YYYY-MM-DD")
    try:
        page = max(1, min(int(q.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1

    where: list[sa.ColumnElement[bool]] = [api._visible(user)]
    s = db.submissions
    if filters["status"]:
        where.append(s.c.status == filters["status"])
    if filters["institution"]:
        where.append(s.c.institution == filters["institution"])
    if filters["code"]:
        where.append(
            s.c.id.in_(
                sa.select(db.submission_codes.c.submission_id).where(
                    db.submission_codes.c.code == filters["code"]
                )
            )
        )
    start, end = _day(filters["from"]), _day(filters["to"])
    if start:
        where.append(s.c.created_at >= _china_midnight(start))
    if end:
        where.append(s.c.created_at < _china_midnight(end + dt.timedelta(days=1)))
    rows, states, total = _queue_page(request, where, filters["review"], page)
    items = [
        {
            **api._summary(row, states[row["id"]]),
            "classes": classes,
        }
        for row, classes in zip(rows, _class_names(request, rows), strict=True)
    ]
    pages = max(1, -(-total // PER_PAGE))
    kept = {k: v for k, v in filters.items() if v}
    links = {
        "previous": f"/?{urlencode({**kept, 'page': page - 1})}" if page > 1 else None,
        "next": f"/?{urlencode({**kept, 'page': page + 1})}" if page < pages else None,
    }
    return _render(
        request,
        "queue.html",
        session,
        items=items,
        filters=filters,
        problems=sorted(set(problems)),
        page=page,
        pages=pages,
        total=total,
        links=links,
        codes=sorted(CATALOGUE.items()),
        statuses=db.STATUSES,
        review_states=db.REVIEW_STATES,
    )


def _queue_page(
    request: Request, where: list[sa.ColumnElement[bool]], state: str, page: int
) -> tuple[Sequence[sa.RowMapping], dict[str, str], int]:
    """One page of the queue, as ``GET /api/v1/submissions`` cuts it (the review state is
    derived from decisions, so that filter is applied after working the states out)."""
    s = db.submissions
    newest_first = (s.c.created_at.desc(), s.c.id.desc())
    offset = (page - 1) * PER_PAGE
    database: db.Database = request.app.state.database
    with database.transaction() as conn:
        if state:
            ids = list(
                conn.execute(sa.select(s.c.id).where(*where).order_by(*newest_first))
                .scalars()
                .all()
            )
            states = review_states(conn, ids)
            matching = [sid for sid in ids if states[sid] == state]
            chosen = matching[offset : offset + PER_PAGE]
            found = {
                r["id"]: r for r in conn.execute(sa.select(s).where(s.c.id.in_(chosen))).mappings()
            }
            return [found[sid] for sid in chosen], states, len(matching)
        total = int(
            conn.execute(sa.select(sa.func.count()).select_from(s).where(*where)).scalar_one()
        )
        rows: Sequence[sa.RowMapping] = (
            []
            if offset >= total
            else conn.execute(
                sa.select(s).where(*where).order_by(*newest_first).limit(PER_PAGE).offset(offset)
            )
            .mappings()
            .all()
        )
        return rows, review_states(conn, [r["id"] for r in rows]), total


def _class_names(request: Request, rows: Sequence[sa.RowMapping]) -> list[list[str]]:
    """Occupation · class of each package of each row (from its report; none until done)."""
    done = [r["id"] for r in rows if r["status"] == "done"]
    reports: dict[str, list[str]] = {}
    if done:
        database: db.Database = request.app.state.database
        with database.transaction() as conn:
            for sid, text in conn.execute(
                sa.select(db.reports.c.submission_id, db.reports.c.report).where(
                    db.reports.c.submission_id.in_(done)
                )
            ):
                report = json.loads(text)
                names = [_names(package)[2] for package in report.get("packages", [])]
                reports[sid] = [mask_text(n) for n in names if n]
    return [reports.get(r["id"], []) for r in rows]


# ------------------------------------------------------------------------------ a submission


def _pictures(sid: str, stored: Sequence[StoredPicture]) -> Pictures:
    """The stored pictures in the shape the report's partials draw, each served by
    :func:`picture` (the URL takes the place of the report's ``data:`` URI)."""
    pictures = Pictures()
    for p in stored:
        pictures.packages.setdefault(p.package, []).append(
            PagePicture(
                document=p.document,
                page=p.page,
                width=p.width,
                height=p.height,
                uri=f"/submissions/{sid}/pictures/{p.sha256}.jpg",
                outlines=tuple(
                    Outline(
                        finding=int(o["finding"]),
                        severity=str(o["severity"]),
                        x=float(o["x"]),
                        y=float(o["y"]),
                        width=float(o["w"]),
                        height=float(o["h"]),
                    )
                    for o in p.outlines
                ),
            )
        )
    return pictures


@router.get("/submissions/{sid}")
def submission(request: Request, sid: str) -> Response:
    """One submission: its summary, review and findings with their page pictures."""
    session = request_session(request)
    if session is None:
        return _to_login(request)
    database: db.Database = request.app.state.database
    try:
        with database.transaction() as conn:
            row = api._load(conn, session.user, sid)
            report = api._report(conn, sid)
            decisions = finding_decisions(conn, sid)
            explicit = package_decision(conn, sid)
    except ServiceError as error:
        return _error_page(request, session, error)
    state = review_state(report, decisions, explicit)
    view = None
    offsets: list[int] = []
    if report is not None:
        view = report_view(report, _pictures(sid, pictures_of(database, sid)))
        total = 0
        for package in report["packages"]:
            offsets.append(total)
            total += len(package["findings"])
    q = request.query_params
    return _render(
        request,
        "submission.html",
        session,
        sid=sid,
        item=api._summary(row, state),
        view=view,
        offsets=offsets,
        reviews=decisions,
        decision=explicit,
        finding_count=len(flat_findings(report)) if report else 0,
        done=MESSAGES.get(q.get("done", ""), ""),
        error=MESSAGES.get(q.get("error", ""), ""),
    )


@router.get("/submissions/{sid}/pictures/{name}")
def picture(request: Request, sid: str, name: str) -> Response:
    """A page picture of a submission the account may see (404 otherwise, as the page)."""
    session = request_session(request)
    if session is None:
        return Response(status_code=401, headers={"Cache-Control": "no-store"})
    sha = name.removesuffix(".jpg")
    if not name.endswith(".jpg") or not _SHA.fullmatch(sha) or not _SID.fullmatch(sid):
        return Response(status_code=404)
    database: db.Database = request.app.state.database
    try:
        with database.transaction() as conn:
            api._load(conn, session.user, sid)
        data = picture_for(database, request.app.state.store, sid, sha)
    except ServiceError:
        return Response(status_code=404)
    return Response(
        data,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def _back(sid: str, anchor: str, **query: str) -> RedirectResponse:
    return RedirectResponse(
        f"/submissions/{sid}?{urlencode(query)}{'#' + anchor if anchor else ''}", status_code=303
    )


def _finding_anchor(report: Mapping[str, Any] | None, n: int) -> str:
    """``pkg-P-fN`` of flat finding ``n`` (the row the form was on)."""
    if report is None:
        return ""
    for number, package in enumerate(report["packages"], 1):
        count = len(package["findings"])
        if n < count:
            return f"pkg-{number}-f{n + 1}"
        n -= count
    return ""


@router.post("/submissions/{sid}/findings/{n}/review")
def review_form(
    request: Request,
    sid: str,
    n: str,
    csrf: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The review buttons of a finding: ``POST /api/v1/…/findings/{n}/review``'s logic."""
    session = _form_session(request, sid, csrf)
    if not isinstance(session, Session):
        return session
    if not n.isdigit() or len(n) > 9:
        return _error_page(request, session, not_found("finding"))
    number = int(n)
    try:
        body = api.ReviewIn(decision=decision, reason=reason or None)  # type: ignore[arg-type]
    except ValidationError:
        return _back(sid, "", error="invalid-request")
    return _act(
        request,
        session,
        sid,
        lambda: api.review_finding(request, session.user, sid, number, body),
        number,
        "reviewed",
    )


@router.post("/submissions/{sid}/decision")
def decision_form(
    request: Request,
    sid: str,
    csrf: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Pass or return the package: ``POST /api/v1/…/decision``'s logic."""
    session = _form_session(request, sid, csrf)
    if not isinstance(session, Session):
        return session
    try:
        body = api.DecisionIn(decision=decision, reason=reason or None)  # type: ignore[arg-type]
    except ValidationError:
        return _back(sid, "decision", error="invalid-request")
    return _act(
        request,
        session,
        sid,
        lambda: api.decide(request, session.user, sid, body),
        None,
        "decided",
    )


def _form_session(request: Request, sid: str, csrf: str) -> Session | Response:
    """The session behind a form posted about submission ``sid``, or the answer instead: the
    sign-in page, the refusal of a form without its session's token, or a 404 page."""
    session = request_session(request)
    if session is None:
        return _to_login(request)
    if not same_token(csrf, session.csrf):
        return _error_page(request, session, _forbidden_form())
    if not _SID.fullmatch(sid):
        return _error_page(request, session, not_found())
    return session


def _act(
    request: Request,
    session: Session,
    sid: str,
    action: Callable[[], object],
    finding: int | None,
    done: str,
) -> Response:
    """Run an API action; back to the submission (303) with what happened, or the error
    page for what the API answers 403/404 (another institution's submission stays 404)."""
    try:
        action()
    except ServiceError as error:
        if error.status in (403, 404):
            # No such (or another institution's) submission, no such finding, or an
            # institution trying a reviewer's action: the API's answer, as a page.
            return _error_page(request, session, error)
        return _back(sid, _anchor_of(request, sid, finding), error=error.code)
    return _back(sid, _anchor_of(request, sid, finding), done=done)


def _anchor_of(request: Request, sid: str, finding: int | None) -> str:
    if finding is None:
        return "decision"
    with request.app.state.database.transaction() as conn:
        report = api._report(conn, sid)
    return _finding_anchor(report, finding)
