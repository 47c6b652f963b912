"""PDF reading cost per page: the checker's PDF reader against ``pdftotext`` and PyPDFium2's
plain text, on generated forms (a 300-row ledger, the filing, a sign-in sheet).

    .venv/bin/python -m benchmarks.bench_readers [--repeat N] [--pdfplumber] [--json FILE]

Target (issue 3): reading a digital PDF page costs at most 15× what ``pdftotext`` takes on
it. ``pdftotext`` runs as a subprocess, as a user would run it, start-up included.
``--pdfplumber`` adds pdfplumber's ``extract_tables()`` for comparison (slow).
Machines here are noisy: compare the ratios, which come from one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium  # type: ignore[import-untyped]

from annexkit.checker.readers.pdf import read_pdf
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document, derive_ledger, plan_package
from tests.synthetic import make_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"
TARGET = 15.0


def timed(action: Callable[[], object], repeat: int) -> float:
    """The median of ``repeat`` runs, in seconds (after one warm-up run)."""
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ledger_of(filing: dict[str, Any], rows: int) -> Document:
    roster = make_roster(random.Random(rows), rows, dt.date(2025, 11, 3))
    record = derive_ledger({**filing, "roster": roster}, {}, {"class_name": "第1期"})
    return Document("ledger", f"ledger-{rows}", record, "benchmark")


def pdftotext(path: Path) -> None:
    subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, check=True)


def pdfium_text(path: Path) -> None:
    pdf = pdfium.PdfDocument(str(path))
    try:
        for page in pdf:
            page.get_textpage().get_text_range()
    finally:
        pdf.close()


def plumber_tables(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.dedupe_chars().extract_tables()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pdfplumber", action="store_true", help="also time pdfplumber")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    package = plan_package(SAMPLE)
    filing = package[0]
    signin = next(d for d in package if d.annex == "signin")
    documents = {"ledger300": ledger_of(filing.record, 300), "filing": filing, "signin": signin}
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        write_documents(list(documents.values()), out, pdf=True)
        for name, document in documents.items():
            path = out / f"{document.stem}.pdf"
            pages = len(pdfium.PdfDocument(str(path)))
            row = {
                "pages": float(pages),
                "reader_ms": timed(partial(read_pdf, path), args.repeat) * 1000 / pages,
                "pdftotext_ms": timed(partial(pdftotext, path), args.repeat) * 1000 / pages,
                "pdfium_text_ms": timed(partial(pdfium_text, path), args.repeat) * 1000 / pages,
            }
            if args.pdfplumber:
                row["pdfplumber_ms"] = timed(partial(plumber_tables, path), 1) * 1000 / pages
            row["reader_vs_pdftotext"] = row["reader_ms"] / row["pdftotext_ms"]
            row["pdfium_text_vs_pdftotext"] = row["pdfium_text_ms"] / row["pdftotext_ms"]
            if args.pdfplumber:
                row["pdfplumber_vs_pdftotext"] = row["pdfplumber_ms"] / row["pdftotext_ms"]
            figures[name] = row

    columns = ["pages", "reader_ms", "pdftotext_ms", "pdfium_text_ms"]
    columns += ["pdfplumber_ms"] if args.pdfplumber else []
    columns += ["reader_vs_pdftotext", "pdfium_text_vs_pdftotext"]
    columns += ["pdfplumber_vs_pdftotext"] if args.pdfplumber else []
    print("per page; ratios against pdftotext on the same file")
    print(f"{'document':10} " + " ".join(f"{c:>24}" for c in columns) + "  target")
    for name, row in figures.items():
        ratio = row["reader_vs_pdftotext"]
        verdict = f"≤ {TARGET:.0f}× " + ("ok" if ratio <= TARGET else "MISSED")
        print(f"{name:10} " + " ".join(f"{row[c]:24.2f}" for c in columns) + f"  {verdict}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")


if __name__ == "__main__":
    main()
