"""``POST /api/v1/packages``: a class file (+ roster) in, the generated package (zip) out —
what ``annex generate package`` writes, DOCX and, where LibreOffice is installed, PDF."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from annexkit.contract.masking import mask_id, mask_phone
from annexkit.contract.schema import node_at
from annexkit.generator.data import DataFileError, InvalidDataError, load_mapping
from annexkit.generator.output import write_documents
from annexkit.generator.package import plan_package
from annexkit.generator.pdf import PdfConversionError
from annexkit.generator.render import TemplateRenderError
from annexkit.service.auth import CurrentUser
from annexkit.service.errors import BEARER, ServiceError, error_responses
from annexkit.service.storage import safe_name, too_large

router = APIRouter(prefix="/packages", tags=["packages"], dependencies=[Depends(BEARER)])

_CLASS_SUFFIXES = (".yaml", ".yml", ".json")
_ROSTER_SUFFIXES = (".xlsx", ".csv")


def _masked(annex: str, path: tuple[str | int, ...], value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        fmt = (node_at(annex, path) or {}).get("format")
    except (KeyError, TypeError, ValueError, AttributeError):
        fmt = None
    if fmt == "id_number":
        return mask_id(value)
    if fmt == "phone":
        return mask_phone(value)
    return value


def _invalid(error: InvalidDataError) -> ServiceError:
    problems = [
        {
            "source": source,
            "annex": annex,
            "path": problem.pointer or "/",
            "label": problem.label,
            "code": problem.code,
            "zh": problem.zh,
            "en": problem.en,
            "value": _masked(annex, problem.path, problem.value),
        }
        for source, annex, problem in error.problems
    ]
    return ServiceError(
        "invalid-data",
        f"数据不符合表格要求，共{len(problems)}处",
        f"the data does not satisfy the forms: {len(problems)} problems",
        status=422,
        problems=problems,
    )


def _save(upload: UploadFile, folder: Path, limit: int, suffixes: tuple[str, ...]) -> Path:
    name = safe_name(upload.filename)
    if not name.casefold().endswith(suffixes):
        raise ServiceError(
            "bad-file-type",
            f"文件类型应为 {'、'.join(suffixes)}：{name}",
            f"expected a {' or '.join(suffixes)} file, not {name!r}",
            status=422,
        )
    target = folder / name
    with open(target, "wb") as out:
        copied = 0
        while chunk := upload.file.read(1024 * 1024):
            copied += len(chunk)
            if copied > limit:
                raise too_large(limit)
            out.write(chunk)
    return target


@router.post(
    "",
    response_class=Response,
    responses={
        200: {
            "description": "The package: DOCX (and PDF) files",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        # 422 lists each problem; 500 only when LibreOffice or a template fails.
        **error_responses(400, 401, 413, 422, 500),
    },
)
def generate_package(
    request: Request,
    user: CurrentUser,
    class_file: Annotated[UploadFile, File(description="CLASS.yaml or .json")],
    roster: Annotated[UploadFile | None, File(description="The roster, .xlsx or .csv")] = None,
    pdf: Annotated[bool | None, Form(description="PDF too (default: when installed)")] = None,
) -> Response:
    """Generate a class's whole package; 422 lists every problem with its JSON path."""
    limit: int = request.app.state.settings.max_upload_bytes
    with tempfile.TemporaryDirectory(prefix="annexkit-generate-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        given = _save(class_file, folder, limit, _CLASS_SUFFIXES)
        roster_path = _save(roster, folder, limit, _ROSTER_SUFFIXES) if roster else None
        try:
            spec = load_mapping(given)
        except DataFileError as exc:
            raise ServiceError("bad-class-file", exc.zh, exc.en, status=422) from None
        filing = spec.get("filing")
        if isinstance(filing, dict) and isinstance(filing.get("roster"), str):
            # The class file may name its roster file; on a server that must be the file
            # uploaded beside it, never a path on the server.
            if roster_path is None:
                raise ServiceError(
                    "roster-missing",
                    f"班级文件引用了名册文件“{filing['roster']}”，请一并上传（roster）",
                    f"the class file names a roster file ({filing['roster']}): upload it as "
                    "'roster'",
                    status=422,
                )
            filing["roster"] = roster_path.name
        elif roster_path is not None and isinstance(filing, dict):
            filing["roster"] = roster_path.name
        planned = folder / "class.json"
        planned.write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
        want_pdf = pdf if pdf is not None else shutil.which("soffice") is not None
        out = Path(tmp) / "out"
        try:
            written = write_documents(plan_package(planned), out, pdf=want_pdf)
        except InvalidDataError as exc:
            raise _invalid(exc) from None
        except DataFileError as exc:
            raise ServiceError("bad-class-file", exc.zh, exc.en, status=422) from None
        except (PdfConversionError, TemplateRenderError) as exc:
            raise ServiceError(
                "generation-failed", "生成失败", f"generation failed: {exc}", status=500
            ) from None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.name)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="package.zip"'},
    )
