"""The checking service's HTTP API, against a running ``annex serve`` (uvicorn in a child
process), on SQLite and on PostgreSQL.

PostgreSQL runs need ``ANNEXKIT_TEST_PG_URL`` (``eval "$(scripts/ci-postgres.sh start)"``);
without it they are skipped, except under CI (``CI`` set), where a missing URL fails them.
Each PostgreSQL server works in a schema of its own (``search_path``), dropped afterwards.
One server per backend serves the whole module: each start costs a few seconds.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from annexkit.checker.report import renderer
from tests.conftest import ROOT

PG_URL_VARIABLE = "ANNEXKIT_TEST_PG_URL"
SAMPLES = ROOT / "samples" / "packages"
SAMPLE_CLASS = ROOT / "samples" / "classes" / "jiangmen-electrician-2025"
INSTITUTION_A = "52440700FY0TX3JPQX"
INSTITUTION_B = "9144070384R3QGEYEB"
MAX_UPLOAD_MB = 1


# ------------------------------------------------------------------------------ servers


def annex(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run the ``annex`` command; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "annexkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """An ``annex serve`` child process and what it was started with."""

    data: Path
    db_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def db_args(self) -> list[str]:
        return ["--data", str(self.data), *(["--db", self.db_url] if self.db_url else [])]

    def start(self) -> None:
        self.port = free_port()
        self.log = self.data.parent / f"serve-{self.port}.log"
        args = [
            *("serve", "--port", str(self.port), *self.db_args()),
            *("--max-upload-mb", str(MAX_UPLOAD_MB), "--check-processes", "1"),
            *("--stalled-after", "3", "--workers", "2"),
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "annexkit", *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"annex serve exited: {self.log.read_text('utf-8')}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"annex serve did not start: {self.log.read_text('utf-8')}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine dies."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def add_user(self, name: str, role: str, institution: str | None = None) -> str:
        """``annex users add``; its token, the last word of its output."""
        extra = ["--institution", institution] if institution else []
        out = annex("users", "add", name, "--role", role, *extra, *self.db_args())
        return out.split()[-1]

    def engine(self) -> sa.Engine:
        url = self.db_url or f"sqlite:///{self.data / 'annexkit.sqlite'}"
        return sa.create_engine(url)


def postgres_url() -> str:
    url = os.environ.get(PG_URL_VARIABLE)
    if url:
        return url
    reason = (
        f'{PG_URL_VARIABLE} is not set: run `eval "$(scripts/ci-postgres.sh start)"` '
        "for the PostgreSQL tests"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


def fresh_database(backend: str, folder: Path) -> Iterator[str | None]:
    """None (SQLite in the data folder) or a PostgreSQL URL on a fresh schema."""
    if backend == "sqlite":
        yield None
        return
    base = postgres_url()
    schema = f"annexkit_svc_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def wait_done(client: httpx.Client, sid: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/api/v1/submissions/{sid}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"submission {sid} still {body['status']}")


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ fixtures


@dataclass
class Service:
    server: Server
    reviewer: httpx.Client
    inst_a: httpx.Client
    inst_b: httpx.Client
    anonymous: httpx.Client


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp(f"service-{request.param}")
    for db_url in fresh_database(request.param, folder):
        server = Server(folder / "data", db_url)
        tokens = {
            "reviewer": server.add_user("审核员", "reviewer"),
            "a": server.add_user("机构甲", "institution", INSTITUTION_A),
            "b": server.add_user("机构乙", "institution", INSTITUTION_B),
        }
        server.start()
        clients = {
            key: httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {t}"}, timeout=60
            )
            for key, t in tokens.items()
        }
        anonymous = httpx.Client(base_url=server.base, timeout=60)
        try:
            yield Service(server, clients["reviewer"], clients["a"], clients["b"], anonymous)
        finally:
            for client in (*clients.values(), anonymous):
                client.close()
            server.stop()


@pytest.fixture(scope="module")
def clean_upload(service: Service) -> dict[str, Any]:
    """The clean sample, zipped, uploaded by institution A and checked."""
    response = service.inst_a.post(
        "/api/v1/submissions",
        files={"file": ("clean.zip", zipped(SAMPLES / "clean"), "application/zip")},
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    return wait_done(service.inst_a, response.json()["id"])


def cli_report(files: dict[str, bytes], target: str, tmp: Path, *extra: str) -> dict[str, Any]:
    """``annex check TARGET --format json`` on ``files`` laid out under ``tmp``."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    report: dict[str, Any] = json.loads(annex("check", target, "--format", "json", *extra, cwd=tmp))
    return report


def without_paths(report: dict[str, Any]) -> dict[str, Any]:
    """The report with its package paths removed (they name the upload, not a disk path)."""
    copy: dict[str, Any] = json.loads(json.dumps(report))
    for package in copy["packages"]:
        package.pop("path")
    return copy


# ------------------------------------------------------------------------------ tests


def test_health_and_openapi(service: Service) -> None:
    assert service.anonymous.get("/healthz").json()["status"] == "ok"
    paths = service.anonymous.get("/openapi.json").json()["paths"]
    assert "/api/v1/submissions" in paths
    assert "/api/v1/submissions/{sid}/report" in paths
    assert "/api/v1/packages" in paths


def test_every_api_request_needs_a_valid_token(
    service: Service, clean_upload: dict[str, Any]
) -> None:
    sid = clean_upload["id"]
    bad = httpx.Client(
        base_url=service.server.base, headers={"Authorization": "Bearer ak_nope"}, timeout=30
    )
    with bad:
        for client in (service.anonymous, bad):
            for method, path in (
                ("GET", "/api/v1/submissions"),
                ("GET", f"/api/v1/submissions/{sid}"),
                ("GET", f"/api/v1/submissions/{sid}/report"),
                ("GET", f"/api/v1/submissions/{sid}/findings/0/value"),
                ("GET", "/api/v1/submissions/does-not-exist"),
                ("POST", "/api/v1/submissions"),
                ("POST", "/api/v1/packages"),
            ):
                response = client.request(method, path)
                assert response.status_code == 401, (method, path, response.text)
                error = response.json()["error"]
                assert error["code"] == "unauthorized"
                assert error["zh"] and error["en"]


def test_report_equals_annex_check_on_a_zip(
    service: Service, clean_upload: dict[str, Any], tmp_path: Path
) -> None:
    assert clean_upload["status"] == "done"
    expected = cli_report({"clean.zip": zipped(SAMPLES / "clean")}, "clean.zip", tmp_path)
    # The package path is the uploaded file's name, as `annex check clean.zip` shows it.
    assert clean_upload["report"] == expected
    assert clean_upload["summary"] == {"errors": 0, "warnings": 0}
    sid = clean_upload["id"]
    text = service.inst_a.get(f"/api/v1/submissions/{sid}/report", params={"format": "json"})
    assert text.headers["content-type"].startswith("application/json")
    assert json.loads(text.text) == expected
    for fmt in ("html", "junit", "sarif"):
        rendered = service.inst_a.get(f"/api/v1/submissions/{sid}/report", params={"format": fmt})
        assert rendered.status_code == 200
        assert rendered.text == renderer(fmt)(expected)
    sheet = service.inst_a.get(f"/api/v1/submissions/{sid}/report", params={"format": "xlsx"})
    assert sheet.status_code == 200 and "attachment" in sheet.headers["content-disposition"]
    import io

    import openpyxl

    packages = openpyxl.load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    assert packages.max_row == 2  # the header and the one package


def test_report_equals_annex_check_on_several_files(service: Service, tmp_path: Path) -> None:
    folder = SAMPLES / "count-mismatch"
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    response = service.inst_a.post(
        "/api/v1/submissions",
        files=[("file", (name, content)) for name, content in files.items()],
        data={"name": "班级1"},
    )
    assert response.status_code == 202, response.text
    body = wait_done(service.inst_a, response.json()["id"])
    expected = cli_report({f"班级1/{n}": c for n, c in files.items()}, "班级1", tmp_path)
    assert body["report"] == expected
    assert body["report"]["packages"][0]["path"] == "班级1"
    assert body["summary"]["errors"] == 1
    assert without_paths(body["report"])["summary"]["by_code"]["count-mismatch"] == 1


def test_a_file_that_is_no_package_gets_a_report(service: Service) -> None:
    response = service.inst_a.post(
        "/api/v1/submissions", files={"file": ("notes.txt", b"just some text\n")}
    )
    assert response.status_code == 202
    body = wait_done(service.inst_a, response.json()["id"])
    assert body["status"] == "done"
    codes = {f["code"] for f in body["report"]["packages"][0]["findings"]}
    assert codes & {"unknown-document", "unreadable-document"}


def test_institutions_see_only_their_own(service: Service, clean_upload: dict[str, Any]) -> None:
    sid = clean_upload["id"]
    for path in (
        f"/api/v1/submissions/{sid}",
        f"/api/v1/submissions/{sid}/report",
        f"/api/v1/submissions/{sid}/findings/0/value",
    ):
        assert service.inst_b.get(path).status_code == 404
        assert service.inst_b.get(path).json()["error"]["code"] == "not-found"
        assert service.inst_a.get(path).status_code in (200, 404)  # 404: no finding 0
    review = service.inst_b.post(f"/api/v1/submissions/{sid}/decision", json={"decision": "passed"})
    assert review.status_code == 404
    # The same answer as for an id that does not exist.
    assert service.inst_b.get("/api/v1/submissions/0123").status_code == 404
    listed_b = service.inst_b.get("/api/v1/submissions").json()["items"]
    assert sid not in {s["id"] for s in listed_b}
    assert all(s["institution"] == INSTITUTION_B for s in listed_b)
    listed_a = service.inst_a.get("/api/v1/submissions", params={"per_page": 100}).json()
    assert sid in {s["id"] for s in listed_a["items"]}
    assert clean_upload["institution"] == INSTITUTION_A
    everything = service.reviewer.get("/api/v1/submissions", params={"per_page": 100}).json()
    assert sid in {s["id"] for s in everything["items"]}


def test_list_filters_and_pages(service: Service, clean_upload: dict[str, Any]) -> None:
    sid = clean_upload["id"]
    reviewer = service.reviewer
    done = reviewer.get("/api/v1/submissions", params={"status": "done", "per_page": 100}).json()
    assert sid in {s["id"] for s in done["items"]}
    assert all(s["status"] == "done" for s in done["items"])
    by_institution = reviewer.get(
        "/api/v1/submissions", params={"institution": INSTITUTION_B}
    ).json()
    assert sid not in {s["id"] for s in by_institution["items"]}
    coded = reviewer.get("/api/v1/submissions", params={"code": "missing-annex"}).json()
    assert sid not in {s["id"] for s in coded["items"]}
    first = reviewer.get("/api/v1/submissions", params={"per_page": 1, "page": 1}).json()
    second = reviewer.get("/api/v1/submissions", params={"per_page": 1, "page": 2}).json()
    assert first["total"] == second["total"] >= 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["created_at"] >= second["items"][0]["created_at"]
    bad = reviewer.get("/api/v1/submissions", params={"per_page": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid-request"


def test_upload_limits_and_bad_fields(service: Service) -> None:
    client = service.inst_a
    big = os.urandom(MAX_UPLOAD_MB * 1024 * 1024 + 100_000)
    response = client.post("/api/v1/submissions", files={"file": ("big.zip", big)})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too-large"
    small = {"file": ("a.zip", zipped(SAMPLES / "clean"))}
    for data, code in (
        ({"profile": "/etc/passwd.yaml"}, "bad-profile"),
        ({"profile": "nowhere-2019"}, "bad-profile"),
        ({"claim_date": "2025-13-01"}, "bad-claim-date"),
    ):
        response = client.post("/api/v1/submissions", files=small, data=data)
        assert response.status_code == 422, data
        assert response.json()["error"]["code"] == code
    missing = client.post("/api/v1/submissions", data={"profile": "jiangmen-2019"})
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "invalid-request"
    assert "Traceback" not in missing.text
    assert client.get("/api/v1/nothing-here").status_code == 404


def test_review_reveal_and_decision(service: Service, tmp_path: Path) -> None:
    folder = SAMPLES / "trainee-not-in-ledger"
    upload = service.inst_a.post(
        "/api/v1/submissions",
        files={"file": ("p.zip", zipped(folder))},
        data={"profile": "jiangmen-2019"},
    )
    sid = upload.json()["id"]
    body = wait_done(service.inst_a, sid)
    findings = [f for p in body["report"]["packages"] for f in p["findings"]]
    errors = [n for n, f in enumerate(findings) if f["severity"] == "error"]
    assert errors and body["review_state"] == "pending"
    n = errors[0]
    base = f"/api/v1/submissions/{sid}/findings/{n}"

    # Institutions read masked values only; reviewers may reveal, and that is audited.
    assert service.inst_a.get(f"{base}/value").json()["value"] == findings[n]["value"]
    assert service.inst_a.get(f"{base}/value", params={"reveal": 1}).status_code == 403
    revealed = service.reviewer.get(f"{base}/value", params={"reveal": 1}).json()
    cli = cli_report({"p.zip": zipped(folder)}, "p.zip", tmp_path, "--reveal")
    cli_findings = [f for p in cli["packages"] for f in p["findings"]]
    assert revealed["value"] == cli_findings[n]["value"]
    assert revealed["revealed"] is True
    with service.server.engine().connect() as conn:
        audit = conn.execute(
            sa.text("SELECT action, finding FROM audit_log WHERE submission_id = :s"), {"s": sid}
        ).all()
    assert [tuple(r) for r in audit] == [("reveal", n)]

    # Decisions on findings.
    assert service.inst_a.post(f"{base}/review", json={"decision": "confirmed"}).status_code == 403
    no_reason = service.reviewer.post(f"{base}/review", json={"decision": "dismissed"})
    assert no_reason.status_code == 422
    bad = service.reviewer.post(f"{base}/review", json={"decision": "maybe"})
    assert bad.status_code == 422
    out_of_range = service.reviewer.post(
        f"/api/v1/submissions/{sid}/findings/999/review", json={"decision": "confirmed"}
    )
    assert out_of_range.status_code == 404
    confirmed = service.reviewer.post(f"{base}/review", json={"decision": "confirmed"}).json()
    assert confirmed["review_state"] == "returned"
    assert confirmed["reviewer"] == "审核员"
    for m in errors:
        dismissed = service.reviewer.post(
            f"/api/v1/submissions/{sid}/findings/{m}/review",
            json={"decision": "dismissed", "reason": "已核实 checked"},
        )
        assert dismissed.status_code == 200
    assert dismissed.json()["review_state"] == "passed"

    # An explicit decision on the package overrides the findings'.
    returned = service.reviewer.post(
        f"/api/v1/submissions/{sid}/decision",
        json={"decision": "returned", "reason": "签到表缺页"},
    ).json()
    assert returned["review_state"] == "returned"
    state = service.inst_a.get(f"/api/v1/submissions/{sid}").json()
    assert state["review_state"] == "returned"
    assert state["decision"]["reason"] == "签到表缺页"
    assert str(n) in state["reviews"]


def test_generate_package(service: Service) -> None:
    files = {
        "class_file": ("class.yaml", (SAMPLE_CLASS / "class.yaml").read_bytes()),
        "roster": ("名册.xlsx", (SAMPLE_CLASS / "roster.xlsx").read_bytes()),
    }
    response = service.inst_a.post("/api/v1/packages", files=files, data={"pdf": "false"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
    assert "附件5_企业职工培训备案表.docx" in names
    assert any(n.startswith("附件8_签到表") for n in names)
    assert all(n.endswith(".docx") for n in names)

    # The roster the class file names must come with it.
    alone = service.inst_a.post("/api/v1/packages", files={"class_file": files["class_file"]})
    assert alone.status_code == 422
    assert alone.json()["error"]["code"] == "roster-missing"

    broken = (
        "filing:\n  enterprise:\n    name: 某公司\n    credit_code: '123'\n"
        "  roster:\n    - name: 张三\n      id_number: '440703199001011234'\n"
    )
    invalid = service.inst_a.post(
        "/api/v1/packages", files={"class_file": ("class.yaml", broken.encode())}
    )
    assert invalid.status_code == 422
    error = invalid.json()["error"]
    assert error["code"] == "invalid-data"
    paths = {p["path"] for p in error["problems"]}
    assert "/enterprise/credit_code" in paths
    assert "/training" in paths or any(p.startswith("/training") for p in paths)
    # ID numbers are masked in the problems, as `annex generate` masks them.
    assert "440703199001011234" not in invalid.text


def test_users_cli(service: Service) -> None:
    server = service.server
    token = server.add_user("临时", "reviewer")
    assert token.startswith("ak_")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.base}/api/v1/submissions", headers=headers).status_code == 200
    listed = annex("users", "list", *server.db_args())
    assert "临时" in listed and token not in listed
    annex("users", "disable", "临时", *server.db_args())
    assert httpx.get(f"{server.base}/api/v1/submissions", headers=headers).status_code == 401
    with server.engine().connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM users WHERE name = '临时'")).scalar()
    assert stored != token and len(str(stored)) == 64


def test_data_folder_keeps_uploads_by_hash(service: Service, clean_upload: dict[str, Any]) -> None:
    import hashlib

    digest = hashlib.sha256(zipped(SAMPLES / "clean")).hexdigest()
    stored = service.server.data / "blobs" / digest[:2] / digest[2:4] / digest
    assert stored.is_file()
    assert stored.stat().st_mode & 0o077 == 0  # uploads hold ID numbers: owner only


# ------------------------------------------------------------------------------ issue 13


def test_openapi_declares_every_answer(service: Service) -> None:
    """Errors are declared with their real shape (not FastAPI's HTTPValidationError), the
    bearer token as the security scheme, and each route's 401/404/413/422 as it applies."""
    spec = service.anonymous.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    error = "#/components/schemas/ErrorBody"
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"401", "422"}
            if "{sid}" in path:
                expected.add("404")
            if method == "post" and path in ("/api/v1/submissions", "/api/v1/packages"):
                expected.add("413")
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in expected:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": error}, (method, path, status)
            assert operation["security"] == [{"HTTPBearer": []}]
    listed = spec["paths"]["/api/v1/submissions"]["get"]
    names = {p["name"] for p in listed["parameters"]}
    assert {"status", "review_state", "institution", "code", "page", "per_page"} <= names


def test_list_shows_and_filters_review_state(service: Service) -> None:
    """Each item carries its review state; ``review_state`` filters on it, together with
    ``status``, ``institution`` and ``code``, and ``total`` counts over all pages."""
    uploads = {}
    for sample in ("clean", "count-mismatch"):
        response = service.inst_b.post(
            "/api/v1/submissions", files={"file": (f"{sample}.zip", zipped(SAMPLES / sample))}
        )
        assert response.status_code == 202, response.text
        uploads[sample] = wait_done(service.inst_b, response.json()["id"])
    clean, mismatch = uploads["clean"]["id"], uploads["count-mismatch"]["id"]
    assert uploads["clean"]["review_state"] == uploads["count-mismatch"]["review_state"]
    assert uploads["clean"]["review_state"] == "pending"

    reviewer = service.reviewer

    def listed(client: httpx.Client = reviewer, /, **params: Any) -> dict[str, Any]:
        response = client.get("/api/v1/submissions", params={"per_page": 100, **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    pending = {s["id"]: s for s in listed(review_state="pending")["items"]}
    assert {clean, mismatch} <= set(pending)
    assert all(s["review_state"] == "pending" for s in pending.values())

    passed = reviewer.post(f"/api/v1/submissions/{clean}/decision", json={"decision": "passed"})
    assert passed.status_code == 200, passed.text
    findings = uploads["count-mismatch"]["report"]["packages"][0]["findings"]
    n = next(i for i, f in enumerate(findings) if f["severity"] == "error")
    confirmed = reviewer.post(
        f"/api/v1/submissions/{mismatch}/findings/{n}/review", json={"decision": "confirmed"}
    )
    assert confirmed.json()["review_state"] == "returned"

    for state, sid, other in (("passed", clean, mismatch), ("returned", mismatch, clean)):
        items = listed(review_state=state)["items"]
        ids = {s["id"] for s in items}
        assert sid in ids and other not in ids
        assert all(s["review_state"] == state for s in items)
        # The list's state is the one the submission itself shows.
        assert reviewer.get(f"/api/v1/submissions/{sid}").json()["review_state"] == state
    assert not {clean, mismatch} & {s["id"] for s in listed(review_state="pending")["items"]}

    # Items are the detail without report/reviews/decision: same keys, same values.
    item = next(s for s in listed(institution=INSTITUTION_B)["items"] if s["id"] == mismatch)
    detail = reviewer.get(f"/api/v1/submissions/{mismatch}").json()
    assert set(detail) == {*item, "report", "reviews", "decision"}
    assert {k: detail[k] for k in item} == item

    # Filters combine; the credit code may be given in lower case.
    mine = listed(institution=INSTITUTION_B.lower(), status="done")
    assert {clean, mismatch} <= {s["id"] for s in mine["items"]}
    assert all(s["institution"] == INSTITUTION_B for s in mine["items"])
    assert mine["total"] == len(mine["items"])
    coded = listed(code="count-mismatch", review_state="returned", institution=INSTITUTION_B)
    assert [s["id"] for s in coded["items"]] == [mismatch] and coded["total"] == 1
    assert listed(code="count-mismatch", review_state="passed", institution=INSTITUTION_B) == {
        "items": [],
        "page": 1,
        "per_page": 100,
        "total": 0,
    }
    assert listed(status="queued", review_state="passed", institution=INSTITUTION_B)["total"] == 0
    # An institution's filters never widen what it sees.
    assert listed(service.inst_a, institution=INSTITUTION_B)["items"] == []
    own = listed(service.inst_b, review_state="returned")
    assert mismatch in {s["id"] for s in own["items"]}

    # Pages, with and without the review_state filter: newest first, total over all pages.
    extras: list[dict[str, Any]] = [{}, {"review_state": "returned"}]
    for extra in extras:
        total = listed(institution=INSTITUTION_B, **extra)["total"]
        seen = []
        for page in range(1, total + 2):
            body = listed(institution=INSTITUTION_B, per_page=1, page=page, **extra)
            assert body["total"] == total and body["page"] == page and body["per_page"] == 1
            assert len(body["items"]) == (1 if page <= total else 0)
            seen += body["items"]
        assert [s["created_at"] for s in seen] == sorted(
            (s["created_at"] for s in seen), reverse=True
        )
        assert len({s["id"] for s in seen}) == total
    bad = reviewer.get("/api/v1/submissions", params={"review_state": "maybe"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid-request"


def test_other_institutions_get_404_on_every_route(
    service: Service, clean_upload: dict[str, Any]
) -> None:
    """Every route under /api/v1/submissions/{sid} (taken from /openapi.json, so a route
    added later is walked too) answers another institution exactly as for an id that does
    not exist; reviewer-only actions on its own submission answer an institution 403."""
    sid = clean_upload["id"]
    missing = uuid.uuid4().hex
    spec = service.anonymous.get("/openapi.json").json()
    routes = sorted(
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if "{sid}" in path
        for method in operations
    )
    assert {path for _, path in routes} >= {
        "/api/v1/submissions/{sid}",
        "/api/v1/submissions/{sid}/report",
        "/api/v1/submissions/{sid}/findings/{n}/value",
        "/api/v1/submissions/{sid}/findings/{n}/review",
        "/api/v1/submissions/{sid}/decision",
    }
    bodies = {
        "/api/v1/submissions/{sid}/findings/{n}/review": {"decision": "confirmed"},
        "/api/v1/submissions/{sid}/decision": {"decision": "returned", "reason": "缺页"},
    }
    variants = {
        "/api/v1/submissions/{sid}/report": [{"format": f} for f in ("json", "html", "xlsx")],
        "/api/v1/submissions/{sid}/findings/{n}/value": [{}, {"reveal": "1"}],
    }
    walked = 0
    for method, template in routes:
        for params in variants.get(template, [{}]):
            for n in ("0", "5"):
                answers = []
                for who in (sid, missing):
                    path = template.replace("{sid}", who).replace("{n}", n)
                    answers.append(
                        service.inst_b.request(
                            method, path, params=params, json=bodies.get(template)
                        )
                    )
                    walked += 1
                theirs, nobody = answers
                assert theirs.status_code == 404, (method, template, params, theirs.text)
                assert theirs.json() == nobody.json()
                assert theirs.json()["error"]["code"] == "not-found"
    assert walked >= 20
    # Nothing was changed by those requests.
    state = service.reviewer.get(f"/api/v1/submissions/{sid}").json()
    assert state["decision"] is None and state["reviews"] == {}

    # Its own submission: reviewer-only actions are 403 (documented), after it was found.
    for path, body in (
        (f"/api/v1/submissions/{sid}/decision", {"decision": "passed"}),
        (f"/api/v1/submissions/{sid}/findings/0/review", {"decision": "confirmed"}),
    ):
        response = service.inst_a.post(path, json=body)
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["code"] == "forbidden" and error["message"] == f"{error['zh']} / {error['en']}"


def test_odd_input_is_a_4xx_never_a_5xx(service: Service, clean_upload: dict[str, Any]) -> None:
    """Found by the generated requests: strings PostgreSQL cannot hold (NUL) and pages far
    past the end were internal errors; they are answered like any other bad input."""
    reviewer = service.reviewer
    sid = clean_upload["id"]
    for path in ("/api/v1/submissions/a%00b", "/api/v1/submissions/%00/report"):
        response = reviewer.get(path)
        assert response.status_code == 404, (path, response.text)
    for params in ({"institution": "A\x00B"}, {"code": "x\x00"}, {"institution": "甲"}):
        response = reviewer.get("/api/v1/submissions", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["code"] == "invalid-request"
    far = reviewer.get("/api/v1/submissions", params={"page": 10**20})
    assert far.status_code == 200 and far.json()["items"] == []
    assert far.json()["total"] >= 1
    for path, body in (
        (f"/api/v1/submissions/{sid}/decision", {"decision": "returned", "reason": "a\x00b"}),
        (
            f"/api/v1/submissions/{sid}/findings/0/review",
            {"decision": "dismissed", "reason": "\x00"},
        ),
    ):
        response = reviewer.post(path, json=body)
        assert response.status_code == 422, (path, response.text)
    broken = reviewer.post(
        f"/api/v1/submissions/{sid}/decision",
        content=b"\xff{",
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code in (400, 422) and "error" in broken.json()
