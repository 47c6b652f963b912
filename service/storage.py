"""Uploaded files, stored once by content (sha256) under ``DATA/blobs/ab/cd/<sha256>``.

A submission names its files (name, hash); to check it they are laid out again in a private
temporary folder under their uploaded names, so the checker sees the same files (names
included) as ``annex check`` would on the user's disk.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from annexkit.contract.masking import mask_text
from annexkit.service.db import private_folder
from annexkit.service.errors import ServiceError

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size: int


def safe_name(raw: str | None) -> str:
    """An uploaded file's name as a single path component: browsers may send a whole path,
    and a name must never lead out of the folder it is laid out in."""
    text = unicodedata.normalize("NFC", (raw or "").replace("\\", "/")).split("/")[-1]
    text = re.sub(r"[\x00-\x1f\x7f]", "", text).strip()
    if text in ("", ".", "..") or len(text.encode("utf-8")) > 255:
        # Institutions name files after trainees: the name is masked like any report text.
        shown = mask_text(repr(raw)[:120])
        raise ServiceError(
            "bad-file-name",
            f"文件名无效：{shown}",
            f"invalid file name: {shown}",
            status=422,
        )
    return text


class BlobStore:
    """Files by content hash; writing the same content twice stores it once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        private_folder(root)

    def path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, name: str, stream: BinaryIO, limit: int) -> StoredFile:
        """Store ``stream``; :class:`ServiceError` 413 when it exceeds ``limit`` bytes."""
        digest = hashlib.sha256()
        size = 0
        # delete=False: the finished file is renamed into place, not removed on close.
        tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=self.root, prefix=".upload-", delete=False
        )
        try:
            with tmp:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise too_large(limit)
                    digest.update(chunk)
                    tmp.write(chunk)
            sha = digest.hexdigest()
            target = self.path(sha)
            private_folder(target.parent)
            if target.exists():
                os.unlink(tmp.name)
            else:
                os.chmod(tmp.name, 0o600)
                os.replace(tmp.name, target)  # atomic: a reader never sees half a file
        except BaseException:
            Path(tmp.name).unlink(missing_ok=True)
            raise
        return StoredFile(name, sha, size)

    @contextmanager
    def laid_out(self, files: list[StoredFile], folder_name: str) -> Iterator[Path]:
        """The files in a private temporary folder, as the check should see them: one file
        as itself (``x.zip``), several as a package folder ``folder_name/`` holding them.
        Yields the path to check; removed afterwards."""
        with tempfile.TemporaryDirectory(prefix="annexkit-job-") as tmp:
            base = Path(tmp)
            if len(files) == 1 and files[0].name.casefold().endswith(".zip"):
                target = base / files[0].name
                _place(self.path(files[0].sha256), target)
                yield target
                return
            folder = base / folder_name
            folder.mkdir()
            for stored in files:
                _place(self.path(stored.sha256), folder / stored.name)
            yield folder


def _place(source: Path, target: Path) -> None:
    # A copy, not a link: the checker refuses links leading outside the checked folder.
    shutil.copyfile(source, target)


def too_large(limit: int) -> ServiceError:
    mb = limit / (1024 * 1024)
    return ServiceError(
        "too-large",
        f"上传内容超过上限（{mb:g} MB）",
        f"the upload exceeds the limit of {mb:g} MB",
        status=413,
    )
