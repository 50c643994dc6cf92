"""Git in odd states: no repository, no git, a shallow clone, a detached HEAD, a commit dated
in the future, 10,000 commits. Freshness says what it knows and why, once per build."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from benchmarks.big_inputs import COMMITS, history_stream
from conftest import GitRepo, Site, base_env

from .hostile import has_traceback, new_site

REVIEWED = "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n# Reviewed\n\nText.\n"
UNREVIEWED = "---\nowner: '@a'\n---\n# Unreviewed {n}\n\nText.\n"


def _pages(site: Site, count: int = 3) -> None:
    site.page("index.md", REVIEWED, dedent=False)
    for n in range(count):
        site.page(f"page{n}.md", UNREVIEWED.format(n=n), dedent=False)


def _unknown_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "freshness/unknown" in line]


def _assert_said_once(build, why: str, tally, label: str) -> None:
    tally.tried(f"git: {label}", traceback=has_traceback(build.output))
    assert not has_traceback(build.output), build.output[-3000:]
    [line] = _unknown_lines(build.output)
    assert why in line and "3 pages" in line, line
    site_findings = [f for f in build.report["site"].get("findings", []) if f["rule"] == "freshness/unknown"]
    assert len(site_findings) == 1
    # What is known is still used: the reviewed page is judged, the others are not guessed.
    assert build.page("index.md")["freshness_date"] == "2026-11-01"
    assert build.page("page0.md")["freshness_date"] is None
    assert build.rules("page0.md") == []
    assert build.report["site"]["freshness"]["git"]["status"] in ("not-a-repo", "no-git", "shallow")


def test_not_a_repository(tmp_path, tally):
    site = new_site(tmp_path / "project")
    _pages(site)
    build = site.build()
    _assert_said_once(build, "not in a git repository", tally, "not a repository")
    check = site.docgates("check")
    assert len(_unknown_lines(check.stdout + check.stderr)) == 1 and not has_traceback(check.stderr)
    _assert_commands_explain(site, base_env(), "git repository", tally, "not a repository")


def test_git_not_installed(tmp_path, tally):
    site = new_site(tmp_path / "project")
    repo = GitRepo(site.root)
    _pages(site)
    repo.commit("pages", files={})
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = base_env(PATH=str(empty_bin))  # python is run by absolute path; nothing else is found
    build = site.build(env=env)
    _assert_said_once(build, "git is not installed", tally, "git not installed")
    check = site.docgates("check", env=env)
    assert len(_unknown_lines(check.stdout + check.stderr)) == 1 and not has_traceback(check.stderr)
    _assert_commands_explain(site, env, "not installed", tally, "git not installed")


def _assert_commands_explain(site: Site, env, why: str, tally, label: str) -> None:
    """The git-based commands stop with a message saying why (exit 2), or run without git."""
    for args in (("check", "--changed-since", "HEAD~1"), ("leaderboard", "--since", "2026-01-01"), ("stale",)):
        proc = site.docgates(*args, env=env)
        tally.tried(f"git: {label}: docgates {args[0]}", traceback=has_traceback(proc.stderr))
        assert not has_traceback(proc.stderr), (args, proc.stderr[-2000:])
        assert proc.returncode in (0, 1, 2), (args, proc.returncode)
        if proc.returncode == 2:
            assert why in proc.stderr, (args, proc.stderr)


def test_shallow_clone(tmp_path, tally):
    origin = new_site(tmp_path / "origin")
    repo = GitRepo(origin.root)
    _pages(origin)
    origin.save_config()
    repo.commit("first", date="2026-01-01T10:00:00+00:00", files={})
    repo.commit("second", date="2026-02-01T10:00:00+00:00", files={"docs/page1.md": UNREVIEWED.format(n=1) + "More.\n"})
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin.root}", str(clone)],
        check=True, env=base_env(), capture_output=True,
    )
    site = Site(clone)
    site.config = origin.config
    build = site.build(keep_config=True)
    _assert_said_once(build, "shallow clone", tally, "shallow clone")
    assert "fetch-depth: 0" in _unknown_lines(build.output)[0]
    _assert_commands_explain(site, base_env(), "fetch-depth: 0", tally, "shallow clone")


def test_detached_head_still_dates_pages(git_site, tally):
    site, repo = git_site
    site.plugins("docgates/freshness")
    site.save_config()
    _pages(site)
    repo.commit("first", date="2026-03-01T10:00:00+00:00", files={})
    repo.commit("second", date="2026-04-01T10:00:00+00:00", files={"docs/page1.md": UNREVIEWED.format(n=1) + "More.\n"})
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    build = site.build()
    tally.tried("git: detached head", traceback=has_traceback(build.output))
    assert not has_traceback(build.output)
    assert _unknown_lines(build.output) == []
    assert build.page("page1.md")["freshness_date"] == "2026-03-01"  # as of the checked-out commit


def test_commit_dated_in_the_future(git_site, tally):
    site, repo = git_site
    site.plugins("docgates/freshness")
    site.save_config()
    _pages(site, 1)
    repo.commit("from a machine with a wrong clock", date="2031-05-05T10:00:00+00:00", files={})
    build = site.build()
    tally.tried("git: commit in the future", traceback=has_traceback(build.output))
    assert not has_traceback(build.output)
    page = build.page("page0.md")
    # Never stale, and never "reviewed in the future": at most today, or said to be unknown.
    assert not page["stale"]
    assert page["freshness_date"] is None or page["freshness_date"] <= "2026-11-24", page
    # ...and the build says why, once.
    notes = [f for f in build.report["site"]["findings"] if "clock" in f["message"]]
    assert len(notes) == 1 and notes[0]["rule"] == "freshness/unknown", build.report["site"]


def test_ten_thousand_commits(tmp_path, tally):
    site = new_site(tmp_path / "project", "docgates/freshness", "docgates/ownership", {"docgates/leaderboard": {"since": "2023-11-01", "until": "2023-12-31"}})
    repo = GitRepo(site.root)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.root, input=history_stream(COMMITS), check=True, env=base_env())
    repo.git("checkout", "-q", "-f", "main")
    site.page("index.md", REVIEWED, dedent=False)
    assert int(repo.git("rev-list", "--count", "HEAD")) == COMMITS
    build = site.build()
    tally.tried("git: 10,000 commits", traceback=has_traceback(build.output))
    assert not has_traceback(build.output), build.output[-3000:]
    assert build.report["site"]["freshness"]["git"]["commits"] >= COMMITS
    assert _unknown_lines(build.output) == []
    # The last of the 10,000 commits touched page49.md at start + 60 * 9999 seconds.
    assert build.page("page49.md")["freshness_date"] == "2023-11-21"
