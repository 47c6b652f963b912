"""An Excel workbook of a report, for reviewers who sort and filter in a spreadsheet.

Two sheets: the packages (one row each: institution, class, counts, verdict) and the
findings (one row each, every column filterable). Like every format it is a function of the
report dict, so it shows exactly what was masked there; nothing is re-read from documents.

Every cell is written as text or a number, never as a formula: a value read from a
document that starts with ``=`` (or a sheet name like ``=cmd|…``) must not run in the
reviewer's Excel.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from annexkit.checker.report import (
    PACKAGE_LEVEL,
    SEVERITY_ZH,
    Report,
    _printable,
    annex_title,
    display_width,
    field_label,
    location_text,
    value_text,
)

PACKAGES_SHEET = "材料包 Packages"
FINDINGS_SHEET = "问题 Findings"

PACKAGE_HEADERS = (
    "材料包 Package",
    "培训机构 Institution",
    "班别 Class",
    "文件数 Documents",
    "错误 Errors",
    "警告 Warnings",
    "结论 Verdict",
)
FINDING_HEADERS = (
    "材料包 Package",
    "文件 Document",
    "附件 Annex",
    "代码 Code",
    "级别 Severity",
    "位置 Location",
    "字段 Field",
    "说明 Message",
    "值 Value",
)

PASSED = "通过 passed"
FAILED = "未通过 failed"

_MAX_WIDTH = 60
"""Columns wider than this wrap instead (messages run to a few hundred characters)."""
_MAX_CELL = 32_767
"""Excel's limit of characters in a cell; a longer value would make the file unopenable."""
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_SEVERITY_FONTS = {"error": Font(color="B00020"), "warning": Font(color="9A6700")}


# ------------------------------------------------------------------------ package facts


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _data(package: Mapping[str, Any], annex: str) -> list[Mapping[str, Any]]:
    return [
        d["data"]
        for d in package["documents"]
        if d["annex"] == annex and isinstance(d["data"], Mapping)
    ]


def _get(record: Mapping[str, Any], *keys: str) -> Any:
    node: Any = record
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _ledger_classes(package: Mapping[str, Any]) -> list[str]:
    """The ledger rows' ``institution_class`` (培训机构名称及班别), each once."""
    seen: dict[str, None] = {}
    for ledger in _data(package, "ledger"):
        rows = ledger.get("rows")
        for row in rows if isinstance(rows, list) else []:
            text = _text(_get(row, "institution_class"))
            if text:
                seen.setdefault(text, None)
    return list(seen)


def institution(package: Mapping[str, Any]) -> str:
    """The training institution as the filing (附件5), the agreement's party B (附件6), a
    sign-in sheet or the ledger names it; the first found."""
    candidates = [
        *(_get(d, "institution", "name") for d in _data(package, "filing")),
        *(_get(d, "party_b", "name") for d in _data(package, "agreement")),
        *(_get(d, "institution") for d in _data(package, "signin")),
    ]
    found = next((t for t in map(_text, candidates) if t), None)
    if found:
        return found
    # The ledger has one column for both (培训机构名称及班别): shown whole, as written.
    classes = _ledger_classes(package)
    return classes[0] if classes else ""


def class_name(package: Mapping[str, Any], institution_name: str) -> str:
    """The class (班别): the ledger's 培训机构名称及班别 without the institution's name, or a
    sign-in sheet's 班别; several different ones are joined."""
    names: dict[str, None] = {}
    for text in _ledger_classes(package):
        rest = text.removeprefix(institution_name).strip(" ，,、/") if institution_name else text
        if rest and rest != institution_name:
            names.setdefault(rest, None)
    for record in _data(package, "signin"):
        given = _text(record.get("class_name"))
        if given:
            names.setdefault(given, None)
    return "、".join(names)


# ---------------------------------------------------------------------------- writing


def _put(sheet: Worksheet, row: int, values: Sequence[str | int]) -> list[Cell | MergedCell]:
    cells: list[Cell | MergedCell] = []
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            text = _printable(value)
            if len(text) > _MAX_CELL:
                text = text[: _MAX_CELL - 1] + "…"
            cell.value = text
            # openpyxl takes a string starting with "=" for a formula; this one is data.
            cell.data_type = "s"
        else:
            cell.value = value
        cells.append(cell)
    return cells


def _header(sheet: Worksheet, headers: Sequence[str]) -> None:
    for cell in _put(sheet, 1, headers):
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    # the header stays in view however far a reviewer scrolls
    sheet.freeze_panes = "A2"


def _fit_columns(sheet: Worksheet, rows: Iterable[Sequence[str | int]]) -> None:
    widths: dict[int, int] = {}
    for values in rows:
        for column, value in enumerate(values, start=1):
            longest = max((display_width(line) for line in str(value).split("\n")), default=0)
            widths[column] = max(widths.get(column, 0), longest)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(width, _MAX_WIDTH) + 2
        if width > _MAX_WIDTH:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = wrap


def _package_rows(report: Report) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    for package in report["packages"]:
        errors = sum(f["severity"] == "error" for f in package["findings"])
        warnings = sum(f["severity"] == "warning" for f in package["findings"])
        name = institution(package)
        rows.append(
            [
                package["path"],
                name,
                class_name(package, name),
                len(package["documents"]),
                errors,
                warnings,
                FAILED if errors else PASSED,
            ]
        )
    return rows


def _annex(annex: str | None) -> str:
    return f"{annex_title(annex)} {annex}" if annex else ""


def _finding_rows(report: Report) -> list[tuple[str, list[str | int]]]:
    """(severity, row) per finding, in report order."""
    rows: list[tuple[str, list[str | int]]] = []
    for package in report["packages"]:
        for finding in package["findings"]:
            severity = finding["severity"]
            rows.append(
                (
                    severity,
                    [
                        package["path"],
                        finding["document"] or PACKAGE_LEVEL,
                        _annex(finding["annex"]),
                        finding["code"],
                        f"{SEVERITY_ZH.get(severity, severity)} {severity}",
                        location_text(finding["location"]),
                        field_label(finding["annex"], finding["path"]),
                        finding["message"],
                        value_text(finding["value"]),
                    ],
                )
            )
    return rows


def render_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook (bytes): a sheet of packages and a sheet of findings
    with an autofilter on every column; frozen header rows, fitted column widths."""
    book = Workbook()
    packages = book.active
    assert packages is not None  # a new workbook always has its first sheet
    packages.title = PACKAGES_SHEET
    _header(packages, PACKAGE_HEADERS)
    package_rows = _package_rows(report)
    for number, values in enumerate(package_rows, start=2):
        cells = _put(packages, number, values)
        if values[-1] == FAILED:
            cells[-1].font = _SEVERITY_FONTS["error"]
    _fit_columns(packages, [PACKAGE_HEADERS, *package_rows])

    findings = book.create_sheet(FINDINGS_SHEET)
    _header(findings, FINDING_HEADERS)
    finding_rows = _finding_rows(report)
    for number, (severity, values) in enumerate(finding_rows, start=2):
        cells = _put(findings, number, values)
        if severity in _SEVERITY_FONTS:
            cells[4].font = _SEVERITY_FONTS[severity]
    last = get_column_letter(len(FINDING_HEADERS))
    findings.auto_filter.ref = f"A1:{last}{len(finding_rows) + 1}"
    _fit_columns(findings, [FINDING_HEADERS, *(values for _, values in finding_rows)])

    book.properties.creator = f"{report['tool']['name']} {report['tool']['version']}"
    book.properties.title = "检查报告 Check report"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
