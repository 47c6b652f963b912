"""The PDFs: every value readable from the text layer, CJK fonts embedded, A4 pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pdfplumber
import pytest

from annexkit import ANNEXES
from annexkit.generator.package import Document
from tests.formview import fields, norm

pytestmark = pytest.mark.pdf

A4 = (595, 842)


def pdf_text(path: Path) -> str:
    """The text of every page and of every table cell, whitespace removed: a value that wraps
    inside its cell is whole in the cell's text."""
    parts = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page = page.dedupe_chars()
            parts.append(page.extract_text() or "")
            for table in page.extract_tables():
                parts += [cell or "" for row in table for cell in row]
    return norm("\n".join(parts))


@pytest.mark.parametrize("annex", ANNEXES)
def test_every_value_in_the_pdf_text(
    annex: str, sample_pdf: Path, sample_documents: list[Document]
) -> None:
    for document in [d for d in sample_documents if d.annex == annex][:2]:
        text = pdf_text(sample_pdf / f"{document.stem}.pdf")
        missing = [f for f in fields(annex, document.record) if f.shown not in text]
        assert not missing, missing[:5]


def test_all_documents_converted(sample_pdf: Path, sample_documents: list[Document]) -> None:
    assert sorted(p.stem for p in sample_pdf.glob("*.pdf")) == sorted(
        d.stem for d in sample_documents
    )


def test_cjk_fonts_are_embedded(sample_pdf: Path) -> None:
    for pdf in sample_pdf.glob("附件[5-7]*.pdf"):
        listing = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert listing, pdf
        cjk = [line for line in listing if "CJK" in line]
        assert cjk, listing
        # columns: name type encoding emb sub uni object ID — every font embedded
        assert all(line.split()[-5] == "yes" for line in listing), listing


def test_page_sizes(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf / "附件5_企业职工培训备案表.pdf") as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == A4
    with pdfplumber.open(sample_pdf / "附件7_培训台账.pdf") as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == A4[::-1]  # landscape


def test_long_ledger_repeats_its_header_on_every_page(
    tmp_path: Path, sample_documents: list[Document]
) -> None:
    import datetime as dt
    import random

    from annexkit.generator.output import write_documents
    from annexkit.generator.package import derive_ledger
    from tests.synthetic import make_roster

    filing = sample_documents[0].record
    roster = make_roster(random.Random(5), 40, dt.date(2025, 11, 3))
    record = derive_ledger({**filing, "roster": roster}, {}, {})
    ledger = Document("ledger", "ledger40", record, "test")
    write_documents([ledger], tmp_path, pdf=True)
    with pdfplumber.open(tmp_path / "ledger40.pdf") as pdf:
        assert len(pdf.pages) >= 3
        seen = []
        for page in pdf.pages:
            text = norm(page.extract_text() or "")
            assert "身份证号码" in text and "考核成绩" in text
            seen += [p["id_number"] for p in roster if p["id_number"] in text]
    assert seen == [p["id_number"] for p in roster]  # every row once, in order
