"""The service's one error type: a stable code, an HTTP status, Chinese and English."""

from __future__ import annotations

from typing import Any

from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from annexkit.contract.text import AnnexkitError, Text


class ServiceError(AnnexkitError):
    """A failure the caller can act on. The API returns it as
    ``{"error": {"code", "message", "zh", "en", …detail}}`` with ``status``; the CLI prints
    it like every other :class:`AnnexkitError`."""

    def __init__(self, code: str, zh: str, en: str, *, status: int = 400, **detail: Any) -> None:
        super().__init__(Text(zh, en))
        self.code, self.zh, self.en, self.status, self.detail = code, zh, en, status, detail

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": f"{self.zh} / {self.en}",
                "zh": self.zh,
                "en": self.en,
                **self.detail,
            }
        }


def not_found(what: str = "submission") -> ServiceError:
    # The same answer whether the thing does not exist or belongs to someone else: an
    # institution must not learn which ids other institutions have.
    names = {"submission": "材料包", "finding": "检查项", "user": "用户"}
    return ServiceError(
        "not-found", f"找不到该{names.get(what, what)}", f"no such {what}", status=404
    )


# ------------------------------------------------------------------------------ OpenAPI
# The shape of :meth:`ServiceError.body`, declared so that /openapi.json tells clients (and
# schemathesis' response checks) what every error answer looks like.


class ErrorInfo(BaseModel):
    """One error: a stable ``code``, the message in both languages and, for some codes, more
    detail (``problems`` for 422, ``status_now`` for 409)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable, machine-readable: not-found, invalid-request, …")
    message: str = Field(description="“中文 / English”")
    zh: str
    en: str
    problems: list[dict[str, Any]] | None = Field(
        default=None, description="invalid-request, invalid-data: each problem found"
    )


class ErrorBody(BaseModel):
    error: ErrorInfo


_MEANINGS: dict[int, str] = {
    400: "请求体无法解析 / the body cannot be parsed: broken JSON or multipart (http-error)",
    401: "缺少或无效的访问令牌 / no valid token (unauthorized)",
    403: "机构账户不能执行审核操作 / reviewers only: an institution's account (forbidden)",
    404: "不存在或不可见 / no such submission or finding, or another institution's (not-found)",
    409: "检查尚未完成 / the check has not finished (not-ready)",
    413: "上传内容超过上限 / the request body exceeds --max-upload-mb (too-large)",
    422: "请求内容无效 / invalid request: parameters, body or its content",
    500: "服务器内部错误 / internal error (generation-failed, internal-error)",
}


BEARER = HTTPBearer(
    auto_error=False,
    description="Authorization: Bearer TOKEN (`annex users add` prints it)",
)
"""Declares the bearer token in /openapi.json (a router's dependency; it checks nothing:
:func:`annexkit.service.auth.current_user` does, and answers 401 itself)."""


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status answered with :class:`ErrorBody`. Declaring
    422 here replaces FastAPI's default (its ``HTTPValidationError``), which our handler never
    sends."""
    return {s: {"model": ErrorBody, "description": _MEANINGS[s]} for s in statuses}
