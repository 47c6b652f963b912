"""Word comments in a copy of a DOCX (``annex check --annotate``).

A finding's location ``{table, row, column}`` is the DOCX reader's numbering, not python-docx's
``document.tables``: the reader counts tables nested in cells too (each right after the table
holding it), joins a table continued in the next one (a long ledger written one table per
page) and numbers rows and columns on the table grid (``gridBefore``, ``gridSpan``; a merged
cell at its top-left). The cells are therefore found by reading the body again with the
reader's own code and remembering which ``w:tc`` each cell came from. A finding without a
cell is anchored on the first paragraph naming its field, else on the first paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from annexkit.checker.annotate import AUTHOR, Mark
from annexkit.checker.layout import Table
from annexkit.checker.readers.docx import (
    _P,
    _TBL,
    _TC,
    _TR,
    _continues,
    _flatten,
    _int_attr,
    body_blocks,
)
from annexkit.checker.readers.stitch import stitch

Element = Any
"""An lxml element of the document body (python-docx ships no type hints)."""

INITIALS = "AK"

CellKey = tuple[int, int, int]
"""(table, row, column), 1-based, as a finding's location gives them."""


def annotate_docx(source: Path, target: Path, marks: Sequence[Mark]) -> None:
    """Write to ``target`` a copy of ``source`` with a comment per mark. ``source`` is only
    read; ``target`` is written over (the caller has claimed the name)."""
    document = docx.Document(str(source))
    body = document.element.body
    cells = cell_elements(body)
    for mark in marks:
        runs = None
        if mark.table is not None and mark.row is not None and mark.column is not None:
            tc = cells.get((mark.table, mark.row, mark.column))
            if tc is not None:
                runs = _cell_runs(tc, document)
        if runs is None:
            runs = _paragraph_runs(body, document, mark.labels)
        document.add_comment(runs, text=mark.text, author=AUTHOR, initials=INITIALS)
    document.save(str(target))


def cell_elements(body: Element) -> dict[CellKey, Element]:
    """Every cell of the body by the DOCX reader's (table, row, column), with its ``w:tc``."""
    # The reader's blocks, built by the reader's code, and beside them the table element of
    # each Table block: a table is followed by its nested tables, depth first.
    elements: list[Element] = []
    builder = body_blocks(body, lambda tbl: elements.extend(_tables_depth_first(tbl)))
    tables = [block for block in builder.blocks if isinstance(block, Table)]
    if len(tables) != len(elements):
        raise ValueError("the document's tables could not be matched to the reader's")
    origin: dict[int, tuple[Element, int, int]] = {}
    for table, tbl in zip(tables, elements, strict=True):
        grid = _grid(tbl)
        for cell in table.cells:
            tc = grid.get((cell.row, cell.column))
            if tc is not None:
                origin[id(cell)] = (tc, cell.row, cell.column)
    # Joining renumbers tables and moves a continuation's rows below its first part: read the
    # numbers after it, as the findings were.
    out: dict[CellKey, Element] = {}
    for block in stitch(list(builder.blocks), _continues):
        if isinstance(block, Table):
            for cell in block.cells:
                found = origin.get(id(cell))
                if found is not None:
                    out[(block.index, cell.row + 1, cell.column + 1)] = found[0]
    return out


def _tables_depth_first(tbl: Element) -> Iterator[Element]:
    """``tbl``, then the tables in its cells in the order the reader visits them."""
    yield tbl
    for tr in _flatten(tbl, {_TR}):
        for tc in _flatten(tr, {_TC}):
            for element in _flatten(tc, {_P, _TBL}):
                if element.tag == _TBL:
                    yield from _tables_depth_first(element)


def _grid(tbl: Element) -> dict[tuple[int, int], Element]:
    """Each ``w:tc`` of the table at its 0-based (row, grid column), as the reader places
    cells: rows skipped by ``gridBefore``, a cell as wide as its ``gridSpan``. A cell merged
    from above is a ``w:tc`` of its own here; the reader's cell keeps its top row's place."""
    out: dict[tuple[int, int], Element] = {}
    for row, tr in enumerate(_flatten(tbl, {_TR})):
        column = _int_attr(tr, "w:trPr", "w:gridBefore", 0)
        for tc in _flatten(tr, {_TC}):
            out[(row, column)] = tc
            column += max(1, _int_attr(tc, "w:tcPr", "w:gridSpan", 1))
    return out


def _cell_runs(tc: Element, document: Any) -> list[Run]:
    """The runs of the cell's own paragraphs (not those of a table nested in it); an empty
    cell (a missing value) gets an empty run to hold the comment."""
    cell = _Cell(tc, document)
    paragraphs = [DocxParagraph(p, cell) for p in tc.iterchildren(qn("w:p"))]
    runs = [run for paragraph in paragraphs for run in paragraph.runs]
    if runs:
        return runs
    paragraph = paragraphs[0] if paragraphs else cell.add_paragraph()
    return [paragraph.add_run("")]


def _paragraph_runs(body: Element, document: Any, labels: Sequence[str]) -> list[Run]:
    """The runs of the first paragraph naming one of ``labels`` (the most specific label
    first), in the body or in a table cell; else of the first paragraph with text."""
    paragraphs = [DocxParagraph(p, document) for p in body.iter(qn("w:p"))]
    texts = [_squeeze(p.text) for p in paragraphs]
    for label in (_squeeze(label) for label in labels):
        for paragraph, text in zip(paragraphs, texts, strict=True):
            if label and label in text and paragraph.runs:
                return list(paragraph.runs)
    for paragraph, text in zip(paragraphs, texts, strict=True):
        if text and paragraph.runs:
            return list(paragraph.runs)
    if paragraphs:
        return [paragraphs[0].add_run("")]
    return [document.add_paragraph().add_run("")]


def _squeeze(text: str) -> str:
    """Labels as compared: NFKC (full-width brackets), no white space (letter-spaced labels)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
