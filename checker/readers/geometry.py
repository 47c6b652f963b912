"""What a PDF page is made of once its engine is out of the way: glyphs and rulings.

Coordinates are points with the origin at the top-left of the page as displayed (rotation
and crop box applied), ``top`` growing downwards — the convention of ``Cell.bbox``.
"""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[float, float, float, float]
"""(x0, top, x1, bottom)."""


@dataclass(slots=True)
class Glyph:
    char: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def size(self) -> float:
        """The glyph box's height: close to the font size, which the engine does not give
        reliably (many producers draw at ``1 Tf`` and scale with the text matrix)."""
        return max(self.bottom - self.top, 0.1)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Segment:
    """An axis-aligned ruling: ``at`` is its position across (y of a horizontal, x of a
    vertical), ``start`` < ``end`` its extent along."""

    at: float
    start: float
    end: float


@dataclass(slots=True)
class PageContent:
    number: int
    """1-based."""
    width: float
    height: float
    glyphs: list[Glyph]
    horizontals: list[Segment]
    verticals: list[Segment]
    damaged: int
    """Glyphs whose Unicode value is unknown (no ToUnicode map, U+FFFD, private use)."""
    image_share: float
    """Share of the page area covered by images (a scan is one image over the page)."""
    ink: list[Box]
    """Boxes of marks that are neither text nor rulings: images, curved or slanted strokes."""
