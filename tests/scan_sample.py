"""Write one scanned page for install checks: the sample class's first sign-in sheet, made
by the generator, converted by LibreOffice and rendered at 200 dpi as a PNG.

    python -m tests.scan_sample OUT.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]

from annexkit.generator.output import write_documents
from annexkit.generator.package import plan_package
from tests.conftest import ROOT

CLASS = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"
DPI = 200


def write_scan(target: Path) -> Path:
    signin = next(d for d in plan_package(CLASS) if d.annex == "signin")
    with tempfile.TemporaryDirectory() as tmp:
        written = write_documents([signin], Path(tmp), pdf=True)
        pdf_path = next(p for p in written if p.suffix == ".pdf")
        document = pdfium.PdfDocument(str(pdf_path))
        try:
            page = document[0].render(scale=DPI / 72, grayscale=True).to_pil()
            page.save(target)
        finally:
            document.close()
    return target


if __name__ == "__main__":
    print(write_scan(Path(sys.argv[1])))
