"""A live server and Debian's chromium driven by Playwright.

Skipped when chromium is missing, unless E2E_REQUIRED=1 (CI sets it), then it fails.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = os.path.join(os.path.dirname(__file__), "screenshots")


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail("chromium is required for the end-to-end tests (E2E_REQUIRED=1)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = live_server
    yield pg
    context.close()


def shot(page, name: str) -> str:
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name)
    page.screenshot(path=path, full_page=True)
    return path


def login(page, username: str, password: str = "Demo@2026") -> None:
    page.goto(page.base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")


def pick_unit(page, search: str, name: str) -> None:
    """Choose a unit in the AJAX unit picker (select2)."""
    page.click(".select2-selection")
    page.wait_for_selector(".select2-search__field")
    page.fill(".select2-search__field", search)
    option = f".select2-results__option:has-text('{name}')"
    page.wait_for_selector(option, timeout=30000)
    page.click(option)
