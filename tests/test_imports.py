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


BLOCK_OCR = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("cv2", "rapidocr", "onnxruntime"):
            raise ImportError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Block())
from pathlib import Path
from annexkit.checker.document import check_document
[result] = check_document(Path(sys.argv[1]), "scan.png")
[finding] = result.findings
print(finding.code)
print(finding.message)
"""


def test_a_scan_without_the_ocr_extra_gets_a_finding_naming_it(tmp_path: Path) -> None:
    from PIL import Image

    scan = tmp_path / "scan.png"
    Image.new("L", (800, 1100), 255).save(scan)
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_OCR, str(scan)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    code, message = done.stdout.splitlines()[:2]
    assert code == "unreadable-document"
    assert "pip install 'annexkit[ocr]'" in message and "cv2" in message
