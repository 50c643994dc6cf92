"""One root cause, one finding: a value that is written but unreadable gets its
``frontmatter/invalid`` finding, and no gate adds a second finding that follows only from it."""

from __future__ import annotations

import pytest

OLD = "2025-01-15T12:00:00+00:00"  # far older than review_every: stale if it were judged

CASES = {
    # The whole block cannot be parsed: the owner is written, just not readable.
    "unclosed.md": ("---\nowner: [unclosed\nreviewed: 2026-11-01\n---\n# Unclosed\n", 2),
    "owner-number.md": ("---\nowner: 42\nreviewed: 2026-11-01\n---\n# Owner number\n", 2),
    "owner-empty.md": ("---\nowner: []\nreviewed: 2026-11-01\n---\n# Owner empty\n", 2),
    # A review interval that cannot be read would otherwise fall back to the default and fail
    # the page as stale; a bad review date, likewise, to the git date.
    "interval.md": ("---\nowner: '@docs'\nreview_every: whenever\n---\n# Interval\n", 3),
    "reviewed.md": ("---\nowner: '@docs'\nreviewed: last tuesday\n---\n# Reviewed\n", 3),
    "archived.md": ("---\nowner: '@docs'\narchived: maybe\n---\n# Archived\n", 3),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from conftest import GitRepo, Site

    site = Site(tmp_path_factory.mktemp("cascade") / "project")
    repo = GitRepo(site.root)
    site.plugins("docgates/ownership", "docgates/freshness", "docgates/checklist")
    site.page("index.md", "---\nowner: '@docs'\nreviewed: 2026-11-01\n---\n# Home\n\nHello.\n", dedent=False)
    for name, (text, _) in CASES.items():
        site.page(name, text, dedent=False)
    repo.commit("pages", date=OLD)
    return site.build()


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_unreadable_value_is_one_finding(built, name):
    findings = built.page(name)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("frontmatter/invalid", CASES[name][1])], findings


def test_a_readable_page_without_owner_or_review_still_fails(tmp_path):
    from conftest import GitRepo, Site

    site = Site(tmp_path / "project")
    repo = GitRepo(site.root)
    site.plugins("docgates/ownership", "docgates/freshness")
    site.page("index.md", "# Home\n\nNo front matter at all.\n", dedent=False)
    repo.commit("page", date=OLD)
    assert sorted(built_rule for built_rule in site.build().rules("index.md")) == ["freshness/stale", "ownership/missing"]
