"""The one error a reader raises: the document cannot be read, with a reason for the user."""

from __future__ import annotations


class UnreadableDocument(Exception):
    """A document the checker cannot read (finding ``unreadable-document``).

    ``kind`` lets callers and tests tell the causes apart without parsing the message:
    ``empty``, ``too-large``, ``unknown-format``, ``not-a-zip``, ``zip-bomb``, ``encrypted``,
    ``corrupt``, ``truncated``, ``timeout``, ``io``, ``ocr-unavailable``, ``needs-ocr`` or
    ``unsupported`` (a form of the format no reader here handles, e.g. Strict Open XML).
    Reasons are kept on one line: a library's message with line breaks in it would break the
    text report and one-line log formats.
    """

    def __init__(self, reason_zh: str, reason_en: str, kind: str = "corrupt") -> None:
        self.reason_zh = " ".join(reason_zh.split())
        self.reason_en = " ".join(reason_en.split())
        self.kind = kind
        super().__init__(f"{reason_zh} / {reason_en}")

    @property
    def zh(self) -> str:
        return self.reason_zh

    @property
    def en(self) -> str:
        return self.reason_en

    def __reduce__(self) -> tuple[type[UnreadableDocument], tuple[str, str, str]]:
        # Batch workers send results between processes; the default pickling would call
        # __init__ with the joined message only.
        return (type(self), (self.reason_zh, self.reason_en, self.kind))


OCR_EXTRA = "pip install 'annexkit[ocr]'"


def needs_ocr(exc: ImportError) -> UnreadableDocument:
    """A scan met without the OCR extra installed: say what to install, never ImportError."""
    missing = exc.name or str(exc)
    return UnreadableDocument(
        f"这是扫描件，读取需要安装文字识别（OCR）组件：{OCR_EXTRA}（缺少 {missing}）",
        f"a scanned document: reading it needs the OCR extra, {OCR_EXTRA} (missing: {missing})",
        "needs-ocr",
    )
