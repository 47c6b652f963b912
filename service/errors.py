"""The service's one error type: a stable code, an HTTP status, Chinese and English."""

from __future__ import annotations

from typing import Any

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
