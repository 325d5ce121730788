"""The console in a real browser (Debian's Chromium through Playwright) against a real `amdx serve` process.

A commander opens the console, sees the launch appear as a track, approves the engagement and sees the intercept;
the partner's console never shows a track that was not released to it. Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from amdx.scenario import bundled_scenario_path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CONSOLE = Path(__file__).resolve().parents[2] / "src" / "amdx" / "server" / "static" / "index.html"



@pytest.fixture(scope="module")
def browser():
    if not CONSOLE.is_file():  # `make test` builds it first; a missing build is a failure, not a skip
        pytest.fail("the console is not built: run `make console`")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def post(server, seat: str, path: str, body: dict) -> httpx.Response:
    with server.client(seat) as client:
        return client.post(path, json=body)


def test_a_commander_approves_the_engagement_and_sees_the_intercept(tmp_path, serve, browser):
    out = tmp_path / "exercise"
    server = serve(out, str(bundled_scenario_path("accidental_partner_city")), "--out", str(out), "--seed", "2")
    for nation in ("north", "south"):  # the commanders take over their engagement authority from the bots
        assert post(server, f"{nation}.commander", "/api/orders",
                    {"kind": "assign_role", "role": f"{nation}.ncc", "human": True}).status_code == 200
    pages = {}
    for nation in ("north", "south"):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{server.base}/?token={server.tokens[nation + '.commander']}")
        page.get_by_test_id("map").wait_for()
        pages[nation] = page
    post(server, "white", "/api/control", {"action": "speed", "speed": 10})
    post(server, "white", "/api/control", {"action": "start"})

    approver, proposal = None, None
    deadline = time.monotonic() + 90.0
    while approver is None and time.monotonic() < deadline:
        for nation, page in pages.items():
            buttons = page.locator("[data-testid^=approve-]:not([disabled])")
            if buttons.count():
                proposal = buttons.first.get_attribute("data-testid").removeprefix("approve-")
                buttons.first.click()
                approver = nation
                break
        time.sleep(0.3)
    assert approver is not None, "no engagement proposal reached a commander's console"
    page = pages[approver]
    tracks = page.locator("[data-testid^=track-]")
    assert tracks.count() >= 1, "the launch is shown as a track"
    log = page.get_by_test_id("event-log")
    page.wait_for_function("() => /launched interceptor/.test(document.querySelector('[data-testid=event-log]')"
                           ".innerText)", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "commander-engagement.png"))
    page.wait_for_function("() => /kill assess|assessed/i.test(document.querySelector('[data-testid=event-log]')"
                           ".innerText)", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "commander-intercept.png"))
    text = log.inner_text()
    assert f"{proposal}" in text and "APPROVED" in text
    events = server.events(f"{approver}.commander")
    decided = [r for r in events if r["kind"] == "engagement_decided" and r["data"]["proposal_id"] == proposal]
    assert decided and decided[0]["data"]["decider"] == f"{approver}.ncc"
    assert "no answer" not in decided[0]["data"]["reason"], "the human approved, not the doctrine's fallback"
    assert any(r["kind"] == "interceptor_launched" for r in events)
    assert any(r["kind"] == "kill_assessed" for r in events)


def test_the_partner_never_sees_an_unreleased_track(tmp_path, serve, browser):
    text = bundled_scenario_path("accidental_partner_city").read_text(encoding="utf-8")
    assert "release: all" in text
    scenario = tmp_path / "no_release.yaml"
    scenario.write_text(text.replace("release: all", "release: none"), encoding="utf-8")
    out = tmp_path / "exercise"
    server = serve(out, str(scenario), "--out", str(out), "--seed", "2")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server.base}/?token={server.tokens['south.commander']}")
    page.get_by_test_id("map").wait_for()
    post(server, "white", "/api/control", {"action": "speed", "speed": 10})
    post(server, "white", "/api/control", {"action": "start"})
    shown: set[str] = set()
    end = time.monotonic() + 30.0
    while time.monotonic() < end:
        ids = page.eval_on_selector_all("[data-testid^=track-]", "els => els.map(e => e.dataset.testid)")
        shown.update(i.removeprefix("track-") for i in ids if re.fullmatch(r"track-\w+\.T\d+", i))
        time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / "partner-console.png"))
    events = server.events("south.commander")
    pictures = [r for r in events if r["kind"] == "air_picture"]
    own = {t["track_id"] for r in pictures for t in r["data"]["tracks"]}
    assert pictures and all(t["source"] == "own" for r in pictures for t in r["data"]["tracks"])
    assert shown, "the south console showed no track at all"
    assert shown <= own, f"tracks shown that south's own picture never held: {sorted(shown - own)}"
    assert not [i for i in shown if i.startswith("north.")]
    truth = server.events("white")
    north_held = {t["track_id"] for r in truth if r["kind"] == "air_picture" and r["data"]["nation"] == "north"
                  for t in r["data"]["tracks"]}
    assert north_held, "north held tracks that it did not release"  # so there was something to leak
