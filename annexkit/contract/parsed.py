"""The result of reading one value: what it means, how sure the reading is, what was written.

Every parser of the contract's value types (:mod:`annexkit.contract.values`) returns a
:class:`Parsed` or ``None``:

- ``Parsed(value, certain=True, raw)``: the text states the value with no other reading.
  The value is in the contract's canonical form; whether it is *valid* (a day that exists,
  a check digit that holds) is the validator's question, so ``2025年2月30日`` is read with
  certainty as ``2025-02-30`` and validation reports ``invalid-date``.
- ``Parsed(value, certain=False, raw)``: the text has a likely reading that rests on
  something it does not state (a two-digit year, a colloquial ``两万四``). ``value`` is that
  reading, for a message to quote ("读作 2025-11-03？"); it is never to be used as a fact.
- ``None``: the text could not be read as a value of the type at all (``明年三月``).

Callers that need facts take ``certain`` results only and keep the text otherwise, so that
what was written is reported, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Parsed(Generic[T]):
    value: T
    certain: bool
    raw: str
    """The text as it was given (a spreadsheet's number as text)."""
    unit: str | None = None
    """The unit written with a quantity, canonical: ``元``, ``元/人``, ``人``, ``学时`` …"""


def certain(parsed: Parsed[T] | None) -> T | None:
    """The value of a certain reading, else None."""
    return parsed.value if parsed is not None and parsed.certain else None
