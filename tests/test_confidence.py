"""Values read by OCR with a low score are marked, and ``low-confidence`` says which findings
rest on them; an invalid ID number read with a low score says it may be a misreading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annexkit.checker.document import check_layout
from annexkit.checker.layout import Cell, LayoutDocument
from annexkit.checker.readers.docx import read_docx
from annexkit.checker.report import build_report
from annexkit.checker.result import PackageResult
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document


def _ledger(tmp_path: Path, by_annex: Callable[[str], Document]) -> tuple[LayoutDocument, Cell]:
    """The sample ledger as read from DOCX, and the cell of the first row's ID number."""
    document = by_annex("ledger")
    (path,) = write_documents([document], tmp_path)
    layout = read_docx(path, path.name)
    first_id = document.record["rows"][0]["id_number"]
    cell = next(c for t in layout.tables for c in t.cells if c.text.strip() == first_id)
    return layout, cell


def _misread(cell: Cell) -> None:
    """The last digit of the ID number read wrong, as OCR does on a smudge."""
    last = cell.text.strip()[-1]
    cell.text = cell.text.strip()[:-1] + ("1" if last != "1" else "2")


def test_low_score_value_is_marked_with_its_findings(
    tmp_path: Path, by_annex: Callable[[str], Document]
) -> None:
    layout, cell = _ledger(tmp_path, by_annex)
    _misread(cell)
    cell.confidence = 0.42
    result = check_layout(layout, "ledger.png")
    assert result.uncertain == {"/rows/0/id_number": 0.42}
    low = [f for f in result.findings if f.code == "low-confidence"]
    assert [f.path for f in low] == ["/rows/0/id_number"]
    assert "0.42" in low[0].message and "invalid-id-number" in low[0].message
    assert low[0].location.get("row") == cell.row + 1
    (invalid,) = [f for f in result.findings if f.code == "invalid-id-number"]
    assert "可信度低" in invalid.message and "probably a misreading" in invalid.message
    report = build_report([PackageResult("p", documents=[result])])
    extraction = report["packages"][0]["documents"][0]["extraction"]
    assert extraction["low_confidence"] == {"/rows/0/id_number": 0.42}


def test_confident_or_typed_values_are_not_marked(
    tmp_path: Path, by_annex: Callable[[str], Document]
) -> None:
    layout, cell = _ledger(tmp_path, by_annex)
    _misread(cell)
    for confidence in (None, 0.97):  # typed text (DOCX), or OCR sure of what it read
        cell.confidence = confidence
        result = check_layout(layout, "ledger.docx")
        assert result.uncertain == {}
        assert not [f for f in result.findings if f.code == "low-confidence"]
        (invalid,) = [f for f in result.findings if f.code == "invalid-id-number"]
        # read by OCR, even with confidence: a hint to look at the paper; typed: nothing
        assert ("文字识别读出（可信度0.97）" in invalid.message) == (confidence is not None)
        assert "probably a misreading" not in invalid.message
        report = build_report([PackageResult("p", documents=[result])])
        assert "low_confidence" not in report["packages"][0]["documents"][0]["extraction"]


def test_signature_states_are_never_marked(
    tmp_path: Path, by_annex: Callable[[str], Document]
) -> None:
    """A signature's state comes from the ink in its cell, not from the text read there."""
    document = by_annex("signin")
    (path,) = write_documents([document], tmp_path)
    layout = read_docx(path, path.name)
    header = next(c for t in layout.tables for c in t.cells if c.text.strip() == "签到")
    table = next(t for t in layout.tables if header in t.cells)
    below = next(c for c in table.cells if c.column == header.column and c.row == header.row + 1)
    below.text, below.confidence = "〆", 0.3
    result = check_layout(layout, "signin.png")
    assert not [f for f in result.findings if f.code == "low-confidence"], result.findings
