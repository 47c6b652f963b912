"""The checking service under load, next to ``annex check`` on the same packages.

    .venv/bin/python -m benchmarks.bench_service [--packages N] [--clients N] [--workers N]
                                                 [--check-processes N] [--json FILE]

One ten-page PDF package is generated once with LibreOffice from the sample class (as in
bench_check: the first document of each annex — filing 3 pages, agreement 3, ledger 2,
sign-in sheet 2 — blank where hands write, so it has findings and the service makes page
pictures of them). N distinct copies (default 200) are made by writing a copy number into
each PDF's metadata with pikepdf (the pages are untouched: the reports are identical, but
no two uploads have the same bytes, so content-hash storage cannot dedupe them), each
zipped as one package.

``annex serve`` runs on its SQLite default in a fresh data folder with ``--workers 2
--check-processes 1`` (two jobs at once, one checker process each: two checking processes
in all, as ``annex check --workers 2``). ``--clients`` threads (default 10), each with its
own ``httpx`` client and a share of the zips, upload them all at once and then poll their
submissions every half second — in upload order, up to the first that is not finished (jobs
run oldest first), as a client waiting for its results would — until every one is done or
failed. Timed: from the first upload to the last submission seen finished; the latency of
every upload and of every status poll while checks run (p50/p95); done/failed/lost (lost:
an upload refused or a submission never finished; must be N/0/0). Every report must be the
same (same content).

In the same run, ``annex check FOLDER --workers 2 --format json`` on the same N zips in one
folder. Target (issue 13): service time ÷ CLI time ≤ 1.20. The service also stores every
report twice (masked and revealed) and renders page pictures of pages with findings, which
the CLI does not; the figures show the time spent per job. Machines here are noisy (2
shared cores): compare the ratio, which comes from one run; the load average is printed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pypdfium2 as pdfium  # type: ignore[import-untyped]

from annexkit.generator.output import write_documents
from annexkit.generator.package import plan_package
from tests.test_service_api import free_port

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"
PACKAGE_ANNEXES = ("filing", "agreement", "ledger", "signin")
"""The first document of each annex, as in bench_check: 3 + 3 + 2 + 2 = 10 pages."""

RATIO_TARGET = 1.20
POLL_INTERVAL = 0.5
START_TIMEOUT = 120.0
ANNEX = [str(Path(sys.executable).parent / "annex")]


# --- inputs ---------------------------------------------------------------------------------


def build_package(folder: Path) -> tuple[list[Path], int]:
    """The ten-page package's PDFs (LibreOffice) and their page count."""
    plan = plan_package(SAMPLE)
    chosen = [next(d for d in plan if d.annex == annex) for annex in PACKAGE_ANNEXES]
    write_documents(chosen, folder, pdf=True)
    pdfs = [folder / f"{d.stem}.pdf" for d in chosen]
    return pdfs, sum(pdf_pages(p) for p in pdfs)


def distinct_zips(pdfs: list[Path], folder: Path, count: int) -> list[Path]:
    """``count`` zips of the package whose PDFs differ only in their metadata."""
    folder.mkdir(parents=True)
    sources = [(p.name, pikepdf.open(p)) for p in pdfs]
    zips: list[Path] = []
    try:
        for index in range(1, count + 1):
            target = folder / f"pkg-{index:04d}.zip"
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, pdf in sources:
                    # Keywords: metadata no rule reads. A new /ID too, as a re-saved file has.
                    pdf.docinfo["/Keywords"] = f"annexkit bench copy {index}"
                    buffer = io.BytesIO()
                    pdf.save(buffer, deterministic_id=True)
                    archive.writestr(name, buffer.getvalue())
            zips.append(target)
    finally:
        for _, pdf in sources:
            pdf.close()
    return zips


def pdf_pages(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


# --- the service ----------------------------------------------------------------------------


def annex(*args: str) -> str:
    done = subprocess.run([*ANNEX, *args], capture_output=True, text=True, check=True)
    return done.stdout


@dataclass
class Client:
    """One client thread's share of the uploads and what it measured."""

    zips: list[Path]
    base: str
    token: str
    upload_ms: list[float] = field(default_factory=list)
    poll_ms: list[float] = field(default_factory=list)
    sids: list[str] = field(default_factory=list)
    refused: int = 0
    finished: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, Any] = field(default_factory=dict)
    last_finished_at: float = 0.0
    error: str | None = None

    def run(self, start: threading.Event, deadline: float) -> None:
        try:
            self._run(start, deadline)
        except Exception as exc:  # counted as lost, reported
            self.error = f"{type(exc).__name__}: {exc}"

    def _run(self, start: threading.Event, deadline: float) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=120) as client:
            start.wait()
            for path in self.zips:
                begun = time.perf_counter()
                answer = client.post(
                    "/api/v1/submissions", files={"file": (path.name, path.read_bytes())}
                )
                self.upload_ms.append((time.perf_counter() - begun) * 1000)
                if answer.status_code == 202:
                    self.sids.append(answer.json()["id"])
                else:
                    self.refused += 1
            pending = list(self.sids)
            while pending and time.monotonic() < deadline:
                still: list[str] = []
                for index, sid in enumerate(pending):
                    begun = time.perf_counter()
                    answer = client.get(f"/api/v1/submissions/{sid}")
                    self.poll_ms.append((time.perf_counter() - begun) * 1000)
                    body = answer.json()
                    if body["status"] in ("done", "failed"):
                        self.finished[sid] = body["status"]
                        self.summaries[sid] = body["summary"]
                        self.last_finished_at = time.perf_counter()
                        continue
                    # Jobs run oldest first: the later ones are not finished either.
                    still += pending[index:]
                    break
                pending = still
                if pending:
                    time.sleep(POLL_INTERVAL)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"annex serve exited:\n{log.read_text('utf-8')}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit(f"annex serve did not start:\n{log.read_text('utf-8')}")


def run_service(
    zips: list[Path], root: Path, clients: int, workers: int, processes: int
) -> dict[str, Any]:
    data = root / "data"
    token = annex("users", "add", "bench", "--role", "reviewer", "--data", str(data)).split()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = root / "serve.log"
    command = [
        *ANNEX,
        *("serve", "--port", str(port), "--data", str(data)),
        *("--workers", str(workers), "--check-processes", str(processes)),
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(base, process, log)
        shares = [Client(zips[i::clients], base, token) for i in range(clients)]
        go = threading.Event()
        deadline = time.monotonic() + 60 * 60
        threads = [threading.Thread(target=c.run, args=(go, deadline)) for c in shares]
        for thread in threads:
            thread.start()
        began = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join()
        uploads_done = max(sum(c.upload_ms) for c in shares) / 1000
        finished_at = max((c.last_finished_at for c in shares), default=began)
        seconds = finished_at - began
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            total = c.get("/api/v1/submissions", params={"per_page": 1}).json()["total"]
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    statuses = [s for c in shares for s in c.finished.values()]
    summaries = {json.dumps(s, sort_keys=True) for c in shares for s in c.summaries.values()}
    sids = [sid for c in shares for sid in c.sids]
    errors = [c.error for c in shares if c.error]
    return {
        "service_s": seconds,
        "service_uploads_s": uploads_done,
        "service_command": " ".join(command),
        "uploads": len(sids) + sum(c.refused for c in shares),
        "refused": sum(c.refused for c in shares),
        "stored_submissions": total,
        "done": statuses.count("done"),
        "failed": statuses.count("failed"),
        "lost": len(zips) - statuses.count("done") - statuses.count("failed"),
        "distinct_summaries": sorted(summaries),
        "client_errors": errors,
        "upload_p50_ms": percentile([m for c in shares for m in c.upload_ms], 0.50),
        "upload_p95_ms": percentile([m for c in shares for m in c.upload_ms], 0.95),
        "poll_p50_ms": percentile([m for c in shares for m in c.poll_ms], 0.50),
        "poll_p95_ms": percentile([m for c in shares for m in c.poll_ms], 0.95),
        "polls": sum(len(c.poll_ms) for c in shares),
        "server_log_tail": log.read_text("utf-8", errors="replace").splitlines()[-5:],
    }


# --- the CLI --------------------------------------------------------------------------------


def run_cli(zips: list[Path], root: Path, workers: int) -> dict[str, Any]:
    folder = root / "cli-batch"
    folder.mkdir()
    for path in zips:
        os.link(path, folder / path.name)
    report = root / "cli-report.json"
    command = [*ANNEX, "check", str(folder), "--workers", str(workers), "--format", "json"]
    command += ["-o", str(report)]
    begun = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - begun
    if done.returncode not in (0, 1):
        sys.exit(f"annex check failed ({done.returncode}):\n{done.stderr[-2000:]}")
    body = json.loads(report.read_text("utf-8"))
    return {
        "cli_s": seconds,
        "cli_command": " ".join(command),
        "cli_packages": len(body["packages"]),
        "cli_summary": body["summary"],
    }


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=200, help="packages uploaded (200)")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients (10)")
    parser.add_argument("--workers", type=int, default=2, help="annex serve --workers (2)")
    parser.add_argument(
        "--check-processes", type=int, default=1, help="annex serve --check-processes (1)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.packages < 1 or args.clients < 1:
        parser.error("--packages and --clients must be at least 1")
    if shutil.which("soffice") is None:
        sys.exit("needs LibreOffice (soffice): run `make setup`")

    figures: dict[str, Any] = {
        "packages": args.packages,
        "clients": args.clients,
        "cores": len(os.sched_getaffinity(0)),
        "loadavg_start": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="bench-service-") as scratch:
        root = Path(scratch)
        begun = time.perf_counter()
        pdfs, pages = build_package(root / "source")
        zips = distinct_zips(pdfs, root / "zips", args.packages)
        figures["prepare_s"] = time.perf_counter() - begun
        figures["package_pages"] = pages
        figures["package_documents"] = len(pdfs)
        figures["zip_kb"] = zips[0].stat().st_size / 1024
        print(
            f"{args.packages} zips of a {pages}-page PDF package made in "
            f"{figures['prepare_s']:.1f} s; checking with the service…",
            flush=True,
        )
        figures |= run_service(zips, root, args.clients, args.workers, args.check_processes)
        print(f"  service: {figures['service_s']:.1f} s; now annex check…", flush=True)
        figures |= run_cli(zips, root, workers=args.workers * args.check_processes)
    figures["loadavg_end"] = os.getloadavg()[0]
    figures["ratio_service_vs_cli"] = figures["service_s"] / figures["cli_s"]
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), "utf-8")


def report(figures: dict[str, Any]) -> None:
    ok = figures["done"] == figures["packages"] and not figures["failed"] and not figures["lost"]
    ratio = figures["ratio_service_vs_cli"]
    rows = [
        (
            "packages × pages",
            f"{figures['packages']} × {figures['package_pages']} "
            f"({figures['package_documents']} PDFs, zip {figures['zip_kb']:.0f} kB)",
        ),
        ("clients", str(figures["clients"])),
        (
            "cores, load average start/end",
            f"{figures['cores']}, {figures['loadavg_start']:.2f}/{figures['loadavg_end']:.2f}",
        ),
        ("service: upload to all done", f"{figures['service_s']:.1f} s"),
        ("  uploads (slowest client)", f"{figures['service_uploads_s']:.1f} s"),
        (
            "  upload latency p50 / p95",
            f"{figures['upload_p50_ms']:.0f} / {figures['upload_p95_ms']:.0f} ms",
        ),
        (
            "  status poll latency p50 / p95",
            f"{figures['poll_p50_ms']:.0f} / {figures['poll_p95_ms']:.0f} ms "
            f"({figures['polls']} polls)",
        ),
        (
            "  done / failed / lost",
            f"{figures['done']} / {figures['failed']} / {figures['lost']} "
            f"(stored {figures['stored_submissions']}) {'OK' if ok else 'MISSED'}",
        ),
        ("  distinct summaries", "; ".join(figures["distinct_summaries"])),
        ("annex check --workers 2", f"{figures['cli_s']:.1f} s ({figures['cli_packages']} pkgs)"),
        (
            "service ÷ CLI",
            f"{ratio:.2f} (target ≤ {RATIO_TARGET:.2f}: "
            f"{'OK' if ratio <= RATIO_TARGET else 'MISSED'})",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"service: {figures['service_command']}")
    print(f"CLI:     {figures['cli_command']}")
    if figures["client_errors"]:
        print("client errors:", *figures["client_errors"], sep="\n  ")


if __name__ == "__main__":
    main()
