"""``make run`` (scripts/run_service.py): the service starts with the samples submitted, both
printed tokens work with the visibility of their roles, Ctrl-C stops it cleanly, and a second
run on the same data folder keeps the submissions and prints new working tokens."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT
from tests.test_service_api import INSTITUTION_B, SAMPLES, free_port

pytestmark = pytest.mark.pdf  # the script generates the sample class's PDFs

INSTITUTION_CODE = INSTITUTION_B
"""The demo institution's credit code: the sample packages' enterprise's."""
SAMPLE_COUNT = len([p for p in SAMPLES.iterdir() if p.is_dir()]) + 1  # + the generated class
_URL = re.compile(r"URL:\s+(http://\S+)")
_TOKEN = re.compile(r"token:\s+(ak_\S+)")
_PASSWORD = re.compile(r"password:\s+(\S+)")


@dataclass
class Run:
    """One ``python -m scripts.run_service`` child and what it printed so far."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while pattern not in self.text:
            if self.process.poll() is not None:
                time.sleep(0.5)  # let the reader take the last lines
                raise AssertionError(f"run_service exited {self.process.returncode}:\n{self.text}")
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.text}"
            time.sleep(0.2)

    def stop(self) -> int:
        """Ctrl-C, as a user would press it; the exit status."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def start(data: Path, out: Path, port: int) -> Run:
    command = [sys.executable, "-m", "scripts.run_service", "--port", str(port)]
    command += ["--data", str(data), "--out", str(out), "--check-processes", "1"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return Run(process)


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


def announced(run: Run) -> tuple[str, str, str, list[str]]:
    run.wait_for("Ctrl-C")
    url = _URL.search(run.text)
    assert url is not None, run.text
    tokens = _TOKEN.findall(run.text)
    passwords = _PASSWORD.findall(run.text)
    assert len(tokens) == 2 and len(passwords) == 2, run.text
    return url.group(1), tokens[0], tokens[1], passwords


def items(client: httpx.Client) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/submissions", params={"per_page": 100})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["items"]
    return found


def wait_all_finished(client: httpx.Client, timeout: float = 300) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = items(client)
        if len(found) >= SAMPLE_COUNT and all(i["status"] in ("done", "failed") for i in found):
            return found
        assert time.monotonic() < deadline, [(i["name"], i["status"]) for i in found]
        time.sleep(1)


def test_make_run_serves_the_samples_and_survives_a_restart(
    tmp_path: Path, runs: list[Run]
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    run = start(data, out, free_port())
    runs.append(run)
    url, reviewer_token, institution_token, passwords = announced(run)
    assert "demo-reviewer" in run.text and "demo-institution" in run.text
    assert passwords[0] != passwords[1]
    reviewer = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {reviewer_token}"})
    institution = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {institution_token}"}
    )
    with reviewer, institution:
        seen = wait_all_finished(reviewer)
        names = sorted(i["name"] for i in seen)
        assert names == sorted(
            [*(p.name for p in SAMPLES.iterdir() if p.is_dir()), "jiangmen-electrician-2025"]
        )
        assert {i["name"]: i["status"] for i in seen if i["status"] != "done"} == {}
        own = items(institution)
        assert {i["id"] for i in own} == {
            i["id"] for i in seen if i["institution"] == INSTITUTION_CODE
        }
        assert all(i["institution"] == INSTITUTION_CODE for i in own)
        clean = next(i for i in seen if i["name"] == "clean")
        assert clean["summary"] == {"errors": 0, "warnings": 0}
        assert httpx.get(f"{url}/api/v1/submissions").status_code == 401
    run.wait_for(f"all {SAMPLE_COUNT} sample packages checked ({SAMPLE_COUNT} done, 0 failed)")
    assert run.stop() == 0
    assert "service stopped" in run.text
    generated = sorted(p.name for p in out.iterdir())
    assert any(n.endswith(".docx") for n in generated)
    assert any(n.endswith(".pdf") for n in generated)

    # A second run on the same folder: nothing deleted or submitted twice, new tokens.
    again = start(data, out, free_port())
    runs.append(again)
    url2, reviewer_token2, institution_token2, _ = announced(again)
    assert {reviewer_token2, institution_token2}.isdisjoint({reviewer_token, institution_token})
    assert "沿用 reused" in again.text
    with httpx.Client(
        base_url=url2, headers={"Authorization": f"Bearer {reviewer_token2}"}
    ) as reviewer2:
        kept = items(reviewer2)
        assert {i["id"] for i in kept} == {i["id"] for i in seen}
        assert all(i["status"] in ("done", "failed") for i in kept)
        old = httpx.get(
            f"{url2}/api/v1/submissions", headers={"Authorization": f"Bearer {reviewer_token}"}
        )
        assert old.status_code == 401  # the previous run's token was replaced
    with httpx.Client(
        base_url=url2, headers={"Authorization": f"Bearer {institution_token2}"}
    ) as institution2:
        assert len(items(institution2)) == SAMPLE_COUNT
    assert again.stop() == 0
