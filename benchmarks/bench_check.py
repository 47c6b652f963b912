"""Checker throughput, next to raw PDF text extraction, and the checker's memory.

    .venv/bin/python -m benchmarks.bench_check [--packages N] [--sample-every K] [--cli]
                                               [--json FILE]

One "ten-page package" is generated once from the sample class, as PDF and as DOCX: the
filing (3 pages), the agreement (3), the ledger (2) and the first sign-in sheet (2). A batch
of N package folders (default 100) is built by hard-linking those files, and
``run_batch(discover([batch]))`` — what ``annex check`` runs — is timed from discovery to
the last result, with 1 and 2 workers, on the PDF batch and on the DOCX batch. In the same
run: ``pdftotext`` (a subprocess per file, start-up included) and PyPDFium2's plain text on
the same PDFs, just before and just after the 1-worker PDF batch; the peak RSS of a fresh
process checking a 300-row ledger, against one that only imports the checker; the RSS of
this process and of its worker processes, sampled every K packages (default 50) of the
2-worker PDF batch; and a cProfile of ``check_document`` over one package's files, in this
process. ``--cli`` also times ``annex check BATCH --workers 2 --format json`` end to end.

Targets (issue 3):

- checker seconds per page (1 worker, PDF) at most 15× ``pdftotext``'s;
- 1,000 ten-page packages checked in under 10 minutes on 2 workers (extrapolated from N;
  measured when N ≥ 1000);
- memory flat over a batch: the last sample within 20% of the one after the first 50
  packages.

DOCX files have no pages of their own: their pages are counted as those of the same form's
PDF. Machines here are noisy (2 cores, often shared): compare the ratios, which come from one
run. CPU time (the workers' from /proc, this process's, and the reaped ``pdftotext``
processes') is reported beside wall-clock time: it does not grow when other processes take
the cores, so the CPU ratio and the "2 idle cores" estimate show what the code costs when the
wall-clock figures are inflated by load (the load average is printed).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]

from annexkit.checker.batch import run_batch
from annexkit.checker.discover import discover
from annexkit.checker.result import PackageResult
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document, derive_ledger, plan_package
from tests.synthetic import make_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"
PACKAGE_ANNEXES = ("filing", "agreement", "ledger", "signin")
"""The first document of each annex: 3 + 3 + 2 + 2 = 10 pages."""
RATIO_TARGET = 15.0
THOUSAND_TARGET_S = 600.0
FLAT_TOLERANCE = 0.20
MB = 1024 * 1024

# Runs in a fresh interpreter: the peak RSS of checking one file (argv[1]), or of the
# imports alone (no argument). ru_maxrss is in KiB on Linux. VmHWM, the same peak kept by the
# kernel per address space, is printed beside it as a cross-check.
_MEMORY_PROBE = """
import json, resource, sys, time
from pathlib import Path

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def hwm_mb():
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

from annexkit.checker.document import check_document
from annexkit.checker.readers import read

figures = {"imported_mb": peak_mb(), "imported_hwm_mb": hwm_mb()}
if len(sys.argv) > 1:
    path = Path(sys.argv[1])
    start = time.perf_counter()
    layouts = read(path, path.name)
    figures["read_s"] = time.perf_counter() - start
    figures["after_read_mb"] = peak_mb()
    del layouts
    start = time.perf_counter()
    results = check_document(path, path.name)
    figures["check_s"] = time.perf_counter() - start
    figures["after_check_mb"] = peak_mb()
    figures["after_check_hwm_mb"] = hwm_mb()
    figures["annexes"] = [r.annex for r in results]
    figures["findings"] = sum(len(r.findings) for r in results)
print(json.dumps(figures))
"""


# --- inputs --------------------------------------------------------------------------------


def ledger_of(filing: dict[str, Any], rows: int) -> Document:
    """A ledger of ``rows`` trainees with their results filled in (as in bench_generate)."""
    roster = make_roster(random.Random(rows), rows, dt.date(2025, 11, 3))
    record = derive_ledger({**filing, "roster": roster}, {}, {"class_name": "第1期"})
    for row in record["rows"]:
        row["score"] = random.Random(row["id_number"]).randint(55, 98)
    return Document("ledger", f"ledger-{rows}", record, "benchmark")


def pdf_pages(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def build_batch(files: list[Path], folder: Path, count: int) -> Path:
    """``count`` package folders holding hard links to ``files``."""
    for index in range(1, count + 1):
        package = folder / f"pkg-{index:04d}"
        package.mkdir(parents=True)
        for file in files:
            os.link(file, package / file.name)
    return folder


# --- memory of the process tree ------------------------------------------------------------


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process in MB; None once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return 0.0  # a zombie has no VmRSS line


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def read_stat(pid: int | str) -> tuple[int, float] | None:
    """A process's parent and CPU seconds (user + system) from /proc/PID/stat; None once it
    has gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            text = stat.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: fields follow its last ")". After
    # it: state, ppid (field 4) … utime, stime (fields 14, 15).
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree() -> tuple[list[int], list[int]]:
    """This process's children (with the fork server: the fork server and the resource
    tracker) and their descendants (the workers, forked from the fork server)."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := read_stat(entry)) is not None:
            tree.setdefault(stat[0], []).append(int(entry))
    helpers = tree.get(os.getpid(), [])
    workers: list[int] = []
    frontier = [c for h in helpers for c in tree.get(h, [])]
    while frontier:
        workers += frontier
        frontier = [c for w in frontier for c in tree.get(w, [])]
    return helpers, workers


def cpu_seconds(pids: Iterable[int]) -> float:
    return sum(stat[1] for stat in map(read_stat, pids) if stat is not None)


@dataclass
class MemorySample:
    packages: int
    seconds: float
    parent_mb: float
    helpers_mb: float
    """Direct children: the fork server and multiprocessing's resource tracker."""
    workers_mb: float
    """Their descendants: the checker's workers (forked from the fork server)."""
    workers: int

    @property
    def total_mb(self) -> float:
        return self.parent_mb + self.helpers_mb + self.workers_mb


def sample_memory(packages: int, seconds: float) -> MemorySample:
    helpers, workers = process_tree()
    helper_rss = [rss_mb(p) for p in helpers]
    worker_rss = [r for r in (rss_mb(p) for p in workers) if r is not None]
    return MemorySample(
        packages=packages,
        seconds=seconds,
        parent_mb=rss_mb(os.getpid()) or 0.0,
        helpers_mb=sum(r for r in helper_rss if r is not None),
        workers_mb=sum(worker_rss),
        workers=len(worker_rss),
    )


# --- the checker over a batch --------------------------------------------------------------


@dataclass
class BatchRun:
    fmt: str
    workers: int
    packages: int
    pages: int
    seconds: float
    documents: int
    findings: int
    unreadable: int
    check_seconds: float
    """Sum of the documents' own check times (inside the workers)."""
    worker_cpu_s: float = 0.0
    """CPU time of the workers, read just before the batch ends."""
    parent_cpu_s: float = 0.0
    """CPU time of this process over the batch (discovery, dispatch, results)."""
    samples: list[MemorySample] = field(default_factory=list)

    @property
    def cpu_s_per_page(self) -> float:
        return (self.worker_cpu_s + self.parent_cpu_s) / self.pages

    @property
    def cpu_s_per_package(self) -> float:
        return (self.worker_cpu_s + self.parent_cpu_s) / self.packages

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds

    @property
    def packages_per_s(self) -> float:
        return self.packages / self.seconds

    @property
    def busy(self) -> float:
        """The share of the workers' wall-clock time spent inside ``check_document``."""
        return self.check_seconds / (self.seconds * self.workers)


def check_batch(
    batch: Path,
    fmt: str,
    workers: int,
    package_pages: int,
    sample_every: int | None = None,
) -> BatchRun:
    """Discover and check the whole batch; pages of a DOCX count as its PDF's."""
    start = time.perf_counter()
    cpu_start = time.process_time()
    packages = discover([batch])
    results: Iterable[PackageResult] = run_batch(packages, workers=workers, progress=False)
    run = BatchRun(fmt, workers, 0, 0, 0.0, 0, 0, 0, 0.0)
    for result in results:
        run.packages += 1
        run.pages += package_pages
        run.documents += len(result.documents)
        findings = result.all_findings()
        run.findings += len(findings)
        run.unreadable += sum(f.code == "unreadable-document" for f in findings)
        run.check_seconds += sum(d.seconds for d in result.documents)
        if sample_every and run.packages % sample_every == 0:
            run.samples.append(sample_memory(run.packages, time.perf_counter() - start))
        if run.packages == len(packages):
            # The workers are still alive while the last result is handed out.
            run.worker_cpu_s = cpu_seconds(process_tree()[1])
    run.seconds = time.perf_counter() - start
    run.parent_cpu_s = time.process_time() - cpu_start
    return run


# --- raw text extraction -------------------------------------------------------------------


def pdftotext(path: Path) -> None:
    subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, check=True)


def pdfium_text(path: Path) -> None:
    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            pdf[index].get_textpage().get_text_range()
    finally:
        pdf.close()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def raw_speed(files: list[Path], pages: int) -> dict[str, float]:
    """Wall-clock pages per second and CPU seconds per page of ``pdftotext`` (CPU of the
    reaped subprocesses) and of PyPDFium2's plain text (CPU of this process), over ``files``
    (``pages`` in all), each after a warm-up."""
    figures: dict[str, float] = {}
    clocks: dict[str, Callable[[], float]] = {
        "pdftotext": children_cpu,
        "pdfium_text": time.process_time,
    }
    for name, extract in (("pdftotext", pdftotext), ("pdfium_text", pdfium_text)):
        extract(files[0])
        cpu = clocks[name]
        cpu_start, start = cpu(), time.perf_counter()
        for file in files:
            extract(file)
        figures[f"{name}_pages_per_s"] = pages / (time.perf_counter() - start)
        figures[f"{name}_cpu_s_per_page"] = (cpu() - cpu_start) / pages
    return figures


# --- peak memory in a fresh process --------------------------------------------------------


def memory_probe(path: Path | None) -> dict[str, Any]:
    """Run the probe in a fresh interpreter. Linux keeps a process's ru_maxrss across
    ``execve``, so a child exec'd straight from this process would report at least this
    process's RSS at the fork: a shell in between forks the probe from its own small image
    (``; exit`` stops it from exec'ing the last command in place)."""
    probe = [sys.executable, "-c", _MEMORY_PROBE] + ([str(path)] if path else [])
    command = ["sh", "-c", '"$@"; exit $?', "sh", *probe]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# --- profile -------------------------------------------------------------------------------


@dataclass
class ProfileRow:
    function: str
    where: str
    calls: str
    tottime_s: float
    cumtime_s: float


def profile_package(files: list[Path], rounds: int) -> tuple[float, list[ProfileRow]]:
    """Seconds per package of ``check_document`` in this process (the median of ``rounds``
    passes without the profiler), and the top 10 functions by cumulative time over another
    ``rounds`` passes under cProfile; a warm-up pass first, so imports and caches are not
    counted."""
    from annexkit.checker.document import check_document

    for file in files:
        check_document(file, file.name)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for file in files:
            check_document(file, file.name)
        times.append(time.perf_counter() - start)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for file in files:
            check_document(file, file.name)
    profiler.disable()
    per_package = statistics.median(times)
    stats = pstats.Stats(profiler).get_stats_profile()
    ranked = sorted(stats.func_profiles.items(), key=lambda kv: kv[1].cumtime, reverse=True)
    rows = []
    for name, item in ranked[:10]:
        where = item.file_name
        for marker in ("site-packages/", "/work/main/"):
            where = where.split(marker, 1)[-1]
        rows.append(
            ProfileRow(name, f"{where}:{item.line_number}", item.ncalls, item.tottime, item.cumtime)
        )
    return per_package, rows


# --- report --------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "ok" if met else "MISSED"


def is_flat(samples: list[MemorySample], value: Callable[[MemorySample], float]) -> bool | None:
    """Whether the last sample is within the tolerance of the first one at ≥ 50 packages
    (None: too few samples to say)."""
    base = next((s for s in samples if s.packages >= 50), None)
    if base is None or samples[-1] is base:
        return None
    first, last = value(base), value(samples[-1])
    return abs(last - first) <= FLAT_TOLERANCE * first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=100, help="packages in the batch")
    parser.add_argument(
        "--sample-every", type=int, default=50, help="packages between memory samples"
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="also time `annex check BATCH --workers 2 --format json` end to end (PDF)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.packages < 1:
        parser.error("--packages must be at least 1")
    if shutil.which("pdftotext") is None or shutil.which("soffice") is None:
        sys.exit("needs pdftotext (poppler-utils) and LibreOffice (soffice): run `make setup`")

    plan = plan_package(SAMPLE)
    chosen = [next(d for d in plan if d.annex == annex) for annex in PACKAGE_ANNEXES]
    ledger300 = ledger_of(plan[0].record, 300)
    figures: dict[str, Any] = {
        "packages": args.packages,
        "cores": len(os.sched_getaffinity(0)),
        "loadavg_start": os.getloadavg()[0],
    }

    with tempfile.TemporaryDirectory(prefix="bench-check-") as scratch:
        root = Path(scratch)
        source = root / "source"
        start = time.perf_counter()
        write_documents([*chosen, ledger300], source, pdf=True)
        figures["generate_s"] = time.perf_counter() - start
        pdfs = [source / f"{d.stem}.pdf" for d in chosen]
        docxs = [source / f"{d.stem}.docx" for d in chosen]
        pages = sum(pdf_pages(p) for p in pdfs)
        figures["package_pages"] = pages
        figures["package_documents"] = len(chosen)
        ledger_pdf = source / f"{ledger300.stem}.pdf"
        figures["ledger300_pages"] = pdf_pages(ledger_pdf)

        start = time.perf_counter()
        batches = {
            "pdf": build_batch(pdfs, root / "batch-pdf", args.packages),
            "docx": build_batch(docxs, root / "batch-docx", args.packages),
        }
        figures["link_s"] = time.perf_counter() - start

        # The first batch starts the fork server, which imports the checker once; later
        # batches fork their workers from it. Measured apart, so that it is not charged to
        # whichever batch runs first.
        warm = build_batch(pdfs, root / "warm-up", 1)
        figures["first_batch_1_package_s"] = check_batch(warm, "pdf", 2, pages).seconds

        # Raw extraction over the same files (the first packages' hard links), just before
        # and just after the 1-worker PDF batch, so that the ratio compares like with like
        # on a machine whose load changes.
        sample_count = min(args.packages, 25)
        raw_files = [
            batches["pdf"] / f"pkg-{i:04d}" / p.name
            for i in range(1, sample_count + 1)
            for p in pdfs
        ]
        raw_pages = pages * sample_count
        raw = [raw_speed(raw_files, raw_pages)]

        runs: dict[str, BatchRun] = {}
        for fmt in ("pdf", "docx"):
            for workers in (1, 2):
                every = args.sample_every if workers == 2 else None
                run = check_batch(batches[fmt], fmt, workers, pages, every)
                runs[f"{fmt}_w{workers}"] = run
                print(f"  checked {fmt} with {workers} worker(s): {run.seconds:.1f} s", flush=True)
                if fmt == "pdf" and workers == 1:
                    raw.append(raw_speed(raw_files, raw_pages))
        for key in raw[0]:
            figures[f"{key}_before"] = raw[0][key]
            figures[f"{key}_after"] = raw[1][key]
        # Rates average as their reciprocals (seconds per page).
        for name in ("pdftotext", "pdfium_text"):
            key = f"{name}_pages_per_s"
            figures[key] = 2 / (1 / raw[0][key] + 1 / raw[1][key])
            key = f"{name}_cpu_s_per_page"
            figures[key] = (raw[0][key] + raw[1][key]) / 2

        if args.cli:
            report = root / "report.json"
            command = [
                str(Path(sys.executable).parent / "annex"),
                "check",
                str(batches["pdf"]),
                "--workers",
                "2",
                "--format",
                "json",
                "-o",
                str(report),
            ]
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            figures["cli_pdf_w2_s"] = time.perf_counter() - start
            figures["cli_command"] = " ".join(command)

        baseline = memory_probe(None)
        ledger_memory = {
            fmt: memory_probe(source / f"{ledger300.stem}.{fmt}") for fmt in ("pdf", "docx")
        }
        # The sample's own ledger (2 pages): what any document costs, whatever its size.
        small = next(d for d in chosen if d.annex == "ledger")
        small_memory = {
            fmt: memory_probe(source / f"{small.stem}.{fmt}") for fmt in ("pdf", "docx")
        }
        figures["small_ledger_rows"] = len(small.record["rows"])

        profile_pdf_s, profile_pdf = profile_package(pdfs, 5)
        profile_docx_s, profile_docx = profile_package(docxs, 5)

    figures["loadavg_end"] = os.getloadavg()[0]
    derive(figures, runs, args.packages)
    figures["memory_baseline_import_mb"] = baseline["imported_mb"]
    figures["memory_baseline_import_hwm_mb"] = baseline["imported_hwm_mb"]
    for fmt, probe in ledger_memory.items():
        key = f"memory_ledger300_{fmt}"
        figures[f"{key}_after_read_mb"] = probe["after_read_mb"]
        figures[f"{key}_peak_mb"] = probe["after_check_mb"]
        figures[f"{key}_peak_hwm_mb"] = probe["after_check_hwm_mb"]
        figures[f"{key}_increment_mb"] = probe["after_check_mb"] - baseline["imported_mb"]
        figures[f"{key}_read_s"] = probe["read_s"]
        figures[f"{key}_check_s"] = probe["check_s"]
        figures[f"{key}_annexes"] = probe["annexes"]
    for fmt, probe in small_memory.items():
        figures[f"memory_small_ledger_{fmt}_peak_mb"] = probe["after_check_mb"]
        figures[f"memory_small_ledger_{fmt}_increment_mb"] = (
            probe["after_check_mb"] - baseline["imported_mb"]
        )
    figures["in_process_pdf_package_s"] = profile_pdf_s
    figures["in_process_docx_package_s"] = profile_docx_s
    samples = runs["pdf_w2"].samples
    flat = {
        "workers": is_flat(samples, lambda s: s.workers_mb),
        "parent": is_flat(samples, lambda s: s.parent_mb),
        "total": is_flat(samples, lambda s: s.total_mb),
    }

    print_runs(figures, runs)
    print_measures(figures, runs, list(ledger_memory))
    print_memory(samples, flat, args.sample_every)
    for label, rows in (("pdf", profile_pdf), ("docx", profile_docx)):
        print_profile(label, rows)

    if args.json:
        figures["memory_samples"] = [asdict(s) | {"total_mb": s.total_mb} for s in samples]
        figures["memory_flat"] = flat
        figures["profile_pdf_top10"] = [asdict(r) for r in profile_pdf]
        figures["profile_docx_top10"] = [asdict(r) for r in profile_docx]
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), "utf-8")


def derive(figures: dict[str, Any], runs: dict[str, BatchRun], packages: int) -> None:
    """The per-run figures and the ratios the targets are stated in."""
    for name, run in runs.items():
        figures[f"{name}_s"] = run.seconds
        figures[f"{name}_pages_per_s"] = run.pages_per_s
        figures[f"{name}_packages_per_s"] = run.packages_per_s
        figures[f"{name}_worker_busy"] = run.busy
        figures[f"{name}_worker_cpu_s"] = run.worker_cpu_s
        figures[f"{name}_parent_cpu_s"] = run.parent_cpu_s
        figures[f"{name}_cpu_s_per_page"] = run.cpu_s_per_page
        figures[f"{name}_documents"] = run.documents
        figures[f"{name}_findings"] = run.findings
        figures[f"{name}_unreadable"] = run.unreadable
    for fmt in ("pdf", "docx"):
        w1, w2 = runs[f"{fmt}_w1"], runs[f"{fmt}_w2"]
        figures[f"{fmt}_speedup_w2_vs_w1"] = w2.pages_per_s / w1.pages_per_s
        figures[f"{fmt}_w2_1000_packages_extrapolated_s"] = 1000 / w2.packages_per_s
        if packages >= 1000:
            figures[f"{fmt}_w2_1000_packages_measured_s"] = w2.seconds * 1000 / packages
    w1 = runs["pdf_w1"]
    checker_s_per_page = 1 / w1.pages_per_s
    figures["checker_w1_vs_pdftotext"] = checker_s_per_page * figures["pdftotext_pages_per_s"]
    figures["checker_w1_vs_pdfium_text"] = checker_s_per_page * figures["pdfium_text_pages_per_s"]
    figures["checker_cpu_vs_pdftotext_cpu"] = (
        w1.cpu_s_per_page / figures["pdftotext_cpu_s_per_page"]
    )
    figures["checker_cpu_vs_pdfium_text_cpu"] = (
        w1.cpu_s_per_page / figures["pdfium_text_cpu_s_per_page"]
    )
    for fmt in ("pdf", "docx"):
        # What 2 otherwise idle cores would take: CPU time shared out, nothing waiting.
        cpu = runs[f"{fmt}_w1"].cpu_s_per_package
        figures[f"{fmt}_1000_packages_2_idle_cores_from_cpu_s"] = 1000 * cpu / 2


def print_runs(figures: dict[str, Any], runs: dict[str, BatchRun]) -> None:
    print(
        f"\n{figures['packages']} packages × {figures['package_pages']} pages "
        f"({figures['package_documents']} documents each); {figures['cores']} cores, load "
        f"average {figures['loadavg_start']:.2f} at the start, {figures['loadavg_end']:.2f} at "
        "the end"
    )
    print(
        f"first batch (1 package, starts the fork server): "
        f"{figures['first_batch_1_package_s']:.2f} s"
    )
    print(
        f"{'batch':8} {'seconds':>8} {'pages/s':>8} {'pkg/s':>7} {'busy':>5} {'cpu ms/p':>8} "
        f"{'parent':>6} {'docs':>6} {'findings':>8} {'unread':>6}"
    )
    for name, run in runs.items():
        parent = run.parent_cpu_s / (run.parent_cpu_s + run.worker_cpu_s)
        print(
            f"{name:8} {run.seconds:8.2f} {run.pages_per_s:8.1f} {run.packages_per_s:7.2f} "
            f"{run.busy:5.0%} {run.cpu_s_per_page * 1000:8.1f} {parent:6.1%} "
            f"{run.documents:6d} {run.findings:8d} {run.unreadable:6d}"
        )
    print(
        "busy: the share of the workers' wall-clock time spent inside check_document; "
        "cpu ms/p: CPU\nper page, workers and this process; parent: this process's share of it"
    )


def print_measures(figures: dict[str, Any], runs: dict[str, BatchRun], formats: list[str]) -> None:
    ratio = figures["checker_w1_vs_pdftotext"]
    cpu_ratio = figures["checker_cpu_vs_pdftotext_cpu"]
    table: list[tuple[str, float, str]] = []
    for name, label in (("pdftotext", "pdftotext"), ("pdfium_text", "pypdfium2 plain text")):
        table += [
            (f"{label} pages/s, before the checker", figures[f"{name}_pages_per_s_before"], ""),
            (f"{label} pages/s, after the checker", figures[f"{name}_pages_per_s_after"], ""),
            (
                f"{label} CPU ms/page (mean)",
                figures[f"{name}_cpu_s_per_page"] * 1000,
                "",
            ),
        ]
    table += [
        ("checker pages/s, pdf, 1 worker", runs["pdf_w1"].pages_per_s, ""),
        (
            "checker ÷ pdftotext, s/page, 1 worker",
            ratio,
            f"≤ {RATIO_TARGET:.0f}× {verdict(ratio <= RATIO_TARGET)}",
        ),
        ("checker ÷ pypdfium2 text, s/page, 1 worker", figures["checker_w1_vs_pdfium_text"], ""),
        (
            "  same in CPU time: checker ÷ pdftotext",
            cpu_ratio,
            f"≤ {RATIO_TARGET:.0f}× {verdict(cpu_ratio <= RATIO_TARGET)}",
        ),
        (
            "  same in CPU time: checker ÷ pypdfium2 text",
            figures["checker_cpu_vs_pdfium_text_cpu"],
            "",
        ),
        ("speed-up 2 workers vs 1, pdf", figures["pdf_speedup_w2_vs_w1"], ""),
        ("speed-up 2 workers vs 1, docx", figures["docx_speedup_w2_vs_w1"], ""),
    ]
    for fmt in ("pdf", "docx"):
        for kind in ("extrapolated", "measured"):
            key = f"{fmt}_w2_1000_packages_{kind}_s"
            if key in figures:
                met = figures[key] < THOUSAND_TARGET_S
                label = f"1,000 packages, {fmt}, 2 workers, {kind}, s"
                table.append((label, figures[key], f"< {THOUSAND_TARGET_S:.0f} s {verdict(met)}"))
        key = f"{fmt}_1000_packages_2_idle_cores_from_cpu_s"
        label = f"  on 2 idle cores, from CPU time, {fmt}, s"
        met = figures[key] < THOUSAND_TARGET_S
        table.append((label, figures[key], f"< {THOUSAND_TARGET_S:.0f} s {verdict(met)}"))
    base = "memory_baseline_import"
    table += [
        ("peak RSS, importing the checker, MB", figures[f"{base}_mb"], ""),
        ("  (VmHWM, MB)", figures[f"{base}_hwm_mb"], ""),
    ]
    for fmt in formats:
        key = f"memory_ledger300_{fmt}"
        table += [
            (f"peak RSS, ledger300 {fmt}: read, MB", figures[f"{key}_after_read_mb"], ""),
            (f"peak RSS, ledger300 {fmt}: + check_document, MB", figures[f"{key}_peak_mb"], ""),
            ("  (VmHWM, MB)", figures[f"{key}_peak_hwm_mb"], ""),
            ("  increment over importing, MB", figures[f"{key}_increment_mb"], ""),
            (f"  ledger300 {fmt}: check_document, s", figures[f"{key}_check_s"], ""),
            (
                f"  for comparison, {figures['small_ledger_rows']}-row ledger {fmt}: increment, MB",
                figures[f"memory_small_ledger_{fmt}_increment_mb"],
                "",
            ),
        ]
    table += [
        ("check_document in-process, pdf package, s", figures["in_process_pdf_package_s"], ""),
        ("check_document in-process, docx package, s", figures["in_process_docx_package_s"], ""),
    ]
    if "cli_pdf_w2_s" in figures:
        table.append(("annex check pdf --workers 2 --format json, s", figures["cli_pdf_w2_s"], ""))
    print(f"\n{'measure':52} {'value':>9}  target")
    for label, value, target in table:
        print(f"{label:52} {value:9.3f}  {target}")


def print_memory(samples: list[MemorySample], flat: dict[str, bool | None], every: int) -> None:
    print(f"\nmemory while the pdf batch runs on 2 workers (VmRSS, MB, every {every} packages)")
    print("helpers: fork server + resource tracker; workers: their children (the checkers)")
    header = ("packages", "seconds", "parent", "helpers", "workers", "n", "total")
    print(" ".join(f"{h:>8}" for h in header))
    for s in samples:
        print(
            f"{s.packages:8d} {s.seconds:8.1f} {s.parent_mb:8.1f} {s.helpers_mb:8.1f} "
            f"{s.workers_mb:8.1f} {s.workers:8d} {s.total_mb:8.1f}"
        )
    for label, met in flat.items():
        text = "too few samples" if met is None else verdict(met)
        print(f"flat ({label}: the last sample within 20% of the one at 50 packages): {text}")


def print_profile(label: str, rows: list[ProfileRow]) -> None:
    print(f"\ncProfile: check_document over one {label} package ×5, top 10 by cumulative time")
    print(f"{'cumtime':>8} {'tottime':>8} {'calls':>10}  function")
    for row in rows:
        print(f"{row.cumtime_s:8.3f} {row.tottime_s:8.3f} {row.calls:>10}  {row.function}")
        print(f"{'':30}{row.where}")


if __name__ == "__main__":
    main()
