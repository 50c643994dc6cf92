"""The org portal in real Chromium: rows and charts visible, nothing fetched off 127.0.0.1,
no script from a hostile report run."""

from __future__ import annotations

import json
import threading

import pytest

from browser.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot, serve, watch
from org_fixtures import DAY_ONE, DAY_TWO, build_on, docgates, make_site
from test_org_inputs import HOSTILE_SITE, _hostile_report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not found at /usr/bin/chromium (apt-get install chromium)"),
]


def _in_own_thread(check) -> None:
    """Run ``check`` in a thread of its own: Playwright's sync API refuses to start where an
    event loop runs, and the browser suite's session-wide Chromium keeps one running in the
    main thread of a test worker that ran those tests first."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            check()
        except BaseException as exc:  # handed to the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def test_portal_shows_rows_and_charts_offline(tmp_path):
    site = make_site(tmp_path / "payments", "Payments", "Pat Payments <pat@corp.example>")
    published = build_on(site, DAY_ONE, tmp_path / "published" / "payments")
    hostile = _hostile_report(published, tmp_path)
    (tmp_path / "sites.yml").write_text(json.dumps([{"name": "payments", "report": str(published)},
                                                    {"name": HOSTILE_SITE, "report": str(hostile)}]), encoding="utf-8")
    for day in (DAY_ONE, DAY_TWO):
        proc = docgates("org", "--from", "sites.yml", "--out", "published/org", cwd=tmp_path, day=day)
        assert proc.returncode == 0, proc.stderr
    server, url = serve(tmp_path / "published")
    try:
        _in_own_thread(lambda: _check_portal(url))
    finally:
        server.shutdown()
        server.server_close()


def _check_portal(url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        seen = watch(page)
        page.goto(url + "org/index.html")
        page.wait_for_load_state("load")
        assert page.locator("main.docgates-org").is_visible()
        rows = page.locator(".docgates-org-sites tbody tr")
        assert rows.count() == 2
        assert rows.nth(0).locator("td").first.inner_text() == "payments"
        assert rows.nth(1).locator("td").first.inner_text() == HOSTILE_SITE  # shown as text
        assert page.locator(".docgates-sparkline svg").count() == 2
        assert page.locator(".docgates-sparkline svg").first.bounding_box()["width"] > 50
        chart = page.locator("#indicators figure.docgates-chart svg")
        assert chart.is_visible() and chart.bounding_box()["height"] > 100
        assert page.locator("#sites figure.docgates-chart svg").is_visible()
        assert page.evaluate("window.__pwned") is None
        # The site's name links to the published site next to the portal.
        assert page.locator(".docgates-org-sites tbody tr a").first.get_attribute("href") == "../payments/index.html"
        screenshot(page, "org-portal")
        assert seen.outside_requests == [] and seen.page_errors == [] and seen.console_errors == []
        browser.close()
