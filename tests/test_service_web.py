"""The reviewers' web page (service/web.py) through FastAPI's TestClient, on SQLite in
``tmp_path`` and on PostgreSQL when ``ANNEXKIT_TEST_PG_URL`` is set (a fresh schema; under CI a
missing URL fails): signing in and out, redirects for the signed-out, another institution's
submission answered 404 as by the API, CSRF refusals, reviews and decisions through the
forms changing what the API reports, the queue's filters and pages. The browser itself
(page pictures, keyboard) is tests/test_service_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from annexkit.service import db
from annexkit.service.app import create_app
from annexkit.service.auth import SESSION_COOKIE, web_sessions
from annexkit.service.settings import Settings
from annexkit.service.users import add_user, disable_user
from tests.test_service_api import (
    INSTITUTION_A,
    INSTITUTION_B,
    SAMPLES,
    fresh_database,
    zipped,
)

PASSWORD = "正确的密码 correct horse"


@dataclass
class Site:
    app: FastAPI
    tokens: dict[str, str]
    faulty: str
    """Institution A's submission with errors (checked)."""
    other: str
    """Institution B's clean submission (checked)."""

    def client(self) -> TestClient:
        # No lifespan of its own: the module's client runs the app's (jobs, migration).
        return TestClient(self.app, follow_redirects=False)

    def api(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _wait(client: TestClient, site_tokens: dict[str, str], who: str, sid: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        body = client.get(
            f"/api/v1/submissions/{sid}", headers={"Authorization": f"Bearer {site_tokens[who]}"}
        ).json()
        if body["status"] in ("done", "failed"):
            assert body["status"] == "done", body
            return
        time.sleep(0.2)
    raise AssertionError(f"{sid} was not checked in time")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp(f"web-{request.param}")
    for db_url in fresh_database(request.param, folder):
        yield from _site(folder, db_url)


def _site(folder: Path, db_url: str | None) -> Iterator[Site]:
    app = create_app(Settings(data_dir=folder / "data", db_url=db_url, check_processes=1))
    with TestClient(app) as client:
        database = app.state.database
        tokens = {
            "reviewer": add_user(database, "审核员", "reviewer", password=PASSWORD)[1],
            "a": add_user(database, "机构甲", "institution", INSTITUTION_A, PASSWORD)[1],
            "b": add_user(database, "机构乙", "institution", INSTITUTION_B, PASSWORD)[1],
            "gone": add_user(database, "离职者", "reviewer", password=PASSWORD)[1],
        }
        ids = {}
        for who, sample, profile in (
            ("a", "trainee-not-in-ledger", "jiangmen-2019"),
            ("b", "clean", None),
        ):
            response = client.post(
                "/api/v1/submissions",
                files={"file": (f"{sample}.zip", zipped(SAMPLES / sample), "application/zip")},
                data={"profile": profile} if profile else {},
                headers={"Authorization": f"Bearer {tokens[who]}"},
            )
            assert response.status_code == 202, response.text
            ids[who] = response.json()["id"]
        for who, sid in ids.items():
            _wait(client, tokens, who, sid)
        yield Site(app, tokens, ids["a"], ids["b"])


def sign_in(site: Site, name: str, password: str = PASSWORD) -> TestClient:
    client = site.client()
    response = post_login(client, name, password)
    assert response.status_code == 303, response.text
    return client


def post_login(client: TestClient, name: str, password: str, next_page: str = "/") -> Any:
    form = client.get("/login")
    assert form.status_code == 200
    token = hidden(form.text, "token")
    return client.post(
        "/login", data={"name": name, "password": password, "token": token, "next": next_page}
    )


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def csrf_of(client: TestClient, path: str = "/") -> str:
    return hidden(client.get(path).text, "csrf")


def api_state(site: Site, sid: str) -> dict[str, Any]:
    client = site.client()
    body: dict[str, Any] = client.get(f"/api/v1/submissions/{sid}", headers=site.api("a")).json()
    return body


def error_numbers(site: Site, sid: str) -> list[int]:
    report = api_state(site, sid)["report"]
    findings = [f for p in report["packages"] for f in p["findings"]]
    return [n for n, f in enumerate(findings) if f["severity"] == "error"]


# ------------------------------------------------------------------------------ signing in


def test_sign_in_sets_a_strict_http_only_session_cookie(site: Site) -> None:
    client = site.client()
    response = post_login(client, "审核员", PASSWORD, next_page=f"/submissions/{site.faulty}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/submissions/{site.faulty}"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    # Only the cookie's hash is stored.
    value = cookie.split(";")[0].split("=", 1)[1]
    with site.app.state.database.transaction() as conn:
        stored = conn.execute(sa.select(web_sessions.c.id_hash)).scalars().all()
    assert value not in stored and stored
    page = client.get("/")
    assert page.status_code == 200
    assert "审核员" in page.text and "退出登录" in page.text
    # Signed in: the login page sends the browser on.
    assert client.get("/login").status_code == 303


def test_wrong_password_shows_the_form_again_with_401(site: Site) -> None:
    for name, password in (("审核员", "wrong"), ("没有此人", PASSWORD), ("", "")):
        client = site.client()
        response = post_login(client, name, password)
        assert response.status_code == 401
        assert "用户名或密码错误 / wrong user name or password" in response.text
        assert '<form method="post" action="/login">' in response.text
        assert SESSION_COOKIE not in client.cookies
    # A disabled account cannot sign in, and its open session stops working at once.
    client = sign_in(site, "离职者")
    disable_user(site.app.state.database, "离职者")
    assert client.get("/").status_code == 303
    assert post_login(site.client(), "离职者", PASSWORD).status_code == 401


def test_offsite_next_is_ignored(site: Site) -> None:
    for target in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
    ):
        response = post_login(site.client(), "审核员", PASSWORD, next_page=target)
        assert response.headers["location"] == "/"


def test_signed_out_pages_redirect_and_api_answers_401(site: Site) -> None:
    client = site.client()
    for path in ("/", f"/submissions/{site.faulty}", "/?status=done"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert client.get(f"/submissions/{site.faulty}/pictures/{'0' * 64}.jpg").status_code == 401
    assert client.get("/api/v1/submissions").status_code == 401
    posted = client.post(
        f"/submissions/{site.faulty}/decision", data={"decision": "passed", "csrf": "x"}
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")


def test_logout_ends_the_session(site: Site) -> None:
    client = sign_in(site, "审核员")
    csrf = csrf_of(client)
    cookie = client.cookies[SESSION_COOKIE]
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    response = client.post("/logout", data={"csrf": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    # The old cookie, kept by someone, is worthless.
    replay = site.client()
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/").status_code == 303
    assert replay.get("/api/v1/submissions").status_code == 401


def test_expired_session_is_refused(site: Site) -> None:
    client = sign_in(site, "审核员")
    with site.app.state.database.transaction(write=True) as conn:
        conn.execute(web_sessions.update().values(expires_at=db.now() - dt.timedelta(seconds=1)))
    assert client.get("/").status_code == 303


# ------------------------------------------------------------------------------ the API


def test_session_cookie_works_for_the_api_with_csrf_header_to_write(site: Site) -> None:
    client = sign_in(site, "审核员")
    assert client.get("/api/v1/submissions").status_code == 200
    csrf = csrf_of(client)
    n = error_numbers(site, site.faulty)[0]
    url = f"/api/v1/submissions/{site.faulty}/findings/{n}/review"
    # A cookie alone may read but not write: a cross-site form would carry it too.
    assert client.post(url, json={"decision": "confirmed"}).status_code == 401
    ok = client.post(url, json={"decision": "confirmed"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["reviewer"] == "审核员"


def test_web_routes_stay_out_of_openapi(site: Site) -> None:
    paths = site.client().get("/openapi.json").json()["paths"]
    assert all(p.startswith("/api/v1/") or p == "/healthz" for p in paths)


# ------------------------------------------------------------------------------ visibility


def test_other_institutions_submission_is_404(site: Site) -> None:
    b = sign_in(site, "机构乙")
    csrf = csrf_of(b)
    missing = uuid.uuid4().hex
    for sid in (site.faulty, missing, "not-an-id"):
        page = b.get(f"/submissions/{sid}")
        assert page.status_code == 404
        assert "找不到该材料包" in page.text
    # The same page whether it exists or not (apart from nothing).
    assert b.get(f"/submissions/{site.faulty}").text == b.get(f"/submissions/{missing}").text
    for path, data in (
        (f"/submissions/{site.faulty}/findings/0/review", {"decision": "confirmed"}),
        (f"/submissions/{site.faulty}/decision", {"decision": "passed"}),
    ):
        assert b.post(path, data={**data, "csrf": csrf}).status_code == 404
    queue = b.get("/")
    assert site.other in queue.text and site.faulty not in queue.text
    # Filtering by another institution's code shows nothing of it.
    assert site.faulty not in b.get("/", params={"institution": INSTITUTION_A}).text
    # Own submission: read-only, no review buttons.
    own = b.get(f"/submissions/{site.other}")
    assert own.status_code == 200
    assert "/decision" not in own.text and "/review" not in own.text


def test_institution_sees_its_findings_read_only(site: Site) -> None:
    a = sign_in(site, "机构甲")
    page = a.get(f"/submissions/{site.faulty}")
    assert page.status_code == 200
    assert "不在台账" in page.text and 'class="finding error"' in page.text
    assert 'action="/submissions/' not in page.text
    csrf = hidden(page.text, "csrf")
    refused = a.post(
        f"/submissions/{site.faulty}/decision", data={"decision": "passed", "csrf": csrf}
    )
    assert refused.status_code == 403
    assert "只有审核人员" in refused.text


def test_masked_numbers_only(site: Site) -> None:
    reviewer = sign_in(site, "审核员")
    page = reviewer.get(f"/submissions/{site.faulty}").text
    assert "4407**********0113" in page
    assert not re.search(r"\d{17}[\dXx]", page)
    # Reviewers get a reveal button (shown by web.js) on the audited API route; the cookie
    # may read it there (a GET), and the reveal is logged.
    found = re.search(
        r'data-reveal="(/api/v1/submissions/[0-9a-f]{32}/findings/(\d+)/value\?reveal=1)"', page
    )
    assert found and 'src="/static/web.js"' in page
    revealed = reviewer.get(found.group(1))
    assert revealed.status_code == 200 and re.fullmatch(
        r"4407\d{13}[\dX]", revealed.json()["value"]
    )
    with site.app.state.database.transaction() as conn:
        audit = conn.execute(
            sa.select(db.audit_log.c.action, db.audit_log.c.finding).where(
                db.audit_log.c.submission_id == site.faulty
            )
        ).all()
    assert ("reveal", int(found.group(2))) in [tuple(r) for r in audit]
    institution = sign_in(site, "机构甲").get(f"/submissions/{site.faulty}").text
    assert "data-reveal" not in institution and "web.js" not in institution


# ------------------------------------------------------------------------------ CSRF


def test_forms_without_the_session_token_are_refused(site: Site) -> None:
    reviewer = sign_in(site, "审核员")
    before = api_state(site, site.faulty)
    n = error_numbers(site, site.faulty)[-1]
    for csrf in ("", "forged", csrf_of(sign_in(site, "审核员"))):  # another session's token
        for path, data in (
            (f"/submissions/{site.faulty}/findings/{n}/review", {"decision": "confirmed"}),
            (f"/submissions/{site.faulty}/decision", {"decision": "passed"}),
        ):
            response = reviewer.post(path, data={**data, "csrf": csrf})
            assert response.status_code == 403
            assert "表单已过期" in response.text
    after = api_state(site, site.faulty)
    assert (after["reviews"], after["decision"]) == (before["reviews"], before["decision"])
    # The sign-in form: its token must match its cookie.
    client = site.client()
    client.get("/login")
    response = client.post(
        "/login", data={"name": "审核员", "password": PASSWORD, "token": "forged"}
    )
    assert response.status_code == 403 and SESSION_COOKIE not in client.cookies


# ------------------------------------------------------------------------------ reviewing


def test_review_and_decision_through_the_forms(site: Site) -> None:
    reviewer = sign_in(site, "审核员")
    sid = site.faulty
    page = reviewer.get(f"/submissions/{sid}")
    csrf = hidden(page.text, "csrf")
    errors = error_numbers(site, sid)
    n = errors[0]
    assert f'action="/submissions/{sid}/findings/{n}/review"' in page.text

    no_reason = reviewer.post(
        f"/submissions/{sid}/findings/{n}/review", data={"csrf": csrf, "decision": "dismissed"}
    )
    assert no_reason.status_code == 303
    assert "error=reason-required" in no_reason.headers["location"]
    shown = reviewer.get(no_reason.headers["location"])
    assert "须填写理由" in shown.text
    bad = reviewer.post(
        f"/submissions/{sid}/findings/{n}/review", data={"csrf": csrf, "decision": "maybe"}
    )
    assert "error=invalid-request" in bad.headers["location"]
    missing = reviewer.post(
        f"/submissions/{sid}/findings/999/review", data={"csrf": csrf, "decision": "confirmed"}
    )
    assert missing.status_code == 404

    for m in errors:
        done = reviewer.post(
            f"/submissions/{sid}/findings/{m}/review",
            data={"csrf": csrf, "decision": "dismissed", "reason": "已电话核实 checked"},
        )
        assert done.status_code == 303
        assert done.headers["location"].startswith(f"/submissions/{sid}?done=reviewed#pkg-")
    state = api_state(site, sid)
    assert state["reviews"][str(n)]["decision"] == "dismissed"
    assert state["reviews"][str(n)]["reason"] == "已电话核实 checked"
    assert state["review_state"] == "passed"
    page = reviewer.get(f"/submissions/{sid}").text
    assert "已驳回 dismissed：已电话核实 checked" in page

    returned = reviewer.post(
        f"/submissions/{sid}/decision",
        data={"csrf": csrf, "decision": "returned", "reason": "签到表缺页"},
    )
    assert returned.status_code == 303 and "done=decided" in returned.headers["location"]
    state = api_state(site, sid)
    assert state["review_state"] == "returned"
    assert state["decision"]["reason"] == "签到表缺页"
    assert "已退回 returned" in reviewer.get(f"/submissions/{sid}").text
    # The queue's review filter follows.
    assert sid in reviewer.get("/", params={"review": "returned"}).text
    assert sid not in reviewer.get("/", params={"review": "pending"}).text
    # The institution sees the outcome.
    assert "签到表缺页" in sign_in(site, "机构甲").get(f"/submissions/{sid}").text


# ------------------------------------------------------------------------------ the queue


def _add_failed(site: Site, count: int, created: dt.datetime) -> list[str]:
    """Submissions without a report (status failed: no job picks them up)."""
    ids = [uuid.uuid4().hex for _ in range(count)]
    with site.app.state.database.transaction(write=True) as conn:
        uploader = conn.execute(
            sa.select(db.users.c.id).where(db.users.c.name == "机构乙")
        ).scalar_one()
        conn.execute(
            db.submissions.insert(),
            [
                {
                    "id": sid,
                    "institution": INSTITUTION_B,
                    "uploaded_by": uploader,
                    "name": f"旧材料{i}.zip",
                    "status": "failed",
                    "error": "test",
                    "attempts": 1,
                    "created_at": created + dt.timedelta(minutes=i),
                }
                for i, sid in enumerate(ids)
            ],
        )
    return ids


def test_queue_filters_and_pages(site: Site) -> None:
    old = _add_failed(site, 25, dt.datetime(2024, 3, 1, 2, 0, tzinfo=dt.UTC))
    reviewer = sign_in(site, "审核员")
    first = reviewer.get("/").text
    # Newest first: today's checked uploads before last year's; 20 a page.
    assert first.index(site.faulty) < first.index(old[-1])
    assert first.count('href="/submissions/') == 20
    assert "第 1 / 2 页" in first
    second = reviewer.get("/", params={"page": 2}).text
    assert second.count('href="/submissions/') == 7 and old[0] in second

    def listed(**params: str) -> set[str]:
        html = reviewer.get("/", params=params).text
        return set(re.findall(r'href="/submissions/([0-9a-f]{32})"', html))

    assert listed(status="done") == {site.faulty, site.other}
    assert listed(institution=INSTITUTION_A.lower()) == {site.faulty}
    assert listed(code="trainee-not-in-ledger") == {site.faulty}
    # Dates in China's time: 2024-03-01 02:00Z is 10:00 there.
    in_march = reviewer.get("/", params={"from": "2024-03-01", "to": "2024-03-01"}).text
    assert "共 25 份材料" in in_march and old[-1] in in_march
    assert listed(**{"from": "2024-03-02", "to": "2024-03-02"}) == set()
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    assert listed(**{"from": today}) == {site.faulty, site.other}
    # Bad filters are ignored with a message, never an error page.
    odd = reviewer.get("/", params={"from": "yesterday", "institution": "<x>", "page": "x"})
    assert odd.status_code == 200 and "日期应为 YYYY-MM-DD" in odd.text
    assert "<x>" not in odd.text
    # The class name comes from the report.
    assert "电工" in first
    # The pages' links keep the filters.
    paged = reviewer.get("/", params={"status": "failed"}).text
    assert 'href="/?status=failed&amp;page=2"' in paged
    # A submission without a report: its status and why, no review forms.
    failed = reviewer.get(f"/submissions/{old[0]}")
    assert failed.status_code == 200 and "检查失败" in failed.text
    assert "/decision" not in failed.text


def test_security_headers(site: Site) -> None:
    reviewer = sign_in(site, "审核员")
    response = reviewer.get(f"/submissions/{site.faulty}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    # No inline script: the report's filter script is a file.
    assert "<script>" not in response.text and 'src="/static/report.js"' in response.text
    assert reviewer.get("/static/report.js").status_code == 200
    assert reviewer.get("/static/..%2Fapp.py").status_code == 404


def test_pictures_route_checks_the_submission(site: Site, tmp_path: Path) -> None:
    """Without a picture stored (DOCX packages get none) every hash is 404, and an uploaded
    file's hash is never served through it."""
    reviewer = sign_in(site, "审核员")
    with site.app.state.database.transaction() as conn:
        upload = conn.execute(
            sa.select(db.submission_files.c.sha256).where(
                db.submission_files.c.submission_id == site.faulty
            )
        ).scalar_one()
    for name in (f"{upload}.jpg", "x.jpg", f"{upload}.png"):
        assert reviewer.get(f"/submissions/{site.faulty}/pictures/{name}").status_code == 404


def test_form_bodies_are_small(site: Site) -> None:
    """The page's forms hold a name, a password or a reason: a body over 64 KiB is 413
    before it is parsed."""
    client = site.client()
    response = client.post("/login", data={"name": "x" * 100_000, "password": "y"})
    assert response.status_code == 413
