"""The one-pass git history: renames, ignored commits, shallow clones, no repository."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from conftest import GitRepo, base_env
from docgates.core import git_log
from docgates.core.git_log import load_history
from docgates.core.ignore_revs import IgnoreRevsError, read_ignore_revs

LONG = "".join(f"line {i} of a page that is long enough for rename detection\n" for i in range(30))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def test_last_content_change_follows_renames_and_skips_pure_renames(repo):
    repo.commit("add", "2025-01-10T10:00:00+00:00", files={"docs/old.md": LONG})
    repo.commit("edit", "2026-03-05T10:00:00+00:00", files={"docs/old.md": LONG + "more\n"})
    repo.git("mv", "docs/old.md", "docs/moved.md")
    repo.commit("pure rename", "2026-10-01T10:00:00+00:00")
    history = load_history(repo.root)
    assert history.status == "ok" and history.message == ""
    changes = history.changes("docs/moved.md")
    assert [c.commit.subject for c in changes] == ["pure rename", "edit", "add"]
    assert changes[0].is_pure_rename and changes[0].old_path == "docs/old.md"
    assert history.last_content_change("docs/moved.md").commit.date == day("2026-03-05")
    assert history.created("docs/moved.md").commit.date == day("2025-01-10")


def test_a_rename_with_edits_is_a_content_change(repo):
    repo.commit("add", "2025-01-10T10:00:00+00:00", files={"docs/a.md": LONG})
    (repo.root / "docs/a.md").unlink()
    repo.commit("move and edit", "2026-02-02T10:00:00+00:00", files={"docs/b.md": LONG + "edited\n"})
    history = load_history(repo.root)
    [latest, first] = history.changes("docs/b.md")
    assert latest.status == "R" and latest.similarity < 100 and not latest.is_pure_rename
    assert history.last_content_change("docs/b.md").commit.date == day("2026-02-02")
    assert first.commit.subject == "add"


def test_ignored_commits_do_not_count_but_their_renames_are_followed(repo):
    repo.commit("add", "2025-05-01T10:00:00+00:00", files={"docs/a.md": LONG})
    repo.commit("real edit", "2026-01-20T10:00:00+00:00", files={"docs/a.md": LONG + "x\n"})
    bulk = repo.commit("reformat everything", "2026-11-01T10:00:00+00:00", files={"docs/a.md": LONG + "x  \n"})
    repo.git("mv", "docs/a.md", "docs/b.md")
    moved = repo.commit("move (also bulk)", "2026-11-02T10:00:00+00:00")
    history = load_history(repo.root, ignore_revs=[bulk, moved[:10]])  # full and abbreviated ids
    assert history.ignored == {bulk, moved}
    assert history.last_content_change("docs/b.md").commit.subject == "real edit"
    assert history.created("docs/b.md").commit.subject == "add"
    assert [c.commit.subject for c in history.changes("docs/b.md", include_ignored=True)][:2] == [
        "move (also bulk)", "reformat everything",
    ]
    # Without the ignore list the bulk commit wins: what the ignore file is for.
    plain = history.with_ignored([])
    assert plain.last_content_change("docs/b.md").commit.subject == "reformat everything"
    assert plain.commits is history.commits  # a view, not a second git call


def test_authors_apply_the_mailmap_and_count_content_changes(repo):
    repo.commit("add", "2025-05-01T10:00:00+00:00", "Ann <ann@old.example>", files={
        "docs/a.md": LONG, ".mailmap": "Ann Author <ann@example.com> <ann@old.example>\n",
    })
    repo.commit("edit", "2026-05-01T10:00:00+00:00", "Ann Author <ann@example.com>", files={"docs/a.md": LONG + "1\n"})
    repo.commit("edit", "2026-06-01T10:00:00+00:00", "Bob <bob@example.com>", files={"docs/a.md": LONG + "2\n"})
    history = load_history(repo.root)
    assert history.authors("docs/a.md") == {"Ann Author": 2, "Bob": 1}
    assert history.authors("docs/a.md", since=day("2026-05-01")) == {"Bob": 1}
    assert [c.email for c in history.commits] == ["bob@example.com", "ann@example.com", "ann@example.com"]


def test_a_deleted_then_recreated_file_starts_a_new_life(repo):
    repo.commit("add", "2024-01-01T10:00:00+00:00", files={"docs/a.md": "old\n"})
    repo.commit("delete", "2024-06-01T10:00:00+00:00", files={"docs/a.md": None})
    repo.commit("recreate", "2026-04-01T10:00:00+00:00", files={"docs/a.md": "new\n"})
    history = load_history(repo.root)
    assert [c.commit.subject for c in history.changes("docs/a.md")] == ["recreate"]
    assert history.created("docs/a.md").commit.date == day("2026-04-01")


def test_unusual_file_names_and_merges_parse(repo):
    names = ["docs/with space.md", "docs/ünïcödé.md", 'docs/quote"d.md', "docs/tab\tname.md"]
    repo.commit("add", "2026-01-01T10:00:00+00:00", files={n: f"{n}\n" for n in names})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side edit", "2026-02-01T10:00:00+00:00", files={"docs/with space.md": "side\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main edit", "2026-02-02T10:00:00+00:00", files={"docs/ünïcödé.md": "main\n"})
    env = base_env(GIT_AUTHOR_DATE="2026-02-03T10:00:00+00:00", GIT_COMMITTER_DATE="2026-02-03T10:00:00+00:00")
    repo.git("merge", "-q", "--no-edit", "side", env=env)
    history = load_history(repo.root)
    for name in names:
        assert history.created(name) is not None, name
    assert history.last_content_change("docs/with space.md").commit.subject == "side edit"
    merge = history.commits[0]
    assert merge.is_merge and merge.changes == []


def test_one_rev_parse_and_one_log_per_load(repo, monkeypatch):
    for i in range(5):
        repo.commit(f"c{i}", f"2026-0{i + 1}-01T10:00:00+00:00", files={f"docs/p{i}.md": f"{i}\n"})
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args, *rest, **kwargs):
        calls.append(list(args))
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(git_log.subprocess, "run", counting_run)
    history = load_history(repo.root, paths=["docs"])
    for i in range(5):
        history.last_content_change(f"docs/p{i}.md")
        history.authors(f"docs/p{i}.md")
    assert [next(a for a in c if a in ("rev-parse", "log")) for c in calls] == ["rev-parse", "log"]


def test_paths_limit_the_log(repo):
    repo.commit("docs", "2026-01-01T10:00:00+00:00", files={"docs/a.md": "a\n"})
    repo.commit("code", "2026-01-02T10:00:00+00:00", files={"src/x.py": "x\n"})
    assert [c.subject for c in load_history(repo.root, paths=["docs"]).commits] == ["docs"]
    assert len(load_history(repo.root).commits) == 2


def test_a_shallow_clone_is_reported_with_the_fix(repo, tmp_path):
    for i in range(3):
        repo.commit(f"c{i}", f"2026-0{i + 1}-01T10:00:00+00:00", files={"docs/a.md": f"{i}\n"})
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True, env=base_env(), capture_output=True,
    )
    history = load_history(clone)
    assert history.status == "shallow" and not history.ok
    assert "fetch-depth: 0" in history.message


def test_outside_a_repository_and_without_git(tmp_path, monkeypatch):
    history = load_history(tmp_path)
    assert history.status == "not-a-repo"
    assert "not in a git repository" in history.message and "fetch-depth: 0" in history.message
    assert load_history(None).status == "not-a-repo"
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    missing = load_history(tmp_path)
    assert missing.status == "no-git" and "git is not installed" in missing.message


def test_a_repository_without_commits_is_ok_and_empty(repo):
    history = load_history(repo.root)
    assert history.status == "ok" and history.commits == []
    assert history.last_content_change("docs/a.md") is None


def test_ignore_revs_file_format(tmp_path):
    good = tmp_path / "ignore"
    good.write_text("# bulk reformat\n" + "a" * 40 + "  # trailing comment\n\nABCDEF1\n", encoding="utf-8")
    assert read_ignore_revs(good) == {"a" * 40, "abcdef1"}
    bad = tmp_path / "bad"
    bad.write_text("# ok\nnot-a-sha\n", encoding="utf-8")
    with pytest.raises(IgnoreRevsError, match=r"bad:2: 'not-a-sha' is not a commit id"):
        read_ignore_revs(bad)

