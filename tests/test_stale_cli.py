"""``docgates stale``: stale and soon-due pages grouped by owner, most overdue first."""

from __future__ import annotations

import json

import pytest

from conftest import Site


def page(front: str, title: str) -> str:
    return f"---\n{front}\n---\n# {title}\n\nText.\n"


@pytest.fixture
def project(site: Site) -> Site:
    site.plugins("docgates/ownership", {"docgates/freshness": {"review_every": "180d", "warn_within": 14}})
    site.config["site_url"] = "https://docs.example.com/"
    site.page("index.md", page("owner: '@docs'\nreviewed: 2026-11-01", "Home"))
    # @sre-team: 2 stale pages (140 and 20 days overdue) and one due in 5 days.
    site.page("runbooks/restart.md", page("owner: '@sre-team'\nreviewed: 2026-01-08", "Restart | the service"))
    site.page("runbooks/failover.md", page("owner: '@sre-team'\nreviewed: 2026-05-08", "Failover"))
    site.page("runbooks/backup.md", page("owner: '@sre-team'\nreviewed: 2026-06-02", "Backup"))
    # A page with two owners is listed under both.
    site.page("shared.md", page("owner: ['@platform-team', '@sre-team']\nreviewed: 2025-12-01", "Shared"))
    # Unowned and 400+ days overdue: its group comes first.
    site.page("orphan.md", page("reviewed: 2025-08-01", "Orphan"))
    # Due in 30 days: only with --within 30.
    site.page("later.md", page("owner: '@platform-team'\nreviewed: 2026-06-27", "Later"))
    site.page("archived.md", page("owner: '@sre-team'\nreviewed: 2020-01-01\narchived: true", "Archived"))
    site.save_config()
    return site


def test_json_groups_by_owner_most_overdue_first(project):
    proc = project.docgates("stale", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["today"] == "2026-11-24" and data["within"] == 14
    assert (data["stale"], data["due_soon"]) == (4, 1)
    groups = {g["owner"]: [(p["path"], p["status"], p["days_overdue"]) for p in g["pages"]] for g in data["owners"]}
    assert [g["owner"] for g in data["owners"]] == ["(no owner)", "@platform-team", "@sre-team"]
    assert groups["(no owner)"] == [("orphan.md", "stale", 300)]
    assert groups["@platform-team"] == [("shared.md", "stale", 178)]
    assert groups["@sre-team"] == [
        ("shared.md", "stale", 178),
        ("runbooks/restart.md", "stale", 140),
        ("runbooks/failover.md", "stale", 20),
        ("runbooks/backup.md", "due-soon", -5),
    ]
    restart = data["owners"][2]["pages"][1]
    assert restart["command"] == "docgates review docs/runbooks/restart.md"
    assert restart["url"] == "https://docs.example.com/runbooks/restart/"
    assert restart["due"] == "2026-07-07"


def test_owner_and_within_filters(project):
    data = json.loads(project.docgates("stale", "--format", "json", "--owner", "platform-team", "--within", "30").stdout)
    assert [g["owner"] for g in data["owners"]] == ["@platform-team"]
    assert [(p["path"], p["days_overdue"]) for p in data["owners"][0]["pages"]] == [("shared.md", 178), ("later.md", -30)]
    none = project.docgates("stale", "--owner", "@nobody")
    assert none.returncode == 0 and none.stdout == "No pages are stale or due within 14 days.\n"


def test_text_and_markdown(project):
    text = project.docgates("stale").stdout
    assert text.index("(no owner)") < text.index("@platform-team") < text.index("@sre-team")
    assert "  140 days overdue     docs/runbooks/restart.md  (due 2026-07-07)  Restart | the service" in text
    assert "due in 5 days" in text
    assert "4 stale pages, 1 due within 14 days" in text
    markdown = project.docgates("stale", "--format", "markdown").stdout
    assert markdown.startswith("## Docs due for review (2026-11-24)\n")
    # Shown, not mentioned: a word joiner follows the '@' (outputs.markdown_text).
    assert "### \\@\u2060sre-team (3)" in markdown
    assert (
        "| [Restart \\| the service](https://docs.example.com/runbooks/restart/) | **140 days overdue** | "
        "2026-07-07 | <code>docgates review docs/runbooks/restart.md</code> |"
    ) in markdown
    assert "| due in 5 days |" in markdown


def test_markdown_lists_each_page_once_and_limit_caps_each_group(project):
    markdown = project.docgates("stale", "--format", "markdown").stdout
    # The co-owned page: once, under both owners together (747 lines on a real playbook).
    assert markdown.count("docs/shared.md") == 1
    assert "### \\@\u2060platform-team and \\@\u2060sre-team (1)" in markdown
    assert markdown.count("<code>docgates review ") == 5
    limited = project.docgates("stale", "--format", "markdown", "--limit", "1").stdout
    # Per group: @sre-team keeps its most overdue page and counts the other two.
    assert "### \\@\u2060sre-team (3)" in limited and "And 2 more pages." in limited
    assert "runbooks/restart.md" in limited and "runbooks/failover.md" not in limited
    assert limited.count("<code>docgates review ") == 3
    text = project.docgates("stale", "--limit", "2").stdout
    assert "@sre-team (4 pages)" in text and "and 2 more pages (--limit)" in text
    data = json.loads(project.docgates("stale", "--format", "json", "--limit", "1").stdout)
    assert {g["owner"]: g["more"] for g in data["owners"]} == {"(no owner)": 0, "@platform-team": 0, "@sre-team": 3}
    bad = project.docgates("stale", "--limit", "0")
    assert bad.returncode == 2 and "--limit" in bad.stderr


def test_stale_needs_the_freshness_plugin(site):
    site.plugins("docgates/ownership")
    site.page("index.md", page("owner: '@docs'", "Home"))
    proc = site.docgates("stale")
    assert proc.returncode == 2
    assert "docgates/freshness is not enabled" in proc.stderr
    bad = site.docgates("stale", "--within", "-3")
    assert bad.returncode == 2 and "--within" in bad.stderr
