"""Issue 11: no report format shows more of an ID number than its masked value does.

An ID number whose birth date does not exist used to be quoted in its message
(``出生日期19901301不存在``) beside the masked value ``4407**********1236``: 16 of 18
characters. Checked on a real document, in every report format.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from annexkit.cli import cli
from annexkit.contract.formats import id_check_char
from tests.conftest import ROOT

CLEAN = ROOT / "samples" / "packages" / "clean"
BODY = "440705" + "19901301" + "123"
BAD_ID = BODY + id_check_char(BODY)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("leak") / "班"
    shutil.copytree(CLEAN, folder)
    ledger_path = next(folder.glob("附件7*.docx"))
    document = docx.Document(str(ledger_path))
    cells = [c for t in document.tables for row in t.rows for c in row.cells]
    first_id = next(c for c in cells if len(c.text.strip()) == 18 and c.text[:2] == "44")
    first_id.paragraphs[0].runs[0].text = BAD_ID
    for run in first_id.paragraphs[0].runs[1:]:
        run.text = ""
    document.save(str(ledger_path))
    return folder


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "html"])
def test_no_format_quotes_the_birth_date_digits(package: Path, fmt: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(package), "--format", fmt, "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "invalid-id-number" in result.output
    assert "19901301" not in result.output
