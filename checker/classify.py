"""Which annex is this document? Decided from its content: the form's title and its labels.

File names carry no meaning. Each annex gets a score: half for its title printed as a
title (a line or cell of its own), half for the share of its required labels present. A PDF
holding several annexes one after another is cut where a page starts with an annex title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from annexkit import ANNEXES
from annexkit.checker.findings import Join
from annexkit.checker.labels import annex_labels, label_key
from annexkit.checker.layout import LayoutDocument, Paragraph, Table
from annexkit.checker.readers.pages import subset
from annexkit.contract.schema import load_schema
from annexkit.contract.text import Text

THRESHOLD = 0.45
NEAR_TIE = 0.1
"""A runner-up this close to the best score makes the pick uncertain: a warning says so."""
_LABEL_BEFORE_COLON = re.compile(r"([^：:,，;；。\s]{1,24})\s*[：:]")


@dataclass
class Classification:
    annex: str | None
    score: float
    scores: dict[str, float] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    """Printed labels of the best candidate that were looked for and not found."""
    title_found: bool = False

    @property
    def runner_up(self) -> str | None:
        ranked = sorted(self.scores, key=lambda a: self.scores[a], reverse=True)
        return ranked[1] if len(ranked) > 1 else None

    @property
    def margin(self) -> float:
        """How far the best annex's score is ahead of the second best (0–1)."""
        second = self.scores[self.runner_up] if self.runner_up else 0.0
        return round(self.score - second, 3)

    @property
    def near_tie(self) -> bool:
        runner = self.runner_up
        return (
            self.annex is not None
            and runner is not None
            and self.scores[runner] >= THRESHOLD
            and self.margin < NEAR_TIE
        )

    def explanation(self) -> tuple[str, dict[str, Any]]:
        """Why nothing matched: the ``unknown-document`` message (variant) and its params."""
        best = max(self.scores, key=lambda a: self.scores[a]) if self.scores else None
        if best is None:
            return "no-text", {}
        meta = load_schema(best)["x-annex"]
        return "", {
            "number": meta["number"],
            "title": meta["title"],
            "annex": best,
            "score": self.scores[best],
            "threshold": THRESHOLD,
            "title_found": Text("有", "found") if self.title_found else Text("无", "not found"),
            "missing": Join(tuple(self.missing[:12])) if self.missing else Text("（无）", "(none)"),
        }


_ANNEX_MARK = r"附件[5-8五六七八]?[:：]?"
_SUFFIX = re.compile(r"\([^()]{1,12}\)$")


def _title_key(text: str) -> str:
    """A title line as compared: no ``附件7`` before it, no bracketed suffix after it
    (``企业职工培训备案表（2025年）``, ``培训台账（附件7）``)."""
    key = re.sub(f"^{_ANNEX_MARK}", "", label_key(text))
    return _SUFFIX.sub("", key)


def units(document: LayoutDocument) -> list[str]:
    """The texts a form is made of: paragraphs and table cells."""
    out: list[str] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            out += [c.text for c in block.cells]
    return [u for u in out if u.strip()]


def _present_keys(texts: list[str]) -> set[str]:
    keys: set[str] = set()
    for text in texts:
        found = [label_key(text), *(label_key(m) for m in _LABEL_BEFORE_COLON.findall(text))]
        for key in found:
            keys.add(key)
            keys.add(_SUFFIX.sub("", key))  # 企业名称（盖章）: the label 企业名称
    return keys


def title_annex(text: str) -> str | None:
    """The annex whose title this line is (e.g. 培训对象参训出勤签到表), if any."""
    key = _title_key(text)
    if not key:
        return None
    for annex in ANNEXES:
        for title in annex_labels(annex).titles:
            if key == title or (key.endswith(title) and len(key) <= len(title) + 12):
                return annex
    return None


def classify(document: LayoutDocument) -> Classification:
    texts = units(document)
    present = _present_keys(texts)
    titled = {a for a in (title_annex(t) for t in texts[:40]) if a}
    scores: dict[str, float] = {}
    missing_by: dict[str, list[str]] = {}
    for annex in ANNEXES:
        required = annex_labels(annex).required_fields()
        found = {title for title, keys in required.items() if keys & present}
        coverage = len(found) / len(required) if required else 0.0
        scores[annex] = round(0.5 * (annex in titled) + 0.5 * coverage, 3)
        missing_by[annex] = [title for title in required if title not in found]
    best = max(scores, key=lambda a: scores[a])
    accepted = scores[best] >= THRESHOLD
    return Classification(
        best if accepted else None, scores[best], scores, missing_by[best], best in titled
    )


def split_pages(document: LayoutDocument) -> list[LayoutDocument]:
    """Parts of a multi-page document, cut before every page that opens with an annex title."""
    pages = sorted({b.page for b in document.blocks if b.page is not None})
    if len(pages) < 2:
        return [document]
    starts = [pages[0]]
    for page in pages[1:]:
        first = [b for b in document.blocks if b.page == page][:4]
        heads = [b.text for b in first if isinstance(b, Paragraph)]
        heads += [c.text for b in first if isinstance(b, Table) for c in b.rows()[0]][:2]
        if any(title_annex(t) for t in heads):
            starts.append(page)
    if len(starts) == 1:
        return [document]
    parts = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else pages[-1]
        parts.append(subset(document, start, end))
    return parts
