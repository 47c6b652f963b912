"""The reviewers' web page in a real browser: Debian's chromium, headless, driven by
Playwright, against a running ``annex serve`` (SQLite) with a checked PDF package whose
ledger has a wrong age — so that a page picture with an outlined cell exists.

A reviewer signs in, opens the submission, sees the finding's cell outlined on the page
picture, dismisses a finding and passes the package; the same done with the keyboard only
(skip link, Tab, Enter, visible focus). Screenshots of the queue and of the submission at
1366×768 go to ``ANNEXKIT_SCREENSHOTS`` (default: the test's tmp folder) for a person to look
at. ``playwright install`` is never run: chromium comes from Debian (``make setup``).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from annexkit.generator.output import write_documents
from annexkit.generator.package import Document
from tests.conftest import require_chromium
from tests.test_service_api import (
    INSTITUTION_A,
    INSTITUTION_B,
    SAMPLES,
    Server,
    wait_done,
    zipped,
)

pytestmark = pytest.mark.pdf

PASSWORD = "浏览器测试 browser-test"
AGE_ROW = 17
"""A ledger row on the second page of the sample class's ledger (as test_service_pictures)."""
VIEWPORT = {"width": 1366, "height": 768}


@dataclass
class Running:
    server: Server
    sid: str
    report: dict[str, Any]
    reviewer_token: str
    masked: str
    """A DOCX submission whose finding quotes a masked ID number (the reveal button)."""


def _add_user(server: Server, name: str, role: str, institution: str | None = None) -> str:
    """``annex users add … --password-stdin``; the API token (last word of the output)."""
    extra = ["--institution", institution] if institution else []
    done = subprocess.run(
        [
            *(sys.executable, "-m", "annexkit", "users", "add", name, "--role", role),
            *(*extra, "--password-stdin", *server.db_args()),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]


def _faulty_pdf_zip(documents: list[Document], folder: Path) -> bytes:
    """The sample class with one wrong ledger age and one sign-in sheet, as PDFs, zipped."""
    chosen: list[Document] = []
    for document in documents:
        if document.annex == "ledger":
            record = copy.deepcopy(document.record)
            record["rows"][AGE_ROW]["age"] += 1
            document = dataclasses.replace(document, record=record)
        if document.annex == "signin" and any(d.annex == "signin" for d in chosen):
            continue
        chosen.append(document)
    write_documents(chosen, folder, pdf=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.pdf")):
            archive.write(path, path.name)
    return buffer.getvalue()


def _wait_for_pictures(server: Server, sid: str, timeout: float = 180) -> None:
    """The page pictures are drawn after the report is stored (service/jobs.py): wait for
    them, as a reviewer reloading the page would."""
    engine = server.engine()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                count = conn.execute(
                    sa.text("SELECT count(*) FROM page_pictures WHERE submission_id = :s"),
                    {"s": sid},
                ).scalar_one()
            if count:
                return
            time.sleep(0.3)
    finally:
        engine.dispose()
    raise AssertionError(f"no page pictures for {sid}: {server.log}")


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, sample_documents: list[Document]
) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("browser")
    content = _faulty_pdf_zip(sample_documents, folder / "pdf")
    server = Server(folder / "data", None)
    reviewer = _add_user(server, "审核员", "reviewer")
    institution = _add_user(server, "机构甲", "institution", INSTITUTION_A)
    _add_user(server, "机构乙", "institution", INSTITUTION_B)
    server.start()
    try:
        with httpx.Client(
            base_url=server.base, headers={"Authorization": f"Bearer {institution}"}, timeout=60
        ) as client:
            upload = client.post(
                "/api/v1/submissions", files={"file": ("电工班.zip", content, "application/zip")}
            )
            assert upload.status_code == 202, upload.text
            body = wait_done(client, upload.json()["id"], timeout=300)
            other = client.post(
                "/api/v1/submissions",
                files={"file": ("名册.zip", zipped(SAMPLES / "trainee-not-in-ledger"))},
                data={"profile": "jiangmen-2019"},
            )
            assert wait_done(client, other.json()["id"])["status"] == "done"
        assert body["status"] == "done", body
        _wait_for_pictures(server, body["id"])
        yield Running(server, body["id"], body["report"], reviewer, other.json()["id"])
    finally:
        server.stop()


_SHOTS: list[Path] = []


def _shots() -> Path:
    assert _SHOTS, "the shots fixture sets the folder"
    return _SHOTS[0]


@pytest.fixture(scope="module", autouse=True)
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("ANNEXKIT_SCREENSHOTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    _SHOTS[:] = [folder]
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


def _sign_in(browser: Any, base: str, name: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/")
    assert "/login" in page.url
    if name == "审核员":
        page.screenshot(path=str(_shots() / "login-1366x768.png"))
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def _state(running: Running) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(
        f"{running.server.base}/api/v1/submissions/{running.sid}",
        headers={"Authorization": f"Bearer {running.reviewer_token}"},
        timeout=30,
    ).json()
    return body


def _outlined_finding(running: Running) -> int:
    """The number (1-based, in its package) of the wrong age's finding."""
    findings = running.report["packages"][0]["findings"]
    ages = [
        i
        for i, f in enumerate(findings)
        if f["severity"] == "error" and (f["path"] or "").endswith("/age")
    ]
    assert ages, [f["code"] for f in findings]
    return ages[0] + 1


# ------------------------------------------------------------------------------ tests


def test_review_a_pdf_submission_in_the_browser(
    running: Running, browser: Any, shots: Path
) -> None:
    base = running.server.base
    page = _sign_in(browser, base, "审核员")
    row = page.locator(f'a[href="/submissions/{running.sid}"]')
    assert row.is_visible()
    page.screenshot(path=str(shots / "queue-1366x768.png"))

    row.click()
    page.wait_for_url(f"{base}/submissions/{running.sid}")
    # The page picture is there, loaded, with the age cell outlined inside it.
    number = _outlined_finding(running)
    figure = page.locator("figure.page").filter(has=page.locator(f'rect[data-finding="{number}"]'))
    assert figure.count() >= 1
    image = figure.first.locator("img")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    outline = figure.first.locator(f'rect[data-finding="{number}"]')
    box, frame = outline.bounding_box(), image.bounding_box()
    assert box and frame and box["width"] > 3 and box["height"] > 3
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    assert "error" in (outline.get_attribute("class") or "")
    page.screenshot(path=str(shots / "picture-1366x768.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "submission-1366x768.png"))
    page.screenshot(path=str(shots / "submission-full.png"), full_page=True)

    # The finding's row links to its picture.
    finding_row = page.locator(f"#pkg-1-f{number}")
    assert finding_row.locator("a.to-picture").count() == 1

    # Dismiss the finding with a reason.
    finding_row.locator("summary").click()
    finding_row.get_by_label("驳回理由").fill("年龄按身份证核实无误")
    finding_row.get_by_role("button", name="确定驳回").click()
    page.wait_for_url(f"**/submissions/{running.sid}?done=reviewed*")
    assert page.locator("p.notice.ok").inner_text().startswith("已记录对检查项的审核")
    assert "年龄按身份证核实无误" in page.locator(f"#pkg-1-f{number}").inner_text()
    page.screenshot(path=str(shots / "reviewed-1366x768.png"))
    flat = number - 1  # one package: the API's number is the package's
    assert _state(running)["reviews"][str(flat)]["decision"] == "dismissed"

    # Pass the package.
    page.get_by_role("button", name="通过").click()
    page.wait_for_url(f"**/submissions/{running.sid}?done=decided*")
    assert "已通过 passed" in page.locator("h1").inner_text()
    assert _state(running)["review_state"] == "passed"
    page.context.close()


def test_pictures_are_visible_only_with_the_submission(running: Running, browser: Any) -> None:
    base = running.server.base
    page = _sign_in(browser, base, "审核员")
    page.goto(f"{base}/submissions/{running.sid}")
    source = page.locator("figure.page img").first.get_attribute("src")
    assert source and source.startswith(f"/submissions/{running.sid}/pictures/")
    ok = page.request.get(f"{base}{source}")
    assert ok.status == 200 and ok.headers["content-type"] == "image/jpeg"
    page.context.close()

    other = _sign_in(browser, base, "机构乙")
    assert other.request.get(f"{base}{source}").status == 404
    shown = other.goto(f"{base}/submissions/{running.sid}")
    assert shown is not None and shown.status == 404
    other.context.close()

    owner = _sign_in(browser, base, "机构甲")
    assert owner.request.get(f"{base}{source}").status == 200
    owner.goto(f"{base}/submissions/{running.sid}")
    assert owner.locator("figure.page").count() >= 1
    assert owner.get_by_role("button", name="通过").count() == 0
    owner.context.close()


def _tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _focus_is_visible(page: Any) -> bool:
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    return bool(style[0] != "none" and style[1] != "0px")


def test_keyboard_only(running: Running, browser: Any) -> None:
    base = running.server.base
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    # Tab to the name field (autofocus is not applied to a page without focus), type, Tab,
    # type, Enter.
    _tab_to(page, "#name")
    assert _focus_is_visible(page)
    page.keyboard.type("审核员")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")

    # The first Tab reaches the skip link, shown when focused; Enter moves to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = page.locator("a.skip").bounding_box()
    assert box and box["y"] >= 0 and _focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Into a submission by Tab and Enter.
    _tab_to(page, f'a[href="/submissions/{running.sid}"]')
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/submissions/{running.sid}")

    # Confirm the first finding with the keyboard.
    _tab_to(page, "form.confirm button")
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/submissions/{running.sid}?done=reviewed*")
    assert any(d["decision"] == "confirmed" for d in _state(running)["reviews"].values())

    # A dismissal: open the fold, type the reason, submit — keys only.
    _tab_to(page, "details.dismiss > summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type("键盘驳回")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/submissions/{running.sid}?done=reviewed*")
    reasons = [d["reason"] for d in _state(running)["reviews"].values()]
    assert "键盘驳回" in reasons
    context.close()


def test_reviewer_reveals_one_masked_number(running: Running, browser: Any) -> None:
    base = running.server.base
    page = _sign_in(browser, base, "审核员")
    page.goto(f"{base}/submissions/{running.masked}")
    assert not re.search(r"\d{17}[\dX]", page.content())
    button = page.get_by_role("button", name="显示原值").first
    assert button.is_visible()  # web.js shows it (allowed by the page's CSP)
    button.click()
    output = button.locator("xpath=following-sibling::output")
    page.wait_for_function(
        "o => o.textContent.length > 0", arg=output.element_handle(), timeout=60_000
    )
    shown = output.inner_text()
    assert re.fullmatch(r"\d{17}[\dX]|1\d{10}", shown), shown  # an ID or a mobile number
    page.context.close()
