"""Bilingual text: every message annexkit shows is said in Chinese and in English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Text:
    """A message in Chinese and English; ``str()`` gives the contract's ``中文 / English``."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

    def format(self, **params: Any) -> Text:
        """Fill ``{name}`` placeholders; a :class:`Text` parameter gives its own language."""
        return Text(
            self.zh.format(**{k: v.zh if isinstance(v, Text) else v for k, v in params.items()}),
            self.en.format(**{k: v.en if isinstance(v, Text) else v for k, v in params.items()}),
        )


class AnnexkitError(Exception):
    """A failure the user can act on, said in both languages. Every error annexkit raises for
    the user derives from it; the CLI prints it (exit status 2) and the service returns it."""

    def __init__(self, message: Text | str) -> None:
        # A plain string is already bilingual (``中文 / English``), as older messages are.
        self.text = message if isinstance(message, Text) else None
        super().__init__(str(message))
