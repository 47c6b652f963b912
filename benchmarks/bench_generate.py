"""Generation throughput: DOCX and DOCX+PDF for the filing form, ledgers of 300 and 2,000
rows, and a 20-document package, with the ratios the targets are stated in.

    .venv/bin/python -m benchmarks.bench_generate [--json FILE]

Targets (issue 2): a 300-row ledger DOCX under 1 s; a 20-document package to PDF under 3×
one document to PDF; PDF cost linear in rows; a 2,000-row ledger to PDF under 30 s.
Machines here are noisy: compare the ratios, which come from one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annexkit.generator.output import write_documents
from annexkit.generator.package import Document, derive_ledger, plan_package
from tests.synthetic import make_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"


def timed(action: Callable[[], object], repeat: int) -> float:
    """The median of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ledger_of(filing: dict[str, Any], rows: int) -> Document:
    roster = make_roster(random.Random(rows), rows, dt.date(2025, 11, 3))
    record = derive_ledger({**filing, "roster": roster}, {}, {"class_name": "第1期"})
    for row in record["rows"]:
        row["score"] = random.Random(row["id_number"]).randint(55, 98)
    return Document("ledger", f"ledger-{rows}", record, "benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    package = plan_package(SAMPLE)
    filing = package[0]
    ledgers = {n: ledger_of(filing.record, n) for n in (300, 1000, 2000)}
    twenty = package[:20]
    figures: dict[str, float] = {}

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)

        def write(docs: list[Document], pdf: bool) -> Callable[[], object]:
            return lambda: write_documents(docs, out, pdf=pdf, force=True)

        figures["filing_docx_s"] = timed(write([filing], False), 5)
        for n, ledger in ledgers.items():
            figures[f"ledger{n}_docx_s"] = timed(write([ledger], False), 3)
        figures["package20_docx_s"] = timed(write(twenty, False), 3)
        figures["filing_pdf_s"] = timed(write([filing], True), 2)
        for n, ledger in ledgers.items():
            figures[f"ledger{n}_pdf_s"] = timed(write([ledger], True), 1)
        figures["package20_pdf_s"] = timed(write(twenty, True), 2)

    figures["package20_vs_one_pdf"] = figures["package20_pdf_s"] / figures["filing_pdf_s"]
    # The marginal cost of a row, where start-up cancels out: linear means low ≈ high.
    low = (figures["ledger1000_pdf_s"] - figures["ledger300_pdf_s"]) / 700
    high = (figures["ledger2000_pdf_s"] - figures["ledger1000_pdf_s"]) / 1000
    figures["pdf_ms_per_row_300_to_1000"] = low * 1000
    figures["pdf_ms_per_row_1000_to_2000"] = high * 1000
    figures["pdf_per_row_ratio_high_vs_low"] = high / low

    targets = {
        "ledger300_docx_s": ("< 1 s", figures["ledger300_docx_s"] < 1),
        "package20_vs_one_pdf": ("< 3×", figures["package20_vs_one_pdf"] < 3),
        "ledger2000_pdf_s": ("< 30 s", figures["ledger2000_pdf_s"] < 30),
        "pdf_per_row_ratio_high_vs_low": (
            "≈ 1 (linear)",
            figures["pdf_per_row_ratio_high_vs_low"] < 1.5,
        ),
    }
    print(f"{'measure':34} {'value':>10}  target")
    for name, value in figures.items():
        target, met = targets.get(name, ("", True))
        verdict = "" if not target else ("ok" if met else "MISSED")
        print(f"{name:34} {value:10.3f}  {target} {verdict}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")


if __name__ == "__main__":
    main()
