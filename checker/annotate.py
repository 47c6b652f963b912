"""Annotated copies of checked documents (``annex check --annotate DIR``).

Each PDF or DOCX with findings gets a copy in DIR that shows every finding where it is: in a
PDF a highlight over the value's cell (a note at the page's top-left where the checker knows
the page but not the cell), in a DOCX a Word comment anchored in the cell. The note holds the
severity, the code and the report's message, so a reviewer can go through a package in an
ordinary viewer instead of matching the report's locations by hand.

What a note says comes from the report's finding dicts, never from the :class:`Finding`
objects: the report is already masked (unless ``--reveal``), so a copy cannot show more of an
ID number than the report does. Where it goes comes from the results (boxes, locations),
which the report does not carry; :func:`~annexkit.checker.report.findings_with_entries` pairs
the two, entry by entry.

Originals are only read. A copy is named ``<stem>.annotated.pdf`` (``-2``, ``-3`` … when the
name is taken) under DIR, in the package's folder and sub-folders as the searchable copies
are, and never written over an existing file. A PDF holding several annexes (``x.pdf#pages=
3-5`` and its siblings) gets one copy with the findings of all its parts. Spreadsheets and
image files get no copy (see :data:`NOT_SUPPORTED`); the result list says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annexkit import ANNEXES
from annexkit.checker.discover import PackageSource
from annexkit.checker.findings import Finding
from annexkit.checker.report import (
    SEVERITY_ZH,
    Report,
    field_label,
    findings_with_entries,
    parse_pointer,
    value_text,
)
from annexkit.checker.result import DocumentResult, PackageResult, PageBox
from annexkit.contract.schema import node_at

__all__ = [
    "AUTHOR",
    "NOT_SUPPORTED",
    "AnnotatedCopy",
    "Mark",
    "NotAnnotated",
    "annotation_lines",
    "note_text",
    "write_annotated",
]

AUTHOR = "annexkit"
"""The author of every annotation and comment (``/T`` in a PDF, ``w:author`` in a DOCX)."""

NOT_SUPPORTED = {
    "xlsx": (
        "电子表格不生成批注副本（位置见报告中的工作表和单元格）",
        "spreadsheets get no annotated copy (the report gives the sheet and cell)",
    ),
    "image": (
        "图片文件不生成批注副本（位置见报告）",
        "image files get no annotated copy (the report gives each finding's location)",
    ),
}
"""Formats that get no copy, with the reason given. Rewriting an XLSX through openpyxl would
drop its pictures (scanned signatures and stamps) and drawings, so the copy would not show
what was submitted; an image has no place for a note that a viewer shows."""

_IMAGE_FORMATS = frozenset(("png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp", "gif", "image"))
_PART = re.compile(r"#pages=(\d+)-(\d+)$")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class AnnotatedCopy:
    """A copy written: ``document`` (its display path in ``package``) with ``marks`` notes."""

    package: str
    document: str
    path: Path
    marks: int


@dataclass(frozen=True)
class NotAnnotated:
    """A document with findings that got no copy, and why (``中文 / English``)."""

    package: str
    document: str
    reason: str


@dataclass(frozen=True)
class Mark:
    """One finding as a writer places it."""

    text: str
    """The note: severity, code, field label and message, masked as the report is."""
    code: str
    severity: str
    page: int
    """1-based page of the file (PDF) the note goes on."""
    box: PageBox | None = None
    """The cell to highlight (PDF), in the frame of :class:`DocumentResult.boxes`."""
    turn: int = 0
    """The clockwise quarter turn that showed ``page`` upright when it was scanned (the
    frame ``box`` is in); 0 for a page with a text layer."""
    table: int | None = None
    row: int | None = None
    column: int | None = None
    """The cell (DOCX), 1-based, numbered as the DOCX reader numbers them."""
    labels: tuple[str, ...] = ()
    """Labels of the field, most specific first: where a DOCX comment without a cell goes."""


@dataclass
class _File:
    """One file of a package and the marks for it (all its parts' findings)."""

    display: str
    format: str
    marks: list[Mark] = field(default_factory=list)


Annotation = AnnotatedCopy | NotAnnotated


def write_annotated(
    sources: Sequence[PackageSource],
    results: Sequence[PackageResult],
    report: Report,
    folder: Path,
    *,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
) -> list[Annotation]:
    """Write an annotated copy of every PDF and DOCX that has errors or warnings in
    ``report`` into ``folder``; return what was written and, for each such document that got
    no copy, why — in package and document order. ``info`` findings (the subsidy estimate)
    are nothing to correct: they are in no copy.

    ``sources`` are the packages as :func:`~annexkit.checker.engine.find_packages` gave them,
    ``results`` what :func:`~annexkit.checker.engine.check_sources` made of them (same
    order), ``report`` the :func:`~annexkit.checker.report.build_report` of ``results`` built
    with the same ``select`` and ``ignore``: its ``reveal`` decides whether the notes show
    identifiers. Package-level findings that name no document are in no copy.

    Raises :class:`NotADirectoryError` when ``folder`` is an existing file and
    :class:`ValueError` when the arguments do not belong together; a document that cannot be
    copied gives a :class:`NotAnnotated`, it never stops the others."""
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}：不是文件夹 / not a folder")
    packages = report["packages"]
    if not len(sources) == len(results) == len(packages):
        raise ValueError(
            f"{len(sources)} sources, {len(results)} results and {len(packages)} reported "
            "packages: they must be the same packages"
        )
    out: list[Annotation] = []
    for source, result, reported in zip(sources, results, packages, strict=True):
        files = _files(result, reported["findings"], select, ignore)
        if files:
            out += _annotate_package(source, files, folder)
    return out


def annotation_lines(items: Iterable[Annotation], folder: Path) -> list[str]:
    """What ``annex check --annotate`` tells on stderr: a line per document that got no copy,
    then how many copies were written where."""
    items = list(items)
    lines = [
        f"{_where(item.package, item.document)}：{item.reason}"
        for item in items
        if isinstance(item, NotAnnotated)
    ]
    written = sum(isinstance(item, AnnotatedCopy) for item in items)
    lines.append(f"已写入 {written} 份批注副本 / {written} annotated copies written → {folder}")
    return lines


def _where(package: str, document: str) -> str:
    """``package/document``, or the document alone when it is a lone file named by the user
    (its own package)."""
    return package if Path(package).name == document else f"{package}/{document}"


# ------------------------------------------------------------------------- findings → marks


def _files(
    result: PackageResult,
    reported: Sequence[Mapping[str, Any]],
    select: set[str] | None,
    ignore: set[str] | None,
) -> list[_File]:
    """The package's files that have findings, in document order, each with its marks."""
    files: dict[str, _File] = {}
    for finding, document, entry in findings_with_entries(result, reported, select, ignore):
        if entry["severity"] == "info":
            continue  # a note for the reviewer (the subsidy estimate), nothing to correct
        if document is None:
            continue
        display = _file_of(document.path)
        held = files.setdefault(display, _File(display, document.format))
        held.marks.append(_mark(finding, document, entry))
    order = {_file_of(d.path): i for i, d in reversed(list(enumerate(result.documents)))}
    return sorted(files.values(), key=lambda f: order.get(f.display, len(order)))


def _file_of(display: str) -> str:
    """The file a document is in: ``x.pdf`` for the part ``x.pdf#pages=3-5``."""
    return _PART.sub("", display)


def _first_page(document: DocumentResult) -> int:
    found = _PART.search(document.path)
    return int(found.group(1)) if found else 1


def _mark(finding: Finding, document: DocumentResult, entry: Mapping[str, Any]) -> Mark:
    location = dict(finding.location)
    if finding.path and not location:
        location = dict(document.locations.get(finding.path, {}))
    page = location.get("page")
    box = document.box_of(finding.path, page if isinstance(page, int) else None)
    if box is not None:
        page = box.page
    if not isinstance(page, int) or page < 1:
        page = _first_page(document)
    annex = entry.get("annex") or document.annex

    def number(key: str) -> int | None:
        value = location.get(key)
        return value if isinstance(value, int) and value >= 1 else None

    return Mark(
        text=note_text(entry),
        code=str(entry["code"]),
        severity=str(entry["severity"]),
        page=page,
        box=box,
        turn=document.turns.get(page, 0),
        table=number("table"),
        row=number("row"),
        column=number("column"),
        labels=_labels(annex, finding.path),
    )


def note_text(entry: Mapping[str, Any]) -> str:
    """A report finding as a note: ``错误 error · invalid-id-number``, then the field's label
    and the message (as the text report shows them), then the value where the message does
    not quote it."""
    severity = str(entry["severity"])
    head = f"{SEVERITY_ZH.get(severity, severity)} {severity} · {entry['code']}"
    message = str(entry["message"])
    label = field_label(entry.get("annex"), entry.get("path"))
    body = f"{label}：{message}" if label and not message.startswith(label) else message
    value = value_text(entry.get("value"))
    lines = [head, body]
    if value and value not in message:
        lines.append(f"值 value: {value}")
    # Control characters read from a document are invalid in XML (a DOCX comment) and odd
    # in a PDF viewer's note: shown as \xNN, as the text report does.
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", "\n".join(lines))


def _labels(annex: str | None, pointer: str | None) -> tuple[str, ...]:
    """The field's Chinese title and label variants, then its parents' (most specific first):
    a paragraph-level DOCX comment is anchored on the first paragraph naming one."""
    if annex not in ANNEXES or not pointer:
        return ()
    path = parse_pointer(pointer)
    labels: list[str] = []
    for end in range(len(path), 0, -1):
        if isinstance(path[end - 1], int):
            continue
        try:
            node = node_at(annex, path[:end])
        except (AttributeError, KeyError, TypeError, ValueError):
            node = None
        if not isinstance(node, Mapping):
            continue
        names = [node.get("title"), *node.get("x-aliases", ())]
        labels += [n for n in names if isinstance(n, str) and n and n not in labels]
    return tuple(labels)


# ---------------------------------------------------------------------------------- copies


def _annotate_package(source: PackageSource, files: list[_File], folder: Path) -> list[Annotation]:
    out: list[Annotation] = []
    # open(): a package inside a zip is unpacked for the block; its copies are made from the
    # unpacked members, so the archive itself is only read.
    with source.open() as opened:
        readable = {display: path for path, display in opened.documents}
        for held in files:
            path = readable.get(held.display)
            if path is None:
                out.append(
                    NotAnnotated(
                        source.path,
                        held.display,
                        "文件无法读取，未生成批注副本 / the file could not be read: no "
                        "annotated copy",
                    )
                )
            else:
                out.append(_annotate_file(source, held, path, folder))
    return out


def _annotate_file(source: PackageSource, held: _File, path: Path, folder: Path) -> Annotation:
    fmt = held.format.lower()
    if fmt in NOT_SUPPORTED or fmt in _IMAGE_FORMATS:
        zh, en = NOT_SUPPORTED.get(fmt, NOT_SUPPORTED["image"])
        return NotAnnotated(source.path, held.display, f"{zh} / {en}")
    if fmt not in ("pdf", "docx"):
        return NotAnnotated(
            source.path,
            held.display,
            f"不支持的文件格式 {fmt}，未生成批注副本 / format {fmt!r} gets no annotated copy",
        )
    target: Path | None = None
    try:
        base = _copy_folder(folder, source.path, held.display)
        base.mkdir(parents=True, exist_ok=True)
        target = _claim(base, _stem(held.display, path), f".{fmt}")
        if fmt == "pdf":
            from annexkit.checker.annotate_pdf import annotate_pdf

            annotate_pdf(path, target, held.marks)
        else:
            from annexkit.checker.annotate_docx import annotate_docx

            annotate_docx(path, target, held.marks)
    except Exception as exc:  # a damaged or encrypted file must not stop the other copies
        if target is not None:
            target.unlink(missing_ok=True)
        return NotAnnotated(
            source.path,
            held.display,
            f"无法写入批注副本 / could not write the annotated copy: {exc}",
        )
    return AnnotatedCopy(source.path, held.display, target, len(held.marks))


def _copy_folder(folder: Path, package: str, display: str) -> Path:
    """Where a document's copy goes: under the package's name (not for a lone file, which is
    its own package), then the document's sub-folders in the package — as the searchable
    copies of :class:`~annexkit.checker.batch.SearchableCheck` are laid out."""
    name = Path(package).name
    lone = name == Path(display).name
    base = folder / name if name not in ("", ".", "..") and not lone else folder
    parts = _parts(display)
    return base.joinpath(*parts[:-1])


def _parts(display: str) -> list[str]:
    # A display path comes from the package (a zip entry's name, too): nothing in it may lead
    # out of the folder.
    return [p for p in Path(display).parts if p not in ("", ".", "..", "/") and not Path(p).anchor]


def _stem(display: str, path: Path) -> str:
    parts = _parts(display)
    return Path(parts[-1]).stem if parts else path.stem


def _claim(folder: Path, stem: str, suffix: str) -> Path:
    """A new, empty file ``stem.annotated[-N]suffix`` in ``folder``, created atomically so
    that two runs never pick the same name and nothing existing is overwritten."""
    for name in _names(stem, suffix):
        target = folder / name
        try:
            with target.open("x"):
                return target
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name for {stem}.annotated{suffix} in {folder}")


def _names(stem: str, suffix: str) -> Iterator[str]:
    for number in range(1, 10_000):
        yield f"{stem}.annotated{'' if number == 1 else f'-{number}'}{suffix}"
