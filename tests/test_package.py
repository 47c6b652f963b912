"""Deriving a class's package from CLASS.yaml: what is given, what is derived, what is refused."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from annexkit.contract.formats import age_on, id_gender
from annexkit.generator.data import DataFileError, InvalidDataError
from annexkit.generator.package import Document, plan_package
from tests.conftest import SAMPLE_CLASS
from tests.synthetic import make_roster


def of(documents: list[Document], annex: str) -> list[Document]:
    return [d for d in documents if d.annex == annex]


def write_class(tmp_path: Path, spec: dict[str, Any]) -> Path:
    path = tmp_path / "class.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), "utf-8")
    return path


@pytest.fixture
def spec() -> dict[str, Any]:
    """The sample class with its roster inline."""
    data: dict[str, Any] = yaml.safe_load(SAMPLE_CLASS.read_text("utf-8"))
    data = yaml.safe_load(yaml.safe_dump(data, default_style=None))  # a plain copy
    data["filing"]["roster"] = make_roster(random.Random(7), 5, dt.date(2025, 11, 3))
    data["filing"]["training"]["headcount"] = 5
    for key in ("start_date", "end_date"):
        data["filing"]["training"][key] = str(data["filing"]["training"][key])
    data["filing"]["filing_date"] = str(data["filing"]["filing_date"])
    data["agreement"]["signed_date"] = str(data["agreement"]["signed_date"])
    for entry in data["filing"]["training"]["schedule"]:
        entry["date"] = str(entry["date"])
    return data


def test_sample_package_is_complete(sample_documents: list[Document]) -> None:
    filing = of(sample_documents, "filing")[0].record
    assert [d.annex for d in sample_documents[:3]] == ["filing", "agreement", "ledger"]
    schedule = filing["training"]["schedule"]
    sheets = of(sample_documents, "signin")
    assert len(sheets) == len(schedule) == 20
    assert len(filing["roster"]) == 20  # read from roster.xlsx


def test_ledger_is_derived_from_roster_and_filing(sample_documents: list[Document]) -> None:
    filing = of(sample_documents, "filing")[0].record
    ledger = of(sample_documents, "ledger")[0].record
    start = dt.date.fromisoformat(filing["training"]["start_date"])
    assert ledger["project"] == filing["training"]["project"]
    assert len(ledger["rows"]) == len(filing["roster"])
    for seq, (row, person) in enumerate(zip(ledger["rows"], filing["roster"], strict=True), 1):
        assert row["seq"] == seq
        assert (row["name"], row["id_number"]) == (person["name"], person["id_number"])
        assert row["age"] == age_on(person["id_number"], start)
        assert row["gender"] == person["gender"] == id_gender(person["id_number"])
        assert row["occupation"] == "电工"
        assert row["institution_class"] == "江门市新技职业培训学校 2025年第3期电工中级班"
        assert (row["start_date"], row["end_date"]) == ("2025-11-03", "2025-11-14")
        assert "score" not in row and "certificate_no" not in row  # results are blank


def test_signin_sheets_follow_the_schedule(sample_documents: list[Document]) -> None:
    filing = of(sample_documents, "filing")[0].record
    for sheet, entry in zip(
        of(sample_documents, "signin"), filing["training"]["schedule"], strict=True
    ):
        record = sheet.record
        assert (record["date"], record["session"]) == (entry["date"], entry["session"])
        assert record["teacher"] == entry["teacher"]
        assert record["expected_count"] == 20 and "actual_count" not in record
        assert record["class_name"] == "2025年第3期电工中级班" and record["head_teacher"] == "何敏"
        assert [r["id_number"] for r in record["rows"]] == [
            p["id_number"] for p in filing["roster"]
        ]
        assert all("signed_in" not in r for r in record["rows"])


def test_agreement_takes_parties_from_filing(sample_documents: list[Document]) -> None:
    filing = of(sample_documents, "filing")[0].record
    agreement = of(sample_documents, "agreement")[0].record
    assert agreement["party_a"]["name"] == filing["enterprise"]["name"]
    assert agreement["party_a"]["legal_representative"] == "陈志明"  # given in class.yaml
    assert agreement["party_b"]["credit_code"] == filing["institution"]["credit_code"]
    assert agreement["training"]["headcount"] == 20
    assert agreement["fee"]["total"] == 30000


def test_given_ledger_and_sheets_are_used_as_given(tmp_path: Path, spec: dict[str, Any]) -> None:
    person = spec["filing"]["roster"][0]
    spec["ledger"] = {
        "rows": [
            {
                "name": person["name"],
                "age": 40,
                "gender": person["gender"],
                "id_number": person["id_number"],
                "education": "高中",
                "occupation": "电工",
                "institution_class": "一班",
                "start_date": "2025-11-03",
                "end_date": "2025-11-14",
                "score": 88,
                "phone": "13900000000",
            }
        ]
    }
    spec["signin"] = [
        {
            "project": "p",
            "date": "2025-11-03",
            "teacher": "王建国",
            "rows": [{"name": person["name"], "signed_in": True}],
        }
    ]
    documents = plan_package(write_class(tmp_path, spec))
    assert of(documents, "ledger")[0].record["rows"][0]["score"] == 88
    assert len(of(documents, "signin")) == 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_roster_from_a_file(tmp_path: Path, spec: dict[str, Any], suffix: str) -> None:
    people = spec["filing"]["roster"]
    header = ["序号", "姓名", "性别", "身份证号", "学历", "手机号码", "工作岗位"]  # aliases
    rows = [
        [str(i), p["name"], p["gender"], p["id_number"], p["education"], p["phone"], p["position"]]
        for i, p in enumerate(people, 1)
    ]
    path = tmp_path / f"名册{suffix}"
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            csv.writer(handle).writerows([header, *rows])
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [header, *rows]:
            sheet.append(row)
        book.save(path)
    spec["filing"]["roster"] = path.name
    documents = plan_package(write_class(tmp_path, spec))
    assert of(documents, "filing")[0].record["roster"] == people


def test_roster_with_ids_damaged_by_excel_is_refused(tmp_path: Path, spec: dict[str, Any]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号码"])
    sheet.append(["陈伟", "440703198001011234"])
    sheet.append(["李芳", 440703198001011000])  # typed as a number: Excel kept 15 digits
    book.save(tmp_path / "roster.xlsx")
    spec["filing"]["roster"] = "roster.xlsx"
    with pytest.raises(DataFileError) as caught:
        plan_package(write_class(tmp_path, spec))
    assert "第3行" in caught.value.zh and "row 3" in caught.value.en
    assert "roster.xlsx" in str(caught.value)


def test_agreement_required_when_an_institution_is_named(
    tmp_path: Path, spec: dict[str, Any]
) -> None:
    del spec["agreement"]
    with pytest.raises(DataFileError, match="agreement"):
        plan_package(write_class(tmp_path, spec))
    del spec["filing"]["institution"]
    documents = plan_package(write_class(tmp_path, spec))
    assert not of(documents, "agreement")


def test_problems_of_every_document_are_reported_together(
    tmp_path: Path, spec: dict[str, Any]
) -> None:
    spec["filing"]["roster"][1]["phone"] = "12"  # copied into the ledger too
    spec["agreement"]["signed_date"] = "2025-09-31"
    spec["filing"]["training"]["schedule"][0]["teacher"] = None
    with pytest.raises(InvalidDataError) as caught:
        plan_package(write_class(tmp_path, spec))
    found = {(annex, p.pointer, p.code) for _, annex, p in caught.value.problems}
    assert ("filing", "/roster/1/phone", "invalid-phone") in found
    assert ("filing", "/training/schedule/0/teacher", "invalid-value") in found

    spec["filing"]["roster"][1]["phone"] = "13900000001"
    spec["filing"]["training"]["schedule"][0].pop("teacher")
    with pytest.raises(InvalidDataError) as caught:
        plan_package(write_class(tmp_path, spec))
    found = {(annex, p.pointer, p.code) for _, annex, p in caught.value.problems}
    assert found == {
        ("agreement", "/signed_date", "invalid-date"),
        # two teachers and none named for the session: the sheet cannot guess
        ("signin", "/teacher", "missing-field"),
    }


def test_unknown_keys_in_class_file(tmp_path: Path, spec: dict[str, Any]) -> None:
    spec["ledgr"] = {}
    with pytest.raises(DataFileError, match="ledgr"):
        plan_package(write_class(tmp_path, spec))
