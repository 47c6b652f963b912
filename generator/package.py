"""A class's whole package from one class description: what is not given is derived.

``CLASS.yaml`` holds ``filing`` (required), ``agreement`` (required when the filing names an
institution), and optionally ``ledger`` and ``signin``. The filing's ``roster`` may be inline
or the path of a CSV/XLSX file beside the class file.

- ``agreement``: the parties and the training come from the filing; the given keys win, so a
  class file need only add the fee and the signing date.
- ``ledger``: a ledger with ``rows`` is used as given; otherwise it may set ``project`` and
  ``institution_class`` (培训机构名称及班别, default: the institution and the sign-in
  ``class_name``), and the rows come from the roster and the filing, results left blank.
- ``signin``: a list of sheets is used as given; otherwise its keys (``class_name``,
  ``head_teacher`` …) are defaults for one blank sheet per scheduled session.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annexkit.contract.formats import age_on, id_gender, validate_id_number
from annexkit.contract.schema import Problem, coerce_scalars, load_schema, validate
from annexkit.generator.data import DataFileError, InvalidDataError, load_mapping, read_roster

CLASS_KEYS = ("filing", "agreement", "ledger", "signin")
FILE_NAMES = {
    "filing": "附件5_企业职工培训备案表",
    "agreement": "附件6_合作培训协议",
    "ledger": "附件7_培训台账",
    "signin": "附件8_签到表",
}


@dataclass(frozen=True)
class Document:
    """One annex document of a package: its record and the file stem it is written to."""

    annex: str
    stem: str
    record: dict[str, Any]
    source: str
    """Where the record came from, for messages: ``CLASS.yaml#filing``, ``derived``."""


def prepare(
    annex: str, data: Mapping[str, Any], source: str
) -> tuple[dict[str, Any], list[tuple[str, str, Problem]]]:
    """The record in canonical types, and its problems as a form to be printed."""
    record = coerce_scalars(dict(data), load_schema(annex))
    return record, [(source, annex, p) for p in validate(annex, record, blank_form=True)]


def plan_package(class_file: Path) -> list[Document]:
    """Every document of the class, validated; raises InvalidDataError with all problems."""
    spec = load_mapping(class_file)
    unknown = sorted(set(spec) - set(CLASS_KEYS))
    if unknown:
        raise DataFileError(
            class_file,
            f"未知的键：{'、'.join(unknown)}；可用：{'、'.join(CLASS_KEYS)}",
            f"unknown keys: {', '.join(unknown)}; expected: {', '.join(CLASS_KEYS)}",
        )
    filing_data = spec.get("filing")
    if not isinstance(filing_data, Mapping):
        raise DataFileError(
            class_file,
            "缺少“filing”（附件5 备案表）或其不是键值对",
            "'filing' (annex 5) is missing or not a mapping",
        )
    filing_data = dict(filing_data)
    if isinstance(filing_data.get("roster"), str):
        filing_data["roster"] = read_roster(class_file.parent / filing_data["roster"])
    name = class_file.name
    filing, problems = prepare("filing", filing_data, f"{name}#filing")
    documents = [Document("filing", FILE_NAMES["filing"], filing, f"{name}#filing")]

    for key in ("agreement", "ledger", "signin"):
        given = spec.get(key)
        if given is not None and not isinstance(given, (Mapping, list)):
            raise DataFileError(
                class_file, f"“{key}”应为键值对或列表", f"'{key}' must be a mapping or a list"
            )
    if problems:
        # Everything else is derived from the filing: report its problems alone first.
        raise InvalidDataError(problems)

    agreement = spec.get("agreement")
    if filing.get("institution") or agreement is not None:
        if not isinstance(agreement, Mapping):
            raise DataFileError(
                class_file,
                "备案表填写了培训机构，须提供“agreement”"
                "（附件6 合作培训协议，至少含 fee 与 signed_date）",
                "the filing names an institution, so 'agreement' (annex 6, with at least "
                "'fee' and 'signed_date') is required",
            )
        record, found = prepare(
            "agreement", _merge(_agreement_defaults(filing), agreement), f"{name}#agreement"
        )
        documents.append(
            Document("agreement", FILE_NAMES["agreement"], record, f"{name}#agreement")
        )
        problems += found

    ledger = spec.get("ledger") or {}
    if isinstance(ledger, list):
        raise DataFileError(class_file, "“ledger”应为键值对", "'ledger' must be a mapping")
    source = f"{name}#ledger" if "rows" in ledger else f"{name}#ledger (由名册生成 derived)"
    data = ledger if "rows" in ledger else derive_ledger(filing, ledger, _signin_defaults(spec))
    record, found = prepare("ledger", data, source)
    documents.append(Document("ledger", FILE_NAMES["ledger"], record, source))
    problems += found

    signin = spec.get("signin")
    if isinstance(signin, list):
        sheets = [(f"{name}#signin/{i}", s) for i, s in enumerate(signin)]
    else:
        sheets = [
            (f"{name}#signin (由日程生成 derived, {i + 1})", s)
            for i, s in enumerate(derive_signins(filing, _signin_defaults(spec)))
        ]
    for index, (source, sheet) in enumerate(sheets, start=1):
        if not isinstance(sheet, Mapping):
            raise DataFileError(
                class_file, f"签到表{index}应为键值对", f"sign-in sheet {index} must be a mapping"
            )
        record, found = prepare("signin", sheet, source)
        stem = f"{FILE_NAMES['signin']}_{index:02d}_{_slug(record.get('date'))}"
        if record.get("session"):
            stem += f"_{_slug(record['session'])}"
        documents.append(Document("signin", stem, record, source))
        problems += found
    if problems:
        raise InvalidDataError(problems)
    return documents


def _signin_defaults(spec: Mapping[str, Any]) -> dict[str, Any]:
    signin = spec.get("signin")
    return dict(signin) if isinstance(signin, Mapping) else {}


def _merge(base: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _present(mapping: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: mapping[k] for k in keys if mapping.get(k) not in (None, "")}


def _agreement_defaults(filing: Mapping[str, Any]) -> dict[str, Any]:
    enterprise = filing["enterprise"]
    institution = filing.get("institution") or {}
    training = filing["training"]
    return {
        "party_a": _present(
            enterprise,
            "name",
            "credit_code",
            "address",
            "legal_representative",
            "contact_person",
            "contact_phone",
        ),
        "party_b": _present(
            institution,
            "name",
            "credit_code",
            "license_no",
            "address",
            "contact_person",
            "contact_phone",
        ),
        "training": _present(
            training,
            "project",
            "occupation",
            "level",
            "headcount",
            "start_date",
            "end_date",
            "location",
            "total_hours",
            "assessment_type",
        ),
    }


def derive_ledger(
    filing: Mapping[str, Any], defaults: Mapping[str, Any], signin_defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """The ledger before training: one row per roster entry, results blank."""
    training = filing["training"]
    start = dt.date.fromisoformat(training["start_date"])
    institution = (filing.get("institution") or {}).get("name") or filing["enterprise"]["name"]
    class_name = signin_defaults.get("class_name")
    header = dict(defaults)
    institution_class = header.pop(
        "institution_class", " ".join(p for p in (institution, class_name) if p)
    )
    rows = []
    for seq, person in enumerate(filing["roster"], start=1):
        id_number = person["id_number"]
        known = validate_id_number(id_number) is None
        row = {
            "seq": seq,
            "name": person["name"],
            "age": age_on(id_number, start) if known else None,
            "gender": person.get("gender") or (id_gender(id_number) if known else None),
            "id_number": id_number,
            "education": person.get("education"),
            "occupation": training["occupation"],
            "institution_class": institution_class,
            "start_date": training["start_date"],
            "end_date": training["end_date"],
            "phone": person.get("phone"),
        }
        rows.append({k: v for k, v in row.items() if v is not None})
    return {"project": training["project"], **header, "rows": rows}


def derive_signins(filing: Mapping[str, Any], defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One blank sign-in sheet per scheduled session, rows from the roster."""
    training = filing["training"]
    teachers = [t["name"] for t in training["teachers"]]
    institution = (filing.get("institution") or {}).get("name")
    rows = [
        {"seq": seq, "name": p["name"], "id_number": p["id_number"]}
        for seq, p in enumerate(filing["roster"], start=1)
    ]
    sheets = []
    for entry in training["schedule"]:
        teacher = entry.get("teacher") or (teachers[0] if len(teachers) == 1 else None)
        sheet = {
            "project": training["project"],
            "institution": institution,
            "date": entry["date"],
            "session": entry.get("session"),
            "teacher": teacher,
            "expected_count": len(rows),
            **defaults,
            "rows": [dict(row) for row in rows],  # each sheet is signed on its own
        }
        sheets.append({k: v for k, v in sheet.items() if v is not None})
    return sheets


def _slug(value: object) -> str:
    return re.sub(r"[^\w\-]+", "-", str(value or "")).strip("-") or "x"
