"""The operator's page in a real browser (headless Chromium) against `energy-edge up`.

It logs in with the operator's password, sees live values change, stops the
battery through the confirmation dialog and sees the module's answer, sees a
refused limit come back with the controller's reason, and saves a screenshot
(artefacts/operator-page.png, git-ignored) as the test's artefact.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .site_process import http_get
from .browser import ARTEFACTS, OPERATOR_PASSWORD, chromium_path, launch_chromium, operator_site

pytestmark = pytest.mark.slow

sync_api = pytest.importorskip("playwright.sync_api")


def _confirm(page) -> None:
    page.get_by_test_id("confirm").wait_for(state="visible")
    page.get_by_test_id("confirm-ok").click()


def test_page_shows_live_values_and_answers_commands(tmp_path):
    executable = chromium_path()
    with operator_site(tmp_path, "--speed", "30") as port, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright, executable)
        try:
            assert http_get(port, "/")[0] == 401  # the page is the operator's; /metrics stays open
            assert http_get(port, "/metrics")[0] == 200
            context = browser.new_context(http_credentials={"username": "operator", "password": OPERATOR_PASSWORD},
                                          viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            sync_api.expect(page.get_by_test_id("link")).to_have_text("live", timeout=5000)
            battery_row = page.locator("#assets tr[data-module=battery]")
            sync_api.expect(battery_row).to_be_visible(timeout=5000)

            first_clock = page.get_by_test_id("clock").inner_text()
            first_flows = page.get_by_test_id("flows").inner_html()
            sync_api.expect(page.get_by_test_id("clock")).not_to_have_text(first_clock, timeout=5000)
            page.wait_for_function("html => document.getElementById('flows').innerHTML !== html", arg=first_flows,
                                   timeout=10000)
            assert page.locator("#chart polyline[data-series=grid]").count() == 1
            sync_api.expect(page.get_by_test_id("limits")).to_contain_text("export_limit_w")

            battery_row.locator("button[data-command='battery.stop']").click()
            _confirm(page)
            sync_api.expect(page.get_by_test_id("answer")).to_contain_text("200 accepted", timeout=5000)
            sync_api.expect(page.get_by_test_id("answer")).to_contain_text("IDLE")

            page.select_option("#limit-name", "export_limit_w")
            page.fill("#limit-value", "-5")
            page.click("#limit-set")
            _confirm(page)
            answer = page.get_by_test_id("answer")
            sync_api.expect(answer).to_contain_text("400 refused", timeout=5000)
            sync_api.expect(answer).to_contain_text(re.compile(r"must be >= 0"))
            sync_api.expect(page.get_by_test_id("events")).to_contain_text("refusal controller", timeout=5000)

            ARTEFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / "operator-page.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    assert (ARTEFACTS / "operator-page.png").stat().st_size > 10_000


def test_the_page_shows_every_asset_of_a_site_file(tmp_path):
    from energy_edge.adapters.site_file import load_site
    from energy_edge.entrypoints.factories import served_assets

    site_file = Path(__file__).resolve().parents[2] / "examples" / "sites" / "factory.toml"
    served = {spec.id for spec in served_assets(load_site(site_file))}  # every module that reports telemetry
    executable = chromium_path()
    with operator_site(tmp_path, "--site", str(site_file), "--speed", "30") as port, \
            sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright, executable)
        try:
            context = browser.new_context(http_credentials={"username": "operator", "password": OPERATOR_PASSWORD})
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            rows = page.locator("#assets tbody tr")
            sync_api.expect(rows).to_have_count(len(served), timeout=10000)
            assert {rows.nth(i).get_attribute("data-module") for i in range(len(served))} == served
            sync_api.expect(page.get_by_test_id("flows")).to_contain_text("PV ×4")
        finally:
            browser.close()
