"""Build the variation corpus: packages of one class each, written through institutions' own
layouts and notations, half clean, half with exactly one known fault.

    python -m tests.variation.build --out build/variation [--count 300] [--seed 613]
        [--formats docx,xlsx,pdf,scan]

Each package folder holds the documents (DOCX, XLSX, PDF exported by LibreOffice, now and
then one scan), ``package.yaml`` (profile, claim date), ``expected.yaml`` (the findings
``annex check --expect`` must give) and ``.truth.json`` (each document's annex, layout,
notations, format and the record it shows, canonical; hidden so that the checker does not
read it as a document). ``.corpus.json`` at the top lists the packages. PDFs are made by
one ``soffice --headless --convert-to pdf`` call per batch of files.
Before anything is written, the expected findings are confirmed against the checker's own
rules run on the true records (``oracle_findings``): a package whose fault would not give
exactly its expected findings is a bug of the builder, and stops the build.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import functools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.variation.faults import FAULTS, Expected, Injected
from tests.variation.layouts import LAYOUTS, Ctx, Layout
from tests.variation.model import Class, consistency_problems, make_class
from tests.variation.notations import Style

FORMATS = ("docx", "xlsx", "pdf", "scan")
SCAN_SHARE = 0.1
"""Share of packages with one scanned document (scans are slow to check)."""
FILE_STEMS = {
    "filing": ("企业职工培训备案表", "附件5 备案表", "培训备案表", "备案"),
    "agreement": ("合作培训协议", "附件6 协议", "委托培训协议书", "协议"),
    "ledger": ("培训台账", "附件7 台账", "学员台账", "台账"),
    "signin": ("签到表", "附件8 签到", "出勤签到", "考勤"),
}
TRUTH = ".truth.json"
"""The ground truth beside each package's documents: hidden, because the checker reads every
other non-YAML file of a package as a document (a visible truth.json would be an
``unreadable-document``)."""
INDEX = ".corpus.json"
BATCH = 60
"""Files per soffice call."""


@dataclass
class PlannedDoc:
    key: str
    """``filing``, ``agreement``, ``ledger`` or ``signin:N``."""
    annex: str
    record: dict[str, Any]
    layout: Layout
    fmt: str
    """Final format: docx, xlsx, pdf or scan."""
    name: str = ""
    shown: dict[str, Any] = field(default_factory=dict)
    notations: dict[str, list[str]] = field(default_factory=dict)
    scan: dict[str, Any] | None = None


@dataclass
class PlannedPackage:
    name: str
    fault: str | None
    injected: Injected | None
    data: Class
    docs: list[PlannedDoc]


@functools.cache
def pdf_sources() -> frozenset[str]:
    """What LibreOffice here can export to PDF: DOCX always (Writer), XLSX only where Calc is
    installed (``libsclo.so``; the project's setup installs Writer only)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return frozenset({"docx"})
    program = Path(os.path.realpath(soffice)).parent
    return frozenset({"docx", "xlsx"} if (program / "libsclo.so").exists() else {"docx"})


def _documents(c: Class, leave_out: tuple[str, ...]) -> list[tuple[str, str, dict[str, Any]]]:
    out = [(a, a, c[a]) for a in ("filing", "agreement", "ledger") if a not in leave_out]
    out += [(f"signin:{i}", "signin", sheet) for i, sheet in enumerate(c["signin"])]
    return out


def plan_package(
    index: int, seed: int, formats: tuple[str, ...], scan_share: float = SCAN_SHARE
) -> PlannedPackage:
    rng = random.Random(f"{seed}/{index}")
    data = make_class(rng)
    problems = consistency_problems(data)
    if problems:
        raise RuntimeError(f"package {index}: the clean class is not clean: {problems}")
    names = sorted(FAULTS)
    fault = None if index % 2 == 0 else names[(index // 2) % len(names)]
    injected = FAULTS[fault](data, rng) if fault else None
    digital = [f for f in formats if f != "scan"] or ["docx"]
    docs: list[PlannedDoc] = []
    used: set[str] = set()
    for key, annex, record in _documents(data, injected.leave_out if injected else ()):
        needs = injected.requires.get(key, set()) if injected else set()
        fmt = rng.choice(digital)
        sources = (fmt,) if fmt in ("docx", "xlsx") else pdf_sources()
        choices = [
            lay for lay in LAYOUTS[annex] if needs <= lay.features and lay.fmt in sources
        ] or [lay for lay in LAYOUTS[annex] if needs <= lay.features]
        layout = rng.choice(choices)
        if fmt in ("docx", "xlsx"):
            fmt = layout.fmt
        stem = rng.choice(FILE_STEMS[annex])
        if annex == "signin":
            stem = f"{stem}_{int(key.split(':')[1]) + 1:02d}_{record['date']}"
        while stem in used:
            stem += "_2"
        used.add(stem)
        docs.append(PlannedDoc(key, annex, record, layout, fmt, name=stem))
    scannable = [d for d in docs if d.layout.fmt in pdf_sources()]
    if "scan" in formats and scannable and rng.random() < scan_share:
        target = rng.choice(scannable)
        target.fmt = "scan"
        target.scan = {
            "dpi": rng.choice((150, 300)),
            "format": rng.choice(("png", "jpg", "tiff", "pdf")),
        }
    name = f"{index:04d}-{fault or 'clean'}"
    return PlannedPackage(name, fault, injected, data, docs)


# --------------------------------------------------------------------------- oracle


def oracle_findings(
    docs: list[tuple[str, str, dict[str, Any]]], claim_date: str, profile: str = "jiangmen-2019"
) -> list[Expected]:
    """The errors and warnings the checker's rules give for these records, read perfectly:
    ``(path, annex, record)`` per document."""
    from annexkit.checker.extract import Extracted
    from annexkit.checker.package_check import check_package
    from annexkit.checker.result import DocumentResult, PackageResult
    from annexkit.checker.rules.document import check_record
    from annexkit.policy.profiles import load_profile

    result = PackageResult(path="oracle")
    for path, annex, record in docs:
        findings = check_record(Extracted(annex, copy.deepcopy(record)))
        for finding in findings:
            finding.document = path
        result.documents.append(
            DocumentResult(path=path, format="docx", annex=annex, data=record, findings=findings)
        )
    check_package(result, load_profile(profile), dt.date.fromisoformat(claim_date))
    return sorted(
        (f.code, f.document, f.path) for f in result.all_findings() if f.severity != "info"
    )


# ----------------------------------------------------------------------------- write


def _file_name(doc: PlannedDoc) -> str:
    if doc.fmt == "scan":
        assert doc.scan is not None
        return f"{doc.name}.{doc.scan['format']}"
    return f"{doc.name}.{doc.fmt}"


def write_package(package: PlannedPackage, out: Path, staging: Path, seed: int) -> list[Path]:
    """Write the DOCX/XLSX documents, ``package.yaml``, ``expected.yaml`` and ``truth.json``;
    returns the sources still to be converted to PDF (in ``staging``)."""
    folder = out / package.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    to_convert: list[Path] = []
    for doc in package.docs:
        rng = random.Random(f"{seed}/{package.name}/{doc.key}")
        ctx = Ctx(rng, Style(rng))
        if doc.fmt in ("docx", "xlsx"):
            target = folder / f"{doc.name}.{doc.fmt}"
        else:
            target = staging / f"{package.name}__{doc.key.replace(':', '-')}.{doc.layout.fmt}"
            to_convert.append(target)
        doc.shown = doc.layout.render(doc.record, ctx, target)
        doc.notations = ctx.style.notations()
    paths = [(_file_name(d), d.annex, d.shown) for d in package.docs]
    claim = package.data["settings"]["claim_date"]
    found = oracle_findings(paths, claim)
    keys = {d.key: _file_name(d) for d in package.docs}
    wanted = sorted(
        (code, keys[doc] if doc else None, pointer)
        for code, doc, pointer in (package.injected.expected if package.injected else [])
    )
    if found != wanted:
        raise RuntimeError(f"{package.name}: the rules give {found}, expected {wanted}")
    settings = package.data["settings"]
    (folder / "package.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    expected = {
        "why": package.injected.why
        if package.injected
        else "一个合规的完整材料包 / a clean package",
        "findings": [{"code": c, "document": d, "path": p} for c, d, p in wanted],
    }
    (folder / "expected.yaml").write_text(
        "# 此材料包必须给出的全部错误和警告（提示类不比较）\n"
        "# Every error and warning this package must give (info findings are not compared)\n"
        + yaml.safe_dump(expected, allow_unicode=True, sort_keys=False),
        "utf-8",
    )
    truth = {
        "package": package.name,
        "fault": package.fault,
        "settings": settings,
        "expected": expected["findings"],
        "documents": [
            {
                "path": _file_name(d),
                "key": d.key,
                "annex": d.annex,
                "layout": d.layout.name,
                "source_format": d.layout.fmt,
                "format": d.fmt if d.fmt != "scan" else (d.scan or {}).get("format"),
                "scan": d.scan,
                "notations": d.notations,
                "record": d.shown,
            }
            for d in package.docs
        ],
    }
    (folder / TRUTH).write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    return to_convert


def convert_to_pdf(sources: list[Path], staging: Path) -> None:
    """DOCX/XLSX → PDF next to them: one LibreOffice start per batch of files."""
    if not sources:
        return
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is needed for the pdf and scan formats")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=staging))
    try:
        for start in range(0, len(sources), BATCH):
            batch = sources[start : start + BATCH]
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(staging),
                    *map(str, batch),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=120 + 10 * len(batch),
            )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [s for s in sources if not s.with_suffix(".pdf").is_file()]
    if missing:
        raise RuntimeError(f"LibreOffice did not convert {missing[:3]}")


def scan(
    pdf: Path, folder: Path, stem: str, dpi: int, fmt: str, rng: random.Random
) -> tuple[str, int]:
    """Print ``pdf`` to paper and scan it back with tests/scans/build.py's ageing, into
    ``folder``; returns the file name (a many-page document cannot be one PNG or JPEG: it
    becomes a TIFF) and the page count."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    from tests.scans.build import _scanned_pdf, age_paper

    document = pdfium.PdfDocument(str(pdf))
    try:
        count = len(document)
        pages = []
        for number in range(count):
            bitmap = document[number].render(scale=dpi / 72).to_numpy()[:, :, :3]
            image = np.ascontiguousarray(bitmap[:, :, ::-1])  # RGB → BGR for OpenCV
            turn = rng.choice((90, 180, 270)) if rng.random() < 0.15 else 0
            pages.append(age_paper(image, rng, turn, dpi))
    finally:
        document.close()
    if fmt in ("png", "jpg") and count > 1:
        fmt = "tiff"
    target = folder / f"{stem}.{fmt}"
    if fmt == "jpg":
        cv2.imwrite(str(target), pages[0], [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)])
    elif fmt == "png":
        cv2.imwrite(str(target), pages[0])
    elif fmt == "tiff":
        if not cv2.imwritemulti(str(target), pages, [cv2.IMWRITE_TIFF_COMPRESSION, 5]):
            raise RuntimeError(f"could not write {target}")
    else:
        _scanned_pdf(target, pages, dpi, rng)
    return target.name, count


def build(
    out: Path,
    count: int = 300,
    seed: int = 613,
    formats: tuple[str, ...] = FORMATS,
    progress: bool = False,
    scan_share: float = SCAN_SHARE,
) -> list[dict[str, Any]]:
    """Write ``count`` packages under ``out``; returns the corpus index (``corpus.json``)."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats: {sorted(unknown)}")
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        packages = [plan_package(i, seed, formats, scan_share) for i in range(count)]
        to_convert: list[Path] = []
        for number, package in enumerate(packages, 1):
            to_convert += write_package(package, out, staging, seed)
            if progress and number % 25 == 0:
                print(f"  {number}/{count} packages written", file=sys.stderr)
        if progress and to_convert:
            print(f"  converting {len(to_convert)} files to PDF", file=sys.stderr)
        convert_to_pdf(to_convert, staging)
        for package in packages:
            for doc in package.docs:
                if doc.fmt not in ("pdf", "scan"):
                    continue
                pdf = staging / f"{package.name}__{doc.key.replace(':', '-')}.pdf"
                target = out / package.name / _file_name(doc)
                if doc.fmt == "pdf":
                    shutil.move(pdf, target)
                    continue
                assert doc.scan is not None
                rng = random.Random(f"{seed}/{package.name}/{doc.key}/scan")
                name, pages = scan(
                    pdf, target.parent, doc.name, doc.scan["dpi"], doc.scan["format"], rng
                )
                doc.scan["pages"] = pages
                if name != target.name:
                    doc.scan["format"] = name.rsplit(".", 1)[1]
                    _rename_in_truth(out / package.name, target.name, name)
                _note_pages(out / package.name, name, pages)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    index = [
        {
            "package": p.name,
            "fault": p.fault,
            "documents": [
                {"path": _file_name(d), "annex": d.annex, "layout": d.layout.name, "format": d.fmt}
                for d in p.docs
            ],
        }
        for p in packages
    ]
    (out / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=1), "utf-8")
    return index


def _rename_in_truth(folder: Path, old: str, new: str) -> None:
    """A scan saved under another name than planned: fix truth.json and expected.yaml."""
    for name in (TRUTH, "expected.yaml"):
        path = folder / name
        path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


def _note_pages(folder: Path, name: str, pages: int) -> None:
    path = folder / TRUTH
    truth = json.loads(path.read_text("utf-8"))
    for document in truth["documents"]:
        if document["path"] == name:
            document["format"] = name.rsplit(".", 1)[1]
            document["scan"]["pages"] = pages
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=613)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument(
        "--scan-share",
        type=float,
        default=SCAN_SHARE,
        help="share of packages with one scanned document (1.0: every package)",
    )
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    index = build(
        args.out, args.count, args.seed, formats, progress=True, scan_share=args.scan_share
    )
    faulty = sum(1 for p in index if p["fault"])
    documents = sum(len(p["documents"]) for p in index)
    print(
        f"wrote {len(index)} packages ({faulty} with one fault), {documents} documents, "
        f"to {os.fspath(args.out)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
