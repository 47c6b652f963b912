"""The stored page pictures of a checked submission, for the web page to show.

The job (:mod:`.jobs`) stores, with each report, a grayscale JPEG of every checked page that
has a finding whose cell the checker knows: the bytes in the :class:`BlobStore` by content
hash, a ``page_pictures`` row each with the cells' outlines in the picture's pixels. ID and
phone number cells are painted over in the pixels (``checker.page_pictures``), as the
report masks them, so a picture may be shown wherever the masked report may.

Pure data access: who may see a submission is the caller's check (by institution), made
before it calls here. The blob store also holds the uploads themselves, unmasked; so a
picture must be found through its submission (:func:`pictures_of`, :func:`picture_for`),
never served for a hash a client sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from annexkit.service import db
from annexkit.service.db import Database
from annexkit.service.errors import ServiceError
from annexkit.service.storage import BlobStore

__all__ = ["StoredPicture", "picture_bytes", "picture_for", "pictures_of"]

_JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True)
class StoredPicture:
    """One page of one document of a checked submission."""

    package: int
    """Index of the package in the report's ``packages``."""
    document: int
    """Index of the document in its package's ``documents`` of the report."""
    page: int
    """1-based page of the document's file (a part ``x.pdf#pages=3-5`` has pages 3 to 5)."""
    width: int
    height: int
    """Size of the JPEG in pixels: the frame of the outlines."""
    sha256: str
    """The JPEG in the BlobStore: :func:`picture_bytes`."""
    outlines: list[dict[str, Any]]
    """``{finding, severity, x, y, w, h}`` each: the finding's index in its package's
    ``findings`` of the report, its severity (error, warning …) and its cell's box in the
    picture's pixels (x, y the top left corner)."""


def pictures_of(database: Database, sid: str) -> list[StoredPicture]:
    """The pictures of submission ``sid`` in package, document and page order; empty for a
    submission without any (not checked yet, no PDF or scan with a located finding, or the
    pictures could not be made)."""
    table = db.page_pictures
    with database.transaction() as conn:
        rows = (
            conn.execute(
                sa.select(table)
                .where(table.c.submission_id == sid)
                .order_by(table.c.package, table.c.document, table.c.page)
            )
            .mappings()
            .all()
        )
    return [
        StoredPicture(
            package=int(row["package"]),
            document=int(row["document"]),
            page=int(row["page"]),
            width=int(row["width"]),
            height=int(row["height"]),
            sha256=str(row["sha256"]),
            outlines=list(json.loads(row["outlines"])),
        )
        for row in rows
    ]


def picture_bytes(store: BlobStore, sha256: str) -> bytes:
    """The JPEG stored under ``sha256`` (from a :class:`StoredPicture`). :class:`ServiceError`
    404 when there is no such picture: not a hash, no such blob, or a blob that is not a
    JPEG (an uploaded document: never given out as a picture)."""
    try:
        data = store.path(sha256).read_bytes()
    except (ValueError, OSError):
        raise _no_picture() from None
    if not data.startswith(_JPEG_MAGIC):
        raise _no_picture()
    return data


def picture_for(database: Database, store: BlobStore, sid: str, sha256: str) -> bytes:
    """:func:`picture_bytes`, only when ``sha256`` is a picture of submission ``sid``: for a
    route that takes the hash from its URL (an uploaded scan is a JPEG too, and would be
    given out unmasked by its hash alone). :class:`ServiceError` 404 otherwise."""
    table = db.page_pictures
    with database.transaction() as conn:
        found = conn.execute(
            sa.select(table.c.sha256)
            .where(table.c.submission_id == sid, table.c.sha256 == sha256)
            .limit(1)
        ).first()
    if found is None:
        raise _no_picture()
    return picture_bytes(store, sha256)


def _no_picture() -> ServiceError:
    return ServiceError("not-found", "找不到该页面图片", "no such page picture", status=404)
