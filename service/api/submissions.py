"""``/api/v1/submissions``: upload a package, follow its check, read its report, review it.

Visibility: a reviewer sees every submission, an institution only its own institution's;
anything else is answered 404, exactly as for an id that does not exist — on every route,
before anything else about the submission is looked at. A visible submission on which an
institution attempts a reviewer's action (reveal, review, decide) is answered 403.

Every answer is declared in /openapi.json (``response_model`` and ``responses``), errors
included, so that clients and schemathesis (tests/test_service_schemathesis.py) can hold the
service to it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from annexkit.checker.report import renderer
from annexkit.contract.masking import mask_text
from annexkit.policy.profiles import shipped_names
from annexkit.service import db
from annexkit.service.auth import CurrentUser, require_reviewer
from annexkit.service.errors import BEARER, ServiceError, error_responses, not_found
from annexkit.service.review import (
    finding_decisions,
    flat_findings,
    package_decision,
    review_state,
    review_states,
)
from annexkit.service.storage import BlobStore, StoredFile, safe_name
from annexkit.service.users import User

router = APIRouter(prefix="/submissions", tags=["submissions"], dependencies=[Depends(BEARER)])

MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "junit": "application/xml",
    "sarif": "application/sarif+json",
    "text": "text/plain; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


Status = Literal["queued", "running", "done", "failed"]
ReviewState = Literal["pending", "passed", "returned"]

_SID = re.compile(r"[0-9a-f]{32}")
"""What :func:`upload` makes ids of (uuid4 hex). Anything else cannot exist: it is answered
404 without a query (PostgreSQL rejects some strings, a NUL for one, with an error)."""
_NO_NUL = r"^[^\x00]*$"
"""PostgreSQL text cannot hold NUL: a reason with one is refused (422), not stored."""
_CREDIT_CODE = r"^[0-9A-Za-z]+$"
_CODE = r"^[a-z0-9][a-z0-9-]*$"


class Accepted(BaseModel):
    id: str
    status: Literal["queued"]


class ReviewIn(BaseModel):
    decision: Literal["confirmed", "dismissed"]
    reason: str | None = Field(
        default=None, max_length=2000, pattern=_NO_NUL, description="Required to dismiss"
    )


class DecisionIn(BaseModel):
    decision: Literal["passed", "returned"]
    reason: str | None = Field(
        default=None, max_length=2000, pattern=_NO_NUL, description="Required to return"
    )


class Counts(BaseModel):
    errors: int
    warnings: int


class SubmissionItem(BaseModel):
    """A submission as the list shows it."""

    id: str
    name: str = Field(description="The upload's name (ID and phone numbers masked)")
    status: Status
    institution: str | None
    profile: str | None
    claim_date: str | None = Field(json_schema_extra={"format": "date"})
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    finished_at: str | None = Field(json_schema_extra={"format": "date-time"})
    summary: Counts | None = Field(description="Errors and warnings, once done")
    error: str | None = Field(description="Why the check failed (status failed)")
    review_state: ReviewState


class SubmissionPage(BaseModel):
    items: list[SubmissionItem]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=100)
    total: int = Field(ge=0, description="Items matching the filters, over all pages")


class Decided(BaseModel):
    reason: str | None
    reviewer: str = Field(description="The reviewer's account name")
    decided_at: str | None = Field(json_schema_extra={"format": "date-time"})


class FindingDecision(Decided):
    decision: Literal["confirmed", "dismissed"]


class PackageDecision(Decided):
    decision: Literal["passed", "returned"]


class Submission(SubmissionItem):
    """One submission: the list's item, its report and its review."""

    report: dict[str, Any] | None = Field(
        description="The JSON report (schemas/report.schema.json), masked; null until done"
    )
    reviews: dict[str, FindingDecision] = Field(
        description="The newest decision on each finding, by finding number"
    )
    decision: PackageDecision | None = Field(
        description="The newest explicit decision on the package"
    )


class FindingValue(BaseModel):
    finding: int
    code: str
    path: str | None
    value: Any = Field(description="Masked, unless revealed")
    revealed: bool


class Reviewed(FindingDecision):
    finding: int
    review_state: ReviewState


class PackageDecided(BaseModel):
    decision: PackageDecision
    review_state: ReviewState


# ------------------------------------------------------------------------------ helpers


def _database(request: Request) -> db.Database:
    database: db.Database = request.app.state.database
    return database


def _visible(user: User) -> sa.ColumnElement[bool]:
    if user.is_reviewer:
        return sa.true()
    return db.submissions.c.institution == user.institution


def _load(conn: Connection, user: User, sid: str) -> sa.RowMapping:
    """The submission if ``user`` may see it; 404 otherwise (also for ids that cannot exist)."""
    if not _SID.fullmatch(sid):
        raise not_found()
    row = (
        conn.execute(sa.select(db.submissions).where(db.submissions.c.id == sid, _visible(user)))
        .mappings()
        .first()
    )
    if row is None:
        raise not_found()
    return row


def _report(conn: Connection, sid: str, column: str = "report") -> dict[str, Any] | None:
    text = conn.execute(
        sa.select(db.reports.c[column]).where(db.reports.c.submission_id == sid)
    ).scalar_one_or_none()
    if text is None:
        return None
    report: dict[str, Any] = json.loads(text)
    return report


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        at = db.as_utc(value)
        return at.isoformat() if at else None
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _summary(row: sa.RowMapping, state: str) -> dict[str, Any]:
    done = row["status"] == "done"
    return {
        "id": row["id"],
        # The upload's name may hold an ID or phone number (名册_4407….zip): masked as the
        # report masks file names.
        "name": mask_text(row["name"]),
        "status": row["status"],
        "institution": row["institution"],
        "profile": row["profile"],
        "claim_date": _iso(row["claim_date"]),
        "created_at": _iso(row["created_at"]),
        "finished_at": _iso(row["finished_at"]),
        "summary": {"errors": row["errors"], "warnings": row["warnings"]} if done else None,
        "error": row["error"],
        "review_state": state,
    }


def _not_ready(row: sa.RowMapping) -> ServiceError:
    return ServiceError(
        "not-ready",
        f"检查尚未完成（状态：{row['status']}）",
        f"the check has not finished (status: {row['status']})",
        status=409,
        status_now=row["status"],
    )


def _finding(report: dict[str, Any], n: int) -> dict[str, Any]:
    findings = flat_findings(report)
    if not 0 <= n < len(findings):
        raise not_found("finding")
    return findings[n]


# ------------------------------------------------------------------------------ routes


_LOCATION = {"Location": {"description": "/api/v1/submissions/{id}", "schema": {"type": "string"}}}


@router.post(
    "",
    status_code=202,
    response_model=Accepted,
    responses={
        202: {"description": "Queued: poll its status", "headers": _LOCATION},
        **error_responses(400, 401, 413, 422),
    },
)
def upload(
    request: Request,
    response: Response,
    user: CurrentUser,
    file: Annotated[
        list[UploadFile],
        File(description="A .zip, or the files of one package", min_length=1),
    ],
    profile: Annotated[
        str | None,
        Form(
            description="A shipped profile's name (`annex profiles`)",
            json_schema_extra={"enum": [*shipped_names()]},
        ),
    ] = None,
    claim_date: Annotated[
        str | None,
        Form(
            description="YYYY-MM-DD; empty (as a web form sends it) is none",
            json_schema_extra={
                "anyOf": [
                    {"type": "string", "format": "date"},
                    {"type": "string", "maxLength": 0},
                    {"type": "null"},
                ]
            },
        ),
    ] = None,
    name: Annotated[
        str | None, Form(description="The package's name when several files are uploaded")
    ] = None,
) -> Accepted:
    """Upload a package; it is checked in the background (202, then poll its status)."""
    if profile is not None and profile not in shipped_names():
        # Only shipped profiles by name: a path would let an upload read the server's files.
        raise ServiceError(
            "bad-profile",
            f"未知的政策配置：{profile}（可用：{'、'.join(shipped_names())}）",
            f"unknown profile {profile!r} (one of: {', '.join(shipped_names())})",
            status=422,
        )
    day: dt.date | None = None
    if claim_date:
        try:
            day = dt.date.fromisoformat(claim_date)
        except ValueError:
            raise ServiceError(
                "bad-claim-date",
                f"申领日期应为 YYYY-MM-DD：{claim_date}",
                f"claim_date must be YYYY-MM-DD, not {claim_date!r}",
                status=422,
            ) from None
    names = [safe_name(f.filename) for f in file]
    if len(set(names)) != len(names):
        raise ServiceError(
            "duplicate-file-name",
            "上传的文件有重名",
            "two uploaded files have the same name",
            status=422,
        )
    shown = names[0] if len(names) == 1 else safe_name(name or "package")
    store: BlobStore = request.app.state.store
    limit: int = request.app.state.settings.max_upload_bytes
    stored: list[StoredFile] = []
    for upload_file, file_name in zip(file, names, strict=True):
        left = limit - sum(s.size for s in stored)
        stored.append(store.put(file_name, upload_file.file, left))
    sid = uuid.uuid4().hex
    with _database(request).transaction(write=True) as conn:
        conn.execute(
            db.submissions.insert().values(
                id=sid,
                institution=user.institution,
                uploaded_by=user.id,
                name=shown,
                profile=profile,
                claim_date=day,
                status="queued",
                attempts=0,
                created_at=db.now(),
            )
        )
        conn.execute(
            db.submission_files.insert(),
            [
                {
                    "submission_id": sid,
                    "position": i,
                    "name": s.name,
                    "sha256": s.sha256,
                    "size": s.size,
                }
                for i, s in enumerate(stored)
            ],
        )
    # After the commit: a worker must find the row. Should this fail, recovery at the next
    # start (or sweep) queues the submission again.
    request.app.state.enqueue(sid)
    response.headers["Location"] = f"/api/v1/submissions/{sid}"
    return Accepted(id=sid, status="queued")


@router.get("", response_model=SubmissionPage, responses=error_responses(401, 422))
def list_submissions(
    request: Request,
    user: CurrentUser,
    status: Annotated[Status | None, Query(description="The check's status")] = None,
    review_state: Annotated[
        ReviewState | None, Query(description="The review's state (see the review routes)")
    ] = None,
    institution: Annotated[
        str | None,
        Query(max_length=18, pattern=_CREDIT_CODE, description="Credit code (any case)"),
    ] = None,
    code: Annotated[
        str | None,
        Query(max_length=64, pattern=_CODE, description="A finding code the report contains"),
    ] = None,
    page: Annotated[int, Query(ge=1, description="From 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Submissions visible to the caller, newest first, with their review state; ``total``
    counts the matches over all pages."""
    where: list[sa.ColumnElement[bool]] = [_visible(user)]
    if status:
        where.append(db.submissions.c.status == status)
    if institution:
        where.append(db.submissions.c.institution == institution.upper())
    if code:
        where.append(
            db.submissions.c.id.in_(
                sa.select(db.submission_codes.c.submission_id).where(
                    db.submission_codes.c.code == code
                )
            )
        )
    newest_first = (db.submissions.c.created_at.desc(), db.submissions.c.id.desc())
    offset = (page - 1) * per_page
    rows: Sequence[sa.RowMapping]
    with _database(request).transaction() as conn:
        if review_state:
            # The state is derived from decisions (service/review.py), not stored: it is
            # worked out for every match, in bulk, and the page cut from those in the state.
            ids = list(
                conn.execute(sa.select(db.submissions.c.id).where(*where).order_by(*newest_first))
                .scalars()
                .all()
            )
            states = review_states(conn, ids)
            matching = [sid for sid in ids if states[sid] == review_state]
            total = len(matching)
            chosen = matching[offset : offset + per_page]
            found = {
                r["id"]: r
                for r in conn.execute(
                    sa.select(db.submissions).where(db.submissions.c.id.in_(chosen))
                ).mappings()
            }
            rows = [found[sid] for sid in chosen]
        else:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(db.submissions).where(*where)
            ).scalar_one()
            # A page past the end is empty; its offset (which may be any size) is never
            # sent to the database, where it could overflow an integer.
            rows = (
                []
                if offset >= total
                else conn.execute(
                    sa.select(db.submissions)
                    .where(*where)
                    .order_by(*newest_first)
                    .limit(per_page)
                    .offset(offset)
                )
                .mappings()
                .all()
            )
            states = review_states(conn, [r["id"] for r in rows])
    return {
        "items": [_summary(r, states[r["id"]]) for r in rows],
        "page": page,
        "per_page": per_page,
        "total": int(total),
    }


@router.get("/{sid}", response_model=Submission, responses=error_responses(401, 404, 422))
def get_submission(request: Request, user: CurrentUser, sid: str) -> dict[str, Any]:
    """A submission: its status, and once done its report (masked) and review state."""
    with _database(request).transaction() as conn:
        row = _load(conn, user, sid)
        report = _report(conn, sid)
        decisions = finding_decisions(conn, sid)
        explicit = package_decision(conn, sid)
    return {
        **_summary(row, review_state(report, decisions, explicit)),
        "report": report,
        "reviews": {str(n): d for n, d in sorted(decisions.items())},
        "decision": explicit,
    }


@router.get(
    "/{sid}/report",
    response_class=Response,
    responses={
        200: {
            "description": "The report in the asked format",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}},
                "application/sarif+json": {"schema": {"type": "object"}},
                "text/plain": {"schema": {"type": "string"}},
                MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses(401, 404, 409, 422),
    },
)
def get_report(
    request: Request,
    user: CurrentUser,
    sid: str,
    format: Annotated[Literal["json", "html", "junit", "sarif", "text", "xlsx"], Query()] = "json",
) -> Response:
    """The report in one of ``annex check``'s formats, rendered by the same renderers."""
    with _database(request).transaction() as conn:
        row = _load(conn, user, sid)
        report = _report(conn, sid)
    if report is None:
        raise _not_ready(row)
    headers = {}
    if format == "xlsx":  # a spreadsheet is saved, not shown
        headers["Content-Disposition"] = f'attachment; filename="annexkit-{sid}.xlsx"'
    return Response(renderer(format)(report), media_type=MEDIA_TYPES[format], headers=headers)


_REVIEWER_ONLY = error_responses(400, 401, 403, 404, 409, 422)


@router.get("/{sid}/findings/{n}/value", response_model=FindingValue, responses=_REVIEWER_ONLY)
def finding_value(
    request: Request,
    user: CurrentUser,
    sid: str,
    n: int,
    reveal: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    """Finding ``n``'s value: masked, or — for a reviewer, with ``reveal=1`` — unmasked,
    which is written to the audit log (who, when, which finding)."""
    database = _database(request)
    with database.transaction() as conn:
        row = _load(conn, user, sid)
        report = _report(conn, sid)
    if report is None:
        raise _not_ready(row)
    finding = _finding(report, n)
    value = finding["value"]
    if reveal:
        require_reviewer(user)
        with database.transaction(write=True) as conn:
            revealed = _report(conn, sid, "revealed")
            assert revealed is not None
            value = _finding(revealed, n)["value"]
            conn.execute(
                db.audit_log.insert().values(
                    user_id=user.id,
                    action="reveal",
                    submission_id=sid,
                    finding=n,
                    detail=json.dumps(
                        {
                            "code": finding["code"],
                            "document": finding["document"],
                            "path": finding["path"],
                        },
                        ensure_ascii=False,
                    ),
                    at=db.now(),
                )
            )
    return {
        "finding": n,
        "code": finding["code"],
        "path": finding["path"],
        "value": value,
        "revealed": reveal,
    }


@router.post("/{sid}/findings/{n}/review", response_model=Reviewed, responses=_REVIEWER_ONLY)
def review_finding(
    request: Request, user: CurrentUser, sid: str, n: int, body: ReviewIn
) -> dict[str, Any]:
    """A reviewer confirms or dismisses (with a reason) finding ``n``."""
    database = _database(request)
    report = _reviewable(database, user, sid)
    _finding(report, n)
    reason = _reason(
        body.reason,
        body.decision == "dismissed",
        "驳回检查项须说明理由",
        "dismissing a finding needs a reason",
    )
    with database.transaction(write=True) as conn:
        conn.execute(
            db.reviews.insert().values(
                submission_id=sid,
                finding=n,
                decision=body.decision,
                reason=reason,
                reviewer=user.id,
                decided_at=db.now(),
            )
        )
        decisions = finding_decisions(conn, sid)
        explicit = package_decision(conn, sid)
    return {
        "finding": n,
        **decisions[n],
        "review_state": review_state(report, decisions, explicit),
    }


@router.post("/{sid}/decision", response_model=PackageDecided, responses=_REVIEWER_ONLY)
def decide(request: Request, user: CurrentUser, sid: str, body: DecisionIn) -> dict[str, Any]:
    """A reviewer passes or returns (with a reason) the whole package."""
    database = _database(request)
    report = _reviewable(database, user, sid)
    reason = _reason(
        body.reason,
        body.decision == "returned",
        "退回材料包须说明理由",
        "returning a package needs a reason",
    )
    with database.transaction(write=True) as conn:
        conn.execute(
            db.decisions.insert().values(
                submission_id=sid,
                decision=body.decision,
                reason=reason,
                reviewer=user.id,
                decided_at=db.now(),
            )
        )
        explicit = package_decision(conn, sid)
        decisions = finding_decisions(conn, sid)
    return {"decision": explicit, "review_state": review_state(report, decisions, explicit)}


def _reviewable(database: db.Database, user: User, sid: str) -> dict[str, Any]:
    """The report of a submission ``user`` may see and review: 404 when it is not theirs to
    see (before anything else), 403 for an institution, 409 while it is being checked."""
    with database.transaction() as conn:
        row = _load(conn, user, sid)
        report = _report(conn, sid)
    require_reviewer(user)
    if report is None:
        raise _not_ready(row)
    return report


def _reason(text: str | None, required: bool, zh: str, en: str) -> str | None:
    """A decision's reason, stripped (None when blank); 422 when ``required`` and blank."""
    reason = (text or "").strip() or None
    if required and reason is None:
        raise ServiceError("reason-required", zh, en, status=422)
    return reason
