"""Start-up cost of the ``annex`` command: ``annex --help`` and ``annex check`` of one DOCX,
against a bare Python start in the same run (the machine is noisy: read the ratios).

    .venv/bin/python -m benchmarks.bench_cli [--repeat N] [--json FILE]

Target (issue 9): ``annex --help`` under 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANNEX = [sys.executable, "-c", "from annexkit.cli import main; main()"]


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    ledger = next((ROOT / "samples" / "packages" / "clean").glob("附件7*.docx"))
    figures = {
        "python -c pass": median_seconds([sys.executable, "-c", "pass"], args.repeat),
        "annex --help": median_seconds([*ANNEX, "--help"], args.repeat),
        "annex check one DOCX": median_seconds(
            [*ANNEX, "check", str(ledger), "--workers", "1"], max(3, args.repeat // 3)
        ),
    }
    base = figures["python -c pass"]
    for name, seconds in figures.items():
        print(f"{name:24} {seconds * 1000:8.0f} ms   {seconds / base:5.1f}× python start")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")


if __name__ == "__main__":
    main()
