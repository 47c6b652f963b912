"""Reading a generated form back as a person would: label cells, row tables, text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.table import Table

from annexkit.contract.schema import load_schema, resolve
from annexkit.generator.text import cn_date, mark, money


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def grid(table: Table) -> list[list[str]]:
    """Cell texts row by row, a merged cell once."""
    rows = []
    for row in table.rows:
        seen: set[object] = set()  # the elements themselves: ids of lxml proxies are reused
        cells = []
        for cell in row.cells:
            if cell._tc not in seen:
                seen.add(cell._tc)
                cells.append(norm(cell.text))
        rows.append(cells)
    return rows


def all_tables(document: DocxDocument) -> Iterator[Table]:
    def walk(table: Table) -> Iterator[Table]:
        yield table
        for row in table.rows:
            for cell in row.cells:
                for inner in cell.tables:
                    yield from walk(inner)

    for table in document.tables:
        yield from walk(table)


def full_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in all_tables(document):
        parts += ["".join(r) for r in grid(table)]
    return norm("".join(parts))


@dataclass(frozen=True)
class Field:
    """A value of the record as it must appear on the form."""

    path: tuple[str | int, ...]
    label: str
    shown: str
    row_of: tuple[str | int, ...] | None  # the array this value is a row of


def display(raw_node: dict[str, Any], value: Any) -> str:
    node = resolve(raw_node)
    if isinstance(value, bool):
        return mark(value)
    if node.get("format") == "date":
        return cn_date(value)
    if raw_node.get("$ref", "").endswith("/money"):
        return money(value)
    return norm(str(value))


def fields(annex: str, record: Any) -> Iterator[Field]:
    def walk(
        raw: dict[str, Any],
        value: Any,
        path: tuple[str | int, ...],
        row_of: tuple[str | int, ...] | None,
    ) -> Iterator[Field]:
        node = resolve(raw)
        if value is None:
            return
        if isinstance(value, dict):
            for key, sub in node.get("properties", {}).items():
                yield from walk(sub, value.get(key), (*path, key), row_of)
        elif isinstance(value, list):
            items = node.get("items", {})
            for index, item in enumerate(value):
                inner_row = path if isinstance(item, dict) else row_of
                yield from walk(items, item, (*path, index), inner_row)
        else:
            shown = display(raw, value)
            if shown:
                range_label = node.get("x-range", {}).get("label")
                yield Field(path, range_label or node.get("title", ""), shown, row_of)

    yield from walk(load_schema(annex), record, (), None)


def label_values(document: DocxDocument, label: str) -> list[str]:
    """Texts of the cells right of every cell reading ``label`` (a key/value grid)."""
    found = []
    for table in all_tables(document):
        for row in grid(table):
            for index, cell in enumerate(row[:-1]):
                if cell.rstrip("：:") == norm(label):
                    found.append(row[index + 1])
    return found


def table_rows(document: DocxDocument, labels: set[str]) -> list[dict[str, str]]:
    """Rows under every header row that holds all ``labels``, as label → cell text."""
    out = []
    wanted = {norm(label) for label in labels}
    for table in all_tables(document):
        rows = grid(table)
        header: list[str] | None = None
        for row in rows:
            if wanted <= set(row):
                header = row
                continue
            if header is not None and len(row) == len(header):
                out.append(dict(zip(header, row, strict=True)))
    return out
