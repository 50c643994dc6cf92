"""docs/writing-docs/adopt.md, followed on an existing site: every snippet it shows, in its order.

The site is what an adopting team has: a MkDocs site with an explicit nav, pages without front
matter written a year ago, a CODEOWNERS file, one broken link. The test reads the page's own
``mkdocs.yml``, ``.gitignore`` and ignore-revs snippets, so the page cannot drift from what works.
"""

from __future__ import annotations

import re

import yaml

from conftest import REPO_ROOT

PAGE = REPO_ROOT / "docs" / "writing-docs" / "adopt.md"
OLD = "2025-10-01T12:00:00+00:00"


def snippets(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.S | re.M)


def test_the_adoption_page_works_on_an_existing_site(git_site):
    site, repo = git_site
    plugin_steps = [yaml.safe_load(s)["plugins"] for s in snippets("yaml") if s.startswith("plugins:")]
    nav_snippet = next(yaml.safe_load(s)["nav"] for s in snippets("yaml") if s.startswith("nav:"))
    ci = next(s for s in snippets("yaml") if "actions/checkout" in s)
    gitignore = next(s for s in snippets("text") if ".cache/" in s)
    commands = " ".join(snippets("console"))
    assert len(plugin_steps) == 3 and all(step[0] == "search" for step in plugin_steps)
    assert "fetch-depth: 0" in ci
    for command in ("pip install docgates", "mkdocs build", "docgates baseline", "docgates check"):
        assert command in commands

    # The existing site, a year old.
    site.config["nav"] = [{"Home": "index.md"}, {"Guide": "guide.md"}]
    del site.config["plugins"]
    site.save_config()
    repo.commit("the site", date=OLD, files={
        "docs/index.md": "# Home\n\nRead the [guide](guide.md).\n",
        "docs/guide.md": "# Guide\n\nSee [the old page](old.md).\n",
        "CODEOWNERS": "* @docs-team\n",
    })
    before = site.build(keep_config=True)
    assert before.returncode == 0 and before.report is None  # MkDocs alone, nothing checked

    # Step 2: build output stays out of git.
    site.write(".gitignore", gitignore, dedent=False)

    # Step 3: links and ownership; the broken link fails, the baseline accepts it.
    site.config["plugins"] = plugin_steps[0]
    first = site.build()
    assert first.returncode == 1
    assert "guide.md:3: links/broken" in first.output
    assert site.docgates("baseline").returncode == 0
    assert site.build().returncode == 0

    # Step 4: freshness and the dashboard; every page is stale, the baseline accepts them too.
    site.config["plugins"] = plugin_steps[1]
    stale = site.build()
    assert stale.returncode == 1 and stale.rules("index.md") == ["freshness/stale"]
    assert "not included in the nav" not in stale.output
    # The dashboard is in the menu, last, or where the nav names it.
    menu = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="quality/".*?Quality dashboard', menu, re.S)
    site.config["nav"] = [item for item in nav_snippet if "quality.md" in item.values()] + site.config["nav"]
    named = site.build()
    assert "not included in the nav" not in named.output
    menu = (site.root / "site" / "guide" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*)" class="md-nav__link', menu)
    assert links == ["../quality/", "..", "./"]  # Quality, Home, Guide: where the nav names it
    assert site.docgates("baseline").returncode == 0
    check = site.docgates("check")
    assert check.returncode == 0, check.stdout + check.stderr
    built = site.build()
    assert built.returncode == 0, built.output
    assert (site.root / "site" / "quality" / "index.html").is_file()
    assert "baselined" in built.output

    # Step 7: a bulk commit listed in the ignore-revs file does not make pages fresh.
    repo.commit("Title case every page", date="2026-11-20T12:00:00+00:00", files={
        "docs/index.md": "# Home\n\nRead The [Guide](guide.md).\n",
        "docs/guide.md": "# Guide\n\nSee [The Old Page](old.md).\n",
    })
    assert site.build().page("index.md")["stale"] is False  # the commit made it look reviewed
    example = next(s for s in snippets("text") if s.startswith("#"))
    sha = repo.git("rev-parse", "HEAD").strip()
    site.write(".git-blame-ignore-revs", re.sub(r"(?m)^[0-9a-f]{40}$", sha, example), dedent=False)
    repo.git("add", ".git-blame-ignore-revs")
    repo.git("commit", "-q", "-m", "ignore the reformat")
    after_bulk = site.build()
    assert after_bulk.page("index.md")["stale"] is True
    assert after_bulk.returncode == 0, after_bulk.output

    # Step 5: the other gates, then check again.
    site.config["plugins"] = plugin_steps[2]
    assert site.build().returncode == 0
    assert site.docgates("check").returncode == 0

    # Check your work: no build output in git, and a new broken link fails.
    status = repo.git("status", "--porcelain", "--untracked-files=all")
    assert "site/" not in status and ".cache/" not in status
    assert (site.root / ".cache" / "plugin" / "docgates").is_dir()
    site.page("new.md", "---\nowner: '@docs-team'\nreviewed: 2026-11-20\n---\n# New\n\n[x](missing.md)\n")
    assert site.docgates("check").returncode == 1

