"""The operator page's load time on loopback, in headless Chromium against `energy-edge up`.

From navigation to the first live snapshot drawn (the site clock shown, which
needs the page, its script, the history and the first Server-Sent Event):
median and worst of LOADS fresh loads (new browser context each, so nothing is
cached), target <= 1 s. Skipped with a note when Chromium or Playwright is missing.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from .result import Result

LOADS = 10


def run() -> list[Result]:
    try:
        from playwright.sync_api import sync_playwright

        from tests.e2e.browser import OPERATOR_PASSWORD, chromium_path, launch_chromium, operator_site
        executable = chromium_path()
    except BaseException as exc:  # pytest.skip raises an exception that is not an Exception
        print(f"  web page load skipped: {exc}")
        return []
    times_ms = []
    with tempfile.TemporaryDirectory() as state, operator_site(Path(state)) as port, sync_playwright() as playwright:
        browser = launch_chromium(playwright, executable)
        try:
            for _ in range(LOADS):
                context = browser.new_context(http_credentials={"username": "operator", "password": OPERATOR_PASSWORD})
                page = context.new_page()
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_function("() => document.getElementById('clock').textContent.startsWith('site time')")  # a function: the page's CSP refuses eval of an expression
                times_ms.append((time.perf_counter() - started) * 1000)
                context.close()
        finally:
            browser.close()
    median, worst = statistics.median(times_ms), max(times_ms)
    return [
        Result("web_page_load_ms", round(median, 1), "ms", "<= 1000 ms", median <= 1000),
        Result("web_page_load_worst_ms", round(worst, 1), "ms", "<= 1000 ms", worst <= 1000),
    ]
