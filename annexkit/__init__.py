"""annexkit: generate and check the paperwork of subsidised vocational-skills training.

The four annexes of 江人社函〔2019〕613号 — 附件5 filing, 附件6 agreement, 附件7 ledger,
附件8 sign-in sheet — are described by one JSON Schema each (``annexkit/schemas``); the
generator fills the DOCX forms from them and the checker validates submissions against them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("annexkit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

ANNEXES: tuple[str, ...] = ("filing", "agreement", "ledger", "signin")
"""Annex ids in the order of the notice (附件5–8)."""
