"""Accuracy on the variation corpus: packages institutions made themselves (their own Word and
Excel layouts, LibreOffice PDF exports, a few scans), built by :mod:`tests.variation.build`.

Runs ``annex check CORPUS --format json --reveal --workers N`` (the CLI is the stable
interface) and scores the report against each package's ``.truth.json`` and
``expected.yaml``:

- field extraction: exact canonical values of the key fields (names, ID numbers, dates,
  counts, amounts, levels, signatures, phones, genders, credit codes) per field type, per
  format (docx, xlsx, pdf, scan; digital = all but scan), per annex and per layout;
- classification: every document read as its annex, once;
- findings: recall and precision per code (a finding matches an expected one by code,
  document and JSON pointer, as ``annex check --expect`` compares them; info findings are not
  compared), the clean packages with any error, and the false findings seen most.
  *Precision* is that of the errors, the findings that say the package is wrong: a warning
  says the checker could not read something for sure and asks for a look (the certainty
  rule), so it is no claim of a fault. The precision of errors and warnings together is
  reported beside it (``precision_all``), and the warnings per clean package. *Recall*
  counts an expected finding found at either severity.

Targets (issue 10): no clean package with an error, precision and recall ≥ 0.97, key-field
extraction ≥ 0.99 on digital documents and ≥ 0.97 on scans. With ``--targets`` the exit
status is 1 when one is missed.

    python -m benchmarks.bench_accuracy [--corpus DIR] [--build N] [--seed S]
        [--formats docx,xlsx,pdf,scan] [--json FILE] [--targets] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "build" / "variation"
TRUTH = ".truth.json"
TARGETS = {
    "clean_packages_with_errors": 0,
    "precision": 0.97,
    "recall": 0.97,
    "fields_digital": 0.99,
    "fields_scan": 0.97,
}
MISSING = object()

# ------------------------------------------------------------------------ key fields

KeyField = tuple[str, str, Any]
"""(JSON pointer, field type, canonical value)."""

SCALARS: dict[str, list[tuple[str, str]]] = {
    "filing": [
        ("/enterprise/name", "name"),
        ("/enterprise/credit_code", "credit_code"),
        ("/enterprise/contact_person", "name"),
        ("/enterprise/contact_phone", "phone"),
        ("/institution/name", "name"),
        ("/institution/credit_code", "credit_code"),
        ("/training/level", "level"),
        ("/training/headcount", "count"),
        ("/training/start_date", "date"),
        ("/training/end_date", "date"),
        ("/training/total_hours", "count"),
        ("/training/budget/total", "money"),
        ("/filing_date", "date"),
    ],
    "agreement": [
        ("/party_a/name", "name"),
        ("/party_a/credit_code", "credit_code"),
        ("/party_b/name", "name"),
        ("/party_b/credit_code", "credit_code"),
        ("/training/level", "level"),
        ("/training/headcount", "count"),
        ("/training/start_date", "date"),
        ("/training/end_date", "date"),
        ("/fee/per_person", "money"),
        ("/fee/total", "money"),
        ("/signed_date", "date"),
        ("/signed_a", "signature"),
        ("/signed_b", "signature"),
    ],
    "ledger": [],
    "signin": [
        ("/date", "date"),
        ("/teacher", "name"),
        ("/expected_count", "count"),
        ("/actual_count", "count"),
        ("/confirmations/teacher_signed", "signature"),
        ("/confirmations/head_teacher_signed", "signature"),
        ("/confirmations/trainee_rep_signed", "signature"),
    ],
}
ROWS: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {
    "filing": [
        ("/training/teachers", [("name", "name")]),
        ("/training/schedule", [("date", "date")]),
        (
            "/roster",
            [
                ("name", "name"),
                ("id_number", "id_number"),
                ("gender", "gender"),
                ("phone", "phone"),
            ],
        ),
    ],
    "agreement": [],
    "ledger": [
        (
            "/rows",
            [
                ("name", "name"),
                ("id_number", "id_number"),
                ("gender", "gender"),
                ("age", "count"),
                ("start_date", "date"),
                ("end_date", "date"),
                ("skill_level", "level"),
                ("phone", "phone"),
                ("score", "count"),
            ],
        ),
    ],
    "signin": [
        (
            "/rows",
            [
                ("name", "name"),
                ("id_number", "id_number"),
                ("signed_in", "signature"),
                ("signed_out", "signature"),
            ],
        ),
    ],
}


def lookup(data: Any, pointer: str) -> Any:
    node = data
    for part in pointer.strip("/").split("/"):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def _match_row(truth_row: dict[str, Any], index: int, rows: list[Any], used: set[int]) -> Any:
    """The extracted row of a true row: same ID number, else same name, else same date, else
    the same position (a reader that drops a row must not shift the rest)."""
    for key in ("id_number", "name", "date"):
        want = truth_row.get(key)
        if want is None:
            continue
        for position, row in enumerate(rows):
            if position not in used and isinstance(row, dict) and row.get(key) == want:
                used.add(position)
                return row
    if index < len(rows) and index not in used:
        used.add(index)
        return rows[index]
    return MISSING


def same(got: Any, want: Any, kind: str) -> bool:
    if got is MISSING or got is None:
        return False
    if kind == "signature" or isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if kind in ("count", "money") and isinstance(want, (int, float)):
        try:
            return float(got) == float(want)
        except (TypeError, ValueError):
            return False
    return bool(got == want)


def score_document(
    annex: str, truth: dict[str, Any], data: Any
) -> Iterator[tuple[str, str, bool, Any, Any]]:
    """``(pointer, type, right, got, want)`` for every key field of a true record."""
    for pointer, kind in SCALARS[annex]:
        want = lookup(truth, pointer)
        if want is MISSING:
            continue
        got = lookup(data, pointer)
        yield pointer, kind, same(got, want, kind), got, want
    for array, columns in ROWS[annex]:
        rows = lookup(truth, array)
        if not isinstance(rows, list):
            continue
        got_rows = lookup(data, array)
        got_rows = got_rows if isinstance(got_rows, list) else []
        used: set[int] = set()
        for index, row in enumerate(rows):
            match = _match_row(row, index, got_rows, used)
            for key, kind in columns:
                want = row.get(key)
                if want is None or (key == "score" and not isinstance(want, int)):
                    continue
                got = match.get(key, MISSING) if isinstance(match, dict) else MISSING
                yield f"{array}/{index}/{key}", kind, same(got, want, kind), got, want


# ---------------------------------------------------------------------------- scoring


@dataclass
class Tally:
    total: int = 0
    right: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += ok

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0

    def json(self) -> dict[str, Any]:
        return {"total": self.total, "right": self.right, "rate": round(self.rate, 4)}


@dataclass
class Scores:
    fields_by_type: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Tally))
    )
    """format → field type → tally."""
    fields_by_layout: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    classified: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    codes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    """code → tp / fp / fn."""
    packages: int = 0
    clean: int = 0
    clean_with_errors: int = 0
    clean_with_warnings: int = 0
    clean_warnings: int = 0
    """Warnings on clean packages, all told."""
    faulty_exact: int = 0
    false_findings: list[dict[str, Any]] = field(default_factory=list)
    missed_findings: list[dict[str, Any]] = field(default_factory=list)
    field_mistakes: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    def group(self, name: str) -> Tally:
        total = Tally()
        for fmt, by_type in self.fields_by_type.items():
            if (name == "scan") == (fmt == "scan") or name == "all":
                for tally in by_type.values():
                    total.total += tally.total
                    total.right += tally.right
        return total

    @property
    def precision(self) -> float:
        """Of the errors reported, the share expected."""
        tp = sum(c["error_tp"] for c in self.codes.values())
        fp = sum(c["error_fp"] for c in self.codes.values())
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def precision_all(self) -> float:
        """Of the errors and warnings reported, the share expected."""
        tp = sum(c["tp"] for c in self.codes.values())
        fp = sum(c["fp"] for c in self.codes.values())
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def recall(self) -> float:
        tp = sum(c["tp"] for c in self.codes.values())
        fn = sum(c["fn"] for c in self.codes.values())
        return tp / (tp + fn) if tp + fn else 1.0


def _doc_format(document: dict[str, Any]) -> str:
    return (
        "scan"
        if document.get("scan")
        else str(
            document["source_format"]
            if document["format"] in ("docx", "xlsx")
            else document["format"]
        )
    )


def score_package(
    package: dict[str, Any], truth: dict[str, Any], expected: list[Any], scores: Scores
) -> None:
    scores.packages += 1
    reported = package.get("documents") or []
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for document in reported:
        by_file[str(document.get("path", "")).split("#")[0]].append(document)
    for document in truth["documents"]:
        fmt = _doc_format(document)
        parts = by_file.get(document["path"], [])
        annexes = [p.get("annex") for p in parts]
        scores.classified[fmt].add(annexes == [document["annex"]])
        result = next((p for p in parts if p.get("annex") == document["annex"]), None)
        data = (result or {}).get("data") or {}
        for pointer, kind, ok, got, want in score_document(
            document["annex"], document["record"], data
        ):
            scores.fields_by_type[fmt][kind].add(ok)
            scores.fields_by_layout[f"{document['layout']} ({fmt})"].add(ok)
            if not ok and len(scores.field_mistakes) < 5000:
                scores.field_mistakes.append(
                    {
                        "package": truth["package"],
                        "document": document["path"],
                        "layout": document["layout"],
                        "format": fmt,
                        "pointer": pointer,
                        "type": kind,
                        "got": None if got is MISSING else got,
                        "want": want,
                    }
                )
    findings = [f for d in reported for f in d.get("findings") or []]
    findings += package.get("findings") or []
    found = Counter(
        (f["code"], f.get("document"), f.get("path"))
        for f in findings
        if f.get("severity") != "info"
    )
    errors = Counter(
        (f["code"], f.get("document"), f.get("path"))
        for f in findings
        if f.get("severity") == "error"
    )
    wanted = Counter((e["code"], e.get("document"), e.get("path")) for e in expected)
    for key in set(found) | set(wanted):
        hit = min(found[key], wanted[key])
        scores.codes[key[0]]["tp"] += hit
        scores.codes[key[0]]["fp"] += found[key] - hit
        scores.codes[key[0]]["fn"] += wanted[key] - hit
        error_hit = min(errors[key], wanted[key])
        scores.codes[key[0]]["error_tp"] += error_hit
        scores.codes[key[0]]["error_fp"] += errors[key] - error_hit
    if truth["fault"] is None:
        scores.clean_warnings += sum(1 for f in findings if f.get("severity") == "warning")
    messages = {(f["code"], f.get("document"), f.get("path")): f for f in findings}
    for key in found - wanted:
        f = messages[key]
        scores.false_findings.append(
            {
                "package": truth["package"],
                "document": key[1],
                "code": key[0],
                "path": key[2],
                "severity": f.get("severity"),
                "annex": f.get("annex"),
                "layout": _layout_of(truth, key[1]),
                "message": f.get("message", ""),
            }
        )
    for key in wanted - found:
        scores.missed_findings.append(
            {"package": truth["package"], "code": key[0], "document": key[1], "path": key[2]}
        )
    if truth["fault"] is None:
        scores.clean += 1
        severities = {f.get("severity") for f in findings}
        scores.clean_with_errors += "error" in severities
        scores.clean_with_warnings += "warning" in severities
    elif found == wanted:
        scores.faulty_exact += 1


def _layout_of(truth: dict[str, Any], document: str | None) -> str | None:
    if document is None:
        return None
    for d in truth["documents"]:
        if d["path"] == document.split("#")[0]:
            return f"{d['layout']} ({_doc_format(d)})"
    return None


def pattern(pointer: str | None) -> str:
    return re.sub(r"/\d+", "/*", pointer) if pointer else "-"


def score_report(report: dict[str, Any], corpus: Path) -> Scores:
    scores = Scores()
    for package in report.get("packages", []):
        folder = Path(package["path"])
        if not folder.is_absolute():
            folder = Path.cwd() / folder
        truth_file = folder / TRUTH
        if not truth_file.is_file():
            truth_file = corpus / folder.name / TRUTH
        if not truth_file.is_file():
            scores.unmatched.append(str(folder))
            continue
        truth = json.loads(truth_file.read_text("utf-8"))
        expected = yaml.safe_load((truth_file.parent / "expected.yaml").read_text("utf-8")) or {}
        score_package(package, truth, expected.get("findings") or [], scores)
    return scores


# ---------------------------------------------------------------------------- output


def summary(scores: Scores) -> dict[str, Any]:
    fmts = sorted(scores.fields_by_type)
    types = sorted({t for by_type in scores.fields_by_type.values() for t in by_type})
    false_groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for f in scores.false_findings:
        false_groups[(f["code"], f["annex"], pattern(f["path"]))].append(f)
    top = sorted(false_groups.items(), key=lambda kv: -len(kv[1]))
    field_groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for m in scores.field_mistakes:
        field_groups[(m["layout"], m["format"], pattern(m["pointer"]))].append(m)
    return {
        "packages": scores.packages,
        "clean_packages": scores.clean,
        "clean_packages_with_errors": scores.clean_with_errors,
        "clean_packages_with_warnings": scores.clean_with_warnings,
        "faulty_packages_exact": scores.faulty_exact,
        "precision": round(scores.precision, 4),
        "precision_all": round(scores.precision_all, 4),
        "warnings_per_clean_package": round(scores.clean_warnings / scores.clean, 3)
        if scores.clean
        else 0.0,
        "recall": round(scores.recall, 4),
        "fields_digital": round(scores.group("digital").rate, 4),
        "fields_scan": round(scores.group("scan").rate, 4),
        "fields_all": round(scores.group("all").rate, 4),
        "fields": {
            fmt: {
                t: scores.fields_by_type[fmt][t].json()
                for t in types
                if scores.fields_by_type[fmt][t].total
            }
            for fmt in fmts
        },
        "fields_by_type": {t: _sum(scores, t).json() for t in types},
        "fields_by_layout": {k: v.json() for k, v in sorted(scores.fields_by_layout.items())},
        "classification": {k: v.json() for k, v in sorted(scores.classified.items())},
        "codes": {
            code: {
                **dict(c),
                "precision": round(c["error_tp"] / (c["error_tp"] + c["error_fp"]), 4)
                if c["error_tp"] + c["error_fp"]
                else None,
                "precision_all": round(c["tp"] / (c["tp"] + c["fp"]), 4)
                if c["tp"] + c["fp"]
                else None,
                "recall": round(c["tp"] / (c["tp"] + c["fn"]), 4) if c["tp"] + c["fn"] else None,
            }
            for code, c in sorted(scores.codes.items())
        },
        "top_false_findings": [
            {
                "code": k[0],
                "annex": k[1],
                "path": k[2],
                "count": len(v),
                "packages": len({f["package"] for f in v}),
                "example": v[0],
            }
            for k, v in top[:25]
        ],
        "top_field_mistakes": [
            {"layout": k[0], "format": k[1], "pointer": k[2], "count": len(v), "example": v[0]}
            for k, v in sorted(field_groups.items(), key=lambda kv: -len(kv[1]))[:25]
        ],
        "missed_findings": scores.missed_findings,
        "unmatched_packages": scores.unmatched,
    }


def _sum(scores: Scores, kind: str) -> Tally:
    total = Tally()
    for by_type in scores.fields_by_type.values():
        if kind in by_type:
            total.total += by_type[kind].total
            total.right += by_type[kind].right
    return total


def targets_missed(result: dict[str, Any]) -> list[str]:
    missed = []
    if result["clean_packages_with_errors"] > TARGETS["clean_packages_with_errors"]:
        missed.append(
            f"clean packages with an error: {result['clean_packages_with_errors']} (target 0)"
        )
    for key in ("precision", "recall", "fields_digital", "fields_scan"):
        if result[key] < TARGETS[key]:
            missed.append(f"{key}: {result[key]:.4f} < {TARGETS[key]}")
    return missed


def print_summary(result: dict[str, Any]) -> None:
    p = print
    p(
        f"packages {result['packages']} (clean {result['clean_packages']}); clean packages with an "
        f"error: {result['clean_packages_with_errors']}, with a warning: "
        f"{result['clean_packages_with_warnings']}; faulty packages exactly right: "
        f"{result['faulty_packages_exact']}/{result['packages'] - result['clean_packages']}"
    )
    p(
        f"findings: precision of errors {result['precision']:.3f} (errors and warnings "
        f"{result['precision_all']:.3f}), recall {result['recall']:.3f}; warnings per clean "
        f"package {result['warnings_per_clean_package']:.2f}"
    )
    p(
        f"key fields: digital {result['fields_digital']:.3f}, scan {result['fields_scan']:.3f}, "
        f"all {result['fields_all']:.3f}"
    )
    p("\nclassification (documents read as their annex, once):")
    for fmt, t in result["classification"].items():
        p(f"  {fmt:6} {t['right']:5}/{t['total']:<5} {t['rate']:.3f}")
    fmts = list(result["fields"])
    types = list(result["fields_by_type"])
    p("\nkey-field extraction, exact (rows: field type; columns: format):")
    p("  " + f"{'type':12}" + "".join(f"{f:>14}" for f in fmts) + f"{'all':>14}")
    for t in types:
        cells = []
        for fmt in fmts:
            tally = result["fields"][fmt].get(t)
            cells.append(f"{tally['rate']:.3f} ({tally['total']})" if tally else "-")
        total = result["fields_by_type"][t]
        p(
            "  "
            + f"{t:12}"
            + "".join(f"{c:>14}" for c in cells)
            + f"{total['rate']:.3f} ({total['total']})".rjust(14)
        )
    p("\nfindings per code:")
    p("  (tp, fp, fn: errors and warnings; error fp: the false ones that were errors;")
    p("   precision: of the errors)")
    p(f"  {'code':26}{'tp':>6}{'fp':>6}{'fn':>6}{'error fp':>10}{'precision':>11}{'recall':>8}")
    for code, c in result["codes"].items():
        pr = "-" if c["precision"] is None else f"{c['precision']:.3f}"
        rc = "-" if c["recall"] is None else f"{c['recall']:.3f}"
        p(
            f"  {code:26}{c.get('tp', 0):6}{c.get('fp', 0):6}{c.get('fn', 0):6}"
            f"{c.get('error_fp', 0):10}{pr:>11}{rc:>8}"
        )
    p("\nkey-field extraction per layout:")
    for layout, t in result["fields_by_layout"].items():
        p(f"  {layout:44} {t['right']:6}/{t['total']:<6} {t['rate']:.3f}")
    p("\nmost common false findings (code, annex, path: count in packages — an example):")
    for item in result["top_false_findings"][:15]:
        e = item["example"]
        p(
            f"  {item['code']} {item['annex']} {item['path']}: {item['count']} "
            f"in {item['packages']}"
            f" — {e['package']}/{e['document']} [{e['layout']}] {e['message'][:110]}"
        )


def run_check(corpus: Path, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "annexkit",
                "check",
                str(corpus),
                "--format",
                "json",
                "-o",
                str(report),
                "--reveal",
                "--workers",
                str(workers),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if done.returncode not in (0, 1) or not report.is_file():
            raise SystemExit(f"annex check failed ({done.returncode}): {done.stderr[-2000:]}")
        data: dict[str, Any] = json.loads(report.read_text("utf-8"))
        return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--build", type=int, metavar="N", help="build N packages into --corpus first"
    )
    parser.add_argument("--seed", type=int, default=613)
    parser.add_argument("--formats", default="docx,xlsx,pdf,scan")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--report", type=Path, help="score this JSON report instead of checking")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--targets", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.build:
        from tests.variation.build import build

        formats = tuple(f for f in args.formats.split(",") if f)
        build(args.corpus, args.build, args.seed, formats, progress=True)
    if args.report:
        report = json.loads(args.report.read_text("utf-8"))
    else:
        report = run_check(args.corpus, args.workers)
    result = summary(score_report(report, args.corpus))
    print_summary(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), "utf-8")
    missed = targets_missed(result)
    if missed:
        print("\ntargets missed:\n  " + "\n  ".join(missed))
        return 1 if args.targets else 0
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
