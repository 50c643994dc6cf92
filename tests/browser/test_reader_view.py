"""What readers see, in real Chromium: the page header, banners, generated pages, search."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from .conftest import build, page_text, screenshot, serve, watch

PROSE = (
    "This guide shows how a team keeps its service healthy. We check the dashboards each "
    "morning. We write down what we learn. When something breaks, we fix it and then we share "
    "the story with the rest of the team. Short notes beat long reports. Every page has an "
    "owner who answers questions about it. We review pages on a schedule so that readers can "
    "trust them. If you find a mistake, open a pull request and ask the owner to review it. "
)
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
HEADER_PARTS = ("docgates-owner", "docgates-freshness", "docgates-readability", "docgates-checklist")


@pytest.fixture(scope="module")
def fixture_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader") / "project"
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "teams.yml").write_text('"@docs-team": {name: Docs team, contact: "#docs"}\n')
    config = {
        "site_name": "Reader fixture",
        "site_url": "http://127.0.0.1/",
        "theme": {
            "name": "material",
            "font": False,
            "features": ["navigation.prune"],
            "palette": [
                {"media": "(prefers-color-scheme: light)", "scheme": "default", "toggle": {"icon": "material/weather-night", "name": "Dark"}},
                {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "toggle": {"icon": "material/weather-sunny", "name": "Light"}},
            ],
        },
        "markdown_extensions": ["toc", "admonition", "pymdownx.superfences", "pymdownx.tasklist"],
        "plugins": [
            "search",
            {"docgates/ownership": {"registry": "teams.yml"}},
            {"docgates/freshness": {"severity": {"freshness/stale": "warning"}}},
            "docgates/readability",
            "docgates/checklist",
            "docgates/links",
            "docgates/leaderboard",
            "docgates/quality",
        ],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    howto = "## Prerequisites\n\n" + PROSE + "\n\n## Steps\n\n" + PROSE + "\n\n" + PROSE
    (docs / "index.md").write_text(
        page_text({"owner": "@docs-team", "reviewed": "2026-11-01", "type": "howto"}, "Keeping the service healthy", howto)
    )
    (docs / "stale.md").write_text(
        page_text({"owner": "@docs-team", "reviewed": "2024-01-10", "type": "howto"}, "An old page", howto)
    )
    (docs / "hostile.md").write_text(
        page_text(
            {"owner": "@x<script>window.__pwned=1</script>", "reviewed": "2026-11-01",
             "title": "<img src=x onerror=window.__pwned=2>"},
            "Hostile <b>title</b>",
            PROSE * 2,
        )
    )
    out = root / "site"
    build(root, out)
    server, url = serve(out)
    yield url
    server.shutdown()
    server.server_close()


def _open(browser, url: str, viewport: str = "desktop", scheme: str = "light"):
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    seen = watch(page)
    page.goto(url, wait_until="networkidle")
    return context, page, seen


def _overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_header_is_visible_above_the_fold(browser, fixture_url, viewport, scheme):
    context, page, seen = _open(browser, fixture_url, viewport, scheme)
    try:
        expected_scheme = "slate" if scheme == "dark" else "default"
        assert page.get_attribute("body", "data-md-color-scheme") == expected_scheme
        height = VIEWPORTS[viewport]["height"]
        title = page.locator("article h1").first.bounding_box()
        nav = page.locator(".md-sidebar--primary").first
        nav_box = nav.bounding_box() if viewport == "desktop" and nav.is_visible() else None
        for css in HEADER_PARTS:
            part = page.locator(f".{css}").first
            assert part.is_visible(), f"{css} is not visible ({viewport}, {scheme})"
            box = part.bounding_box()
            assert box["y"] < height, f"{css} is below the fold ({viewport}, {scheme}): y={box['y']}"
            assert box["width"] > 0 and box["height"] > 0
            assert not _overlaps(box, title), f"{css} overlaps the page title"
            if nav_box:
                assert not _overlaps(box, nav_box), f"{css} overlaps the navigation"
            colour = part.evaluate("e => getComputedStyle(e).color")
            background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            assert colour != background, f"{css} text is invisible on the background"
        screenshot(page, f"fixture-{viewport}-{scheme}")
        assert not seen.console_errors and not seen.page_errors, seen
        assert not seen.outside_requests, seen.outside_requests
    finally:
        context.close()


@pytest.mark.browser
def test_stale_page_shows_its_banner_and_fresh_page_does_not(browser, fixture_url):
    context, page, _ = _open(browser, fixture_url + "stale/")
    try:
        banner = page.locator(".docgates-stale").first
        assert banner.is_visible()
        assert "@docs-team" in banner.inner_text() or "Docs team" in banner.inner_text()
        screenshot(page, "fixture-stale")
        page.goto(fixture_url, wait_until="networkidle")
        assert page.locator(".docgates-stale").count() == 0
    finally:
        context.close()


@pytest.mark.browser
def test_script_in_owner_and_title_shows_as_text_and_never_runs(browser, fixture_url):
    context, page, seen = _open(browser, fixture_url + "hostile/")
    try:
        assert page.evaluate("() => window.__pwned") is None
        owner = page.locator(".docgates-owner").first.inner_text()
        assert "<script>" in owner
        assert page.locator("img[src=x]").count() == 0
        assert not seen.page_errors, seen.page_errors
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path,css", [("quality/", "docgates-dashboard"), ("leaderboard/", "docgates-leaderboard")])
def test_generated_pages_render_tables_and_charts(browser, handbook_url, path, css):
    context, page, seen = _open(browser, handbook_url + path)
    try:
        root = page.locator(f".{css}").first
        assert root.is_visible()
        table = root.locator("table").first
        assert table.is_visible()
        assert table.locator("tr").count() > 1
        if css == "docgates-dashboard":
            chart = root.locator("svg").first
            assert chart.is_visible()
            box = chart.bounding_box()
            assert box["width"] > 50 and box["height"] > 50
            assert chart.locator("rect, path").count() > 0
        screenshot(page, f"handbook-{path.strip('/')}")
        assert not seen.console_errors and not seen.page_errors, seen
        assert not seen.outside_requests, seen.outside_requests
    finally:
        context.close()


@pytest.mark.browser
def test_handbook_home_and_search_work_offline(browser, handbook_url):
    context, page, seen = _open(browser, handbook_url)
    try:
        assert page.locator(".docgates-owner").first.is_visible()
        screenshot(page, "handbook-home")
        # Typed key by key, as a reader does: Material searches on keyboard input events.
        page.locator(".md-search__input").click()
        page.keyboard.type("blameless")
        result = page.locator(".md-search-result__item").first
        result.wait_for(state="visible", timeout=15000)
        assert page.locator(".md-search-result__item").count() > 0
        links = page.locator(".md-search-result__link").evaluate_all("els => els.map(e => e.href)")
        assert any("postmortem" in link or "blameless" in link for link in links), links
        assert not seen.console_errors and not seen.page_errors, seen
        assert not seen.outside_requests, seen.outside_requests
    finally:
        context.close()
