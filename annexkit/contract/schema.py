"""The annex schemas: loading, walking by JSON path, and validation into problems.

The schemas in ``annexkit/schemas`` are the single description of each annex. Titles are
the Chinese labels printed on the forms, ``x-aliases`` the label variants seen on real forms,
``x-handwritten`` marks values written by hand on the printed form (signatures, results),
which a blank form to be printed leaves out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from annexkit import ANNEXES
from annexkit.contract.formats import FORMAT_CHECKER, FormatViolation
from annexkit.contract.text import AnnexkitError, Text

JSON = Any
DEFS_URI = "urn:annexkit:schema:defs"

FORMAT_CODES = {
    "id_number": "invalid-id-number",
    "credit_code": "invalid-credit-code",
    "phone": "invalid-phone",
    "date": "invalid-date",
}


class UnknownAnnexError(AnnexkitError, KeyError):
    def __init__(self, annex: str) -> None:
        super().__init__(
            Text(
                f"未知的附件类型“{annex}”，可选：{'、'.join(ANNEXES)}",
                f"unknown annex '{annex}', expected one of: {', '.join(ANNEXES)}",
            )
        )
        self.annex = annex

    def __str__(self) -> str:
        return str(self.text)


def _read(name: str) -> JSON:
    return json.loads((files("annexkit.schemas") / f"{name}.schema.json").read_text("utf-8"))


@cache
def load_schema(annex: str) -> JSON:
    """The schema of one annex (``filing``, ``agreement``, ``ledger``, ``signin``) or ``defs``."""
    if annex not in (*ANNEXES, "defs"):
        raise UnknownAnnexError(annex)
    return _read(annex)


@cache
def registry() -> Registry:
    schemas = [load_schema(name) for name in ("defs", *ANNEXES)]
    return Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)


@cache
def _ref_target(ref: str) -> JSON:
    return registry().resolver().lookup(ref).contents


def inlined(node: JSON) -> JSON:
    """A copy of a schema with every ``$ref`` replaced by its target: the same validation,
    without a registry lookup per value (checking thousands of documents spends its time
    there otherwise)."""
    if isinstance(node, list):
        return [inlined(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return inlined(resolve(node))
    return {k: inlined(v) for k, v in node.items()}


def resolve(node: JSON) -> JSON:
    """A schema node with its ``$ref`` target's keywords merged in (the node's own win)."""
    if not isinstance(node, dict) or "$ref" not in node:
        return node
    merged = dict(resolve(_ref_target(node["$ref"])))
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged


def child(node: JSON, key: str | int) -> JSON | None:
    """The schema of ``key`` inside an object or array schema, or None."""
    node = resolve(node)
    if isinstance(key, int):
        return node.get("items") if node.get("type") == "array" else None
    return node.get("properties", {}).get(key)


def node_at(annex: str, path: tuple[str | int, ...]) -> JSON | None:
    node: JSON | None = load_schema(annex)
    for key in path:
        if node is None:
            return None
        node = child(node, key)
    return resolve(node) if node is not None else None


def label_at(annex: str, path: tuple[str | int, ...]) -> str:
    """The Chinese labels along a path: ``培训计划 › 学时日程 第3行 › 学时``."""
    parts: list[str] = []
    node: JSON | None = load_schema(annex)
    for key in path:
        node = child(node, key) if node is not None else None
        if isinstance(key, int):
            parts[-1:] = [f"{parts[-1] if parts else ''} 第{key + 1}行".strip()]
        elif node is not None and "title" in node:
            parts.append(node["title"])
        else:
            parts.append(str(key))
    return " › ".join(parts) if parts else load_schema(annex)["title"]


def pointer(path: tuple[str | int, ...]) -> str:
    """RFC 6901 JSON pointer of a path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def iter_properties(
    node: JSON, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], JSON, bool]]:
    """Every property below ``node`` as (path, resolved schema, required); array items get
    the index ``0`` as a stand-in for "each row"."""
    node = resolve(node)
    required = set(node.get("required", ()))
    for key, sub in node.get("properties", {}).items():
        sub = resolve(sub)
        yield (*path, key), sub, key in required
        if sub.get("type") == "object":
            yield from iter_properties(sub, (*path, key))
        elif sub.get("type") == "array" and resolve(sub.get("items", {})).get("type") == "object":
            yield from iter_properties(sub["items"], (*path, key, 0))


# ---------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """One way a record breaks its schema, in the contract's finding vocabulary."""

    code: str
    path: tuple[str | int, ...]
    label: str
    zh: str
    en: str
    value: JSON = None

    @property
    def pointer(self) -> str:
        return pointer(self.path)

    def __str__(self) -> str:
        return f"{self.pointer or '/'} {self.label}: {self.zh} / {self.en}"


def _strip_handwritten(node: JSON) -> JSON:
    if isinstance(node, list):
        return [_strip_handwritten(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strip_handwritten(v) for k, v in node.items()}
    props = out.get("properties")
    if isinstance(props, dict) and "required" in out:
        out["required"] = [
            k for k in out["required"] if not resolve(props.get(k, {})).get("x-handwritten")
        ]
    return out


@cache
def _validator(annex: str, blank_form: bool) -> Draft202012Validator:
    schema = inlined(load_schema(annex))
    if blank_form:
        schema = _strip_handwritten(schema)
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def validate(annex: str, record: JSON, *, blank_form: bool = False) -> list[Problem]:
    """Every problem of ``record`` against the annex schema, in document order.

    With ``blank_form`` the handwritten values (signatures, scores) may be absent: the form
    is to be printed and filled in by hand.
    """
    validator = _validator(annex, blank_form)
    problems = [
        p for error in validator.iter_errors(record) for p in _problems(annex, error, record)
    ]
    # Deduplicated by content, values by their JSON: a value may be a list or an object
    # (a roster where a scalar belongs), which a set cannot hold.
    unique = {
        (p.code, p.path, p.zh, p.en, json.dumps(p.value, sort_keys=True, default=str)): p
        for p in problems
    }
    return sorted(unique.values(), key=lambda p: schema_order(annex, p.path))


def schema_order(annex: str, path: tuple[str | int, ...]) -> tuple[int, ...]:
    """A sort key that puts paths in the order the schema (and so the form) lists them."""
    key: list[int] = []
    node: JSON | None = load_schema(annex)
    for part in path:
        if isinstance(part, int):
            key.append(part)
        else:
            names = list(resolve(node).get("properties", {})) if node is not None else []
            key.append(names.index(part) if part in names else len(names))
        node = child(node, part) if node is not None else None
    return tuple(key)


def _problems(annex: str, error: ValidationError, record: JSON) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        full = (*path, missing)
        yield Problem(
            "missing-field", full, label_at(annex, full), "缺少必填项", "required field is missing"
        )
        return
    label = label_at(annex, path)
    value: Any = error.instance
    expected: Any = error.validator_value
    if kind in ("minLength", "pattern") and isinstance(value, str) and not value.strip():
        yield Problem("missing-field", path, label, "必填项为空", "required field is blank", value)
    elif kind == "minItems":
        yield Problem("missing-field", path, label, "至少需要一行", "needs at least one row", value)
    elif kind == "format":
        cause = error.cause
        fmt = str(error.validator_value)
        if isinstance(cause, FormatViolation):
            zh, en = cause.error.zh, cause.error.en
        else:
            zh, en = f"格式不符合{fmt}", f"not a valid {fmt}"
        yield Problem(FORMAT_CODES.get(fmt, "invalid-value"), path, label, zh, en, value)
    elif kind == "enum":
        options = "、".join(map(str, expected))
        yield Problem(
            "invalid-value",
            path,
            label,
            f"应为以下之一：{options}",
            f"must be one of: {', '.join(map(str, expected))}",
            value,
        )
    elif kind == "type":
        yield Problem(
            "invalid-value",
            path,
            label,
            f"类型错误，应为{_TYPE_ZH.get(str(expected), expected)}",
            f"wrong type, expected {expected}",
            value,
        )
    elif kind == "additionalProperties":
        node = node_at(annex, path) or {}
        known = set(node.get("properties", {}))
        for extra in sorted(k for k in value if k not in known):
            full = (*path, extra)
            yield Problem(
                "invalid-value",
                full,
                pointer(full),
                "表中没有这一项",
                f"unknown field; known here: {', '.join(sorted(known))}",
                value[extra],
            )
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = expected
        relation = {
            "minimum": ("不能小于", "at least"),
            "maximum": ("不能大于", "at most"),
            "exclusiveMinimum": ("应大于", "more than"),
            "exclusiveMaximum": ("应小于", "less than"),
        }[str(kind)]
        yield Problem(
            "invalid-value",
            path,
            label,
            f"{relation[0]}{bound}",
            f"must be {relation[1]} {bound}",
            value,
        )
    elif kind == "not":
        yield Problem(
            "invalid-value",
            path,
            label,
            "含有不可打印的控制字符",
            "contains control characters",
            value,
        )
    elif kind == "anyOf":
        yield Problem(
            "invalid-value",
            path,
            label,
            "应为0–100的分数或“合格/不合格”",
            "must be a score from 0 to 100 or 合格/不合格",
            value,
        )
    else:
        yield Problem("invalid-value", path, label, f"不符合要求（{kind}）", error.message, value)


_TYPE_ZH = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "object": "一组字段",
    "array": "列表",
}


# ------------------------------------------------------------------------- shaping data


def coerce_scalars(record: JSON, node: JSON) -> JSON:
    """Integers where the schema wants text become text: YAML reads an unquoted ID number or
    phone number as an integer. Nothing else is changed, so validation still sees the rest."""
    node = resolve(node)
    kind = node.get("type")
    if kind == "string" and isinstance(record, int) and not isinstance(record, bool):
        return str(record)
    if kind == "object" and isinstance(record, Mapping):
        props = node.get("properties", {})
        return {k: coerce_scalars(v, props[k]) if k in props else v for k, v in record.items()}
    if kind == "array" and isinstance(record, list) and "items" in node:
        return [coerce_scalars(v, node["items"]) for v in record]
    return record


def with_optional_blanks(record: JSON, node: JSON) -> JSON:
    """A copy of a valid record where every absent property is present as None, so a
    template may print any field the schema knows while undefined names stay errors."""
    node = resolve(node)
    kind = node.get("type")
    if kind == "object" and (record is None or isinstance(record, Mapping)):
        props = node.get("properties", {})
        given = record or {}
        return {k: with_optional_blanks(given.get(k), sub) for k, sub in props.items()}
    if kind == "array" and (record is None or isinstance(record, list)):
        return [with_optional_blanks(v, node.get("items", {})) for v in record or []]
    return record
