"""People's and organisations' names: as stored, and as compared.

:func:`clean_name` gives a name as written, less the letter-spacing forms put in
(``王  芳``) and with one middle dot (``·``) for the several that are typed. :func:`fold_name`
gives the key two names are compared by: NFKC, no spaces or dots, and every traditional or
variant character folded to its simplified form (OCR and old fonts read 黄 as 黃, 陈 as 陳,
刘 as 劉), one character at a time with OpenCC's character table (``t2s``; Apache-2.0), so
that a word-level conversion never rewrites part of a name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

_DOTS = re.compile(r"[•・．‧∙⋅･]")


@cache
def _converter() -> Any:
    from opencc import OpenCC  # type: ignore[import-untyped]  # pure Python, no stubs

    return OpenCC("t2s")


@cache
def simplified(char: str) -> str:
    """The simplified form of one character (itself when it has none)."""
    folded: str = _converter().convert(char)
    return folded if len(folded) == 1 else char


_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·（）()"
_BLANK_BY_HAN = re.compile(rf"\s+(?=[{_HAN}])|(?<=[{_HAN}])\s+")


def clean_name(raw: str) -> str:
    """A person's or an organisation's name as written, less the blanks put in by hand or
    by a wrapped line (``王  芳``, ``江门市…五金制\n品有限公司``): no blank beside a Chinese
    character, one space between Latin words (``Li  Ming`` → ``Li Ming``); ``·`` as its
    middle dot."""
    text = _BLANK_BY_HAN.sub("", raw.strip())
    return _DOTS.sub("·", re.sub(r"\s+", " ", text))


def fold_name(raw: str) -> str:
    """The comparison key of a name: ``王  芳`` = ``王芳``, ``黃小明`` = ``黄小明``,
    ``阿卜杜·热合曼`` = ``阿卜杜热合曼``."""
    text = unicodedata.normalize("NFKC", raw)
    text = re.sub(r"[\s·•・．‧∙⋅･.]+", "", text).upper()
    return "".join(simplified(c) for c in text)
