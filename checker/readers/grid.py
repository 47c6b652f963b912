"""Rulings → table grids: connected rulings form a table, their positions its grid lines, and
a missing internal ruling merges the cells on either side of it.

Tables drawn without rulings (three-line tables, text aligned with spaces) are not found
here: their text stays in paragraphs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from .geometry import Box, Segment

JOIN = 1.5
"""Rulings this close (pt) touch: borders meet at corners with a stroke's width of slack."""
SAME_LINE = 3.0
"""Grid lines closer than this (pt) are one line (double borders, stroke widths)."""
COVERED = 0.5
"""A cell boundary with rulings along at least this share of it is drawn, not merged."""
MAX_RULINGS = 1000
"""Distinct rulings per direction on a page beyond which it is a drawing (hatching, a
chart), not a form: no tables are looked for, which keeps a hostile page from costing
seconds."""
MAX_CELLS = 50_000
"""Elementary cells of one grid beyond which it is not read as a table."""


@dataclass
class Region:
    """One cell of the grid: top-left grid position and spans, 0-based."""

    row: int
    column: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Grid:
    xs: list[float]
    """Column lines, left to right."""
    ys: list[float]
    """Row lines, top to bottom."""
    regions: list[Region] = field(default_factory=list)
    owner: list[list[int]] = field(default_factory=list)
    """Region index of each elementary cell, ``owner[row][column]``."""

    @property
    def bbox(self) -> Box:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    @property
    def area(self) -> float:
        return (self.xs[-1] - self.xs[0]) * (self.ys[-1] - self.ys[0])

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] - 1 <= x <= self.xs[-1] + 1 and self.ys[0] - 1 <= y <= self.ys[-1] + 1

    def region_at(self, x: float, y: float) -> int:
        row = min(max(bisect_right(self.ys, y) - 1, 0), len(self.ys) - 2)
        column = min(max(bisect_right(self.xs, x) - 1, 0), len(self.xs) - 2)
        return self.owner[row][column]

    def region_box(self, region: Region) -> Box:
        return (
            self.xs[region.column],
            self.ys[region.row],
            self.xs[region.column + region.colspan],
            self.ys[region.row + region.rowspan],
        )


def find_grids(horizontals: list[Segment], verticals: list[Segment]) -> list[Grid]:
    """The tables the rulings draw, largest first; a lone box (one cell) is not a table."""
    hs = merge_collinear(horizontals)
    vs = merge_collinear(verticals)
    if len(hs) > MAX_RULINGS or len(vs) > MAX_RULINGS:
        return []
    grids = []
    for h_group, v_group in _connected(hs, vs):
        if len(h_group) < 2 or len(v_group) < 2:
            continue
        grid = _grid(h_group, v_group)
        if grid is not None and len(grid.regions) > 1:
            grids.append(grid)
    grids.sort(key=lambda g: -g.area)
    return grids


def merge_collinear(segments: Iterable[Segment]) -> list[Segment]:
    """Segments on one line that touch or overlap become one (borders are drawn per cell)."""
    lines: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: s.at):
        if lines and seg.at - lines[-1][0].at <= JOIN:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    merged: list[Segment] = []
    for line in lines:
        at = sum(s.at for s in line) / len(line)
        current: Segment | None = None
        for seg in sorted(line, key=lambda s: s.start):
            if current is not None and seg.start <= current.end + JOIN:
                current.end = max(current.end, seg.end)
            else:
                current = Segment(at, seg.start, seg.end)
                merged.append(current)
    return merged


def _connected(hs: list[Segment], vs: list[Segment]) -> list[tuple[list[Segment], list[Segment]]]:
    sets = _UnionFind(len(hs) + len(vs))
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.start - JOIN <= v.at <= h.end + JOIN and v.start - JOIN <= h.at <= v.end + JOIN:
                sets.union(i, len(hs) + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(sets.find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(sets.find(len(hs) + j), ([], []))[1].append(v)
    return list(groups.values())


def _grid(hs: list[Segment], vs: list[Segment]) -> Grid | None:
    # Open-sided tables have no outer vertical (or horizontal) ruling: the extent of the
    # other direction's rulings stands in for it.
    xs = cluster([v.at for v in vs] + [min(h.start for h in hs), max(h.end for h in hs)])
    ys = cluster([h.at for h in hs] + [min(v.start for v in vs), max(v.end for v in vs)])
    if len(xs) < 2 or len(ys) < 2 or len(xs) * len(ys) > MAX_CELLS:
        return None
    v_lines = _by_line(vs, xs)
    h_lines = _by_line(hs, ys)
    rows, columns = len(ys) - 1, len(xs) - 1
    cells = _UnionFind(rows * columns)
    for r in range(rows):
        for c in range(columns):
            here = r * columns + c
            if c + 1 < columns and not _covered(v_lines[c + 1], ys[r], ys[r + 1]):
                cells.union(here, here + 1)
            if r + 1 < rows and not _covered(h_lines[r + 1], xs[c], xs[c + 1]):
                cells.union(here, here + columns)
    _make_rectangular(cells, rows, columns)
    return _regions(xs, ys, [cells.find(i) for i in range(rows * columns)], rows, columns)


def cluster(values: list[float]) -> list[float]:
    """Sorted positions with near-equal ones (within :data:`SAME_LINE`) replaced by their mean."""
    out: list[float] = []
    group: list[float] = []
    for value in sorted(values):
        if group and value - group[0] > SAME_LINE:
            out.append(sum(group) / len(group))
            group = []
        group.append(value)
    if group:
        out.append(sum(group) / len(group))
    return out


def _by_line(segments: list[Segment], lines: list[float]) -> list[list[tuple[float, float]]]:
    """Each grid line's ruling intervals."""
    out: list[list[tuple[float, float]]] = [[] for _ in lines]
    for seg in segments:
        k = bisect_right(lines, seg.at)
        nearest = min(
            (i for i in (k - 1, k) if 0 <= i < len(lines)), key=lambda i: abs(lines[i] - seg.at)
        )
        if abs(lines[nearest] - seg.at) <= SAME_LINE:
            out[nearest].append((seg.start, seg.end))
    return out


def _covered(intervals: list[tuple[float, float]], start: float, end: float) -> bool:
    length = end - start
    if length <= 0:
        return True
    inside = sum(max(0.0, min(e, end) - max(s, start)) for s, e in intervals)
    return inside >= COVERED * length


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _make_rectangular(cells: _UnionFind, rows: int, columns: int) -> None:
    """A merged area that is not a rectangle (irregular borders) is widened to its bounding
    rectangle, so each region is one cell with spans."""
    find, union = cells.find, cells.union
    changed = True
    while changed:
        changed = False
        boxes: dict[int, list[int]] = {}
        for r in range(rows):
            for c in range(columns):
                root = find(r * columns + c)
                box = boxes.setdefault(root, [r, c, r, c])
                box[0], box[1] = min(box[0], r), min(box[1], c)
                box[2], box[3] = max(box[2], r), max(box[3], c)
        for root, (r0, c0, r1, c1) in boxes.items():
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if find(r * columns + c) != find(root):
                        union(r * columns + c, root)
                        changed = True


def _regions(xs: list[float], ys: list[float], roots: list[int], rows: int, columns: int) -> Grid:
    index: dict[int, int] = {}
    regions: list[Region] = []
    owner = [[0] * columns for _ in range(rows)]
    for r in range(rows):
        for c in range(columns):
            root = roots[r * columns + c]
            if root not in index:
                index[root] = len(regions)
                regions.append(Region(r, c))
            region = regions[index[root]]
            region.rowspan = max(region.rowspan, r - region.row + 1)
            region.colspan = max(region.colspan, c - region.column + 1)
            owner[r][c] = index[root]
    return Grid(xs, ys, regions, owner)
