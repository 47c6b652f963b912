"""Cutting a PDF's layout by pages, for a file holding several annexes."""

from __future__ import annotations

from dataclasses import replace

from ..layout import Block, LayoutDocument, Paragraph, Table
from .stitch import renumber


def subset(document: LayoutDocument, first_page: int, last_page: int) -> LayoutDocument:
    """Pages ``first_page``…``last_page`` (1-based, inclusive) of a PDF as a document of its
    own, for a file holding several annexes. Pages keep their numbers in the file; a table
    cut by the range keeps its rows in range, renumbered from 0; indexes restart at 1."""
    pages = range(first_page, last_page + 1)
    blocks: list[Block] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            if block.page in pages:
                blocks.append(replace(block))
            continue
        cells = [c for c in block.cells if c.page in pages]
        if cells:
            top = min(c.row for c in cells)
            cells = [replace(c, row=c.row - top) for c in cells]
            page = min(c.page for c in cells if c.page is not None)
            blocks.append(Table(block.index, cells, page=page, sheet=block.sheet))
    return LayoutDocument(
        path=document.path,
        format=document.format,
        blocks=renumber(blocks),
        pages=len(pages),
        extraction=replace(document.extraction),
        unreliable_pages=[p for p in document.unreliable_pages if p in pages],
        first_page=first_page,
        text_runs={p: runs for p, runs in document.text_runs.items() if p in pages},
        turns={p: turn for p, turn in document.turns.items() if p in pages},
    )
