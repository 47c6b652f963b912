"""OCR benchmark: how well and how fast annexkit reads scanned annexes.

Builds the large scanned corpus (:data:`tests.scans.build.LARGE`: 20 sign-in sheets, 3 ledgers
of 2 pages, 4 agreements of 3 pages covering every stamp combination; JPEG, PNG, multi-page
TIFF and scanned PDF) at 150 and 300 dpi, checks every folder with
:func:`annexkit.checker.batch.run_batch`, and prints

- exact-match accuracy per field type (names, ID numbers, dates, numbers) at each dpi,
  classification and engine;
- signature detection: cells right, precision and recall (positive = signed);
- speed: seconds per scanned page at 200 dpi with 1 and 2 workers: wall time of a batch over a
  folder of scans / pages; per core, the time the workers spent on the documents / pages (each
  worker is one single-threaded process); and wall × workers / pages, which also counts a
  worker idle at the end of a small batch. Then the share of one page's time spent inside
  rapidocr (cProfile, in-process, after a warm-up page).

Targets (issue): names and ID numbers ≥ 98 % exact at 300 dpi, ≥ 95 % at 150 dpi; signatures
≥ 99 % right; ≤ 2 s per page per core at 200 dpi. Exit status 1 when a target is missed.

    python -m benchmarks.bench_ocr [--out DIR] [--json FILE] [--reuse]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annexkit.checker.batch import run_batch
from annexkit.checker.discover import discover
from annexkit.checker.document import check_document
from annexkit.checker.result import DocumentResult
from tests.scans.build import LARGE, Case, CorpusSpec, Score, build_corpus, load_cases, score_case

EXACT = {300: 0.98, 150: 0.95}
SIGNATURES = 0.99
SECONDS_PER_PAGE_PER_CORE = 2.0
TIMING = CorpusSpec(
    signin=("jpg", "png", "jpg", "png", "jpg", "png"),
    ledger=("pdf",),
    agreement=("pdf",),
    dpis=(200,),
    seed=2019,
)
"""The speed corpus at 200 dpi: 6 sign-in pages, a 2-page ledger, a 3-page agreement."""


def check_folder(folder: Path, workers: int) -> tuple[dict[str, list[DocumentResult]], float]:
    """Every file of ``folder`` through run_batch: results by file name, and wall seconds."""
    started = time.perf_counter()
    by_file: dict[str, list[DocumentResult]] = defaultdict(list)
    for package in run_batch(discover([folder]), workers=workers, timeout=600, progress=False):
        for document in package.documents:
            by_file[Path(document.path.split("#", 1)[0]).name].append(document)
    return by_file, time.perf_counter() - started


def accuracy(root: Path, cases: Sequence[Case], workers: int) -> dict[int, Score]:
    scores: dict[int, Score] = {}
    for dpi in sorted({c.dpi for c in cases}):
        results, _ = check_folder(root / "scans" / str(dpi), workers)
        score = scores.setdefault(dpi, Score())
        for case in cases:
            if case.dpi == dpi:
                score_case(case, results.get(Path(case.file).name, []), score)
    return scores


def ocr_share(page: Path) -> dict[str, float]:
    """Seconds of one in-process check of ``page`` and the share spent inside rapidocr."""
    check_document(page, page.name)  # warm-up: models load once per process
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    check_document(page, page.name)
    profile.disable()
    total = time.perf_counter() - started
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    inside = 0.0
    for func, (_cc, _nc, _tt, cumulative, callers) in stats.items():
        if "rapidocr" in func[0] and not any("rapidocr" in c[0] for c in callers):
            inside += cumulative
    return {"seconds": total, "ocr_seconds": inside, "ocr_share": inside / total if total else 0}


def speed(root: Path, workers: Sequence[int]) -> dict[str, Any]:
    cases = build_corpus(root, TIMING)
    folder = root / "scans" / "200"
    pages = sum(len(c.pages) for c in cases)
    out: dict[str, Any] = {"dpi": 200, "pages": pages, "runs": []}
    for count in workers:
        results, seconds = check_folder(folder, count)
        busy = sum(r.seconds for documents in results.values() for r in documents)
        out["runs"].append(
            {
                "workers": count,
                "seconds": seconds,
                "seconds_per_page": seconds / pages,
                "seconds_per_page_per_core": busy / pages,
                "wall_seconds_x_workers_per_page": seconds * count / pages,
            }
        )
    first = next(c for c in cases if c.format == "jpg")
    out["profile"] = ocr_share(first.path(root))
    return out


def _pct(value: float) -> str:
    return f"{100 * value:6.2f} %"


def report(scores: dict[int, Score], timing: dict[str, Any] | None) -> tuple[str, bool]:
    lines: list[str] = []
    met = True
    for dpi, score in scores.items():
        lines.append(f"— {dpi} dpi —")
        for kind, tally in score.fields.items():
            target = EXACT.get(dpi) if kind in ("name", "id_number") else None
            mark = ""
            if target is not None:
                ok = tally.rate >= target
                met &= ok
                mark = f"  target ≥ {100 * target:.0f} %  {'ok' if ok else 'MISSED'}"
            lines.append(f"  {kind:10s} {_pct(tally.rate)}  ({tally.correct}/{tally.total}){mark}")
        lines.append(
            f"  classified {_pct(score.classified.rate)}   engine ocr {_pct(score.engine.rate)}"
        )
        met &= score.classified.rate == 1.0 and score.engine.rate == 1.0
        ok = score.signatures.rate >= SIGNATURES
        met &= ok
        lines.append(
            f"  signatures {_pct(score.signatures.rate)} right ({score.signatures.correct}/"
            f"{score.signatures.total}), precision {_pct(score.precision)}, recall "
            f"{_pct(score.recall)}  target ≥ 99 %  {'ok' if ok else 'MISSED'}"
        )
        if score.mistakes:
            lines.append(f"  mistakes ({len(score.mistakes)}):")
            lines += [f"    {m}" for m in score.mistakes[:40]]
            if len(score.mistakes) > 40:
                lines.append(f"    … {len(score.mistakes) - 40} more (see --json)")
    if timing:
        lines.append(f"— speed, {timing['pages']} pages at {timing['dpi']} dpi —")
        for run in timing["runs"]:
            ok = run["seconds_per_page_per_core"] <= SECONDS_PER_PAGE_PER_CORE
            met &= ok
            lines.append(
                f"  {run['workers']} worker(s): {run['seconds']:.1f} s, "
                f"{run['seconds_per_page']:.2f} s/page; a worker (one core) spent "
                f"{run['seconds_per_page_per_core']:.2f} s/page  target ≤ 2 s  "
                f"{'ok' if ok else 'MISSED'}; wall × workers "
                f"{run['wall_seconds_x_workers_per_page']:.2f} s/page (idle tail included)"
            )
        profile = timing["profile"]
        lines.append(
            f"  one page in-process: {profile['seconds']:.2f} s, rapidocr "
            f"{profile['ocr_seconds']:.2f} s ({_pct(profile['ocr_share']).strip()})"
        )
    return "\n".join(lines), met


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, help="corpus folder (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="use the corpus already in --out")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--workers", default="1,2", help="worker counts to time (1,2)")
    parser.add_argument("--accuracy-workers", type=int, default=2)
    parser.add_argument("--signin", type=int, default=20, help="sign-in sheets (20)")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    spec = replace(LARGE, signin=LARGE.signin[: args.signin])
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as scratch:
        root = args.out or Path(scratch)
        started = time.perf_counter()
        if args.reuse and (root / "accuracy" / "cases.json").exists():
            cases = load_cases(root / "accuracy")
        else:
            cases = build_corpus(root / "accuracy", spec)
        built = time.perf_counter() - started
        pages = sum(len(c.pages) for c in cases)
        print(f"corpus: {len(cases)} files, {pages} pages, built in {built:.0f} s", flush=True)
        scores = accuracy(root / "accuracy", cases, args.accuracy_workers)
        workers = [int(w) for w in args.workers.split(",") if w]
        timing = None if args.no_speed else speed(root / "speed", workers)
        text, met = report(scores, timing)
        print(text)
        if args.json:
            figures = {
                "corpus": {"files": len(cases), "pages": pages, "build_seconds": built},
                "accuracy": {str(d): s.summary() for d, s in scores.items()},
                "speed": timing,
                "targets_met": met,
            }
            args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), "utf-8")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
