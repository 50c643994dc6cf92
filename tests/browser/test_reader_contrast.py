"""What maintainers must fix is readable by readers, in real Chromium: "No owner", owners missing
from the registry, and the readability badge, whose colour follows the page's own thresholds."""

from __future__ import annotations

import re

import pytest
import yaml

from .conftest import build, page_text, serve, watch

HARD = (
    "Organisational accountability necessitates comprehensive documentation of interdependent "
    "infrastructural configurations, particularly considering heterogeneous authentication "
    "requirements, notwithstanding administrative responsibilities distributed amongst "
    "geographically dispersed operational departments. "
) * 8


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("contrast") / "project"
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "teams.yml").write_text('"@docs-team": {name: Docs team, contact: "#docs"}\n')
    config = {
        "site_name": "Contrast fixture",
        "site_url": "http://127.0.0.1/",
        "theme": {
            "name": "material",
            "font": False,
            "palette": [
                {"media": "(prefers-color-scheme: light)", "scheme": "default"},
                {"media": "(prefers-color-scheme: dark)", "scheme": "slate"},
            ],
        },
        "plugins": [
            "search",
            {"docgates/ownership": {"registry": "teams.yml", "severity": {"ownership/missing": "warning"}}},
            {"docgates/readability": {"thresholds": {"folders": {"allowed/*": {"min_ease": -200, "max_grade": 60}}}}},
        ],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (docs / "index.md").write_text(page_text({}, "Nobody's page", "Text."))
    (docs / "ghost.md").write_text(page_text({"owner": "@ghost-team"}, "A ghost's page", "Text."))
    (docs / "allowed").mkdir()
    (docs / "allowed" / "spec.md").write_text(page_text({"owner": "@docs-team"}, "A hard page it may be", HARD))
    (docs / "strict.md").write_text(page_text({"owner": "@docs-team"}, "A hard page it may not be", HARD))
    out = root / "site"
    build(root, out)
    server, url = serve(out)
    yield url
    server.shutdown()
    server.server_close()


def _rgb(css: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)  # type: ignore[return-value]


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    back = _rgb(background)
    fore = _rgb(foreground)
    # A translucent text colour is seen mixed with the background behind it.
    alpha = fore[3]
    mixed = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fore[:3], back[:3]))
    lighter, darker = sorted((_luminance(mixed), _luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The colour an element's text is drawn on: its own background or the first opaque one above it.
BACKGROUND = """e => {
  for (let n = e; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c && !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent') return c;
  }
  return getComputedStyle(document.documentElement).backgroundColor || 'rgb(255, 255, 255)';
}"""


def _colours(browser, url: str, scheme: str, selector: str) -> tuple[str, str, str]:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    seen = watch(page)
    try:
        page.goto(url, wait_until="networkidle")
        assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
        element = page.locator(selector).first
        assert element.is_visible(), f"{selector} is not visible"
        text = element.inner_text()
        colour = element.evaluate("e => getComputedStyle(e).color")
        background = element.evaluate(BACKGROUND)
        assert not seen.outside_requests, seen.outside_requests
        return text, colour, background
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_owner_and_unregistered_owners_are_readable(browser, site_url, scheme):
    text, colour, background = _colours(browser, site_url, scheme, ".docgates-owner--missing .docgates-owner__label")
    assert text == "No owner"
    assert contrast(colour, background) >= 4.5, (scheme, colour, background)

    text, colour, background = _colours(
        browser, site_url + "ghost/", scheme, ".docgates-owner__team--unregistered .docgates-owner__name"
    )
    assert "ghost-team" in text
    assert contrast(colour, background) >= 4.5, (scheme, colour, background)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_readability_badge_is_red_only_when_the_page_fails_its_thresholds(browser, site_url, scheme):
    red = "rgb(183, 28, 28)"
    label = ".docgates-readability__label"
    text, colour, allowed = _colours(browser, site_url + "allowed/spec/", scheme, label)
    assert re.fullmatch(r"Readability: (Very hard|Hard)", text), text
    assert allowed != red
    assert contrast(colour, allowed) >= 4.5, (scheme, colour, allowed)

    text, colour, failing = _colours(browser, site_url + "strict/", scheme, label)
    assert re.fullmatch(r"Readability: (Very hard|Hard)", text), text
    assert failing == red
    assert contrast(colour, failing) >= 4.5
