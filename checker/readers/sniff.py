"""Which reader a file needs, from its bytes; and the checks that come before any parser.

File names carry no meaning in a package (data contract), so the extension is used only to
word the reason when the content does not match it.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from .errors import UnreadableDocument
from .limits import ReadLimits
from .limits import current as current_limits

MAX_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 5 * 1024 * 1024
"""Below this many uncompressed bytes a high ratio is harmless (tiny, repetitive XML parts
compress that well), so the ratio test applies only above it."""
MAX_MEMBERS = 10_000
_XML_PARTS = (".xml", ".rels", ".vml")
_STRICT_NAMESPACE = b"purl.oclc.org/ooxml/"
_STRICT_HEAD = 4096
_NAMES = {"docx": "Word（DOCX）", "xlsx": "Excel（XLSX）"}

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


def sniff(path: Path, max_bytes: int = MAX_BYTES, limits: ReadLimits | None = None) -> str:
    """``pdf``, ``docx``, ``xlsx`` or ``image`` (JPEG, PNG, TIFF: read by OCR); raises
    :class:`UnreadableDocument` for anything else, and for a DOCX or XLSX over the XML limit
    (``limits.max_xml_bytes``) or in the Strict Open XML form."""
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
        return _office_zip(path, limits or current_limits())
    if head.startswith(_OCR_IMAGES):
        return "image"
    raise _unknown(path, head)


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count / 1024:.1f} KB"


def _office_zip(path: Path, limits: ReadLimits) -> str:
    """docx or xlsx by the parts the zip holds, after refusing a zip bomb, too much XML and
    Strict Open XML; judged from the zip directory and the first bytes of the main part."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            kind = _office_kind(members, limits)
            _refuse_strict(archive, kind)
            return kind
    except UnreadableDocument:
        raise
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        detail = " ".join(str(exc).split())[:300]
        raise UnreadableDocument(
            "ZIP 容器已损坏（文件可能不完整）",
            f"the ZIP container is corrupt (the file may be incomplete): {detail}",
            "corrupt",
        ) from exc


def _office_kind(members: list[zipfile.ZipInfo], limits: ReadLimits) -> str:
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
    kind = "docx" if "word/document.xml" in names else "xlsx" if "xl/workbook.xml" in names else ""
    if kind:
        xml = sum(m.file_size for m in members if m.filename.lower().endswith(_XML_PARTS))
        if xml > limits.max_xml_bytes:
            name = _NAMES[kind]
            raise UnreadableDocument(
                f"{name} 文件过大：含 {_size(xml)} XML，超过上限 {_size(limits.max_xml_bytes)}"
                "（--max-xml-mb），未读取",
                f"the {name} file holds {_size(xml)} of XML, over the limit of "
                f"{_size(limits.max_xml_bytes)} (--max-xml-mb): not read",
                "too-large",
            )
        return kind
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


def _refuse_strict(archive: zipfile.ZipFile, kind: str) -> None:
    """Strict Open XML (ISO 29500 Strict, "Strict Open XML Document" in Word's Save As) uses
    other namespaces than the Transitional form every reader here expects: say so, rather
    than "corrupt"."""
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    with archive.open(main) as stream:
        head = stream.read(_STRICT_HEAD)
    if _STRICT_NAMESPACE in head:
        name = _NAMES[kind]
        suffix = ".docx" if kind == "docx" else ".xlsx"
        raise UnreadableDocument(
            f"{name} 为严格 Open XML（Strict）格式，不支持；请另存为普通 {suffix}",
            f"the {name} file is in the Strict Open XML form, which is not supported: save it "
            f"as an ordinary {suffix}",
            "unsupported",
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
