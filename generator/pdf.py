"""DOCX → PDF through LibreOffice headless, many files per start.


A cold LibreOffice start costs seconds, so a package is converted in one call. Each call runs
in its own throw-away user profile (concurrent conversions would otherwise fight over one)
under a timeout, with ``forms/fonts.conf`` mapping the forms' 宋体/黑体 to installed CJK fonts.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from annexkit.contract.text import AnnexkitError

DEFAULT_TIMEOUT = 600.0


class PdfConversionError(AnnexkitError):
    """LibreOffice is missing, failed, or did not finish in time."""


def find_soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise PdfConversionError(
        "未找到 LibreOffice（soffice），无法生成PDF；请运行 make setup 或 "
        "apt-get install libreoffice-writer-nogui fonts-noto-cjk / "
        "LibreOffice (soffice) not found, so no PDF can be made; run `make setup` or "
        "`apt-get install libreoffice-writer-nogui fonts-noto-cjk`"
    )


def fontconfig_file() -> Path:
    return Path(str(files("annexkit.forms") / "fonts.conf"))


def convert_to_pdf(
    sources: Sequence[Path], outdir: Path, timeout: float = DEFAULT_TIMEOUT
) -> list[Path]:
    """Convert every DOCX in ``sources`` to ``outdir/STEM.pdf`` with one LibreOffice start.

    Returns the PDFs in the order of ``sources``. Stems must be unique.
    """
    if not sources:
        return []
    stems = [s.stem for s in sources]
    if len(set(stems)) != len(stems):
        raise ValueError("source file names must be unique")
    soffice = find_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="annexkit-lo-") as scratch:
        work = Path(scratch)
        env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file()), HOME=str(work))
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            *[str(s.resolve()) for s in sources],
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfConversionError(
                f"LibreOffice 转换超时（{timeout:.0f} 秒） / "
                f"LibreOffice did not finish within {timeout:.0f} s"
            ) from None
        results = []
        for source in sources:
            produced = work / "out" / f"{source.stem}.pdf"
            if not produced.exists():
                detail = output.decode("utf-8", "replace").strip()[-500:]
                raise PdfConversionError(
                    f"LibreOffice 未能转换 {source.name} / LibreOffice could not convert "
                    f"{source.name} (exit {process.returncode}): {detail}"
                )
            target = outdir / produced.name
            shutil.move(str(produced), target)
            results.append(target)
        return results
