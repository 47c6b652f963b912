"""``/api/v1/submissions``: upload a package, follow its check, read its report, review it.

Visibility: a reviewer sees every submission, an institution only its own institution's;
anything else is answered 404, exactly as for an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from annexkit.checker.report import renderer
from annexkit.contract.masking import mask_text
from annexkit.policy.profiles import shipped_names
from annexkit.service import db
from annexkit.service.auth import CurrentUser, require_reviewer
from annexkit.service.errors import ServiceError, not_found
from annexkit.service.review import (
    finding_decisions,
    flat_findings,
    package_decision,
    review_state,
)
from annexkit.service.storage import BlobStore, StoredFile, safe_name
from annexkit.service.users import User

router = APIRouter(prefix="/submissions", tags=["submissions"])

MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "junit": "application/xml",
    "sarif": "application/sarif+json",
    "text": "text/plain; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Accepted(BaseModel):
    id: str
    status: str


class ReviewIn(BaseModel):
    decision: Literal["confirmed", "dismissed"]
    reason: str | None = Field(default=None, max_length=2000)


class DecisionIn(BaseModel):
    decision: Literal["passed", "returned"]
    reason: str | None = Field(default=None, max_length=2000)


# ------------------------------------------------------------------------------ helpers


def _database(request: Request) -> db.Database:
    database: db.Database = request.app.state.database
    return database


def _visible(user: User) -> sa.ColumnElement[bool]:
    if user.is_reviewer:
        return sa.true()
    return db.submissions.c.institution == user.institution


def _load(conn: Connection, user: User, sid: str) -> sa.RowMapping:
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


def _summary(row: sa.RowMapping) -> dict[str, Any]:
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


@router.post("", status_code=202, response_model=Accepted)
def upload(
    request: Request,
    response: Response,
    user: CurrentUser,
    file: Annotated[list[UploadFile], File(description="A .zip, or the files of one package")],
    profile: Annotated[str | None, Form()] = None,
    claim_date: Annotated[str | None, Form(description="YYYY-MM-DD")] = None,
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


@router.get("")
def list_submissions(
    request: Request,
    user: CurrentUser,
    status: Annotated[Literal["queued", "running", "done", "failed"] | None, Query()] = None,
    institution: Annotated[str | None, Query(max_length=18)] = None,
    code: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Submissions visible to the caller, newest first."""
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
    with _database(request).transaction() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(db.submissions).where(*where)
        ).scalar_one()
        rows = (
            conn.execute(
                sa.select(db.submissions)
                .where(*where)
                .order_by(db.submissions.c.created_at.desc(), db.submissions.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
            .mappings()
            .all()
        )
    return {
        "items": [_summary(r) for r in rows],
        "page": page,
        "per_page": per_page,
        "total": int(total),
    }


@router.get("/{sid}")
def get_submission(request: Request, user: CurrentUser, sid: str) -> dict[str, Any]:
    """A submission: its status, and once done its report (masked) and review state."""
    with _database(request).transaction() as conn:
        row = _load(conn, user, sid)
        report = _report(conn, sid)
        decisions = finding_decisions(conn, sid)
        explicit = package_decision(conn, sid)
    return {
        **_summary(row),
        "report": report,
        "review_state": review_state(report, decisions, explicit),
        "reviews": {str(n): d for n, d in sorted(decisions.items())},
        "decision": explicit,
    }


@router.get("/{sid}/report")
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


@router.get("/{sid}/findings/{n}/value")
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


@router.post("/{sid}/findings/{n}/review")
def review_finding(
    request: Request, user: CurrentUser, sid: str, n: int, body: ReviewIn
) -> dict[str, Any]:
    """A reviewer confirms or dismisses (with a reason) finding ``n``."""
    database = _database(request)
    with database.transaction() as conn:
        row = _load(conn, user, sid)
        report = _report(conn, sid)
    require_reviewer(user)
    if report is None:
        raise _not_ready(row)
    _finding(report, n)
    reason = (body.reason or "").strip() or None
    if body.decision == "dismissed" and reason is None:
        raise ServiceError(
            "reason-required",
            "驳回检查项须说明理由",
            "dismissing a finding needs a reason",
            status=422,
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


@router.post("/{sid}/decision")
def decide(request: Request, user: CurrentUser, sid: str, body: DecisionIn) -> dict[str, Any]:
    """A reviewer passes or returns (with a reason) the whole package."""
    database = _database(request)
    with database.transaction() as conn:
        row = _load(conn, user, sid)
        report = _report(conn, sid)
    require_reviewer(user)
    if report is None:
        raise _not_ready(row)
    reason = (body.reason or "").strip() or None
    if body.decision == "returned" and reason is None:
        raise ServiceError(
            "reason-required",
            "退回材料包须说明理由",
            "returning a package needs a reason",
            status=422,
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
