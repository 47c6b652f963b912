"""Reading the generator's input: annex records as JSON or YAML, rosters as CSV or XLSX.

A roster is an institution's own spreadsheet: its values are read by meaning
(:mod:`annexkit.contract.values`) — ``4407 0319 …x``, ``男性``, ``技校``, ``+86 139…`` become
the contract's canonical form — and what cannot be read with certainty is kept as written,
for validation to report."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from annexkit.contract.formats import looks_damaged_by_spreadsheet
from annexkit.contract.schema import Problem, child, load_schema, resolve
from annexkit.contract.values import canonical_record


class DataFileError(Exception):
    """An input file cannot be read; the message names the file and the reason."""

    def __init__(self, path: Path, zh: str, en: str) -> None:
        super().__init__(f"{path}: {zh} / {en}")
        self.path, self.zh, self.en = path, zh, en


class InvalidDataError(Exception):
    """Records that break their schemas: every problem, grouped by document."""

    def __init__(self, problems: list[tuple[str, str, Problem]]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems  # (source description, annex, problem)


class _DatesAsText(yaml.SafeLoader):
    """YAML without its timestamp type: 2025-10-20 stays the text the contract uses."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_mapping(path: Path) -> dict[str, Any]:
    """A JSON or YAML file whose top level is a mapping."""
    try:
        raw = path.read_text("utf-8")
    except FileNotFoundError:
        raise DataFileError(path, "文件不存在", "file not found") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "文件不是UTF-8编码的文本", "file is not UTF-8 text") from None
    except OSError as exc:
        raise DataFileError(
            path, f"无法读取：{exc.strerror}", f"cannot read: {exc.strerror}"
        ) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw)
        else:
            data = yaml.load(raw, Loader=_DatesAsText)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            path,
            f"JSON语法错误，第{exc.lineno}行第{exc.colno}列：{exc.msg}",
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        where_en = f" at line {mark.line + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise DataFileError(
            path, f"YAML语法错误{where}：{reason}", f"invalid YAML{where_en}: {reason}"
        ) from None
    if not isinstance(data, dict):
        raise DataFileError(
            path, "顶层应为键值对（对象）", "the top level must be a mapping (an object)"
        )
    return data


# -------------------------------------------------------------------------------- rosters


def label_key(text: str) -> str:
    """Labels compared as printed forms vary them: NFKC, no spaces, no colon, (…) = （…）."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s:：*＊]", "", text)


def column_labels(annex: str, path: tuple[str | int, ...]) -> dict[str, str]:
    """Label (and alias) → property name for the row objects of an array field."""
    node: Any = load_schema(annex)
    for key in path:
        node = child(node, key)
    items = resolve(resolve(node)["items"])
    labels: dict[str, str] = {}
    for name, prop in items["properties"].items():
        prop = resolve(prop)
        for label in (name, prop.get("title", ""), *prop.get("x-aliases", ())):
            if label:
                labels.setdefault(label_key(label), name)
    return labels


def read_roster(path: Path) -> list[dict[str, Any]]:
    """The filing roster from a CSV or XLSX file whose first row holds the column labels
    (培训人员名册: 姓名, 身份证号码, 性别, 文化程度, 联系电话, 岗位 or their aliases)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataFileError(path, "名册文件不存在", "roster file not found")
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise DataFileError(
            path, "名册应为 .csv 或 .xlsx 文件", "a roster must be a .csv or .xlsx file"
        )
    return _records(path, rows)


def _csv_rows(path: Path) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(newline="", encoding=encoding) as handle:
                return [row for row in csv.reader(handle)]
        except UnicodeDecodeError:
            continue
    raise DataFileError(path, "无法识别文件编码（应为UTF-8或GBK）", "not UTF-8 or GBK text")


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # imported here: only rosters in XLSX need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DataFileError(
            path, f"无法打开Excel文件：{exc}", f"cannot open the Excel file: {exc}"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _records(path: Path, rows: Iterable[list[str]]) -> list[dict[str, Any]]:
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DataFileError(path, "名册为空", "the roster is empty")
    labels = column_labels("filing", ("roster",))
    row_node = child(child(load_schema("filing"), "roster"), 0)
    header = [labels.get(label_key(c)) for c in rows[0]]
    for required in ("name", "id_number"):
        if required not in header:
            title = resolve(child(child(load_schema("filing"), "roster"), 0) or {})
            label = resolve(title["properties"][required])["title"]
            raise DataFileError(
                path, f"名册第1行缺少“{label}”列", f"the roster's first row has no '{label}' column"
            )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        record: dict[str, Any] = {}
        for name, value in zip(header, row, strict=False):
            if name and value.strip():
                record[name] = value.strip()
        raw_id = record.get("id_number", "")
        if raw_id and looks_damaged_by_spreadsheet(raw_id):
            raise DataFileError(
                path,
                f"第{number}行的身份证号码被保存为数字，末位已丢失；请将该列设为文本格式后重新填写",
                f"row {number}: the ID number was stored as a number and lost digits; "
                "format the column as text and enter it again",
            )
        records.append(canonical_record(record, row_node))
    return records
