"""Docs-day scoring that cannot be gamed: mechanical bulk commits, net improvement per person,
and rescues that need a review. Real git repositories with fixed dates and authors."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

from docgates.core.gitblobs import BlobReader
from docgates.leaderboard.docsday import ScoringSettings
from docgates.leaderboard.render import render_html, render_json, render_markdown, render_text
from docgates.leaderboard.scorer import Scorer
from docgates.leaderboard.window import Window

# load_history as the leaderboard tests import it (core/git_history.py is being split).
from test_leaderboard import DAY, OLD, _git_env, kinds, load_history, page, repo, score  # noqa: F401 (fixtures)

TITLES = ["getting started", "deploying the api", "on call", "backups", "the release train"]


def _pages(count: int, **meta: object) -> dict[str, str]:
    return {f"docs/p{n:02d}.md": page(f"# {TITLES[n % 5]} {n}\n\nSome text about it.", **meta) for n in range(count)}


def _scores(board) -> dict[str, tuple[int, dict[str, float]]]:
    return {s.name: (s.points, dict(s.kinds)) for s in board.people}


# -- mechanical bulk commits --------------------------------------------------------------------
def test_a_mechanical_bulk_commit_earns_nothing_and_is_flagged(repo):
    stale = _pages(25, reviewed="2026-01-05")
    repo.commit("old", OLD, files={**stale, "docs/a.md": page("# A\n\nOld.", reviewed="2026-01-05")})
    # The real-site case: title case over every page, one line each, different per page.
    title_case = repo.commit("Title-case every heading", "2026-11-12T09:00:00+00:00", author="Tom Titler <t@x.org>",
                             files={path: text.replace(f"# {TITLES[n % 5]}", f"# {TITLES[n % 5].title()}")
                                    for n, (path, text) in enumerate(stale.items())})
    # A scripted review stamp over every page: one line each, no page read.
    stamped = {path: text.replace("reviewed: 2026-01-05", "reviewed: 2026-11-12")
               for path, text in repo_files(repo, stale).items()}
    stamp = repo.commit("Stamp reviewed", "2026-11-12T10:00:00+00:00", author="Sal Stamper <s@x.org>", files=stamped)
    repo.commit("Review two pages", "2026-11-12T11:00:00+00:00", author="Nina Reader <n@x.org>", files={
        "docs/new.md": "# New\n",
        "docs/a.md": page("# A\n\nRead and checked.", reviewed="2026-11-12"),
    })
    board = score(repo)
    assert [(f.commit, f.author, f.pages, f.subject) for f in board.flagged] == [
        (title_case, "Tom Titler", 25, "Title-case every heading"),
        (stamp, "Sal Stamper", 25, "Stamp reviewed"),
    ]
    assert {c.author for c in board.contributions} == {"Nina Reader"}
    assert [s.name for s in board.people] == ["Nina Reader"]
    assert _scores(board) == {"Nina Reader": (5 + 2 + 3, {"rescued": 1, "reviewed": 1, "new_page": 1})}
    assert [(t.name, t.points) for t in board.teams] == [("(no owner)", 10)]
    data = json.loads(render_json(board))
    assert data["flagged"] == [
        {"commit": title_case[:12], "author": "Tom Titler", "day": "2026-11-12", "pages": 25,
         "subject": "Title-case every heading"},
        {"commit": stamp[:12], "author": "Sal Stamper", "day": "2026-11-12", "pages": 25, "subject": "Stamp reviewed"},
    ]
    # Below the threshold, or with the check off, the same commits count as before.
    for settings in ({"bulk_pages": 26}, {"bulk_pages": 0}):
        board = score(repo, **settings)
        assert board.flagged == []
        assert _scores(board)["Sal Stamper"][1] == {"rescued": 25, "reviewed": 25}


def test_a_real_edit_in_a_mechanical_commit_still_earns(repo):
    stale = _pages(20, reviewed="2026-01-05")
    repo.commit("old", OLD, files={**stale, "docs/a.md": page("# A\n\nOld.", reviewed="2026-01-05")})
    title_case = {path: text.replace(f"# {TITLES[n % 5]}", f"# {TITLES[n % 5].title()}")
                  for n, (path, text) in enumerate(stale.items())}
    rewritten = page("# A\n\nRead and checked.\n\nThe steps work.\n\nThe owner agrees.\n\nDone.", reviewed="2026-11-12")
    mixed = repo.commit("Title case, and review A", "2026-11-12T09:00:00+00:00", author="Mo Mixed <m@x.org>",
                        files={**title_case, "docs/a.md": rewritten})
    board = score(repo)
    assert [(f.commit, f.pages) for f in board.flagged] == [(mixed, 20)]
    assert {c.path for c in board.contributions} == {"a.md"}
    kinds_earned = _scores(board)["Mo Mixed"][1]
    assert kinds_earned["rescued"] == 1 and kinds_earned["reviewed"] == 1


def repo_files(repo, files: dict[str, str]) -> dict[str, str]:
    return {path: (repo.root / path).read_text(encoding="utf-8") for path in files}


def test_many_real_edits_in_one_commit_are_not_mechanical(repo):
    stale = _pages(25, reviewed="2026-01-05")
    repo.commit("old", OLD, files=stale)
    rewritten = {path: text.replace("reviewed: 2026-01-05", "reviewed: 2026-11-12") + "\nA new step.\n\nAnother.\n\nA tip.\n"
                 for path, text in stale.items()}
    repo.commit("Rewrite the guides", "2026-11-12T10:00:00+00:00", author="Wanda Writer <w@x.org>", files=rewritten)
    board = score(repo)
    assert board.flagged == []
    assert _scores(board)["Wanda Writer"] == (25 * 5 + 25 * 2, {"rescued": 25, "reviewed": 25})


def test_commits_in_the_ignore_revs_file_are_skipped_not_flagged(repo):
    stale = _pages(25, reviewed="2026-01-05")
    repo.commit("old", OLD, files=stale)
    sha = repo.commit("Stamp reviewed", "2026-11-12T10:00:00+00:00", author="Sal Stamper <s@x.org>",
                      files={p: t.replace("2026-01-05", "2026-11-12") for p, t in stale.items()})
    history = load_history(repo.root, ignore_revs=[sha])
    with BlobReader(repo.root) as reader:
        board = Scorer(history, reader, ScoringSettings(docs_prefix="docs/")).score(Window(DAY, DAY))
    assert board.flagged == [] and board.people == [] and board.commits == 1


def test_flagged_commits_in_every_rendering_escaped(repo):
    hostile = "<script>alert('x')</script> & | pipe"
    repo.commit("old", OLD, files=_pages(20))
    sha = repo.commit(f"Fix {hostile}", "2026-11-12T10:00:00+00:00", author="Evil & Sons | O'Hara <e@x.org>",
                      files={p: t.replace("Some text", "Some more text") for p, t in _pages(20).items()})
    board = score(repo)
    assert [(f.commit, f.pages) for f in board.flagged] == [(sha, 20)]
    html = render_html(board)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;" in html
    assert "Evil &amp; Sons | O&#x27;Hara" in html
    assert "docgates-lb-flagged" in html and sha[:12] in html
    markdown = render_markdown(board)
    rendered = MarkdownIt("commonmark").enable(["table"]).render(markdown)
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered and sha[:12] in rendered
    # The pipe in the subject stays in its cell: the flagged table keeps five columns.
    row = next(line for line in markdown.splitlines() if sha[:12] in line)
    assert row.count(" | ") == 4
    text = render_text(board)
    assert f"{sha[:12]} 2026-11-12 Evil & Sons | O'Hara: 20 pages, Fix {hostile}" in text
    assert json.loads(render_json(board))["flagged"][0]["author"] == "Evil & Sons | O'Hara"


# -- net improvement per person -----------------------------------------------------------------
def test_breaking_then_fixing_links_nets_zero(repo):
    fine = "See [b](b.md) and [c](c.md)."
    repo.commit("old", OLD, files={
        "docs/a.md": page(f"# A\n\n{fine}", reviewed="2026-11-01", owner='"@a-team"'),
        "docs/b.md": page(f"# B\n\n{fine}", reviewed="2026-11-01", owner='"@b-team"'),
        "docs/c.md": page("# C\n\nSee [gone](gone.md).", reviewed="2026-11-01", owner='"@c-team"'),
    })
    broken = "See [b](b2.md), [c](c2.md) and [d](d2.md)."
    repo.commit("restructure", "2026-11-12T09:00:00+00:00", author="Bea <b@x.org>", files={
        "docs/a.md": page(f"# A\n\n{broken}", reviewed="2026-11-01", owner='"@a-team"'),
        "docs/b.md": page(f"# B\n\n{broken}", reviewed="2026-11-01", owner='"@b-team"'),
    })
    repo.commit("fix my links", "2026-11-12T10:00:00+00:00", author="Bea <b@x.org>", files={
        "docs/a.md": page(f"# A\n\n{fine}", reviewed="2026-11-01", owner='"@a-team"'),
        "docs/c.md": page("# C\n\nSee [a](a.md).", reviewed="2026-11-01", owner='"@c-team"'),
    })
    repo.commit("fix b", "2026-11-12T11:00:00+00:00", author="Carl <c@x.org>", files={
        "docs/b.md": page(f"# B\n\n{fine}", reviewed="2026-11-01", owner='"@b-team"'),
    })
    board = score(repo)
    # Bea broke 6 and fixed 4 (3 of her own on a.md, 1 on c.md): net −2, nothing earned.
    assert "Bea" not in _scores(board)
    assert all(c.author != "Bea" for c in board.contributions)
    assert _scores(board) == {"Carl": (3, {"links_fixed": 3})}
    assert [(t.name, t.points) for t in board.teams] == [("@b-team", 3)]
    assert {a.id: a.winner for a in board.awards}["link-fixer"] == "Carl"
    assert (board.before.broken_links, board.after.broken_links) == (1, 0)


def test_a_net_gain_keeps_its_debits_and_teams_earn_their_own_net(repo):
    repo.commit("old", OLD, files={
        "docs/e.md": page("# E\n\n[x](x.md) [y](y.md) [z](z.md)", reviewed="2026-11-01", owner='"@e-team"'),
        "docs/f.md": page("# F\n\n[e](e.md)", reviewed="2026-11-01", owner='"@f-team"'),
    })
    repo.commit("fix e, break f", "2026-11-12T10:00:00+00:00", author="Eve <e@x.org>", files={
        "docs/e.md": page("# E\n\n[f](f.md) [f](f.md) [f](f.md)", reviewed="2026-11-01", owner='"@e-team"'),
        "docs/f.md": page("# F\n\n[e](e-old.md)", reviewed="2026-11-01", owner='"@f-team"'),
    })
    board = score(repo)
    assert _scores(board) == {"Eve": (2, {"links_fixed": 2})}
    assert sorted((c.path, c.amount, c.points, c.detail) for c in board.contributions) == [
        ("e.md", 3, 3, "3 fixed"), ("f.md", -1, -1, "1 broken"),
    ]
    # The team whose page lost a link earns nothing for links; the other keeps its 3.
    assert [(t.name, t.points, dict(t.kinds)) for t in board.teams] == [("@e-team", 3, {"links_fixed": 3})]


def test_moving_a_page_breaks_the_links_to_it_and_that_counts_against_the_mover(repo):
    fresh = {"reviewed": "2026-11-01"}
    repo.commit("old", OLD, files={
        "docs/target.md": page("# Target", **fresh),
        **{f"docs/{name}.md": page(f"# {name}\n\nSee [the target](target.md).", **fresh) for name in ("a", "b", "c")},
        "docs/d.md": page("# D\n\nSee [the plan](plan.md).", **fresh),
    })
    # Moving the target breaks three links in pages the commit did not touch.
    repo.commit("move target", "2026-11-12T09:00:00+00:00", author="Mo <m@x.org>",
                files={"docs/target.md": None, "docs/guides/target.md": page("# Target", **fresh)})
    repo.commit("fix two", "2026-11-12T10:00:00+00:00", author="Mo <m@x.org>", files={
        f"docs/{name}.md": page(f"# {name}\n\nSee [the target](guides/target.md).", **fresh) for name in ("a", "b")
    })
    # Writing the missing page fixes the link to it, on a page the commit did not touch.
    repo.commit("write the plan", "2026-11-12T11:00:00+00:00", author="Nell <n@x.org>",
                files={"docs/plan.md": page("# Plan", **fresh)})
    board = score(repo)
    assert (board.before.broken_links, board.after.broken_links) == (1, 1)
    # Mo broke 3 and fixed 2: nothing. (Scored commit by commit, he fixed 2 links.)
    assert _scores(board) == {"Nell": (3 + 1, {"new_page": 1, "links_fixed": 1})}
    assert [(c.path, c.kind, c.amount) for c in board.contributions] == [("plan.md", "new_page", 1), ("d.md", "links_fixed", 1)]


def test_taking_a_review_back_and_giving_it_again_nets_zero(repo):
    repo.commit("old", OLD, files={"docs/d.md": page("# D", reviewed="2026-10-01", owner='"@d-team"')})
    repo.commit("unreview", "2026-11-12T09:00:00+00:00", author="Dan <d@x.org>",
                files={"docs/d.md": page("# D", reviewed="2025-01-01", owner='"@d-team"')})
    repo.commit("review", "2026-11-12T10:00:00+00:00", author="Dan <d@x.org>",
                files={"docs/d.md": page("# D", reviewed="2026-11-12", owner='"@d-team"')})
    repo.commit("disown", "2026-11-12T11:00:00+00:00", author="Dan <d@x.org>",
                files={"docs/d.md": page("# D", reviewed="2026-11-12")})
    repo.commit("own", "2026-11-12T12:00:00+00:00", author="Dan <d@x.org>",
                files={"docs/d.md": page("# D", reviewed="2026-11-12", owner='"@d-team"')})
    board = score(repo)
    assert board.people == [] and board.contributions == [] and board.awards == []


# -- a rescue needs a review --------------------------------------------------------------------
def test_a_rescue_needs_the_review_date_to_advance(repo):
    repo.commit("old", OLD, files={
        "docs/edited.md": "# Edited\n\nOld text.\n",
        "docs/touched.md": page("# Touched\n\nOld text.", reviewed="2026-01-05"),
        "docs/first-review.md": "# First\n\nOld text.\n",
        "docs/reviewed.md": page("# Reviewed\n\nOld text.", reviewed="2026-01-05"),
    })
    repo.commit("one-line edits", "2026-11-12T09:00:00+00:00", author="Ed <ed@x.org>", files={
        # Fresh by git's date afterwards, but nobody reviewed it: no rescue.
        "docs/edited.md": "# Edited\n\nNew text.\n",
        "docs/touched.md": page("# Touched\n\nNew text.", reviewed="2026-01-05"),
    })
    repo.commit("reviews", "2026-11-12T10:00:00+00:00", author="Rita <r@x.org>", files={
        "docs/first-review.md": page("# First\n\nOld text.", reviewed="2026-11-12"),
        "docs/reviewed.md": page("# Reviewed\n\nOld text.", reviewed="2026-11-12"),
    })
    board = score(repo)
    assert kinds(board) == [
        ("Rita", "first-review.md", "rescued"), ("Rita", "first-review.md", "reviewed"),
        ("Rita", "reviewed.md", "rescued"), ("Rita", "reviewed.md", "reviewed"),
    ]
    assert "Ed" not in _scores(board)
    assert (board.before.stale, board.after.stale) == (4, 1)  # touched.md; edited.md is fresh by git's date


def test_a_link_to_a_generated_page_is_not_broken(repo):
    """The dashboard and the board are never in git: linking to them is no loss."""
    repo.commit("old", OLD, files={"docs/a.md": page("# A\n\n[gone](gone.md)", reviewed="2026-11-01")})
    repo.commit("link the dashboard", "2026-11-12T10:00:00+00:00", author="Lou <l@x.org>",
                files={"docs/a.md": page("# A\n\n[the dashboard](quality.md) and [home](index.md)", reviewed="2026-11-01"),
                       "docs/index.md": page("# Home", reviewed="2026-11-01")})
    board = score(repo, excluded=frozenset({"quality.md"}))
    assert _scores(board)["Lou"][1] == {"new_page": 1, "links_fixed": 1}
    assert (board.before.broken_links, board.after.broken_links) == (1, 0)
    assert score(repo).after.broken_links == 1  # without it, quality.md counts as missing
