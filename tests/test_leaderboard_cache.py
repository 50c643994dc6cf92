"""The leaderboard's board cache: a warm build reads no page from git and renders the same
bytes; anything the board depends on invalidates it; a broken cache never fails a build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from docgates.core.dates import parse_interval
from docgates.core.git_log import load_history
from docgates.core.gitblobs import BlobReader
from docgates.freshness.clock import ReviewClock
from docgates.freshness.options import FolderIntervals
from docgates.leaderboard.boards import BoardCache, result_key
from docgates.leaderboard.docsday import ScoringSettings
from docgates.leaderboard.model import Leaderboard
from docgates.leaderboard.scorer import Scorer
from docgates.leaderboard.window import Window

from conftest import GitRepo, base_env

OLD = "2026-01-05T10:00:00+00:00"
DAY = "2026-11-12"
BOARDS = Path(".cache/plugin/docgates/leaderboard-boards.sqlite")


@pytest.fixture(autouse=True)
def _git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in base_env().items():
        if key.startswith("GIT_") or key == "PAGER":
            monkeypatch.setenv(key, value)


def _docs_day(repo: GitRepo) -> None:
    """One docs day with a rescue, a fixed link, a new page and a review, by three people."""
    repo.commit("old", OLD, author="Vera Veteran <vera@corp.example>", files={
        ".gitignore": "site/\n.cache/\n",
        "docs/index.md": "---\nreviewed: 2026-11-01\nowner: \"@docs\"\n---\n# Home\n\n[Guide](guide.md)\n",
        "docs/guide.md": "---\nreviewed: 2026-01-05\n---\n# Guide\n\nSee [gone](gone.md).\n",
        "docs/ops/run.md": "---\nreviewed: 2026-01-05\nowner: \"@ops\"\n---\n# Run\n\n[Home](../index.md)\n",
    })
    repo.commit("rescue", f"{DAY}T09:00:00+00:00", author="Olga <olga@corp.example>", files={
        "docs/guide.md": "---\nreviewed: 2026-11-12\nowner: \"@guides\"\n---\n# Guide\n\nSee [home](index.md).\n",
    })
    repo.commit("new page", f"{DAY}T11:00:00+00:00", author="Nina <nina@corp.example>", files={
        "docs/ops/new.md": "---\nowner: \"@ops\"\n---\n# New\n\nSee [run](run.md) and [missing](nope.md).\n",
    })


def _build(site, trace: Path):
    """Build with git tracing every git command the build starts into ``trace``."""
    result = site.build(env=base_env(GIT_TRACE=str(trace)))
    assert result.returncode == 0, result.output
    html = (site.root / "site" / "leaderboard" / "index.html").read_bytes()
    git = trace.read_text(encoding="utf-8") if trace.exists() else ""
    return html, result.report["site"]["leaderboard"], git


def _site(git_site, **options):
    site, repo = git_site
    site.plugins("docgates/ownership", {"docgates/leaderboard": {"docs_day": DAY, **options}})
    site.config["plugins"].append("docgates/quality")
    _docs_day(repo)
    return site, repo


def test_warm_build_reads_no_page_from_git_and_renders_the_same_bytes(git_site, tmp_path):
    site, _ = _site(git_site)
    cold_html, cold_board, cold_git = _build(site, tmp_path / "cold.trace")
    assert "cat-file" in cold_git  # the cold build reads old versions from git
    assert (site.root / BOARDS).is_file()
    assert [p["name"] for p in cold_board["people"]] == ["Olga", "Nina"]

    warm_html, warm_board, warm_git = _build(site, tmp_path / "warm.trace")
    assert "cat-file" not in warm_git  # no page version read: the board came from the cache
    assert warm_html == cold_html
    assert json.dumps(warm_board, sort_keys=True) == json.dumps(cold_board, sort_keys=True)


def test_a_new_commit_or_another_window_recomputes_and_each_board_is_kept(git_site, tmp_path):
    site, repo = _site(git_site)
    _build(site, tmp_path / "1.trace")
    repo.commit("fix", f"{DAY}T15:00:00+00:00", author="Finn <finn@corp.example>", files={
        "docs/ops/new.md": "---\nowner: \"@ops\"\n---\n# New\n\nSee [run](run.md).\n",
    })
    _, board, git = _build(site, tmp_path / "2.trace")
    assert "cat-file" in git
    assert "Finn" in [p["name"] for p in board["people"]]

    site.config["plugins"][2] = {"docgates/leaderboard": {"since": "2026-11-12", "until": "2026-11-13"}}
    _, other, git = _build(site, tmp_path / "3.trace")
    assert "cat-file" in git and other["until"] == "2026-11-13"

    # Back to the docs day: the board of the second build is still in the cache.
    site.config["plugins"][2] = {"docgates/leaderboard": {"docs_day": DAY}}
    _, again, git = _build(site, tmp_path / "4.trace")
    assert "cat-file" not in git
    assert again == board


def test_new_current_owners_recompute_the_team_credits(git_site, tmp_path):
    site, _ = _site(git_site)
    _, board, _ = _build(site, tmp_path / "1.trace")
    assert "@guides" in [t["name"] for t in board["teams"]]
    # Not committed: the working tree says the guide now belongs to another team.
    guide = site.docs / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("@guides", "@writers"), encoding="utf-8")
    _, board, git = _build(site, tmp_path / "2.trace")
    teams = [t["name"] for t in board["teams"]]
    assert "@writers" in teams and "@guides" not in teams
    assert "cat-file" in git


@pytest.mark.parametrize("damage", ["garbage", "wrong-shape", "directory"])
def test_a_broken_or_unwritable_cache_costs_speed_never_the_build(git_site, tmp_path, damage):
    site, _ = _site(git_site)
    cold_html, cold_board, _ = _build(site, tmp_path / "1.trace")
    boards = site.root / BOARDS
    if damage == "garbage":
        boards.write_bytes(b"\x00{not json")
    elif damage == "wrong-shape":
        with sqlite3.connect(boards) as db:
            db.execute("UPDATE entries SET value = ?", (json.dumps({"owners": {}, "board": 7}),))
        db.close()
    else:  # can be neither read nor replaced by a new file
        boards.unlink()
        boards.mkdir()
    recomputed = []
    for run in ("2", "3"):
        html, board, git = _build(site, tmp_path / f"{run}.trace")
        assert html == cold_html and board == cold_board
        recomputed.append("cat-file" in git)
    # A damaged file is replaced by the first build after it; a folder stays in the way.
    assert recomputed == ([True, True] if damage == "directory" else [True, False])


# -- in process ----------------------------------------------------------------------------
@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    _docs_day(repo)
    return repo


def _score(repo: GitRepo, window: Window, **settings) -> Leaderboard:
    history = load_history(repo.root)
    with BlobReader(repo.root) as reader:
        return Scorer(history, reader, ScoringSettings(docs_prefix="docs/", **settings)).score(window)


def test_a_cached_board_is_the_board(repo):
    board = _score(repo, Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert board.people and board.teams and board.contributions and board.awards
    assert board.before and board.after
    again = Leaderboard.from_cache(json.loads(json.dumps(board.to_cache())))
    assert again == board
    assert again.to_dict() == board.to_dict()


def test_a_cached_board_in_another_form_is_a_miss(repo, tmp_path):
    """An entry the codec did not write (version 1's flat window, a damaged value) is a miss,
    never a crash; the board as written is a hit."""
    board = _score(repo, Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    cached = json.loads(json.dumps(board.to_cache()))
    person = cached["people"][0]
    version_1 = {key: value for key, value in cached.items() if key != "window"} | cached["window"]
    unusable = [
        version_1,
        cached | {"people": [person | {"name": 3}]},
        cached | {"people": [person | {"kinds": {"rescued": "many"}}]},
        cached | {"people": [{key: value for key, value in person.items() if key != "points"}]},
        cached | {"before": cached["before"] | {"day": "12.11.2026"}},
        cached | {"awards": "none"},
        cached | {"contributions": [None]},
    ]
    boards = BoardCache(tmp_path / "boards.sqlite")
    for entry in unusable:
        boards.cache.put("key", {"owners": {}, "board": entry})
        assert boards.get("key", {}) is None, entry
    boards.cache.put("key", {"owners": {}, "board": cached})
    assert boards.get("key", {}) == board


def test_the_key_changes_with_everything_the_board_depends_on(repo, tmp_path):
    window = Window(dt.date(2026, 11, 12), dt.date(2026, 11, 12))
    settings = ScoringSettings(docs_prefix="docs/")

    def key(window=window, settings=settings, root=repo.root, ignored=()):
        return result_key(window, settings, load_history(root, ignore_revs=ignored))

    base = key()
    assert base == key()  # the same inputs, the same key
    checklists = tmp_path / "checklists.yml"
    checklists.write_text("runbook:\n  required_sections: [Steps]\n", encoding="utf-8")
    variants = {
        "window": key(window=Window(window.since, dt.date(2026, 11, 13))),
        "points": key(settings=dataclasses.replace(settings, points={**settings.points, "rescued": 9})),
        "awards": key(settings=dataclasses.replace(settings, awards=("rescuer",))),
        "bulk_pages": key(settings=dataclasses.replace(settings, bulk_pages=5)),
        "review_every": key(settings=dataclasses.replace(settings, clock=ReviewClock(parse_interval("90d")))),
        "adopted": key(settings=dataclasses.replace(
            settings, clock=ReviewClock(parse_interval("180d"), adopted=dt.date(2026, 11, 1)))),
        "intervals": key(settings=dataclasses.replace(
            settings, clock=ReviewClock(parse_interval("180d"), FolderIntervals({"ops/": "30d"})))),
        "excluded": key(settings=dataclasses.replace(settings, excluded=frozenset({"board.md"}))),
        "docs_prefix": key(settings=dataclasses.replace(settings, docs_prefix="")),
        "language": key(settings=dataclasses.replace(settings, language="de")),
        "checklists": key(settings=dataclasses.replace(settings, checklists=str(checklists))),
        "ignore_revs": key(ignored=[repo.git("rev-parse", "HEAD").strip()]),
    }
    checklists.write_text("runbook:\n  required_sections: [Steps, Escalation]\n", encoding="utf-8")
    variants["checklists content"] = key(settings=dataclasses.replace(settings, checklists=str(checklists)))
    (repo.root / ".mailmap").write_text("Olga Ortiz <olga@corp.example>\n", encoding="utf-8")
    variants["mailmap"] = key()
    (repo.root / ".mailmap").unlink()
    assert key() == base
    # A commit after the window counts too: deleting a page changes that page's past.
    repo.commit("later", "2026-11-20T10:00:00+00:00", files={"docs/guide.md": None})
    variants["later commit"] = key()
    keys = [base, *variants.values()]
    assert len(set(keys)) == len(keys), [name for name, value in variants.items() if value == base]
    # A function cannot be part of a key: such settings are not cached at all.
    assert result_key(window, dataclasses.replace(settings, exclude=lambda path: False), load_history(repo.root)) is None


def test_folder_listings_match_git(repo):
    head = repo.git("rev-parse", "HEAD").strip()
    expected = {}
    for line in repo.git("ls-tree", "-r", "HEAD", "docs/").splitlines():
        meta, _, path = line.partition("\t")
        expected[path.removeprefix("docs/")] = meta.split()[2]
    with BlobReader(repo.root) as reader:
        files = reader.folder_blobs(head, "docs")
        assert dict(files.items()) == expected and len(files) == len(expected)
        assert "ops/run.md" in files and "ops" not in files and "ops/nope.md" not in files
        assert files.get("ops/run.md/x") is None and files.get("nowhere/run.md") is None
        # The first commit's ops/ is another tree (HEAD added a page) holding the same run.md.
        first = reader.folder_blobs(f"{head}~2", "docs")
        assert first.get("ops/run.md") == files["ops/run.md"] and "ops/new.md" not in first
        assert reader.list_tree(head, "docs") == sorted(f"docs/{path}" for path in expected)
        # A blob is handed out once, yet asking again still answers (from git again).
        text = reader.read(head, "docs/index.md")
        assert text is not None and reader.read(head, "docs/index.md") == text


def test_link_targets_of_page_bodies_are_kept_between_runs(repo, tmp_path):
    settings = ScoringSettings(docs_prefix="docs/", cache_file=tmp_path / "cache" / "leaderboard.sqlite")
    runs = []
    for _ in range(2):
        history = load_history(repo.root)
        with BlobReader(repo.root) as reader:
            scorer = Scorer(history, reader, settings)
            board = scorer.score(Window(dt.date(2026, 11, 12), dt.date(2026, 11, 12)))
        runs.append((board, scorer.probes.link_targets.scanned))
    (first, scanned), (second, rescanned) = runs
    assert scanned > 0 and rescanned == 0
    assert second == first
    assert ("Olga", "links_fixed") in [(c.author, c.kind) for c in first.contributions]
    assert (first.before.broken_links, first.after.broken_links) == (1, 1)
    assert (tmp_path / "cache" / "leaderboard-links.sqlite").is_file()
