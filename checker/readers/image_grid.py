"""Tables on a page image: ruling lines → cell grid (merged cells included) → text placed.

Ruling lines are found by an adaptive threshold and a morphological opening with long thin
kernels; line segments close in position are one grid line. Two neighbouring grid cells with
no line segment between them are one merged cell. OCR text boxes go into the cell under their
centre; the rest are lines of free text. Geometry only: nothing here knows what text means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from .ocr import Box, Image, TextBox

Mask = npt.NDArray[np.uint8]

LINE_PRESENT = 0.85
"""A boundary between two grid cells is drawn when ink runs unbroken along this share of
its middle part (the ends, where lines cross, are left out)."""
END_MARGIN = 0.15


@dataclass
class GridCell:
    row: int
    column: int
    rowspan: int
    colspan: int
    box: Box
    texts: list[TextBox] = field(default_factory=list)


@dataclass
class Grid:
    xs: list[int]
    ys: list[int]
    cells: list[GridCell]

    @property
    def box(self) -> Box:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def binarize(grey: Image) -> Mask:
    """Ink white on black; adaptive, so grey paper and uneven scans work. The neighbourhood
    is wide (a twentieth of the page) and the image not blurred first: at 150 dpi a ruling
    line is two pixels of mid grey, and between two rows of bold characters a small
    neighbourhood's mean, or a blur, makes it lighter than its surroundings."""
    block = max(31, min(grey.shape[:2]) // 22) | 1
    return np.asarray(
        cv2.adaptiveThreshold(
            grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12
        ),
        dtype=np.uint8,
    )


def find_grids(grey: Image, text: Sequence[Box] = ()) -> list[Grid]:
    """The ruled tables on a greyscale page, top to bottom. ``text``: the boxes of the text
    lines detected on the page, whose long strokes are not rulings."""
    height, width = grey.shape[:2]
    binary = binarize(grey)
    h_len = max(20, width // 40)
    v_len = max(15, height // 70)
    tolerance = max(5, round(min(height, width) / 250))
    horizontal = _ruling_mask(binary, h_len, horizontal=True)
    vertical = _ruling_mask(binary, v_len, horizontal=False)
    joined = cv2.dilate(
        cv2.bitwise_or(horizontal, vertical),
        cv2.getStructuringElement(cv2.MORPH_RECT, (tolerance, tolerance)),
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    h_segments = _joined(
        _outside(_segments(horizontal, horizontal=True), text, horizontal=True),
        tolerance,
        3 * tolerance,
    )
    # Down strokes of characters in a cell of several lines stand one above the other a
    # line's spacing apart: pieces of a vertical ruling are joined over short gaps only.
    v_segments = _joined(
        _outside(_segments(vertical, horizontal=False), text, horizontal=False),
        tolerance,
        tolerance,
    )
    grids: list[Grid] = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        if w < width // 5 or h < 3 * tolerance:
            continue
        region = (x - tolerance, y - tolerance, x + w + tolerance, y + h + tolerance)
        across = [s for s in h_segments if _inside(s, region, horizontal=True)]
        down = [s for s in v_segments if _inside(s, region, horizontal=False)]
        # A ruling line runs from one line across it to another; a long stroke of a large
        # character or of a signature that survived the opening does not. Each direction is
        # checked against the other's lines, twice, so that strokes cannot vouch for strokes.
        ys = _cluster(across, tolerance)
        # A row cut off by the foot of the page (it goes on on the next one) ends there.
        ys += _open_end(down, ys, height, tolerance)
        xs = _cluster(_ending_on(down, ys, tolerance), tolerance)
        for _ in range(2):
            ys = _cluster(_ending_on(across, xs, tolerance), tolerance)
            xs = _cluster(_ending_on(down, ys, tolerance), tolerance)
        if len(ys) < 2 or len(xs) < 2:
            continue
        grids.append(_grid(xs, ys, Rulings(binary, horizontal, vertical, text), tolerance))
    grids.sort(key=lambda g: g.ys[0])
    return grids


OPEN_END_PAGE = 0.8
"""A table's rulings that stop with no line across them below this share of the page's
height end where the page does, in the middle of a row."""


def _open_end(down: list[Segment], ys: list[int], height: int, tolerance: int) -> list[int]:
    """Where a table's last row is cut off by the end of the page: three vertical rulings or
    more, running down from the table's last line, all stopping at the same place low on the
    page with no line across there. (A row that does not fit may be broken across pages;
    the page shows no line under its first part.) The line to close it with, if any."""
    if not ys:
        return []
    last = ys[-1]
    ends = sorted(
        s[2] for s in down if abs(s[1] - last) <= tolerance and s[2] > last + 3 * tolerance
    )
    best: list[float] = []
    group: list[float] = []
    for end in ends:
        group = [*group, end] if group and end - group[0] <= tolerance else [end]
        if len(group) > len(best):
            best = group
    if len(best) < 3 or min(best) < OPEN_END_PAGE * height:
        return []
    return [round(max(best))]


def _ruling_mask(binary: Mask, length: int, *, horizontal: bool) -> Mask:
    """The ink of lines at least ``length`` long in one direction. Thickened across first:
    a thin line left slightly tilted by the deskew steps a pixel sideways now and then, and
    an opening with a one-pixel kernel would cut it at every step."""
    across = (1, 3) if horizontal else (3, 1)
    kernel = (length, 1) if horizontal else (1, length)
    mask = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, across))
    opened = cv2.morphologyEx(
        mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
    )
    return np.asarray(opened, dtype=np.uint8)


Segment = tuple[float, float, float, float]
"""(position across the line, start, end, length) of one line segment."""


def _segments(mask: Mask, *, horizontal: bool) -> list[Segment]:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out: list[Segment] = []
    for label in range(1, count):
        x, y, w, h = (float(v) for v in stats[label, :4])
        if horizontal:
            out.append((y + h / 2, x, x + w, w))
        else:
            out.append((x + w / 2, y, y + h, h))
    return out


TEXT_SHARE = 0.8
"""A segment lying this much inside one text line's box is a stroke of its characters."""


def _outside(segments: list[Segment], text: Sequence[Box], *, horizontal: bool) -> list[Segment]:
    """The segments that are not strokes of text. In a row little taller than its text, the
    down stroke of 期 or 年 ends as near the row's lines as a ruling between two cells
    would; it is told apart by lying inside a line of text the detector found."""
    if not text:
        return segments
    out = []
    for segment in segments:
        at, start, end, length = segment
        inside = 0.0
        for x0, y0, x1, y1 in text:
            # Well inside the box across the segment: a ruling the detector's box grazes
            # (a row's text close under its top line) is not a stroke.
            margin = (y1 - y0) / 4 if horizontal else 2
            if horizontal:
                x0, y0, x1, y1 = y0, x0, y1, x1
            if x0 + margin < at < x1 - margin:
                inside = max(inside, min(end, y1) - max(start, y0))
        if inside < TEXT_SHARE * length:
            out.append(segment)
    return out


def _joined(segments: list[Segment], tolerance: int, gap: int) -> list[Segment]:
    """Pieces of one ruling line as one segment. A thin line left slightly tilted by the
    deskew steps a pixel sideways every so often, and the opening with a one-pixel kernel
    cuts it at each step into pieces a few pixels apart, none of which reaches from one
    crossing line to the next. A piece continues a line when it starts just after the
    line's last piece ends, no more than ``step`` to the side of that piece (the line
    drifts along its length). The pieces are kept too: a stroke of text just beyond a
    line's end may have been joined to it, and the line itself must still end on others."""
    step = max(2, tolerance // 2)
    lines: list[list[Segment]] = []
    for segment in sorted(segments, key=lambda s: (s[1], s[0])):
        for pieces in lines:
            last = pieces[-1]
            if abs(segment[0] - last[0]) <= step and last[1] <= segment[1] <= last[2] + gap:
                pieces.append(segment)
                break
        else:
            lines.append([segment])
    out = list(segments)  # a stroke just beyond a line's end may have joined it
    for pieces in lines:
        if len(pieces) == 1:
            continue
        length = sum(p[3] for p in pieces)
        at = sum(p[0] * p[3] for p in pieces) / length
        out.append((at, pieces[0][1], max(p[2] for p in pieces), length))
    return out


def _inside(segment: Segment, region: Box, *, horizontal: bool) -> bool:
    x0, y0, x1, y1 = region
    if not horizontal:
        x0, y0, x1, y1 = y0, x0, y1, x1
    return x0 <= segment[1] and segment[2] <= x1 and y0 <= segment[0] <= y1


END_SLACK = 0.08
"""Share of a segment's length its ends may fall short of the lines they end on."""


def _ending_on(segments: list[Segment], lines: list[int], tolerance: int) -> list[Segment]:
    """The segments whose two ends lie on ``lines`` (positions across them). A long
    segment may fall a little short: where a bold caption sits on a line, the threshold
    loses the line's end under it."""
    out = []
    for segment in segments:
        slack = max(tolerance, round(segment[3] * END_SLACK))
        if _near(segment[1], lines, slack) and _near(segment[2], lines, slack):
            out.append(segment)
    return out


def _near(value: float, positions: list[int], tolerance: int) -> bool:
    return any(abs(value - p) <= tolerance for p in positions)


def _cluster(segments: list[Segment], tolerance: int) -> list[int]:
    """Line positions: segments within ``tolerance`` of each other, weighted by length."""
    out: list[int] = []
    group: list[Segment] = []

    def flush() -> None:
        total = sum(s[3] for s in group)
        out.append(round(sum(s[0] * s[3] for s in group) / total))

    for segment in sorted(segments):
        if group and segment[0] - group[-1][0] > tolerance:
            flush()
            group = []
        group.append(segment)
    if group:
        flush()
    return out


def _grid(xs: list[int], ys: list[int], rulings: Rulings, tolerance: int) -> Grid:
    rows, columns = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * columns))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    reach = tolerance
    for r in range(rows):
        for c in range(columns):
            here = r * columns + c
            if c + 1 < columns and not rulings.drawn(
                xs[c + 1], ys[r], ys[r + 1], reach, horizontal=False
            ):
                union(here, here + 1)
            if r + 1 < rows and not rulings.drawn(
                ys[r + 1], xs[c], xs[c + 1], reach, horizontal=True
            ):
                union(here, here + columns)
    # A merged cell is a rectangle: fill each group's bounding box until nothing changes.
    while True:
        spans = _spans(rows, columns, find)
        changed = False
        for r0, c0, r1, c1 in spans.values():
            first = r0 * columns + c0
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if find(r * columns + c) != find(first):
                        union(r * columns + c, first)
                        changed = True
        if not changed:
            break
    cells = [
        GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
        for r0, c0, r1, c1 in spans.values()
    ]
    cells.sort(key=lambda cell: (cell.row, cell.column))
    # A line that divides no two cells (every cell runs across it) is no column or row
    # boundary: a stray stroke put it there. Without it, the table's columns are those of
    # its continuation on the next page.
    unused_x = set(range(1, columns)) - {c.column for c in cells}
    unused_y = set(range(1, rows)) - {c.row for c in cells}
    if unused_x or unused_y:
        kept_x = [x for i, x in enumerate(xs) if i not in unused_x]
        kept_y = [y for i, y in enumerate(ys) if i not in unused_y]
        return _grid(kept_x, kept_y, rulings, tolerance)
    return Grid(xs, ys, cells)


def _spans(rows: int, columns: int, find: object) -> dict[int, tuple[int, int, int, int]]:
    assert callable(find)
    spans: dict[int, tuple[int, int, int, int]] = {}
    for r in range(rows):
        for c in range(columns):
            root = int(find(r * columns + c))
            r0, c0, r1, c1 = spans.get(root, (r, c, r, c))
            spans[root] = (min(r0, r), min(c0, c), max(r1, r), max(c1, c))
    return spans


@dataclass
class Rulings:
    """The page's ink and its ruling lines, to tell whether two cells are divided."""

    binary: Mask
    horizontal: Mask
    """Ink in runs at least a ruling's minimum length across (see :func:`_ruling_mask`)."""
    vertical: Mask
    text: Sequence[Box] = ()
    """Boxes of the detected text lines."""

    def crossed(self, at: int, start: int, end: int) -> bool:
        """Does a line of text run across the vertical ``at`` between ``start`` and
        ``end``, deep into both sides? Then no ruling divides the two cells there, whatever
        strokes of the text (止 in 培训起止日期 over two date columns) stand where a
        ruling would. (Across a horizontal one a line of text never runs; the detector's
        box around a line close under a ruling only seems to.)"""
        for x0, y0, x1, y1 in self.text:
            size = y1 - y0
            deep = x0 + size / 2 < at < x1 - size / 2
            if deep and min(end, y1) - max(start, y0) >= 0.6 * size:
                return True
        return False

    def drawn(self, at: int, start: int, end: int, reach: int, *, horizontal: bool) -> bool:
        """Is there a ruling line at ``at`` between ``start`` and ``end`` (its middle part)?

        Either in the ink right at ``at``, or in the ruling-line mask anywhere within
        ``reach`` of it: a grid line's position is the mean over the whole table, and a
        line tilted a tenth of a degree lies a few pixels off it at one end. Only the mask
        is searched that far, where the strokes of characters are gone: a stroke of 期
        in a header written across the spot is as long as a short cell is high."""
        if not horizontal and self.crossed(at, start, end):
            return False
        band = max(2, reach // 2)
        if _run_at(self.binary, at, band, start, end, horizontal):
            return True
        # In the mask a line may also have a short gap where the threshold lost it under
        # a bold caption; no character can fill one there.
        mask = self.horizontal if horizontal else self.vertical
        return any(
            _run_at(mask, centre, 1, start, end, horizontal, gap=min(3 * reach, (end - start) // 7))
            for centre in range(at - reach, at + reach + 1)
        )


def _run_at(
    mask: Mask,
    at: int,
    band: int,
    start: int,
    end: int,
    horizontal: bool,
    gap: int = 0,
) -> bool:
    """Does ink run unbroken (but for gaps up to ``gap``) within ``band`` of ``at`` along
    the middle of start…end?"""
    margin = round((end - start) * END_MARGIN)
    lo, hi = start + margin, end - margin
    if hi <= lo:
        return True
    if at < 0 or at >= mask.shape[0 if horizontal else 1]:
        return False
    if horizontal:
        strip = mask[max(at - band, 0) : at + band + 1, lo:hi]
        inked = np.asarray(strip.any(axis=0), dtype=np.bool_)
    else:
        strip = mask[lo:hi, max(at - band, 0) : at + band + 1]
        inked = np.asarray(strip.any(axis=1), dtype=np.bool_)
    return _longest_run(inked, gap) >= LINE_PRESENT * (hi - lo)


def _longest_run(flags: npt.NDArray[np.bool_], gap: int = 0) -> int:
    """The longest stretch of ``flags`` set, counting gaps of up to ``gap`` as set."""
    if not flags.any():
        return 0
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[0::2], edges[1::2]
    best = 0
    run_start = int(starts[0])
    for index in range(1, len(starts)):
        if int(starts[index]) - int(ends[index - 1]) > gap:
            best = max(best, int(ends[index - 1]) - run_start)
            run_start = int(starts[index])
    return max(best, int(ends[-1]) - run_start)


def place(grids: list[Grid], boxes: list[TextBox]) -> list[TextBox]:
    """Put each text box into the cell under its centre; returns the boxes in no table."""
    free: list[TextBox] = []
    for box in boxes:
        cell = cell_at(grids, box.cx, box.cy)
        if cell is None:
            free.append(box)
        else:
            cell.texts.append(box)
    return free


def cell_at(grids: list[Grid], x: float, y: float) -> GridCell | None:
    """The cell of ``grids`` under the point (x, y), if any."""
    for grid in grids:
        x0, y0, x1, y1 = grid.box
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue
        for cell in grid.cells:
            cx0, cy0, cx1, cy1 = cell.box
            if cx0 <= x <= cx1 and cy0 <= y <= cy1:
                return cell
    return None


def lines_of(boxes: list[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into lines (vertical centres within half a line height), top to bottom,
    each line left to right."""
    lines: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if lines:
            last = lines[-1]
            centre = sum(b.cy for b in last) / len(last)
            size = max(b.height for b in last)
            if abs(box.cy - centre) <= 0.5 * max(size, box.height):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.box[0]) for line in lines]


def line_text(line: list[TextBox]) -> str:
    return " ".join(b.text.strip() for b in line)
