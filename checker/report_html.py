"""The HTML report: one self-contained page."""

from __future__ import annotations

import html
from typing import Any

from annexkit.checker.findings import CATALOGUE
from annexkit.checker.report import (
    SEVERITY_ZH,
    Report,
    _document_header,
    _groups,
    _printable,
    field_label,
    location_text,
    summary_line,
    value_text,
)

_HTML_STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em; color: #222; }
h1 small { font-weight: normal; color: #666; font-size: 0.6em; }
.summary { padding: 0.6em 1em; border-radius: 4px; font-weight: bold; }
.summary.valid { background: #e6f4ea; color: #1e6b34; }
.summary.invalid { background: #fce8e6; color: #a50e0e; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 2em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
thead th { background: #f1f3f4; }
tr.document th { background: #e8eaed; font-weight: bold; }
tr.document .facts { font-weight: normal; color: #555; margin-left: 1em; }
tr.none td { color: #1e6b34; }
tr.error td.severity { background: #d93025; color: #fff; }
tr.error { background: #fce8e6; }
tr.warning td.severity { background: #f9ab00; color: #000; }
tr.warning { background: #fef7e0; }
tr.info td.severity { background: #1a73e8; color: #fff; }
tr.info { background: #e8f0fe; }
code { font-family: "Noto Sans Mono", Consolas, monospace; }
"""


def _e(text: Any) -> str:
    return html.escape(_printable(str(text)), quote=True)


def render_html(report: Report) -> str:
    """One self-contained HTML page (no scripts, no external files): a summary, then a
    table per package with each document's findings coloured by severity."""
    state = "valid" if report["valid"] else "invalid"
    verdict = "通过 passed" if report["valid"] else "未通过 failed"
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>培训材料检查报告 – {_e(report['tool']['name'])}</title>",
        f"<style>{_HTML_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>培训材料检查报告 <small>{_e(report['tool']['name'])} "
        f"{_e(report['tool']['version'])}</small></h1>",
        f'<p class="summary {state}">{verdict}: {_e(summary_line(report))}</p>',
    ]
    header = "".join(
        f"<th>{h}</th>"
        for h in (
            "级别 Severity",
            "代码 Code",
            "位置 Location",
            "字段 Field",
            "说明 Message",
            "值 Value",
        )
    )
    for package in report["packages"]:
        out.append(
            f"<h2>材料包 <code>{_e(package['path'])}</code> "
            f"<small>profile: {_e(package['profile'])}</small></h2>"
        )
        out.append(f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>")
        for document, findings in _groups(package):
            if document is None and not findings:
                continue
            title = _e(_document_header(document))
            out.append(f'<tr class="document"><th colspan="6">{title}</th></tr>')
            if not findings:
                out.append('<tr class="none"><td colspan="6">未发现问题 no findings</td></tr>')
            for f in findings:
                code = CATALOGUE.get(f["code"])
                code_title = _e(code.title if code else "")
                out.append(
                    f'<tr class="{_e(f["severity"])}">'
                    f'<td class="severity">{_e(SEVERITY_ZH.get(f["severity"], f["severity"]))}</td>'
                    f'<td><code title="{code_title}">{_e(f["code"])}</code></td>'
                    f"<td>{_e(location_text(f['location']))}</td>"
                    f"<td>{_e(field_label(f['annex'], f['path']))}</td>"
                    f"<td>{_e(f['message'])}</td>"
                    f"<td><code>{_e(value_text(f['value']))}</code></td>"
                    "</tr>"
                )
        out.append("</tbody>\n</table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
