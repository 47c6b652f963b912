"""What each command loads: heavy libraries only where they are used (issue: weight).

Times are measured in benchmarks/bench_cli.py; here, which modules a run imports, seen
through ``PYTHONPROFILEIMPORTTIME`` in the command and every process it starts (the fork
server and the workers inherit the environment).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

ANNEX = [sys.executable, "-c", "from annexkit.cli import main; main()"]
HEAVY = ("numpy", "sqlalchemy", "cv2", "onnxruntime", "rapidocr", "psycopg")


def imported(*args: str, cwd: Path = ROOT) -> set[str]:
    """Top-level names of every module imported by ``annex ARGS`` and its child processes."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(
        [*ANNEX, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", done.stderr, re.M)
    assert names, done.stderr[-2000:]
    return {name.split(".")[0] for name in names}


def test_help_loads_no_command_libraries() -> None:
    loaded = imported("--help")
    assert not loaded & {"docxtpl", "docx", "jsonschema", "pdfplumber", "openpyxl", *HEAVY}


def test_checking_one_docx_loads_neither_numpy_nor_sqlalchemy(tmp_path: Path) -> None:
    ledger = next((ROOT / "samples" / "packages" / "clean").glob("附件7*.docx"))
    loaded = imported("check", str(ledger), "--workers", "1")
    assert "docx" in loaded  # the reader did run, in a worker
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
