"""One PDF page's glyphs and rulings → blocks in reading order: tables (each glyph in the
cell under its centre), paragraphs (lines, wrapped lines joined), page furniture marked.

Pure geometry: what the text means is decided elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..layout import SIGNATURE_LABEL, Block, Cell, Paragraph, Table
from .geometry import Box, Glyph, PageContent
from .grid import Grid, find_grids
from .textlines import Line, is_wide, lines_of, text_of

DAMAGED_SHARE = 0.3
"""A page is unreliable when this share of its glyphs has no known Unicode value: by then
the values that matter (names, ID numbers) cannot be trusted either."""
SCAN_COVER = 0.5
SCAN_MAX_GLYPHS = 20
"""An image over half the page with next to no text is a scan (a stamped page number or an
OCR-less annotation does not make it readable)."""
_SENTENCE_END = frozenset("。！？；：!?;:")
_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(
    r"(第\s*\d+\s*页\s*[,，/]?\s*(共\s*\d+\s*页)?|共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页"
    r"|\d+\s*/\s*\d+|[-–—]?\s*\d+\s*[-–—]?|page\s*\d+(\s*(of|/)\s*\d+)?)",
    re.IGNORECASE,
)


MARGIN = 0.12
"""Page numbers live in the top or bottom this share of the page."""


@dataclass
class PageLayout:
    number: int
    blocks: list[Block] = field(default_factory=list)
    """Unnumbered: indexes are given once the document's pages are joined."""
    furniture: list[Paragraph] = field(default_factory=list)
    """Page numbers: a table continues across them onto the next page."""
    unreliable: bool = False


def layout_page(content: PageContent) -> PageLayout:
    grids = find_grids(content.horizontals, content.verticals)
    # Text placed off the page is invisible to a reader of the form.
    visible = [
        g for g in content.glyphs if 0 <= g.cx <= content.width and 0 <= g.cy <= content.height
    ]
    cell_glyphs, free = _assign(visible, grids)
    tables = [
        (grid, _table(grid, glyphs, content))
        for grid, glyphs in zip(grids, cell_glyphs, strict=True)
    ]
    items: list[tuple[float, float, Table | Line]] = [
        (grid.ys[0], grid.xs[0], table) for grid, table in tables
    ]
    free_lines = lines_of(free)
    items += [(line.top, line.x0, line) for line in free_lines]
    marks = _marks_by_line(free_lines, content.ink, grids)
    items.sort(key=lambda item: (item[0], item[1]))
    left = min([item[1] for item in items] or [0.0])
    right = max(
        [g.xs[-1] for g in grids] + [i[2].x1 for i in items if isinstance(i[2], Line)] or [0.0]
    )
    page = PageLayout(content.number, unreliable=_unreliable(content))
    run: list[Line] = []
    for _, _, item in items:
        if isinstance(item, Line):
            if run and not _wraps(run[-1], item, left, right):
                _paragraph(page, run, content.height, marks)
                run = []
            run.append(item)
        else:
            if run:
                _paragraph(page, run, content.height, marks)
                run = []
            page.blocks.append(item)
    if run:
        _paragraph(page, run, content.height, marks)
    return page


def _assign(glyphs: list[Glyph], grids: list[Grid]) -> tuple[list[list[list[Glyph]]], list[Glyph]]:
    """Glyphs by grid and region (the smallest grid around a glyph's centre wins, so a table
    drawn inside another's cell keeps its text), and the glyphs outside every grid."""
    by_grid: list[list[list[Glyph]]] = [[[] for _ in g.regions] for g in grids]
    innermost = sorted(range(len(grids)), key=lambda k: grids[k].area)
    free: list[Glyph] = []
    for glyph in glyphs:
        x, y = glyph.cx, glyph.cy
        for k in innermost:
            if grids[k].contains(x, y):
                by_grid[k][grids[k].region_at(x, y)].append(glyph)
                break
        else:
            free.append(glyph)
    return by_grid, free


def _table(grid: Grid, glyphs: list[list[Glyph]], content: PageContent) -> Table:
    cells = []
    for region, region_glyphs in zip(grid.regions, glyphs, strict=True):
        box = grid.region_box(region)
        cell = Cell(
            text=text_of(region_glyphs),
            row=region.row,
            column=region.column,
            rowspan=region.rowspan,
            colspan=region.colspan,
            page=content.number,
            bbox=_rounded(box),
            ink=_ink(box, content.ink),
        )
        if cell.ink and len(SIGNATURE_LABEL.findall(cell.text)) >= 2:
            cell.marks = _cell_marks(lines_of(region_glyphs), box, content.ink)
        cells.append(cell)
    return Table(0, cells, page=content.number)


def _cell_marks(lines: list[Line], box: Box, ink: list[Box]) -> tuple[int, ...]:
    """Offsets into a cell's text (its lines joined by line breaks) where its marks stand: a
    cell of several signature lines (授课老师（签名）：… 班主任（签名）：…) is signed only
    where a picture stands, as a free line is."""
    inside = [
        m
        for m in ink
        if box[0] <= (m[0] + m[2]) / 2 <= box[2] and box[1] <= (m[1] + m[3]) / 2 <= box[3]
    ]
    centres = [(line.top + line.bottom) / 2 for line in lines]
    nearest: dict[int, list[Box]] = {}
    for mark in inside:
        middle = (mark[1] + mark[3]) / 2
        index = min(range(len(lines)), key=lambda k: abs(centres[k] - middle))
        nearest.setdefault(index, []).append(mark)
    offsets: list[int] = []
    start = 0
    for index, line in enumerate(lines):
        offsets += [start + offset for offset in _inked(line, nearest.get(index, []))]
        start += len(line.text) + 1
    return tuple(offsets)


def _ink(box: Box, marks: list[Box]) -> float:
    """Share of the cell's inside (borders excluded) under marks' boxes — a box is a coarse
    measure of a signature, but enough to tell an empty cell from a signed one."""
    x0, top, x1, bottom = box[0] + 1.5, box[1] + 1.5, box[2] - 1.5, box[3] - 1.5
    area = (x1 - x0) * (bottom - top)
    if area <= 0 or not marks:
        return 0.0
    covered = 0.0
    for mx0, mtop, mx1, mbottom in marks:
        width = min(x1, mx1) - max(x0, mx0)
        height = min(bottom, mbottom) - max(top, mtop)
        if width > 0 and height > 0:
            covered += width * height
    return round(min(covered / area, 1.0), 3)


def _rounded(box: Box) -> Box:
    x0, top, x1, bottom = box
    return round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)


def _wraps(above: Line, below: Line, left: float, right: float) -> bool:
    """Is ``below`` the continuation of a paragraph line that ran to the right margin?
    A line may stop up to ~2 em short of the margin (a word or 〔2019〕 that does not fit);
    a continuation is never indented further, and a line at the same indent after one that
    ends a sentence starts a new paragraph."""
    size = above.size
    if (
        "\t" in above.text
        or abs(below.size - size) > 0.2 * size
        or above.x1 < right - 2.5 * size
        or above.x0 > left + 3 * size  # a right-aligned or centred line
        or below.top - above.bottom > 1.2 * size
    ):
        return False
    if below.x0 < above.x0 - 0.5 * size:
        return True  # back at the margin after a first-line indent
    return abs(below.x0 - above.x0) <= 0.5 * size and above.text[-1] not in _SENTENCE_END


def _paragraph(
    page: PageLayout, lines: list[Line], height: float, marks: dict[int, list[Box]]
) -> None:
    text = lines[0].text
    inked = list(_inked(lines[0], marks.get(id(lines[0]), [])))
    for line in lines[1:]:
        joiner = "" if is_wide(text[-1]) or is_wide(line.text[0]) else " "
        text += joiner
        inked += [len(text) + offset for offset in _inked(line, marks.get(id(line), []))]
        text += line.text
    paragraph = Paragraph(text, 0, page=page.number, inked=tuple(inked))
    page.blocks.append(paragraph)
    in_margin = lines[-1].bottom < MARGIN * height or lines[0].top > (1 - MARGIN) * height
    if in_margin and _PAGE_NUMBER.fullmatch(text):
        page.furniture.append(paragraph)


def _marks_by_line(lines: list[Line], ink: list[Box], grids: list[Grid]) -> dict[int, list[Box]]:
    """Each mark outside the tables, given to the one free line nearest to it (by height on
    the page), if it stands within a line's height of it."""
    found: dict[int, list[Box]] = {}
    for box in ink:
        middle_x, middle_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if any(grid.contains(middle_x, middle_y) for grid in grids):
            continue
        # Nearest by height, and by how far right of the line's end the mark starts (a seal
        # beside 乙方（盖章） in the right column is not 甲方's, level with it on the left).
        near = [
            (
                abs((line.top + line.bottom) / 2 - middle_y) + max(0.0, box[0] - line.x1),
                abs((line.top + line.bottom) / 2 - middle_y),
                index,
            )
            for index, line in enumerate(lines)
            if line.x0 <= box[2]
        ]
        if not near:
            continue
        _, distance, index = min(near)
        line = lines[index]
        # A seal is tall: near enough when its edge reaches the line.
        height = line.bottom - line.top
        if distance <= max(height * 1.5, (box[3] - box[1]) / 2 + height):
            found.setdefault(id(line), []).append(box)
    return found


def _inked(line: Line, ink: list[Box]) -> list[int]:
    """Where on the line a mark that is not text stands (a pasted signature image, a drawn
    stroke, a seal): offsets into its text, by the mark's place between the line's ends (a
    mark past the end of the line stands at its end)."""
    offsets = []
    reach = line.bottom - line.top
    for x0, top, x1, _bottom in ink:  # marks already given to this line as its nearest
        if x1 < line.x0:
            continue
        centre = (x0 + x1) / 2
        if top >= line.bottom - 0.2 * reach and x0 <= line.x0 + line.size:
            # Below the line, back at its left margin: an image the word processor wrapped
            # onto the next line, after the line's last label.
            offsets.append(len(line.text))
        elif len(line.xs) == len(line.text):
            offsets.append(sum(1 for x in line.xs if x < centre))
        else:
            share = (centre - line.x0) / max(line.x1 - line.x0, 1.0)
            offsets.append(min(len(line.text), max(0, round(share * len(line.text)))))
    return offsets


def _unreliable(content: PageContent) -> bool:
    glyphs = len(content.glyphs)
    if glyphs == 0:
        return True
    if content.image_share > SCAN_COVER and glyphs < SCAN_MAX_GLYPHS:
        return True
    damaged = content.damaged
    if "(" in (text := "".join(g.char for g in content.glyphs)):
        damaged += sum(len(m) for m in _CID.findall(text))
    return damaged >= DAMAGED_SHARE * glyphs
