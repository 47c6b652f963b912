"""Every input value appears on the generated form, in its cell, as a person would read it."""

from __future__ import annotations

import copy
from collections import defaultdict
from pathlib import Path

import pytest
from docx import Document as open_docx

from annexkit import ANNEXES
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document
from annexkit.generator.render import render_docx
from tests.formview import Field, fields, full_text, label_values, norm, table_rows


def assert_shown(path: Path, document: Document) -> int:
    """Check every value of ``document.record`` in the DOCX at ``path``; returns how many."""
    docx = open_docx(str(path))
    text = full_text(docx)
    rows: dict[tuple[str | int, ...], list[Field]] = defaultdict(list)
    checked = 0
    for field in fields(document.annex, document.record):
        if field.row_of is not None:
            rows[field.row_of].append(field)
        elif document.annex == "filing":
            cells = label_values(docx, field.label)
            assert any(field.shown in c for c in cells), (field, cells)
        else:
            assert field.shown in text, field
        checked += 1
    for array, array_fields in rows.items():
        labels = {f.label for f in array_fields}
        table = table_rows(docx, labels)
        by_item: dict[int | str, dict[str, str]] = defaultdict(dict)
        for f in array_fields:
            by_item[f.path[len(array)]][norm(f.label)] = f.shown
        for item, expected in by_item.items():
            assert any(
                all(shown in row.get(label, "") for label, shown in expected.items())
                for row in table
            ), (array, item, expected)
    return checked


@pytest.mark.parametrize("annex", ANNEXES)
def test_every_value_in_its_cell(
    annex: str, sample_docx: Path, sample_documents: list[Document]
) -> None:
    documents = [d for d in sample_documents if d.annex == annex][:3]
    for document in documents:
        checked = assert_shown(sample_docx / f"{document.stem}.docx", document)
        assert checked > 10


def test_filled_sign_in_sheet_and_results(tmp_path: Path, sample_documents: list[Document]) -> None:
    """Values written by hand on paper, when given as data, are printed too."""
    sheet = copy.deepcopy(next(d for d in sample_documents if d.annex == "signin"))
    sheet.record["actual_count"] = 19
    sheet.record["confirmations"] = {"teacher_signed": True, "head_teacher_signed": True}
    for row in sheet.record["rows"]:
        row["signed_in"] = row["signed_out"] = row["seq"] != 3
    ledger = copy.deepcopy(next(d for d in sample_documents if d.annex == "ledger"))
    for index, row in enumerate(ledger.record["rows"]):
        row.update(score=60 + index, skill_level="中级工", certificate_no=f"Y44070025{index:012d}")
    write_documents([sheet, ledger], tmp_path)
    for document in (sheet, ledger):
        assert_shown(tmp_path / f"{document.stem}.docx", document)


def test_values_are_xml_escaped(tmp_path: Path, sample_documents: list[Document]) -> None:
    filing = copy.deepcopy(sample_documents[0].record)
    filing["enterprise"]["name"] = 'A&B<C> "D\'s" 公司'
    filing["training"]["materials"] = "]]> <w:t>not markup</w:t>"
    out = render_docx("filing", filing, tmp_path / "f.docx")
    docx = open_docx(str(out))
    assert label_values(docx, "企业名称") == [norm('A&B<C> "D\'s" 公司')]
    assert norm("]]> <w:t>not markup</w:t>") in full_text(docx)


def test_multiline_text_keeps_its_lines(tmp_path: Path, sample_documents: list[Document]) -> None:
    out = render_docx("filing", sample_documents[0].record, tmp_path / "f.docx")
    docx = open_docx(str(out))
    cell = next(c for c in label_values(docx, "培训内容大纲"))
    assert "1.安全用电" in cell and "5.照明" in cell
    raw = "\n".join(
        p.text for t in docx.tables for r in t.rows for c in r.cells for p in c.paragraphs
    )
    assert "1. 安全用电与电工安全操作规程；\n2. 电工识图" in raw
