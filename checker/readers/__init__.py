"""Document readers: a submitted file → :class:`~annexkit.checker.layout.LayoutDocument`.

The reader is chosen by content, never by file name. Every failure to read — empty, too
large, unknown format, encrypted, corrupt, zip bomb, timed out — is raised as
:class:`UnreadableDocument` with a Chinese and an English reason; nothing else escapes.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..layout import LayoutDocument
from .errors import UnreadableDocument, needs_ocr
from .limits import ReadLimits
from .limits import current as current_limits
from .pages import subset
from .sniff import MAX_BYTES, sniff

__all__ = ["MAX_BYTES", "TIMEOUT", "ReadLimits", "UnreadableDocument", "read", "subset"]

TIMEOUT = 120.0
"""Seconds a PDF may take, checked between pages. DOCX and XLSX parsing is bounded by the
size limits instead; a hard limit on a stuck parser needs a process boundary (the caller's)."""

_NAMES = {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "image": "image"}


def read(
    path: Path,
    display_name: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float | None = TIMEOUT,
    limits: ReadLimits | None = None,
) -> list[LayoutDocument]:
    """The documents in ``path`` (one per file today; a list so that a container holding
    several can be added without changing callers). ``display_name`` is the path reported
    (the name inside the package). ``limits``: what a document may make the readers decode
    (default: this process's, :func:`.limits.current`).

    A failed allocation is raised as :class:`MemoryError` (never reported as a corrupt
    file): the caller decides whether the process can go on."""
    path = Path(path)
    limits = limits or current_limits()
    kind = sniff(path, max_bytes, limits)
    try:
        # Each reader's libraries load only when a file of its kind comes: a DOCX check
        # imports neither PDFium nor openpyxl (and through it numpy).
        if kind == "pdf":
            from .pdf import read_pdf

            deadline = None if timeout is None else time.monotonic() + timeout
            return [read_pdf(path, display_name, deadline, limits=limits)]
        if kind == "image":
            deadline = None if timeout is None else time.monotonic() + timeout
            try:
                from .scan import read_images  # the OCR stack loads only for scans
            except ImportError as exc:
                raise needs_ocr(exc) from None

            return [read_images(path, display_name, deadline, limits)]
        if kind == "docx":
            from .docx import read_docx

            return [read_docx(path, display_name)]
        from .xlsx import read_xlsx

        return [read_xlsx(path, display_name, limits)]
    except (UnreadableDocument, MemoryError):
        raise
    except Exception as exc:
        if _out_of_memory(exc):
            raise MemoryError(str(exc)) from exc
        # Parsers raise whatever they meet in a damaged file (KeyError for a missing part,
        # XMLSyntaxError, CRC errors …): to the user it is one thing.
        name = _NAMES[kind]
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        raise UnreadableDocument(
            f"{name} 文件已损坏或结构异常，无法读取",
            f"the {name} file is corrupt or malformed ({detail})",
            "corrupt",
        ) from exc


_OUT_OF_MEMORY = ("insufficient memory", "failed to allocate", "bad_alloc", "bad allocation")


def _out_of_memory(exc: BaseException) -> bool:
    """An allocation failure that a C++ library (OpenCV, onnxruntime) reported as its own
    error type rather than :class:`MemoryError`."""
    text = str(exc).lower()
    return any(marker in text for marker in _OUT_OF_MEMORY)
