"""One rule for when a page falls due: the freshness gate and the docs-day leaderboard (the
built page and ``docgates leaderboard``) judge staleness alike, ``adopted`` and ``intervals``
included."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from docgates.core.dates import parse_interval
from docgates.freshness.clock import ReviewClock
from docgates.freshness.options import FolderIntervals

from conftest import TODAY

OLD = "2026-01-05T10:00:00+00:00"  # more than 180 days before TODAY
RECENT = "2026-10-01T10:00:00+00:00"  # 54 days before TODAY: fresh by 180 days, not by 30


def test_the_schedule_of_a_page():
    clock = ReviewClock(parse_interval("180d"), FolderIntervals({"ops/": "30d"}), dt.date(2026, 11, 1))
    unreviewed = clock.schedule("guide.md", None, None, False, dt.date(2026, 1, 5))
    assert (unreviewed.fresh_from, unreviewed.source) == (dt.date(2026, 11, 1), "adopted")
    assert unreviewed.due == dt.date(2027, 4, 30) and not unreviewed.stale(dt.date(2026, 11, 24))
    # A review, or a change after the adoption, is the date to count from.
    assert clock.schedule("guide.md", dt.date(2026, 1, 5), None, False, None).source == "reviewed"
    assert clock.schedule("guide.md", None, None, False, dt.date(2026, 11, 2)).source == "git"
    runbook = clock.schedule("ops/run.md", dt.date(2026, 10, 1), None, False, None)
    assert (runbook.interval_source, runbook.due) == ("intervals: ops/", dt.date(2026, 10, 31))
    assert runbook.stale(dt.date(2026, 11, 1)) and not runbook.stale(dt.date(2026, 10, 31))
    assert clock.schedule("ops/run.md", None, parse_interval("1y"), False, dt.date(2026, 10, 1)).interval_source == "page"
    archived = clock.schedule("ops/run.md", dt.date(2020, 1, 1), None, True, None)
    assert archived.due is None and not archived.stale(dt.date(2030, 1, 1))
    assert clock.schedule("new.md", None, None, False, None).due is None


CASES = {
    # An unreviewed page last changed long before the adoption: fresh for the gate, so not
    # stale on the board either. The reviewed page stays stale for both.
    "adopted": (
        {"adopted": "2026-11-01"},
        {"docs/legacy.md": ("# Legacy\n", OLD), "docs/old-review.md": ("---\nreviewed: 2026-01-05\n---\n# Old\n", OLD)},
        ["old-review.md"],
    ),
    # A runbook folder due every 30 days: stale for the gate, so stale on the board too.
    "intervals": (
        {"intervals": {"runbooks/": "30d"}},
        {"docs/runbooks/restart.md": ("# Restart\n", RECENT), "docs/guide.md": ("# Guide\n", RECENT)},
        ["runbooks/restart.md"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_board_counts_the_pages_the_freshness_gate_finds_stale(git_site, case):
    freshness, pages, stale = CASES[case]
    site, repo = git_site
    warn = {"severity": {"freshness/stale": "warning"}}  # stale pages, yet a build to read
    site.plugins({"docgates/freshness": {**freshness, **warn}}, {"docgates/leaderboard": {"docs_day": TODAY, "worker": False}})
    for path, (text, date) in pages.items():
        repo.commit(f"add {path}", date, files={path: text})
    # The docs day: an unrelated new page, so the window has a commit.
    repo.commit("docs day", f"{TODAY}T10:00:00+00:00", author="Dana Day <dana@corp.example>",
                files={"docs/index.md": "---\nreviewed: 2026-11-24\n---\n# Home\n"})
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert result.report["site"]["freshness"]["stale_pages"] == stale
    health = result.report["site"]["leaderboard"]["health"]
    # The board's last day is the build's day: its "stale" is the gate's.
    assert health["after"]["stale"] == len(stale), health
    assert health["before"]["stale"] == len(stale), health
    # The command line reads the freshness options from mkdocs.yml and agrees.
    proc = site.docgates("leaderboard", "--docs-day", TODAY, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["health"]["after"]["stale"] == len(stale)


def test_without_the_freshness_gate_the_board_keeps_its_own_interval(git_site):
    site, repo = git_site
    # Listed but turned off: its adoption day does not count, its review_every still does.
    site.plugins({"docgates/freshness": {"enabled": False, "adopted": "2026-11-01", "review_every": "1y"}},
                 {"docgates/leaderboard": {"docs_day": TODAY, "worker": False}})
    repo.commit("legacy", "2025-06-01T10:00:00+00:00", files={"docs/legacy.md": "# Legacy\n"})
    repo.commit("recent", OLD, files={"docs/guide.md": "# Guide\n"})
    repo.commit("docs day", f"{TODAY}T10:00:00+00:00", files={"docs/index.md": "# Home\n"})
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert result.report["site"]["leaderboard"]["health"]["after"]["stale"] == 1  # legacy.md only
    proc = site.docgates("leaderboard", "--docs-day", TODAY, "--format", "json")
    assert json.loads(proc.stdout)["health"]["after"]["stale"] == 1


def test_a_bad_adoption_day_is_named_by_the_command_line(git_site):
    site, repo = git_site
    site.plugins({"docgates/freshness": {"adopted": "someday"}}, "docgates/leaderboard")
    repo.commit("page", OLD, files={"docs/index.md": "# Home\n"})
    proc = site.docgates("leaderboard", "--docs-day", TODAY)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "mkdocs.yml: docgates/freshness: adopted:" in proc.stderr and "2026-12-01" in proc.stderr
