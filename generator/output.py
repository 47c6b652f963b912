"""Writing documents: DOCX always, PDF on request, never over a user's file unless forced."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from annexkit.contract.files import new_file_mode
from annexkit.contract.text import AnnexkitError
from annexkit.generator.package import Document
from annexkit.generator.pdf import convert_to_pdf
from annexkit.generator.render import render_docx


class OutputExistsError(AnnexkitError):
    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        names = ", ".join(str(p) for p in self.paths[:5])
        more = f" …(+{len(self.paths) - 5})" if len(self.paths) > 5 else ""
        super().__init__(
            f"文件已存在，未覆盖（如需覆盖请加 --force）：{names}{more} / "
            f"files exist and were not overwritten (use --force): {names}{more}"
        )


def targets(documents: Sequence[Document], outdir: Path, pdf: bool) -> list[Path]:
    suffixes = (".docx", ".pdf") if pdf else (".docx",)
    return [outdir / f"{d.stem}{s}" for d in documents for s in suffixes]


def write_documents(
    documents: Sequence[Document],
    outdir: Path,
    *,
    pdf: bool = False,
    force: bool = False,
    template: Path | None = None,
) -> list[Path]:
    """Render every document into ``outdir`` (PDFs by one LibreOffice start); returns the
    files written. Nothing is written when a target exists and ``force`` is not set, and
    nothing is left half-written when rendering or conversion fails."""
    planned = targets(documents, outdir, pdf)
    existing = [p for p in planned if p.exists()]
    if existing and not force:
        raise OutputExistsError(existing)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".annexkit-", dir=outdir) as scratch:
        staging = Path(scratch)
        docx = [
            render_docx(d.annex, d.record, staging / f"{d.stem}.docx", template) for d in documents
        ]
        produced = docx + (convert_to_pdf(docx, staging) if pdf else [])
        written = []
        for path in produced:
            target = outdir / path.name
            # LibreOffice's PDFs and the DOCX files alike: one mode for every file written.
            os.chmod(path, new_file_mode())
            shutil.move(str(path), target)
            written.append(target)
    return sorted(written, key=planned.index)
