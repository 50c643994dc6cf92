"""Real Chromium on a Zensical-built site: the docgates header is visible above the fold,
on desktop and phone widths, light and dark, and nothing is requested beyond 127.0.0.1."""

from __future__ import annotations

import pytest

from docgates.engines import ENGINES
from engines.test_engines import docgates, make_project

from .conftest import serve, watch

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Chromium's absence is handled by conftest.py, as for every browser test; the engine's here.
pytestmark = pytest.mark.skipif(
    not ENGINES["zensical"].installed(), reason="engine not installed: zensical (pip install -r requirements.lock)"
)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("zensical-browser") / "project"
    make_project(root)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    # Both schemes, as the handbook has them: the reader's system setting picks one.
    config = config.replace(
        "  font: false\n",
        "  font: false\n  palette:\n"
        "  - media: '(prefers-color-scheme: light)'\n    scheme: default\n"
        "  - media: '(prefers-color-scheme: dark)'\n    scheme: slate\n",
    )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    proc = docgates(root, "build", "--engine", "zensical")
    assert (root / "site" / "stale" / "index.html").is_file(), proc.stderr[-2000:]
    server, url = serve(root / "site")
    yield url
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_header_is_visible_above_the_fold(browser, site_url, viewport, scheme):
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    try:
        page = context.new_page()
        seen = watch(page)
        page.goto(site_url + "stale/", wait_until="networkidle")
        assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
        height = VIEWPORTS[viewport]["height"]
        title = page.locator("article h1").first.bounding_box()
        for css in ("docgates-owner", "docgates-stale"):
            part = page.locator(f"article .{css}").first
            assert part.is_visible(), f"{css} ({viewport}, {scheme})"
            box = part.bounding_box()
            assert box["y"] >= title["y"] + title["height"] - 1, f"{css} is not under the title"
            assert box["y"] < height, f"{css} is below the fold ({viewport}, {scheme})"
        # The docgates stylesheet applied: the stale banner is not an unstyled paragraph.
        border = page.locator("article .docgates-stale").first.evaluate(
            "e => getComputedStyle(e).borderLeftStyle + getComputedStyle(e).borderTopStyle"
        )
        assert "solid" in border
        assert seen.outside_requests == []
        assert seen.page_errors == []
    finally:
        context.close()
