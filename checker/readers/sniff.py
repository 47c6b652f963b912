"""Which reader a file needs, from its bytes; and the checks that come before any parser.

File names carry no meaning in a package (data contract), so the extension is used only to
word the reason when the content does not match it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import UnreadableDocument

MAX_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 5 * 1024 * 1024
"""Below this many uncompressed bytes a high ratio is harmless (tiny, repetitive XML parts
compress that well), so the ratio test applies only above it."""
MAX_MEMBERS = 10_000

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OCR_IMAGES = (b"\xff\xd8\xff", b"\x89PNG", b"II*\x00", b"MM\x00*")
"""Image formats read by OCR (:mod:`.images`); the others in ``_IMAGES`` are refused."""
_IMAGES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG": "PNG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"GIF8": "GIF",
    b"BM": "BMP",
}


def sniff(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """``pdf``, ``docx``, ``xlsx`` or ``image`` (JPEG, PNG, TIFF: read by OCR); raises
    :class:`UnreadableDocument` for anything else."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UnreadableDocument("不是普通文件", "not a regular file", "io")
        if size == 0:
            raise UnreadableDocument("文件为空（0 字节）", "the file is empty (0 bytes)", "empty")
        if size > max_bytes:
            raise UnreadableDocument(
                f"文件过大（{_size(size)}，上限 {_size(max_bytes)}）",
                f"the file is too large ({_size(size)}, limit {_size(max_bytes)})",
                "too-large",
            )
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise UnreadableDocument(
            f"无法打开文件：{exc.strerror or exc}", f"cannot open the file: {exc}", "io"
        ) from exc

    # Readers accept junk before the header within the first KiB; so do we.
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _office_zip(path)
    if head.startswith(_OCR_IMAGES):
        return "image"
    raise _unknown(path, head)


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count / 1024:.1f} KB"


def _office_zip(path: Path) -> str:
    """docx or xlsx by the parts the zip holds, after refusing a zip bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableDocument(
            "ZIP 容器已损坏（文件可能不完整）",
            f"the ZIP container is corrupt (the file may be incomplete): {exc}",
            "corrupt",
        ) from exc
    if len(members) > MAX_MEMBERS:
        raise _bomb(f"{len(members)} 个条目", f"{len(members)} entries")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > MAX_UNCOMPRESSED:
        raise _bomb(f"解压后 {unpacked / 2**20:.0f} MB", f"{unpacked / 2**20:.0f} MB unpacked")
    if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1):
        ratio = unpacked / max(packed, 1)
        raise _bomb(f"压缩比 {ratio:.0f}:1", f"compression ratio {ratio:.0f}:1")
    names = {m.filename for m in members}
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        raise UnreadableDocument(
            "这是 PowerPoint 演示文稿，不是附件格式（DOCX/XLSX/PDF）",
            "this is a PowerPoint presentation, not an annex format (DOCX/XLSX/PDF)",
            "unknown-format",
        )
    raise UnreadableDocument(
        "ZIP 压缩包，但不是 Word（.docx）或 Excel（.xlsx）文档",
        "a ZIP archive that is not a Word (.docx) or Excel (.xlsx) document",
        "unknown-format",
    )


def _bomb(what_zh: str, what_en: str) -> UnreadableDocument:
    return UnreadableDocument(
        f"压缩内容异常（{what_zh}），疑似 ZIP 炸弹，已拒绝读取",
        f"abnormal compressed content ({what_en}), likely a zip bomb: refused",
        "zip-bomb",
    )


def _unknown(path: Path, head: bytes) -> UnreadableDocument:
    suffix = path.suffix.lower()
    if head.startswith(_OLE2):
        if _mentions_encrypted_package(path):
            return UnreadableDocument(
                "Office 文档已加密（设有打开密码），请去除密码后重新提交",
                "the Office document is encrypted (password to open): remove it and resubmit",
                "encrypted",
            )
        return UnreadableDocument(
            "旧版 Office 格式（.doc/.xls/.wps/.et），请另存为 .docx、.xlsx 或 PDF",
            "a legacy Office format (.doc/.xls/.wps/.et): save it as .docx, .xlsx or PDF",
            "unknown-format",
        )
    for magic, kind in _IMAGES.items():
        if head.startswith(magic):
            return UnreadableDocument(
                f"图片格式（{kind}）不支持，请提交 PDF、JPEG、PNG 或 TIFF",
                f"{kind} images are not supported: submit a PDF, JPEG, PNG or TIFF",
                "unknown-format",
            )
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(b"{\\rtf"):
        return UnreadableDocument(
            "RTF 格式，请另存为 .docx 或 PDF",
            "an RTF file: save it as .docx or PDF",
            "unknown-format",
        )
    if lowered.startswith((b"<html", b"<!doctype", b"<?xml", b"mime-version")):
        return UnreadableDocument(
            "网页或 XML 文件（可能是以 Office 扩展名保存的网页），请另存为 .docx、.xlsx 或 PDF",
            "a web page or XML file (perhaps saved with an Office extension): "
            "save it as .docx, .xlsx or PDF",
            "unknown-format",
        )
    if suffix in (".docx", ".xlsx", ".docm", ".xlsm"):
        return UnreadableDocument(
            f"扩展名为 {suffix}，但内容不是有效的 Office 文档（不是 ZIP 格式）",
            f"named {suffix} but the content is not a valid Office document (not a ZIP)",
            "not-a-zip",
        )
    if suffix == ".pdf":
        return UnreadableDocument(
            "扩展名为 .pdf，但内容不是 PDF（缺少 %PDF 文件头）",
            "named .pdf but the content is not a PDF (no %PDF header)",
            "unknown-format",
        )
    return UnreadableDocument(
        "无法识别的文件格式（支持 DOCX、XLSX、PDF）",
        "unrecognised file format (DOCX, XLSX and PDF are supported)",
        "unknown-format",
    )


def _mentions_encrypted_package(path: Path) -> bool:
    """Encrypted OOXML is an OLE2 file whose directory names an ``EncryptedPackage`` stream;
    the directory sits near the start in files Office writes, so a bounded read suffices."""
    try:
        with path.open("rb") as handle:
            data = handle.read(4 * 1024 * 1024)
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data
