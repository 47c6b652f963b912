"""The labels of each annex, from its schema: what a form may print before each value.

Labels and aliases live in the schemas (``title``, ``x-aliases``, ``x-range``); this module
only indexes them. A label key is the label as compared: NFKC, no white space or colons, no
leading enumerator (（一）, 1.), no unit in brackets (（元）, （人）).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from annexkit import ANNEXES
from annexkit.contract.schema import JSON, load_schema, resolve

Path_ = tuple[str | int, ...]
UNITS = ("元", "人", "周岁", "岁", "学时", "小时", "天", "个")


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s:*_]", "", text)
    text = re.sub(
        r"^(第[一二三四五六七八九十\d]+条|\(?[一二三四五六七八九十\d]+[)、.．]|[①-⑳])", "", text
    )
    units = "|".join(UNITS)
    return re.sub(rf"\((?:{units})\)$", "", text)


@dataclass(frozen=True)
class ScalarLabel:
    path: Path_
    node: JSON
    section: Path_
    """The object the field belongs to (``("enterprise",)``; ``()`` at the top level)."""


@dataclass(frozen=True)
class RangeLabel:
    start: Path_
    end: Path_
    section: Path_


@dataclass(frozen=True)
class ArrayLabels:
    path: Path_
    """The array's path, e.g. ``("training", "schedule")``."""
    captions: frozenset[str]
    columns: dict[str, str]
    """Column label key → item property."""
    ranges: dict[str, tuple[str, str]]
    """Column label key of a date range → (start property, end property)."""
    items: JSON
    of_text: bool = False
    """An array of text (clauses) rather than of rows."""


@dataclass
class AnnexLabels:
    annex: str
    titles: frozenset[str]
    scalars: dict[str, list[ScalarLabel]] = field(default_factory=dict)
    ranges: dict[str, list[RangeLabel]] = field(default_factory=dict)
    sections: dict[str, Path_] = field(default_factory=dict)
    arrays: list[ArrayLabels] = field(default_factory=list)

    def all_keys(self) -> set[str]:
        keys = set(self.scalars) | set(self.ranges) | set(self.sections)
        for array in self.arrays:
            keys |= set(array.columns) | set(array.ranges) | set(array.captions)
        return keys

    def required_fields(self) -> dict[str, frozenset[str]]:
        """Printed title of each required field → every label key it may be printed under
        (title and aliases): a form that uses an alias still shows the field."""
        return _required_fields(self.annex)


@cache
def _required_fields(annex: str) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    _required(load_schema(annex), out)
    return out


def _labels_of(node: JSON) -> list[str]:
    return [node.get("title", ""), *node.get("x-aliases", ())]


def _required(node: JSON, out: dict[str, frozenset[str]]) -> None:
    node = resolve(node)
    props = node.get("properties", {})
    for name in node.get("required", ()):
        sub = resolve(props.get(name, {}))
        if sub.get("x-handwritten"):
            continue
        if sub.get("type") == "object":
            _required(sub, out)
        elif sub.get("type") == "array" and resolve(sub.get("items", {})).get("type") == "object":
            _required(sub["items"], out)
        elif "x-range" in sub:
            rng = sub["x-range"]
            keys = {label_key(t) for t in (rng["label"], *rng.get("aliases", ()))}
            out[rng["label"]] = frozenset(keys | {label_key(t) for t in _labels_of(sub) if t})
        elif sub.get("title"):
            out[sub["title"]] = frozenset(label_key(t) for t in _labels_of(sub) if t)


@cache
def annex_labels(annex: str) -> AnnexLabels:
    schema = load_schema(annex)
    meta = schema["x-annex"]
    labels = AnnexLabels(
        annex, frozenset(label_key(t) for t in (meta["title"], *meta["x-aliases"]))
    )
    _walk(schema, (), (), labels)
    return labels


def _walk(node: JSON, path: Path_, section: Path_, labels: AnnexLabels) -> None:
    node = resolve(node)
    for name, raw in node.get("properties", {}).items():
        sub = resolve(raw)
        here = (*path, name)
        kind = sub.get("type")
        if kind == "object":
            for label in _labels_of(sub):
                labels.sections.setdefault(label_key(label), here)
            _walk(sub, here, here, labels)
        elif kind == "array":
            labels.arrays.append(_array(here, sub))
        else:
            for label in _labels_of(sub):
                labels.scalars.setdefault(label_key(label), []).append(
                    ScalarLabel(here, sub, section)
                )
            if sub.get("x-range", {}).get("part") == "start":
                end = (*path, name.replace("start", "end"))
                rng = sub["x-range"]
                for label in (rng["label"], *rng.get("aliases", ())):
                    labels.ranges.setdefault(label_key(label), []).append(
                        RangeLabel(here, end, section)
                    )


def _array(path: Path_, node: JSON) -> ArrayLabels:
    items = resolve(node.get("items", {}))
    captions = frozenset(label_key(t) for t in _labels_of(node) if t)
    if items.get("type") != "object":
        return ArrayLabels(path, captions, {}, {}, items, of_text=True)
    columns: dict[str, str] = {}
    ranges: dict[str, tuple[str, str]] = {}
    for name, raw in items.get("properties", {}).items():
        sub = resolve(raw)
        for label in _labels_of(sub):
            columns.setdefault(label_key(label), name)
        rng = sub.get("x-range", {})
        if rng.get("part") == "start":
            for label in (rng["label"], *rng.get("aliases", ())):
                ranges[label_key(label)] = (name, name.replace("start", "end"))
    return ArrayLabels(path, captions, columns, ranges, items)


def all_annex_labels() -> list[AnnexLabels]:
    return [annex_labels(a) for a in ANNEXES]
