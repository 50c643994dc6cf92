"""Docs-day scoring from real git repositories with fixed dates and authors (in process)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from docgates.core.git_log import load_history
from docgates.core.gitblobs import BlobReader
from docgates.leaderboard.docsday import ScoringSettings
from docgates.leaderboard.probes import CachedReadability, load_probes
from docgates.leaderboard.render import render_html, render_json, render_markdown, render_text
from docgates.leaderboard.scorer import Scorer
from docgates.leaderboard.window import Window, WindowError
from docgates.readability.worker import spare_cores

from conftest import GitRepo, base_env

needs_two_cores = pytest.mark.skipif(spare_cores() < 1, reason="the worker needs a spare core")

OLD = "2026-01-05T10:00:00+00:00"
DAY = dt.date(2026, 11, 12)
LONG_HARD = (
    "Notwithstanding the aforementioned organisational considerations, the infrastructural "
    "reconfiguration necessitates comprehensive interdepartmental authorisation, "
    "substantiated documentation, and methodological verification of every operational "
    "dependency before implementation commences. "
) * 8
LONG_EASY = "We check the logs. We fix the bug. We tell the team. It is done. " * 16


@pytest.fixture(autouse=True)
def _git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in base_env().items():
        if key.startswith("GIT_") or key == "PAGER":
            monkeypatch.setenv(key, value)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def score(repo: GitRepo, since: str = "2026-11-12", until: str | None = None, **settings):
    history = load_history(repo.root)
    window = Window.from_options(since=since, until=until or since)
    with BlobReader(repo.root) as reader:
        return Scorer(history, reader, ScoringSettings(docs_prefix="docs/", **settings)).score(window)


def kinds(board, author: str | None = None) -> list[tuple[str, str, str]]:
    return sorted((c.author, c.path, c.kind) for c in board.contributions if author in (None, c.author))


def page(text: str, **meta: object) -> str:
    lines = ["---", *(f"{k}: {v}" for k, v in meta.items()), "---"] if meta else []
    return "\n".join([*lines, text]) + "\n"


# -- the window -----------------------------------------------------------------------------
def test_window_is_inclusive_by_utc_day_whatever_the_machine_time_zone(repo, monkeypatch):
    repo.commit("base", OLD, files={"docs/base.md": "# Base\n"})
    repo.commit("late on the 11th", "2026-11-11T23:59:59+00:00", author="Early <e@x.org>",
                files={"docs/a.md": "# A\n"})
    repo.commit("first second of the 12th", "2026-11-12T00:00:00+00:00", author="Start <s@x.org>",
                files={"docs/b.md": "# B\n"})
    # 01:00 in Berlin on the 13th is 23:00 UTC on the 12th: inside.
    repo.commit("berlin", "2026-11-13T01:00:00+02:00", author="Berlin <b@x.org>", files={"docs/c.md": "# C\n"})
    # 23:30 in New York on the 12th is 04:30 UTC on the 13th: outside.
    repo.commit("new york", "2026-11-12T23:30:00-05:00", author="Newyork <n@x.org>", files={"docs/d.md": "# D\n"})
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a naive local date would shift
    time.tzset()
    try:
        board = score(repo)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert board.commits == 2
    assert sorted(p.name for p in board.people) == ["Berlin", "Start"]
    wider = score(repo, since="2026-11-11", until="2026-11-13")
    assert sorted(p.name for p in wider.people) == ["Berlin", "Early", "Newyork", "Start"]


def test_window_options_are_checked():
    assert Window.from_options(docs_day="2026-11-12") == Window(DAY, DAY)
    assert Window.from_options(since="2026-11-01", today=DAY) == Window(dt.date(2026, 11, 1), DAY)
    with pytest.raises(WindowError, match="until: 2026-11-01 is before since: 2026-11-12"):
        Window.from_options(since="2026-11-12", until="2026-11-01")
    with pytest.raises(WindowError, match="since: .*ISO date"):
        Window.from_options(since="12/11/2026")
    with pytest.raises(WindowError, match="either docs_day or since"):
        Window.from_options(docs_day="2026-11-12", since="2026-11-12")


# -- each kind of improvement ------------------------------------------------------------------
def test_review_bump_rescues_a_stale_page_and_earns_points(repo):
    repo.commit("old", OLD, files={"docs/guide.md": page("# Guide", reviewed="2026-01-05", owner='"@a-team"')})
    repo.commit("typo", "2026-11-12T09:00:00+00:00", author="Typo Fixer <t@x.org>",
                files={"docs/guide.md": page("# Guide!", reviewed="2026-01-05", owner='"@a-team"')})
    repo.commit("review", "2026-11-12T10:00:00+00:00", author="Rita Reviewer <r@x.org>",
                files={"docs/guide.md": page("# Guide!", reviewed="2026-11-12", owner='"@a-team"')})
    board = score(repo)
    # The typo fix did not touch `reviewed`, so the page stayed stale: no points.
    assert kinds(board) == [
        ("Rita Reviewer", "guide.md", "rescued"),
        ("Rita Reviewer", "guide.md", "reviewed"),
    ]
    rita = board.people[0]
    assert rita.name == "Rita Reviewer" and rita.points == 5 + 2
    assert [t.name for t in board.teams] == ["@a-team"]
    assert board.before.stale == 1 and board.after.stale == 0


def test_content_change_refreshes_a_page_without_reviewed_but_is_no_rescue(repo):
    repo.commit("old", OLD, files={"docs/guide.md": "# Guide\n"})
    repo.commit("edit", "2026-11-12T10:00:00+00:00", author="Ed <ed@x.org>", files={"docs/guide.md": "# Guide\n\nMore.\n"})
    board = score(repo)
    assert kinds(board) == []  # nobody reviewed it (test_leaderboard_rules.py)
    assert (board.before.stale, board.after.stale) == (1, 0)


def test_new_page_but_not_a_rename(repo):
    repo.commit("old", OLD, files={"docs/moved.md": page("# Moved " + "word " * 30, reviewed="2026-11-01")})
    repo.commit("add and move", "2026-11-12T10:00:00+00:00", author="Nina <n@x.org>",
                files={"docs/new.md": "# New\n", "docs/moved.md": None,
                       "docs/place/moved.md": page("# Moved " + "word " * 30, reviewed="2026-11-01")})
    board = score(repo)
    assert kinds(board) == [("Nina", "new.md", "new_page")]
    assert board.people[0].points == 3


def test_ownerless_page_adopted_via_front_matter_or_codeowners(repo):
    repo.commit("old", OLD, files={"docs/a.md": page("# A", reviewed="2026-11-01"),
                                   "docs/b.md": page("# B", reviewed="2026-11-01")})
    repo.commit("adopt", "2026-11-12T10:00:00+00:00", author="Ada <ada@x.org>",
                files={"docs/a.md": page("# A", reviewed="2026-11-01", owner='"@sre-team"')})
    board = score(repo)
    assert kinds(board) == [("Ada", "a.md", "adopted")]
    assert [t.name for t in board.teams] == ["@sre-team"]
    assert (board.before.ownerless, board.after.ownerless) == (2, 1)


def test_broken_links_fixed_counts_each_link(repo):
    text = "# A\n\n[one](missing-one.md), [two](missing-two.md) and [ok](b.md).\n\n```\n[code](nope.md)\n```\n"
    repo.commit("old", OLD, files={"docs/a.md": page(text, reviewed="2026-11-01"), "docs/b.md": "# B\n"})
    fixed = text.replace("missing-one.md", "b.md").replace("missing-two.md", "sub/")
    repo.commit("fix", "2026-11-12T10:00:00+00:00", author="Lin <lin@x.org>",
                files={"docs/a.md": page(fixed, reviewed="2026-11-01"), "docs/sub/index.md": "# Sub\n"})
    board = score(repo)
    assert ("Lin", "a.md", "links_fixed") in kinds(board)
    lin = next(p for p in board.people if p.name == "Lin")
    assert lin.kinds["links_fixed"] == 2
    assert (board.before.broken_links, board.after.broken_links) == (2, 0)


def test_checklist_completed(repo):
    half = page("# How to deploy\n\n## Prerequisites\n\nA laptop.\n", type="howto", reviewed="2026-11-01")
    done = half + "\n## Steps\n\n1. Deploy.\n"
    repo.commit("old", OLD, files={"docs/howto.md": half})
    repo.commit("finish", "2026-11-12T10:00:00+00:00", author="Chris <c@x.org>", files={"docs/howto.md": done})
    assert kinds(score(repo)) == [("Chris", "howto.md", "checklist_completed")]


def test_readability_gained(repo):
    repo.commit("old", OLD, files={"docs/r.md": page("# R\n\n" + LONG_HARD, reviewed="2026-11-01")})
    repo.commit("simplify", "2026-11-12T10:00:00+00:00", author="Sam <s@x.org>",
                files={"docs/r.md": page("# R\n\n" + LONG_EASY, reviewed="2026-11-01")})
    board = score(repo)
    assert "readability_gained" not in board.not_measured
    assert kinds(board) == [("Sam", "r.md", "readability_gained")]
    assert "reading ease" in board.contributions[0].detail


def test_each_page_counts_once_per_person_and_kind_and_ignored_commits_earn_nothing(repo):
    repo.commit("old", OLD, files={"docs/a.md": page("# A", reviewed="2026-01-01")})
    for hour in (9, 10, 11):
        repo.commit(f"review {hour}", f"2026-11-12T{hour:02d}:00:00+00:00", author="Rita <r@x.org>",
                    files={"docs/a.md": page(f"# A {hour}", reviewed=f"2026-11-{hour:02d}")})
    board = score(repo)
    assert kinds(board) == [("Rita", "a.md", "rescued"), ("Rita", "a.md", "reviewed")]
    assert board.commits == 3


def test_mailmap_merges_identities_and_emails_are_never_published(repo):
    repo.commit("old", OLD, files={"docs/a.md": page("# A", reviewed="2026-01-01"),
                                   "docs/b.md": page("# B", reviewed="2026-01-01")})
    repo.commit("one", "2026-11-12T09:00:00+00:00", author="jdoe <jdoe@laptop.local>",
                files={"docs/a.md": page("# A", reviewed="2026-11-12")})
    repo.commit("two", "2026-11-12T10:00:00+00:00", author="Jane Doe <jane@example.com>",
                files={"docs/b.md": page("# B", reviewed="2026-11-12")})
    (repo.root / ".mailmap").write_text("Jane Doe <jane@example.com> <jdoe@laptop.local>\n", encoding="utf-8")
    board = score(repo)
    assert [(p.name, p.points) for p in board.people] == [("Jane Doe", 14)]
    for output in (render_json(board), render_text(board), render_markdown(board), render_html(board)):
        assert "@example.com" not in output and "laptop.local" not in output


def test_first_contribution_award_and_ranking(repo):
    repo.commit("veteran's first", OLD, author="Vera Veteran <v@x.org>", files={"docs/a.md": page("# A", reviewed="2026-01-01")})
    repo.commit("newcomer", "2026-11-12T09:00:00+00:00", author="Nora Newcomer <n@x.org>",
                files={"docs/b.md": "# B\n", "docs/c.md": "# C\n"})
    repo.commit("veteran", "2026-11-12T10:00:00+00:00", author="Vera Veteran <v@x.org>",
                files={"docs/a.md": page("# A", reviewed="2026-11-12")})
    board = score(repo)
    assert [(p.name, p.points, p.first_contribution) for p in board.people] == [
        ("Vera Veteran", 7, False),
        ("Nora Newcomer", 6, True),
    ]
    awards = {a.id: (a.winner, a.amount) for a in board.awards}
    assert awards["first"] == ("Nora Newcomer", 6)
    assert awards["rescuer"] == ("Vera Veteran", 1)
    assert awards["author"] == ("Nora Newcomer", 2)
    assert "link-fixer" not in awards  # nobody fixed a link: no award for zero


def test_points_and_awards_options(repo):
    repo.commit("old", OLD, files={"docs/a.md": page("# A", reviewed="2026-01-01")})
    repo.commit("review", "2026-11-12T10:00:00+00:00", author="Rita <r@x.org>",
                files={"docs/a.md": page("# A", reviewed="2026-11-12")})
    board = score(repo, points={**{k: 0 for k in ("rescued", "new_page", "links_fixed", "checklist_completed",
                                                  "readability_gained", "adopted")}, "reviewed": 10},
                  awards=("reviewer",))
    assert board.people[0].points == 10
    assert [a.id for a in board.awards] == ["reviewer"]


def test_escaping_in_every_rendering(repo):
    owner = "\"O'Brien & <Co>\""
    repo.commit("old", OLD, files={"docs/a.md": page("# A", reviewed="2026-01-01")})
    repo.commit("adopt", "2026-11-12T10:00:00+00:00", author="O'Brien & Sons <ob@x.org>",
                files={"docs/a.md": page("# A", reviewed="2026-11-12", owner=owner)})
    board = score(repo)
    assert [t.name for t in board.teams] == ["O'Brien & <Co>"]
    html = render_html(board, lambda path: f"../{path}")
    assert "<Co>" not in html and "O&#x27;Brien &amp; &lt;Co&gt;" in html
    assert "O&#x27;Brien &amp; Sons" in html
    markdown = render_markdown(board)
    # As GitHub shows it: the names as text, no HTML made of them.
    rendered = MarkdownIt("commonmark").enable(["table"]).render(markdown)
    assert "<Co>" not in rendered and "O'Brien &amp; &lt;Co&gt;" in rendered and "O'Brien &amp; Sons" in rendered
    data = json.loads(render_json(board))
    assert data["teams"][0]["name"] == "O'Brien & <Co>"  # JSON keeps the real name


def test_not_a_repository_is_reported_not_raised(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    history = load_history(folder)
    with BlobReader(folder) as reader:
        board = Scorer(history, reader, ScoringSettings(docs_prefix="docs/")).score(Window(DAY, DAY))
    assert board.status == "not-a-repo" and "not in a git repository" in board.message
    assert "Git history" in render_html(board)


def test_one_git_process_for_every_blob(repo, monkeypatch):
    files = {f"docs/p{i}.md": page(f"# P{i}", reviewed="2026-01-01") for i in range(30)}
    repo.commit("old", OLD, files=files)
    repo.commit("review all", "2026-11-12T10:00:00+00:00", author="Rita <r@x.org>",
                files={p: page(f"# {p}", reviewed="2026-11-12") for p in files})
    import subprocess

    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def counting(args, *a, **k):
        started.append(list(args))
        return real_popen(args, *a, **k)

    history = load_history(repo.root)
    monkeypatch.setattr(subprocess, "Popen", counting)
    with BlobReader(repo.root) as reader:
        board = Scorer(history, reader, ScoringSettings(docs_prefix="docs/")).score(Window(DAY, DAY))
    # Every page was read: one commit stamping all 30 is mechanical (test_leaderboard_rules.py).
    assert [(f.pages, f.subject) for f in board.flagged] == [(30, "review all")]
    # One process for every blob (its -c options only bound its memory).
    assert [[a[0], *a[-2:]] for a in started] == [["git", "cat-file", "--batch"]]


# -- computed once, judged per revision and day ------------------------------------------------
def _counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from docgates.leaderboard import pages

    parsed: list[str] = []
    real = pages.parse_page

    def counting(path, raw, *args, **kwargs):
        parsed.append(path)
        return real(path, raw, *args, **kwargs)

    monkeypatch.setattr(pages, "parse_page", counting)
    return parsed


def test_unchanged_pages_are_parsed_once_yet_judged_per_revision_and_day(repo, monkeypatch):
    # One blob at two paths, untouched by the window: its links resolve per folder, its
    # owners per CODEOWNERS at each end, and its staleness per day.
    twin = page("# Twin\n\nSee [the target](target.md).", reviewed="2026-05-20")  # due 2026-11-16
    fresh = {"reviewed": "2026-11-01", "owner": '"@docs"'}
    repo.commit("old", OLD, files={
        "CODEOWNERS": "/docs/sub/ @sub-team\n",
        "docs/target.md": page("# Target", **fresh),
        "docs/sub/target.md": page("# Sub target", **fresh),
        "docs/twin.md": twin,
        "docs/sub/twin.md": twin,
    })
    repo.commit("tidy", "2026-11-12T10:00:00+00:00", author="Tia <t@x.org>",
                files={"docs/sub/target.md": None, "CODEOWNERS": "* @everyone\n"})
    parsed = _counting_parses(monkeypatch)
    board = score(repo, since="2026-11-10", until="2026-11-20")
    before, after = board.before, board.after
    assert (before.pages, before.stale, before.ownerless, before.broken_links) == (4, 0, 1, 0)
    assert (after.pages, after.stale, after.ownerless, after.broken_links) == (3, 2, 0, 1)
    assert board.contributions == []
    assert parsed.count("twin.md") + parsed.count("sub/twin.md") == 1


def test_the_builds_own_parse_is_reused_only_for_the_same_bytes(repo, monkeypatch):
    from docgates.core.frontmatter import parse_page

    repo.commit("old", OLD, files={"docs/a.md": page("# A", reviewed="2026-01-05"),
                                   "docs/b.md": page("# B", reviewed="2026-01-05")})
    # Uncommitted: the working tree says a.md was reviewed, git does not.
    (repo.root / "docs/a.md").write_text(page("# A", reviewed="2026-11-20"), encoding="utf-8")
    sources = {p: parse_page(p, (repo.root / "docs" / p).read_bytes()) for p in ("a.md", "b.md")}
    parsed = _counting_parses(monkeypatch)
    board = score(repo, since="2026-11-24", sources=sources)
    assert (board.after.pages, board.after.stale) == (2, 2)  # judged as committed
    assert parsed == ["a.md"]  # b.md's bytes are the committed blob: not parsed again


def test_readability_scores_of_old_versions_are_kept_between_runs(repo, tmp_path):
    repo.commit("old", OLD, files={"docs/r.md": page("# R\n\n" + LONG_HARD, reviewed="2026-11-01")})
    repo.commit("simplify", "2026-11-12T10:00:00+00:00", author="Sam <s@x.org>",
                files={"docs/r.md": page("# R\n\n" + LONG_EASY, reviewed="2026-11-01")})
    repo.commit("review only", "2026-11-12T11:00:00+00:00", author="Rita <r@x.org>",
                files={"docs/r.md": page("# R\n\n" + LONG_EASY, reviewed="2026-11-12")})
    history = load_history(repo.root)
    settings = ScoringSettings(docs_prefix="docs/", cache_file=tmp_path / "cache" / "leaderboard.sqlite")
    runs = []
    for _ in range(2):
        with BlobReader(repo.root) as reader:
            scorer = Scorer(history, reader, settings)
            board = scorer.score(Window(DAY, DAY))
        runs.append((kinds(board), [c.detail for c in board.contributions], scorer.probes.readability.scored))
    # A front-matter-only change is not scored at all; the second run scores nothing.
    assert runs[0][2] == 2 and runs[1][2] == 0
    assert runs[0][:2] == runs[1][:2]
    assert ("Sam", "r.md", "readability_gained") in runs[0][0]


@needs_two_cores
def test_old_versions_scored_in_a_worker_give_the_board_scored_in_process(repo, tmp_path, monkeypatch):
    """What a build does: the bodies the board will compare go to a worker process at the
    start; scoring then reads its answers, scores nothing itself, and keeps them in the cache."""
    monkeypatch.setattr(CachedReadability, "WORKER_AFTER", 1)
    texts = [LONG_HARD, LONG_EASY, LONG_HARD.replace("every", "each"), LONG_EASY + "Then we rest. "]
    repo.commit("old", OLD, files={f"docs/p{n}.md": page("# P\n\n" + texts[n % 2]) for n in range(4)})
    repo.commit("edit", "2026-11-12T10:00:00+00:00", author="Sam <s@x.org>",
                files={f"docs/p{n}.md": page("# P\n\n" + texts[(n + 1) % 4 if n < 3 else 3]) for n in range(4)})
    repo.commit("front matter only", "2026-11-12T11:00:00+00:00", author="Rita <r@x.org>",
                files={"docs/p0.md": page("# P\n\n" + texts[1], reviewed="2026-11-12")})
    history = load_history(repo.root)
    window = Window(DAY, DAY)
    boards = {}
    for mode in ("worker", "in-process"):
        settings = ScoringSettings(docs_prefix="docs/", cache_file=tmp_path / mode / "leaderboard.sqlite")
        probes = load_probes({"cache_file": settings.cache_file})
        with BlobReader(repo.root) as reader:
            if mode == "worker":
                bodies = Scorer(history, reader, settings, probes).bodies_to_score(window)
                # Both sides of the four body edits; the front-matter-only change is not scored.
                assert len(bodies) == 8
                probes.readability.prefetch(bodies)
            board = Scorer(history, reader, settings, probes).score(window)
        readability = probes.readability
        boards[mode] = ([c.to_dict() for c in board.contributions], readability.scored, readability.scored_in_worker)
        assert readability._worker is None  # saving the scores ended it
    contributions, scored, in_worker = boards["worker"]
    assert contributions == boards["in-process"][0]
    assert any(c["kind"] == "readability_gained" for c in contributions)
    assert scored == in_worker == boards["in-process"][1] > 0
    assert boards["in-process"][2] == 0
    # The worker's answers were kept: a third run scores nothing.
    settings = ScoringSettings(docs_prefix="docs/", cache_file=tmp_path / "worker" / "leaderboard.sqlite")
    with BlobReader(repo.root) as reader:
        scorer = Scorer(history, reader, settings)
        assert [c.to_dict() for c in scorer.score(window).contributions] == contributions
    assert scorer.probes.readability.scored == 0


@pytest.mark.parametrize("body", [
    "# T\n\n[a](a.md) [ext](https://x.org) [top](#top) [abs](/abs.md) <https://auto.example>\n",
    "## [heading link](h.md)\n[after](after.md)\nSetext [title](s.md)\n=====\n",
    "```\n[fenced](no.md)\n```\n  ~~~~\n[tilde](no.md)\n  ~~~~\n[out](out.md)\n",
    "- [ ] task [t](t.md)\n1. [x] done [d](d.md)\n> [quote](q.md)\n",
    "a <!-- [hidden](no.md) --> [shown](yes.md)\n<!--\n[in](no.md)\n--> [back](back.md)\n",
    "`[code](no.md)` [real](real.md) ``[x](no.md)``\n[ref]: ref.md \"title\"\n   [ref2]: <ref2.md>\n",
    "[" * 500 + "](x.md)\n" + "[a](b.md" * 50 + "\n<" * 30 + "\n",
    "![image](img.png) [spaces]( spaced.md ) [t](t.md 'title') [u](%7Eu.md)\n",
    "    ```\n[indented fence](no.md)\n    ```\n#not-heading [x](x.md)\n",
])
def test_link_scan_matches_the_outline(body):
    from docgates.leaderboard.probes import link_targets
    from docgates.core.markdown_outline import outline

    assert link_targets(body) == [link.target for link in outline(body).links if link.internal]


def test_link_scan_matches_the_outline_on_the_handbook():
    from docgates.leaderboard.probes import link_targets
    from docgates.core.frontmatter import parse_page
    from docgates.core.markdown_outline import outline

    pages = sorted((Path(__file__).parent.parent / "docs").rglob("*.md"))
    assert pages
    for path in pages:
        body = parse_page(path.name, path.read_bytes()).body
        assert link_targets(body) == [link.target for link in outline(body).links if link.internal], path
