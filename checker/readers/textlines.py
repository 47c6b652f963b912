"""Glyphs → lines of text: baseline grouping, fake-bold removal, spaces from gaps.

Pure geometry; what the text means is decided elsewhere. Letter-spaced labels (分散对齐)
keep their spaces here (备 案 表) and are joined by ``layout.clean``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .geometry import Glyph

SPACE_GAP = 0.15
"""A gap wider than this share of the font size is a space (justified CJK lines stretch
well under 0.1 em; a space is 0.25 em or more)."""
MIXED_GAP = 0.4
"""Between a CJK and a Latin or digit character the threshold is higher: word processors
put an automatic 0.2–0.25 em there (Word's and LibreOffice's autospace, 2025 年), which is
no space in the text; a typed space comes on top of it."""
WIDE_GAP = 4.0
"""A gap wider than this many font sizes separates fields on a line (a value centred in a
blank, 培训机构：…   班别：…) and is written as a tab, as a DOCX would hold it."""
SAME_LINE = 0.45
"""Glyphs whose centres are closer than this share of the font size share a line."""


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    xs: tuple[float, ...] = ()
    """Where each character of ``text`` starts on the page (a space or tab: where its gap
    starts), to place marks beside the text (signatures on a signature line)."""


def lines_of(glyphs: Iterable[Glyph]) -> list[Line]:
    """The glyphs' lines, top to bottom."""
    ordered = sorted(glyphs, key=lambda g: g.cy)
    groups: list[list[Glyph]] = []
    centres = 0.0
    size = 0.0
    for glyph in ordered:
        # Against the line's mean centre and its largest size so far: a flat glyph (一, -)
        # comes first by centre and is low; a Q or g reaches below the others.
        if groups and glyph.cy - centres / len(groups[-1]) <= SAME_LINE * max(size, glyph.size):
            groups[-1].append(glyph)
            centres += glyph.cy
            size = max(size, glyph.size)
            continue
        groups.append([glyph])
        centres = glyph.cy
        size = glyph.size
    lines = [_line(group) for group in groups]
    return [line for line in lines if line.text]


def text_of(glyphs: Iterable[Glyph]) -> str:
    """The glyphs as text, lines joined by ``\\n``."""
    return "\n".join(line.text for line in lines_of(glyphs))


def _line(group: list[Glyph]) -> Line:
    group.sort(key=lambda g: g.x0)
    kept: list[Glyph] = []
    parts: list[str] = []
    xs: list[float] = []
    for glyph in group:
        if _drawn_again(glyph, kept):
            continue
        if kept:
            before = kept[-1]
            gap = glyph.x0 - before.x1
            size = max(glyph.size, before.size)
            mixed = is_wide(glyph.char) != is_wide(before.char)
            if gap > WIDE_GAP * size:
                parts.append("\t")
                xs.append(before.x1)
            elif gap > (MIXED_GAP if mixed else SPACE_GAP) * size:
                parts.append(" ")
                xs.append(before.x1)
        parts.append(glyph.char)
        xs += [glyph.x0] * len(glyph.char)
        kept.append(glyph)
    sizes = sorted(g.size for g in kept)
    joined = "".join(parts)
    lead = len(joined) - len(joined.lstrip())
    text = joined.strip()
    return Line(
        text=text,
        xs=tuple(xs[lead : lead + len(text)]),
        x0=min(g.x0 for g in kept),
        top=min(g.top for g in kept),
        x1=max(g.x1 for g in kept),
        bottom=max(g.bottom for g in kept),
        size=sizes[len(sizes) // 2],
    )


def _drawn_again(glyph: Glyph, kept: list[Glyph]) -> bool:
    """Fake bold: the same character drawn again a fraction of a point away. Only the last
    few kept glyphs can be that close once a line is sorted by x."""
    for other in reversed(kept[-3:]):
        if other.char != glyph.char:
            continue
        tolerance = min(0.15 * glyph.size, 0.5 * (glyph.x1 - glyph.x0))
        if abs(other.x0 - glyph.x0) <= tolerance and abs(other.cy - glyph.cy) <= tolerance:
            return True
    return False


def is_wide(char: str) -> bool:
    """CJK and full-width characters, which join across a line wrap without a space."""
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or char >= "\uff00"
