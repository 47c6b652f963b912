"""A mutation fuzzer over seed documents of every format the checker reads.

Seeds (made here, plus the foreign test files in ``tests/foreign/``): the sample package's
DOCX files, an XLSX ledger, text PDFs, PNG and TIFF scans, and the package as a ZIP. Each
case is one seed mutated by one of: byte flips, truncation, a zip member corrupted or
truncated inside a well-formed zip, or a huge declared size (a zip entry's size, a PNG's
or TIFF's dimensions, a PDF page's MediaBox).

All cases go through one check run in its own process tree (as in
:mod:`tests.test_hardening`), with two workers under the default memory cap, and must give:
a result for every input, no traceback and no crashed or failed checker, and no process
above the cap. ``FUZZ_CASES`` sets the number of cases (default 400, about 20 s; ``make
fuzz`` runs thousands) and ``FUZZ_SEED`` the random seed; the run's figures are printed.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_hardening import _HARNESS, ROOT, big_page_pdf, big_xlsx, encrypted_pdf

CASES = int(os.environ.get("FUZZ_CASES", "400"))
SEED = int(os.environ.get("FUZZ_SEED", "11"))
MEMORY_CAP = 2 * 1024**3
FOREIGN = Path(__file__).with_name("foreign")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the tree's peak memory is measured on Linux"
)

# The run itself: engine.check over the batch, one JSON line per package with each
# document's seconds and findings (the JSON report has no timings).
_RUNNER = textwrap.dedent(
    """
    import json, sys
    from annexkit.checker.engine import CheckOptions, check
    out = []
    for package in check([sys.argv[1]], CheckOptions(workers=2, timeout=60)):
        out.append({
            "path": package.path,
            "findings": [[f.code, f.message] for f in package.findings],
            "documents": [
                {"path": d.path, "seconds": d.seconds, "engine": d.extraction.engine,
                 "findings": [[f.code, f.message] for f in d.findings]}
                for d in package.documents
            ],
        })
    print(json.dumps(out))
    """
)


# --- seeds ---------------------------------------------------------------------------------


def text_pdf(path: Path) -> Path:
    """A one-page PDF with a text layer and a ruled table, written by hand."""
    content = b"BT /F1 14 Tf 72 760 Td (Training ledger 2025) Tj ET\n" + b"".join(
        b"72 %d m 520 %d l S\n" % (y, y) for y in range(500, 720, 20)
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    from tests.test_hardening import _write_pdf

    return _write_pdf(path, objects)


def scan_images(folder: Path) -> list[Path]:
    """A small ruled 'scan' as PNG, JPEG and a three-page TIFF."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (320, 240), 255)
    draw = ImageDraw.Draw(page)
    for y in range(40, 220, 30):
        draw.line((20, y, 300, y), fill=0, width=2)
    for x in (20, 120, 300):
        draw.line((x, 40, x, 190), fill=0, width=2)
    draw.text((30, 10), "sign-in 2025-11-03", fill=0)
    png, jpg, tif = folder / "scan.png", folder / "scan.jpg", folder / "scan.tif"
    page.save(png)
    page.save(jpg, quality=70)
    page.save(tif, save_all=True, append_images=[page, page], compression="tiff_lzw")
    return [png, jpg, tif]


def seeds(folder: Path) -> list[Path]:
    folder.mkdir()
    sample = ROOT / "samples" / "packages" / "clean"
    docx = sorted(sample.glob("*.docx"))
    made = [folder / f"seed{i}.docx" for i in range(len(docx))]
    for source, target in zip(docx, made, strict=True):
        target.write_bytes(source.read_bytes())
    made.append(big_xlsx(folder / "ledger.xlsx", 320))
    made.append(ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "roster.xlsx")
    made.append(text_pdf(folder / "text.pdf"))
    made.append(big_page_pdf(folder / "a4.pdf", 595))
    made.append(encrypted_pdf(folder / "locked.pdf"))
    made += scan_images(folder)
    package = folder / "package.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in docx:
            archive.write(source, f"班1/{source.name}")
    made.append(package)
    if FOREIGN.is_dir():
        made += sorted(
            p for p in FOREIGN.rglob("*") if p.suffix.lower() in (".pdf", ".docx", ".xlsx")
        )
    return made


# --- mutations -----------------------------------------------------------------------------


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 2, 8, 32))):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def corrupt_member(data: bytes, rng: random.Random) -> bytes:
    """A well-formed zip with one member flipped, truncated, emptied or replaced."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return flip_bytes(data, rng)
    names = source.namelist()
    victim = rng.choice(names)
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            if name == victim:
                body = rng.choice(
                    (
                        flip_bytes(body, rng) if body else b"x",
                        body[: len(body) // 2],
                        b"",
                        b"<" * 100,
                        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aa'>]><x>&a;</x>",
                    )
                )
            target.writestr(name, body)
    return out.getvalue()


def huge_sizes(data: bytes, rng: random.Random) -> bytes:
    """Declared sizes far beyond the content: zip entries, image dimensions, PDF pages."""
    if data.startswith(b"PK"):
        out = bytearray(data)
        # Central directory entries: uncompressed size at offset 24 of each record.
        start = 0
        while (found := out.find(b"PK\x01\x02", start)) >= 0:
            if rng.random() < 0.5:
                out[found + 24 : found + 28] = struct.pack("<I", rng.choice((2**31, 2**32 - 1)))
            start = found + 4
        return bytes(out)
    if data.startswith(b"\x89PNG"):
        side = rng.choice((65_535, 2**31 - 1, 30_000))
        return data[:16] + struct.pack(">II", side, side) + data[24:]
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        order = "<" if data[:2] == b"II" else ">"
        out = bytearray(data)
        (ifd,) = struct.unpack(order + "I", data[4:8])
        if ifd + 2 <= len(data):
            (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
            for i in range(min(count, 64)):
                entry = ifd + 2 + 12 * i
                (tag,) = struct.unpack(order + "H", data[entry : entry + 2])
                if tag in (256, 257):  # ImageWidth, ImageLength
                    out[entry + 2 : entry + 4] = struct.pack(order + "H", 4)  # LONG
                    out[entry + 8 : entry + 12] = struct.pack(order + "I", 1_000_000)
        return bytes(out)
    if data.startswith(b"%PDF"):
        return data.replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 14400 14400]")
    return flip_bytes(data, rng)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": flip_bytes,
    "truncate": truncate,
    "member": corrupt_member,
    "huge": huge_sizes,
}


def make_cases(folder: Path, batch: Path, count: int, seed: int) -> dict[str, str]:
    """``count`` mutated files under ``batch`` (one package each); returns package path →
    what it is (seed and mutation)."""
    rng = random.Random(seed)
    sources = seeds(folder)
    batch.mkdir()
    cases: dict[str, str] = {}
    for index in range(count):
        source = sources[index % len(sources)]
        name = rng.choice(list(MUTATIONS))
        data = source.read_bytes()
        mutated = MUTATIONS[name](data, rng) if data else data
        label = f"{source.name} {name}"
        if source.suffix == ".zip":
            target = batch / f"case{index:05d}.zip"
            target.write_bytes(mutated)
        else:
            case = batch / f"case{index:05d}"
            case.mkdir()
            target = case / f"doc{source.suffix}"
            target.write_bytes(mutated)
        cases[str(target if source.suffix == ".zip" else target.parent)] = label
    return cases


# --- the run -------------------------------------------------------------------------------


_FAILURES = ("Traceback", "checker failed", "处理出错", "crashed", "处理崩溃")


def test_fuzzed_documents_each_get_a_result(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    cases = make_cases(tmp_path / "seeds", batch, CASES, SEED)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _HARNESS, sys.executable, "-c", _RUNNER, str(batch)],
        capture_output=True,
        text=True,
        timeout=max(600, CASES),
        cwd=ROOT,
        check=True,
    )
    wall = time.monotonic() - started
    run = json.loads(done.stdout)
    assert run["rc"] == 0, run["err"][-3000:]
    packages: list[dict[str, Any]] = json.loads(run["out"])
    seen = {p["path"] for p in packages}
    missing = sorted(set(cases) - seen)
    assert not missing, f"no result for {missing[:5]}"

    by_code: Counter[str] = Counter()
    failures: list[str] = []
    slowest = (0.0, "")
    for package in packages:
        if not package["documents"] and not package["findings"]:
            failures.append(f"{package['path']}: neither a document nor a finding")
        for code, text in package["findings"]:
            by_code[code] += 1
            if any(marker in text for marker in _FAILURES):
                failures.append(f"{cases.get(package['path'])}: {text[:300]}")
        for document in package["documents"]:
            if not document["findings"] and document["engine"] is None:
                failures.append(f"{package['path']}: unread without a finding")
            slowest = max(slowest, (document["seconds"], cases.get(package["path"], "")))
            for code, text in document["findings"]:
                by_code[code] += 1
                if any(marker in text for marker in _FAILURES):
                    failures.append(f"{cases.get(package['path'])}: {text[:300]}")
    assert "Traceback" not in run["err"], run["err"][-3000:]
    assert not failures, "\n".join(failures[:20])
    assert run["peak"] < MEMORY_CAP, f"a process took {run['peak'] / 2**20:.0f} MB"
    print(
        f"\nfuzz: {len(cases)} inputs (seed {SEED}) in {wall:.0f} s; "
        f"peak {run['peak'] / 2**20:.0f} MB (one process, of the whole tree); "
        f"slowest {slowest[0]:.1f} s ({slowest[1]}); findings by code: "
        + ", ".join(f"{code} {n}" for code, n in by_code.most_common())
    )
