"""The generated pages (dashboard, leaderboard) in a site's explicit ``nav``: added at its end
unless the nav names them already or the site says ``nav: false``."""

from __future__ import annotations

import re

GOOD = """\
---
owner: "@docs"
reviewed: 2026-11-01
---
# {title}

A short page that says what it is for.
"""


def _menu(site) -> list[str]:
    """The primary navigation's links of the built home page, in order."""
    html = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    primary = html[html.index('md-nav--primary'):]
    links = re.findall(r'<a href="([^"]+)" class="md-nav__link', primary)
    return [href for href in links if not href.startswith("#")]


def _site(git_site, **options):
    site, repo = git_site
    site.plugins(
        "docgates/ownership",
        {"docgates/leaderboard": options.get("leaderboard", {})},
        {"docgates/quality": options.get("quality", {})},
    )
    site.page("index.md", GOOD.format(title="Home"))
    site.page("guide.md", GOOD.format(title="Guide"))
    repo.commit("Add the docs", date="2026-11-20T10:00:00+00:00")
    return site


def test_an_explicit_nav_gets_the_generated_pages_at_its_end(git_site):
    site = _site(git_site)
    site.config["nav"] = [{"Home": "index.md"}, {"Guide": "guide.md"}]
    result = site.build()
    assert result.returncode == 0, result.output
    assert _menu(site) == [".", "guide/", "leaderboard/", "quality/"]
    assert "not included in the nav" not in result.output


def test_a_nav_that_names_a_generated_page_keeps_its_place(git_site):
    site = _site(git_site)
    site.config["nav"] = [{"Home": "index.md"}, {"Health": "./quality.md"}, {"Guide": "guide.md"}]
    result = site.build()
    assert result.returncode == 0, result.output
    assert _menu(site) == [".", "quality/", "guide/", "leaderboard/"]


def test_nav_false_leaves_the_page_out_of_the_menu_but_builds_it(git_site):
    site = _site(git_site, quality={"nav": False})
    site.config["nav"] = [{"Home": "index.md"}, {"Guide": "guide.md"}]
    result = site.build()
    assert result.returncode == 0, result.output
    assert _menu(site) == [".", "guide/", "leaderboard/"]
    assert (site.root / "site" / "quality" / "index.html").is_file()


def test_without_a_nav_mkdocs_lists_every_page_itself(git_site):
    site = _site(git_site)
    result = site.build()
    assert result.returncode == 0, result.output
    assert sorted(_menu(site)) == sorted([".", "guide/", "leaderboard/", "quality/"])


def test_a_plugins_list_without_search_is_told_not_silent(git_site):
    site, repo = git_site
    site.page("index.md", GOOD.format(title="Home"))
    repo.commit("Add the docs", date="2026-11-20T10:00:00+00:00")
    site.config["plugins"] = ["docgates/ownership"]
    result = site.build()
    assert result.returncode == 0, result.output
    assert "no search plugin" in result.output
    assert not (site.root / "site" / "search").exists()

    site.plugins("docgates/ownership")  # the helper keeps search first, as adopt.md says
    result = site.build()
    assert result.returncode == 0, result.output
    assert "no search plugin" not in result.output
    assert (site.root / "site" / "search" / "search_index.json").exists()
