"""``make run``: the checking service on its embedded default, with the samples submitted.

    .venv/bin/python -m scripts.run_service [--port 8000] [--data annex-data/demo]
                                            [--out out/sample] [--host 127.0.0.1]

1. generates the sample class's package (DOCX + PDF, as ``make run`` always did) into
   ``--out`` (default ``out/sample``: generated files of the same names are overwritten, as
   ``annex generate package --force`` does; nothing else there is touched);
2. opens the demo data folder (SQLite, as ``annex serve`` by default), creating it the first
   time; a folder left by an earlier run is reused as it is — nothing in it is deleted;
3. creates a reviewer and an institution account if they are missing, and gives both a
   fresh API token and web-page password (only hashes are stored, so the ones printed by an
   earlier run cannot be shown again: each run replaces them);
4. serves ``annex serve``'s app in this process, submits — as the institution, whose credit
   code is the sample packages' enterprise's — every package of ``samples/packages/`` (their
   documents and ``package.yaml``, not ``expected.yaml``) and the PDFs just generated, each
   as the files of one upload, skipping those an earlier run submitted already;
5. prints the address and both accounts' names, tokens and passwords, then serves until
   Ctrl-C (or SIGTERM), and exits 0.

Checking goes on in the background; a line says when every sample has been checked.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from annexkit.service import db
from annexkit.service.app import create_app
from annexkit.service.settings import Settings
from annexkit.service.users import add_user, issue_token, set_password, user_by_name

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CLASS = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"
SAMPLE_PACKAGES = ROOT / "samples" / "packages"
CLASS_UPLOAD = "jiangmen-electrician-2025"
"""The upload name of the generated class package (its PDFs: the form a package is handed
in; the DOCX beside them are the same documents and would only double every finding)."""

REVIEWER = "demo-reviewer"
INSTITUTION = "demo-institution"
INSTITUTION_CODE = "9144070384R3QGEYEB"
"""The enterprise of the sample class and of every sample package (江门市蓬江区恒达五金制品
有限公司): a submission belongs to the uploading account's credit code, so the institution
account carries this one and sees its own packages."""
_NOT_IN_UPLOAD = {"expected.yaml"}
"""The test's answer key, not part of a package as submitted."""
_START_TIMEOUT = 120.0


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    institution: str | None
    token: str
    password: str


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="listen address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000)")
    parser.add_argument(
        "--data", type=Path, default=Path("annex-data/demo"), help="data folder (reused)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("out/sample"), help="where the sample is generated"
    )
    parser.add_argument("--workers", type=int, default=1, help="jobs run at once (1)")
    parser.add_argument(
        "--check-processes", type=int, default=None, help="checker processes per job (cores)"
    )
    args = parser.parse_args(argv)

    if not _port_free(args.host, args.port):
        print(
            f"端口 {args.port} 已被占用，请用 PORT=… 换一个 / port {args.port} is in use: "
            f"choose another (make run PORT=8001, or --port)",
            file=sys.stderr,
        )
        return 2
    generate_sample(args.out)
    settings = Settings(
        data_dir=args.data, job_workers=max(1, args.workers), check_processes=args.check_processes
    ).resolve()
    reused = (settings.data_dir / "annexkit.sqlite").exists()
    reviewer, institution = demo_accounts(settings)

    app = create_app(settings)
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    base = f"http://{args.host}:{args.port}"
    submitter = threading.Thread(
        target=_submit_and_announce,
        args=(server, base, settings, reused, reviewer, institution, args.out),
        name="annexkit-demo-submit",
        daemon=True,  # Ctrl-C during the uploads must not wait for them
    )
    submitter.start()
    # uvicorn shuts down cleanly, then re-raises the Ctrl-C it caught: that is the ordinary
    # way to stop, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    print("服务已停止 / service stopped", flush=True)
    return 0


# --------------------------------------------------------------------------- preparation


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def generate_sample(out: Path) -> None:
    """The sample class's package, DOCX and PDF, as ``annex generate package`` writes it."""
    command = [
        sys.executable,
        "-m",
        "annexkit",
        *("generate", "package", str(SAMPLE_CLASS), "-o", str(out), "--pdf", "--force"),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    print(f"样例材料已生成 / sample package written to: {out.absolute()}", flush=True)


def demo_accounts(settings: Settings) -> tuple[Account, Account]:
    """The two demo accounts, made if missing, each with a new token and password."""
    database = db.Database(settings.url)
    try:
        db.migrate(database)
        accounts = []
        for name, role, code in (
            (REVIEWER, "reviewer", None),
            (INSTITUTION, "institution", INSTITUTION_CODE),
        ):
            existing = user_by_name(database, name)
            if existing is None:
                user, token = add_user(database, name, role, code)
            else:
                if existing.disabled:
                    # Someone disabled it on purpose: say so rather than silently re-enable.
                    raise SystemExit(
                        f"演示用户 {name} 已被停用 / the demo user {name} is disabled: use "
                        "another --data folder"
                    )
                user, token = issue_token(database, name)
            password = "demo-" + secrets.token_urlsafe(9)
            set_password(database, name, password)
            accounts.append(Account(user.name, user.role, user.institution, token, password))
    finally:
        database.close()
    return accounts[0], accounts[1]


def sample_uploads(out: Path) -> dict[str, list[Path]]:
    """Upload name → its files: every sample package, then the class package just made."""
    uploads: dict[str, list[Path]] = {}
    for folder in sorted(p for p in SAMPLE_PACKAGES.iterdir() if p.is_dir()):
        uploads[folder.name] = [
            p for p in sorted(folder.iterdir()) if p.is_file() and p.name not in _NOT_IN_UPLOAD
        ]
    uploads[CLASS_UPLOAD] = sorted(out.glob("*.pdf"))
    return uploads


# --------------------------------------------------------------------------- running


def _submit_and_announce(
    server: uvicorn.Server,
    base: str,
    settings: Settings,
    reused: bool,
    reviewer: Account,
    institution: Account,
    out: Path,
) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if server.should_exit or time.monotonic() > deadline:
            return
        time.sleep(0.05)
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {institution.token}"}, timeout=60
        ) as client:
            present = _names(client)
            uploads = sample_uploads(out)
            new = 0
            for name, paths in uploads.items():
                if name in present:
                    continue  # submitted by an earlier run on this data folder
                files = [("file", (p.name, p.read_bytes())) for p in paths]
                answer = client.post("/api/v1/submissions", files=files, data={"name": name})
                answer.raise_for_status()
                new += 1
            _announce(base, settings, reused, reviewer, institution, len(uploads), new)
            _report_when_checked(client, set(uploads), server)
    except Exception as exc:
        print(
            f"提交样例材料失败 / submitting the samples failed: {type(exc).__name__}: {exc}",
            file=sys.stderr,
            flush=True,
        )
        server.should_exit = True


def _names(client: httpx.Client) -> dict[str, str]:
    """Name → status of the caller's submissions (all pages)."""
    found: dict[str, str] = {}
    page = 1
    while True:
        answer = client.get("/api/v1/submissions", params={"page": page, "per_page": 100})
        answer.raise_for_status()
        body = answer.json()
        for item in body["items"]:
            found.setdefault(item["name"], item["status"])
        if page * 100 >= body["total"]:
            return found
        page += 1


def _announce(
    base: str,
    settings: Settings,
    reused: bool,
    reviewer: Account,
    institution: Account,
    samples: int,
    new: int,
) -> None:
    folder = "沿用 reused" if reused else "新建 new"
    lines = [
        "",
        "=" * 72,
        "annexkit 检查服务已启动 / the checking service is running",
        f"  地址 URL:            {base}",
        f"  网页登录 web login:  {base}/login",
        f"  接口文档 API docs:   {base}/docs",
        f"  数据 data ({folder}): {settings.data_dir}",
        f"审核人员 reviewer:      {reviewer.name}  (看全部材料包 / sees every submission)",
        f"  令牌 token:          {reviewer.token}",
        f"  密码 password:       {reviewer.password}",
        f"培训机构 institution:   {institution.name}  ({institution.institution})",
        f"  令牌 token:          {institution.token}",
        f"  密码 password:       {institution.password}",
        f"样例材料包 sample packages: {samples} 个，本次新提交 {new} 个（其余为此前提交）/ "
        f"{samples}, {new} submitted by this run (the others by an earlier one)",
        "令牌与密码每次运行重新生成 / tokens and passwords are new on every run",
        f'例 e.g.: curl -H "Authorization: Bearer {reviewer.token}" {base}/api/v1/submissions',
        "按 Ctrl-C 停止 / press Ctrl-C to stop",
        "=" * 72,
    ]
    print("\n".join(lines), flush=True)


def _report_when_checked(client: httpx.Client, names: set[str], server: uvicorn.Server) -> None:
    while not server.should_exit:
        statuses = {n: s for n, s in _names(client).items() if n in names}
        if len(statuses) == len(names) and all(s in ("done", "failed") for s in statuses.values()):
            failed = sum(s == "failed" for s in statuses.values())
            print(
                f"样例材料包已全部检查完毕 / all {len(names)} sample packages checked "
                f"({len(names) - failed} done, {failed} failed)",
                flush=True,
            )
            return
        time.sleep(1.0)


if __name__ == "__main__":
    sys.exit(main())
