"""A submission's review state, from reviewers' decisions.

Each finding of the report may be *confirmed* (the problem is real) or *dismissed* (with a
reason); the newest decision on a finding counts, and all are kept with who and when.
From them (errors only; warnings inform but do not decide):

- any confirmed error → ``returned`` (the institution must correct the package);
- every error dismissed, and at least one error → ``passed``;
- otherwise → ``pending`` (a package with no errors is passed by a reviewer, not by default).

A reviewer's explicit decision on the package (``passed``/``returned``) overrides that.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from annexkit.service import db


def flat_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Finding ``n`` of a submission: the report's findings, packages in order."""
    return [f for package in report["packages"] for f in package["findings"]]


def finding_decisions(conn: Connection, sid: str) -> dict[int, dict[str, Any]]:
    """The newest decision on each finding: ``{n: {decision, reason, reviewer, decided_at}}``."""
    rows = conn.execute(
        sa.select(
            db.reviews.c.finding,
            db.reviews.c.decision,
            db.reviews.c.reason,
            db.users.c.name,
            db.reviews.c.decided_at,
        )
        .join(db.users, db.users.c.id == db.reviews.c.reviewer)
        .where(db.reviews.c.submission_id == sid)
        .order_by(db.reviews.c.id)
    ).all()
    latest: dict[int, dict[str, Any]] = {}
    for finding, decision, reason, reviewer, at in rows:
        latest[int(finding)] = {
            "decision": decision,
            "reason": reason,
            "reviewer": reviewer,
            "decided_at": _iso(at),
        }
    return latest


def package_decision(conn: Connection, sid: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(
            db.decisions.c.decision,
            db.decisions.c.reason,
            db.users.c.name,
            db.decisions.c.decided_at,
        )
        .join(db.users, db.users.c.id == db.decisions.c.reviewer)
        .where(db.decisions.c.submission_id == sid)
        .order_by(db.decisions.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"decision": row[0], "reason": row[1], "reviewer": row[2], "decided_at": _iso(row[3])}


def review_state(
    report: dict[str, Any] | None,
    decisions: dict[int, dict[str, Any]],
    explicit: dict[str, Any] | None,
) -> str:
    if explicit is not None:
        return str(explicit["decision"])
    if report is None:
        return "pending"
    errors = [n for n, f in enumerate(flat_findings(report)) if f["severity"] == "error"]
    chosen = [decisions[n]["decision"] for n in errors if n in decisions]
    if "confirmed" in chosen:
        return "returned"
    if errors and len(chosen) == len(errors):
        return "passed"
    return "pending"


def review_states(conn: Connection, sids: list[str]) -> dict[str, str]:
    """:func:`review_state` of many submissions at once (the list and its ``review_state``
    filter): three queries per chunk of ids instead of three per submission, and a report is
    read (and parsed) only for a submission with reviews of findings but no decision on the
    package — without any decision the state is ``pending`` whatever the report holds."""
    states: dict[str, str] = {}
    for start in range(0, len(sids), _CHUNK):
        chunk = sids[start : start + _CHUNK]
        explicit: dict[str, str] = {}
        for sid, decision in conn.execute(
            sa.select(db.decisions.c.submission_id, db.decisions.c.decision)
            .where(db.decisions.c.submission_id.in_(chunk))
            .order_by(db.decisions.c.id)
        ):
            explicit[sid] = decision  # the newest one wins, as in package_decision
        reviewed: dict[str, dict[int, dict[str, Any]]] = {}
        for sid, finding, decision in conn.execute(
            sa.select(db.reviews.c.submission_id, db.reviews.c.finding, db.reviews.c.decision)
            .where(db.reviews.c.submission_id.in_(chunk))
            .order_by(db.reviews.c.id)
        ):
            reviewed.setdefault(sid, {})[int(finding)] = {"decision": decision}
        undecided = [sid for sid in reviewed if sid not in explicit]
        reports: dict[str, dict[str, Any]] = {}
        if undecided:
            for sid, text in conn.execute(
                sa.select(db.reports.c.submission_id, db.reports.c.report).where(
                    db.reports.c.submission_id.in_(undecided)
                )
            ):
                reports[sid] = json.loads(text)
        for sid in chunk:
            if sid in explicit:
                states[sid] = explicit[sid]
            else:
                states[sid] = review_state(reports.get(sid), reviewed.get(sid, {}), None)
    return states


_CHUNK = 500
"""Ids per ``IN (…)``: well under SQLite's limit on bound parameters."""


def _iso(value: dt.datetime | None) -> str | None:
    at = db.as_utc(value)
    return at.isoformat() if at else None
