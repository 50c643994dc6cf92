"""The freshness gate in real builds: reviewed dates, git fallback, intervals, what readers see."""

from __future__ import annotations

import subprocess

from conftest import Site, base_env

LONG = "".join(f"Paragraph line {i} that makes the page long enough to detect renames.\n" for i in range(30))


def page(front: str = "", title: str = "Page", body: str = LONG) -> str:
    block = f"---\n{front.strip()}\n---\n" if front.strip() else ""
    return f"{block}# {title}\n\n{body}"


def header(result_root, url: str) -> str:
    """The docgates header of one built page."""
    text = (result_root / "site" / url / "index.html").read_text(encoding="utf-8")
    start = text.index('<div class="docgates-header">')
    return text[start : text.index("<!-- /docgates-header -->", start)]


def test_reviewed_git_fallback_ignored_revs_intervals_and_archived(git_site):
    site, repo = git_site
    site.plugins({"docgates/freshness": {"review_every": "180d", "intervals": {"runbooks/**": "90d"}}})
    site.save_config()
    old = "2025-01-10T10:00:00+00:00"
    repo.commit("create pages", old, files={
        "docs/index.md": page("reviewed: 2026-11-01", "Home"),
        # Reviewed beats a later git change.
        "docs/reviewed.md": page('owner: "@docs-team"\nreviewed: 2026-09-01', "Reviewed"),
        "docs/old-name.md": page("", "Git dated"),
        "docs/ignored.md": page("", "Ignored bulk"),
        "docs/runbooks/restart.md": page('owner: "@sre-team"', "Restart"),
        "docs/runbooks/yearly.md": page("review_every: 2y", "Yearly"),
        "docs/archive.md": page("archived: true\nreviewed: 2020-01-01", "Archive"),
        "docs/soon.md": page("reviewed: 2026-05-30", "Soon"),
        "docs/counted.md": page("reviewed: 2026-09-01", "Counted"),
    })
    repo.commit("edit after review", "2026-10-15T10:00:00+00:00", files={
        "docs/reviewed.md": page('owner: "@docs-team"\nreviewed: 2026-09-01', "Reviewed", LONG + "new\n"),
    })
    # The git-dated page: a real edit, then a pure rename that must not count.
    repo.commit("real edit", "2026-08-01T10:00:00+00:00", files={"docs/old-name.md": page("", "Git dated", LONG + "edit\n")})
    repo.git("mv", "docs/old-name.md", "docs/git-dated.md")
    repo.commit("rename only", "2026-11-20T10:00:00+00:00")
    repo.commit("content", "2026-04-01T10:00:00+00:00", files={"docs/ignored.md": page("", "Ignored bulk", LONG + "a\n")})
    bulk = repo.commit("reformat", "2026-11-10T10:00:00+00:00", files={"docs/ignored.md": page("", "Ignored bulk", LONG + "a \n")})
    repo.commit("runbook edit", "2026-07-01T10:00:00+00:00", files={"docs/runbooks/restart.md": page('owner: "@sre-team"', "Restart", LONG + "r\n")})
    repo.commit("edit 1", "2026-09-10T10:00:00+00:00", "Bob <bob@example.com>", files={"docs/counted.md": page("reviewed: 2026-09-01", "Counted", LONG + "1\n")})
    repo.commit("edit 2", "2026-10-01T10:00:00+00:00", "Cy <cy@example.com>", files={"docs/counted.md": page("reviewed: 2026-09-01", "Counted", LONG + "2\n")})
    repo.commit("edit 3", "2026-10-20T10:00:00+00:00", "Bob <bob@example.com>", files={"docs/counted.md": page("reviewed: 2026-09-01", "Counted", LONG + "3\n")})
    site.write(".git-blame-ignore-revs", f"# bulk reformatting\n{bulk}\n")
    # A page not committed yet is new, not stale and not "unknown".
    site.page("draft.md", page("", "Draft"))

    result = site.build(keep_config=True)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output

    reviewed = result.page("reviewed.md")
    assert (reviewed["freshness_date"], reviewed["due"], reviewed["stale"]) == ("2026-09-01", "2027-02-28", False)
    assert reviewed["freshness"]["source"] == "reviewed"
    assert reviewed["freshness"]["last_changed"] == "2026-10-15"

    dated = result.page("git-dated.md")
    assert dated["freshness_date"] == "2026-08-01"  # the real edit: not the rename, not the creation
    assert dated["freshness"]["created"] == "2025-01-10"
    assert dated["freshness"]["source"] == "git" and dated["stale"] is False

    ignored = result.page("ignored.md")
    assert ignored["freshness_date"] == "2026-04-01"  # the bulk reformat does not count
    assert ignored["stale"] is True and ignored["due"] == "2026-09-28"

    restart = result.page("runbooks/restart.md")
    assert restart["due"] == "2026-09-29" and restart["stale"] is True
    assert restart["freshness"]["review_every"] == "90d"
    assert restart["freshness"]["review_every_from"] == "intervals: runbooks/**"
    [stale] = restart["findings"]
    assert stale["rule"] == "freshness/stale" and stale["severity"] == "error" and stale["line"] == 1
    assert "overdue by 56 days" in stale["message"]
    assert "@sre-team" in stale["message"]
    assert "docgates review docs/runbooks/restart.md" in stale["message"]
    assert "runbooks/restart.md:1: freshness/stale: review overdue by 56 days" in result.stderr

    # Front matter review_every beats the folder interval.
    assert result.page("runbooks/yearly.md")["freshness"]["review_every"] == "2y"
    assert result.page("runbooks/yearly.md")["stale"] is False

    archive = result.page("archive.md")
    assert archive["stale"] is False and archive["due"] is None and archive["findings"] == []
    assert archive["freshness"]["archived"] is True

    soon = result.page("soon.md")
    assert soon["due"] == "2026-11-26" and soon["stale"] is False
    assert [(f["rule"], f["severity"], f["line"]) for f in soon["findings"]] == [("freshness/due-soon", "warning", 2)]

    counted = result.page("counted.md")["freshness"]
    assert (counted["commits_since_review"], counted["authors_since_review"]) == (3, 2)
    assert counted["commits"] == 4 and counted["authors"] == 3

    draft = result.page("draft.md")
    assert draft["freshness_date"] is None and draft["stale"] is False and draft["findings"] == []

    assert sorted(p["path"] for p in result.report["pages"] if p["stale"]) == ["ignored.md", "runbooks/restart.md"]
    assert result.report["site"]["freshness"]["git"]["status"] == "ok"
    assert result.report["site"]["findings"] == []

    # What readers see.
    fresh_header = header(site.root, "reviewed")
    assert 'class="docgates-freshness docgates-freshness--ok"' in fresh_header
    assert "Reviewed <time datetime=\"2026-09-01\">2026-09-01</time>" in fresh_header
    assert "next review due <time datetime=\"2027-02-28\">2027-02-28</time>" in fresh_header
    assert "docgates-stale" not in fresh_header
    assert "Last changed" in header(site.root, "git-dated") and "(no review recorded)" in header(site.root, "git-dated")
    stale_header = header(site.root, "runbooks/restart")
    assert 'class="docgates-freshness docgates-stale"' in stale_header
    assert "Review overdue since <time datetime=\"2026-09-29\">2026-09-29</time>" in stale_header
    assert "@sre-team" in stale_header and "(56 days)" in stale_header
    assert "edited 3 times since" in header(site.root, "counted")
    assert "docgates-freshness--due-soon" in header(site.root, "soon")
    assert "Archived" in header(site.root, "archive")


def test_everything_shown_is_escaped(git_site):
    site, repo = git_site
    site.plugins({"docgates/freshness": {"severity": {"freshness/stale": "warning"}}})
    site.save_config()
    owner = '@<script>alert(1)</script>"&'
    repo.commit("add", "2025-01-10T10:00:00+00:00", files={
        "docs/index.md": page(f"owner: '{owner}'\nreviewed: 2025-02-01", "Home"),
    })
    result = site.build(keep_config=True)
    assert result.returncode == 0, result.output
    shown = header(site.root, "")
    assert "<script>alert" not in shown
    assert "@&lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;" in shown


def test_a_shallow_clone_is_reported_once_and_never_dates_pages_today(git_site, tmp_path):
    site, repo = git_site
    site.plugins("docgates/freshness")
    site.save_config()
    repo.commit("one", "2025-01-10T10:00:00+00:00", files={
        "docs/index.md": page("", "Home"), "docs/other.md": page("", "Other"),
        "docs/reviewed.md": page("reviewed: 2025-01-01", "Old review"),
    })
    repo.commit("two", "2025-02-10T10:00:00+00:00", files={"docs/other.md": page("", "Other", LONG + "x\n")})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   check=True, env=base_env(), capture_output=True)
    shallow = Site(clone)
    result = shallow.build(keep_config=True)
    # Unknown git dates are a warning by default; the reviewed page is still judged.
    assert result.returncode == 1, result.output
    findings = result.report["site"]["findings"]
    assert [f["rule"] for f in findings] == ["freshness/unknown"]
    assert "2 pages have no 'reviewed' date" in findings[0]["message"]
    assert "shallow clone" in findings[0]["message"] and "fetch-depth: 0" in findings[0]["message"]
    assert result.output.count("freshness/unknown") == 1
    for path in ("index.md", "other.md"):
        assert result.page(path)["freshness_date"] is None and result.page(path)["stale"] is False
    assert result.page("reviewed.md")["stale"] is True
    assert "git history unavailable" in header(clone, "")

    # git_unknown: error makes the shallow checkout fail the build even without stale pages.
    (clone / "docs" / "reviewed.md").unlink()
    shallow.config["plugins"] = ["search", {"docgates/freshness": {"git_unknown": "error"}}]
    strict = shallow.build()
    assert strict.returncode == 1
    assert [f["severity"] for f in strict.report["site"]["findings"]] == ["error"]
    assert "site: freshness/unknown: " in strict.stderr


def test_outside_a_repository_pages_are_not_dated_today(site):
    site.plugins("docgates/freshness")
    site.page("index.md", page("", "Home"))
    site.page("reviewed.md", page("reviewed: 2026-10-01", "Reviewed"))
    result = site.build()
    assert result.returncode == 0, result.output
    [finding] = result.report["site"]["findings"]
    assert finding["rule"] == "freshness/unknown" and finding["severity"] == "warning"
    assert "1 page has no 'reviewed' date" in finding["message"]
    assert "not in a git repository" in finding["message"]
    assert result.page("index.md")["freshness_date"] is None
    assert result.page("reviewed.md")["due"] == "2027-03-30"


def test_every_page_reviewed_needs_no_git(site):
    site.plugins("docgates/freshness")
    site.page("index.md", page("reviewed: 2026-10-01", "Home"))
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    assert result.report["site"]["findings"] == []
    assert site.build(strict=True).report == result.report  # reproducible: no timings, no "now"


def test_review_dates_in_the_future_and_broken_front_matter(site):
    site.plugins("docgates/freshness")
    site.page("index.md", page("reviewed: 2099-01-01", "Future"))
    site.page("broken.md", "---\nreviewed: [2020-01-01\n---\n# Broken\n")
    result = site.build()
    assert result.returncode == 1
    [future] = result.page("index.md")["findings"]
    assert future["rule"] == "frontmatter/invalid" and "in the future" in future["message"] and future["line"] == 2
    # Broken front matter is reported once, as broken front matter, not also as stale.
    assert result.rules("broken.md") == ["frontmatter/invalid"]


def test_explicit_ignore_revs_file_and_bad_options(git_site):
    site, repo = git_site
    repo.commit("add", "2026-01-01T10:00:00+00:00", files={"docs/index.md": page("", "Home")})
    bulk = repo.commit("bulk", "2026-11-01T10:00:00+00:00", files={"docs/index.md": page("", "Home", LONG + " \n")})
    site.write("config/bulk-commits.txt", f"{bulk}\n")
    site.plugins({"docgates/freshness": {"ignore_revs_file": "config/bulk-commits.txt", "review_every": "30d"}})
    result = site.build()
    assert result.page("index.md")["freshness_date"] == "2026-01-01"
    assert result.rules("index.md") == ["freshness/stale"]

    site.write("config/bulk-commits.txt", "HEAD~1\n")
    broken = site.build()
    assert broken.returncode == 1
    assert "config/bulk-commits.txt:1: 'HEAD~1' is not a commit id" in broken.output
    assert "Traceback" not in broken.output

    for option, value, expected in [
        ("review_every", "soon", "expected a review interval like 90d"),
        ("intervals", {"runbooks/**": "90 days"}, "runbooks/**"),
        ("ignore_revs_file", "missing.txt", "missing.txt"),
        ("git_unknown", "fatal", "git_unknown"),
    ]:
        site.plugins({"docgates/freshness": {option: value}})
        bad = site.build()
        assert bad.returncode == 1, option
        assert expected in bad.output, (option, bad.output)
        assert "Traceback" not in bad.output
