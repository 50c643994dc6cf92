"""What the site declares counts as front matter does: Material's ``meta`` plugin gives every
page below a ``.meta.yml`` its keys, and the gates judge the page by them, naming the file for
what came from there."""

from __future__ import annotations

import json

import pytest

OLD = "2025-01-15T12:00:00+00:00"


@pytest.fixture
def meta_site(git_site):
    site, repo = git_site
    site.plugins("meta", "docgates/ownership", "docgates/freshness", "docgates/checklist")
    site.page("index.md", "---\nowner: '@docs'\nreviewed: 2026-11-01\n---\n# Home\n\nHello.\n", dedent=False)
    site.page("reference/.meta.yml", "# every reference page\nowner: \"@platform\"\nreviewed: 2026-10-01\nreview_every: 1y\n", dedent=False)
    site.page("reference/orphan.md", "# Orphan\n\nNo front matter of its own.\n", dedent=False)
    site.page("reference/own.md", "---\nowner: '@mine'\n---\n# Own\n\nIts own owner wins.\n", dedent=False)
    # (Material itself refuses a value of another type than the outer file's: a date here.)
    site.page("reference/deep/.meta.yml", "review_every: whenever\n", dedent=False)
    site.page("reference/deep/page.md", "# Deep\n\nA bad date declared for the folder.\n", dedent=False)
    repo.commit("pages", date=OLD)
    return site


def test_a_meta_file_owner_and_review_date_count(meta_site):
    result = meta_site.build()
    orphan = result.page("reference/orphan.md")
    assert orphan["findings"] == []
    assert orphan["owner"] == ["@platform"] and orphan["freshness_date"] == "2026-10-01"
    assert orphan["owner_source"] == "meta"
    assert result.page("reference/own.md")["owner"] == ["@mine"]
    html = (meta_site.root / "site" / "reference" / "orphan" / "index.html").read_text(encoding="utf-8")
    assert "Owner from docs/reference/.meta.yml:2" in html


def test_a_bad_declared_value_names_its_file_and_is_one_finding(meta_site):
    result = meta_site.build()
    assert result.returncode == 1
    [finding] = result.page("reference/deep/page.md")["findings"]
    assert finding["rule"] == "frontmatter/invalid"
    assert finding["message"].startswith("review_every (from docs/reference/deep/.meta.yml:1): ")
    # docgates check reads the site the same way.
    check = meta_site.docgates("check", "--format", "json")
    assert check.returncode == 1, check.stderr
    found = {(p["path"], f["rule"]) for p in json.loads(check.stdout)["pages"] for f in p["findings"]}
    assert found == {("reference/deep/page.md", "frontmatter/invalid")}


def test_without_the_meta_plugin_a_meta_file_declares_nothing(meta_site):
    meta_site.plugins("docgates/ownership", "docgates/freshness")
    result = meta_site.build()
    assert "ownership/missing" in result.rules("reference/orphan.md")
