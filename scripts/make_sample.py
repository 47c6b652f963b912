"""Write the synthetic roster of the sample class (samples/jiangmen-electrician-2025).

The people are made by tests.synthetic from a fixed seed: valid check digits, no real
person. ID and phone columns are stored as text (number format "@") as Excel users must.

    .venv/bin/python -m scripts.make_sample
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook

from tests.synthetic import make_roster

SAMPLE = (
    Path(__file__).resolve().parent.parent / "samples" / "classes" / "jiangmen-electrician-2025"
)
COLUMNS = (
    ("name", "姓名"),
    ("gender", "性别"),
    ("id_number", "身份证号码"),
    ("education", "文化程度"),
    ("phone", "联系电话"),
    ("position", "岗位"),
)


def main() -> None:
    roster = make_roster(random.Random(613), 20, dt.date(2025, 11, 3))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "培训人员名册"
    sheet.append([label for _, label in COLUMNS])
    for person in roster:
        sheet.append([person[key] for key, _ in COLUMNS])
    for column in ("C", "E"):
        for cell in sheet[column]:
            cell.number_format = "@"
        sheet.column_dimensions[column].width = 22
    workbook.save(SAMPLE / "roster.xlsx")


if __name__ == "__main__":
    main()
