"""The leaderboard as users meet it: a generated page in the built site, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import docgates

from docgates.leaderboard.probes import CachedReadability
from docgates.core.findings import SeverityPolicy
from docgates.core.gate import SiteContext
from docgates.leaderboard.gate import LeaderboardGate
from docgates.core.report import QualityReport
from docgates.readability.worker import spare_cores

OLD = "2026-01-05T10:00:00+00:00"


def _docs_day(git_site, **plugin_options):
    site, repo = git_site
    site.plugins({"docgates/leaderboard": {"docs_day": "2026-11-12", **plugin_options}})
    site.config["plugins"].append("docgates/quality")
    repo.commit("old", OLD, author="Vera Veteran <vera@corp.example>", files={
        "docs/index.md": "---\nreviewed: 2026-11-01\nowner: \"@docs\"\n---\n# Home\n\n[Guide](guide.md)\n",
        "docs/guide.md": "---\nreviewed: 2026-01-05\n---\n# Guide\n\nSee [gone](gone.md).\n",
    })
    repo.commit("docs day", "2026-11-12T15:00:00+01:00", author="O'Brien & Sons <ob@corp.example>", files={
        "docs/guide.md": "---\nreviewed: 2026-11-12\nowner: \"O'Brien & <Co>\"\n---\n# Guide\n\nSee [home](index.md).\n",
    })
    repo.commit("after", "2026-11-20T10:00:00+00:00", author="Late Larry <larry@corp.example>",
                files={"docs/late.md": "# Late\n"})
    return site, repo


def test_leaderboard_page_in_the_built_site(git_site):
    site, _ = _docs_day(git_site)
    result = site.build()
    html = (site.root / "site" / "leaderboard" / "index.html").read_text(encoding="utf-8")
    assert 'class="docgates-leaderboard"' in html
    assert "Docs-day leaderboard" in html
    assert "O&#x27;Brien &amp; Sons" in html and "O&#x27;Brien &amp; &lt;Co&gt;" in html
    assert "<Co>" not in html
    assert "corp.example" not in html  # emails are never published
    assert "Late Larry" not in html  # outside the window
    assert "assets/docgates/docgates.css" in html
    assert ".docgates-leaderboard" in (site.root / "site" / "assets" / "docgates" / "docgates.css").read_text()
    # The page links the improved page relative to itself.
    assert 'href="../guide/"' in html
    board = result.report["site"]["leaderboard"]
    assert board["since"] == board["until"] == "2026-11-12"
    assert board["people"][0]["name"] == "O'Brien & Sons"
    assert board["people"][0]["rescued"] == 1 and board["people"][0]["links_fixed"] == 1
    assert board["health"]["before"]["stale"] == 1 and board["health"]["after"]["stale"] == 0
    assert "corp.example" not in json.dumps(result.report)
    assert not (site.docs / "leaderboard.md").exists()  # generated, never written into docs/
    # The generated pages are not judged as documentation.
    assert "leaderboard.md" not in [p["path"] for p in result.report["pages"]]


ORDER_HOOK = """\
import json
from docgates.engines.mkdocs.session import BuildSession

calls = []
_call = BuildSession._call

def _recording(self, gate, hook, path, *args):
    if hook in ("render_generated", "release"):
        calls.append([gate.name, hook])
    return _call(self, gate, hook, path, *args)

BuildSession._call = _recording

def on_post_build(config):
    with open("order.json", "w") as out:
        json.dump(calls, out)
"""


def test_gates_without_pages_let_go_before_the_pages_are_generated(git_site):
    """The generated pages are made after every other gate has released its per-page state
    (their memory is reused), and they come out the same: they read the site, not the gates."""
    site, _ = _docs_day(git_site)
    site.config["plugins"][0:0] = ["docgates/ownership", "docgates/freshness", "docgates/links"]
    site.config["hooks"] = ["order.py"]
    site.write("order.py", ORDER_HOOK, dedent=False)
    result = site.build()
    calls = [tuple(c) for c in json.loads((site.root / "order.json").read_text())]
    first_page = calls.index(("leaderboard", "render_generated"))
    assert set(calls[:first_page]) == {(g, "release") for g in ("ownership", "freshness", "links")}
    assert calls[first_page:] == [("leaderboard", "render_generated"), ("quality", "render_generated"),
                                  ("leaderboard", "release"), ("quality", "release")]
    assert result.report["site"]["leaderboard"]["people"][0]["name"] == "O'Brien & Sons"
    html = (site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    dashboard = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # Made from the report after ownership and freshness let go: their figures are all there.
    assert "Fresh pages 100% 3 of 3" in dashboard and "Owned pages 67% 2 of 3" in dashboard


TEXTSTAT_HOOK = """\
import json, sys
from docgates.leaderboard.probes import CachedReadability

CachedReadability.WORKER_AFTER = 1  # this tiny docs day is worth a worker

def on_post_build(config):
    with open("textstat.json", "w") as out:
        json.dump("textstat" in sys.modules, out)
"""
HARD = "Notwithstanding organisational considerations, comprehensive interdepartmental authorisation necessitates substantiated documentation. " * 12
EASY = "We fix the bug. We tell the team. It is done now. " * 20


@pytest.mark.skipif(spare_cores() < 1, reason="the worker needs a spare core")
def test_a_build_scores_old_versions_in_the_worker_and_never_loads_textstat_itself(git_site):
    boards = {}
    for worker in (True, False):
        site, repo = git_site
        site.plugins({"docgates/leaderboard": {"docs_day": "2026-11-12", "worker": worker}})
        site.config["hooks"] = ["probe.py"]
        site.write("probe.py", TEXTSTAT_HOOK, dedent=False)
        if worker:
            repo.commit("old", OLD, files={"docs/index.md": f"# Home\n\n{HARD}\n", ".gitignore": ".cache/\nsite/\n"})
            repo.commit("simplify", "2026-11-12T10:00:00+00:00", author="Sam <s@corp.example>",
                        files={"docs/index.md": f"# Home\n\n{EASY}\n"})
        shutil.rmtree(site.root / ".cache", ignore_errors=True)
        result = site.build()
        assert result.returncode == 0, result.output
        boards[worker] = result.report["site"]["leaderboard"]
        loaded = json.loads((site.root / "textstat.json").read_text())
        assert loaded is (not worker)
    assert boards[True] == boards[False]
    assert boards[True]["people"][0]["name"] == "Sam"
    assert boards[True]["people"][0]["readability_gained"] == 1


@pytest.mark.skipif(spare_cores() < 1, reason="the worker needs a spare core")
def test_only_a_run_that_renders_starts_scoring_old_versions(git_site, monkeypatch):
    """``docgates check`` renders no leaderboard page, so its gate starts no worker."""
    site, repo = git_site
    repo.commit("old", OLD, files={"docs/index.md": f"# Home\n\n{HARD}\n"})
    repo.commit("simplify", "2026-11-12T10:00:00+00:00", author="Sam <s@corp.example>",
                files={"docs/index.md": f"# Home\n\n{EASY}\n"})
    monkeypatch.setattr(CachedReadability, "WORKER_AFTER", 1)
    gate = LeaderboardGate({"docs_day": "2026-11-12"})
    today = dt.date(2026, 11, 24)
    started = {}
    for renders in (False, True):
        context = SiteContext(
            config_dir=site.root, docs_dir=site.docs, site_dir=site.root / "site", today=today,
            policy=SeverityPolicy(), report=QualityReport(today=today), repo_root=site.root, renders=renders,
        )
        gate.begin(context)
        started[renders] = gate.probes is not None and gate.probes.readability._worker is not None
        gate.release(context)
        assert gate.probes is None
    assert started == {False: False, True: True}


PACKAGE_TEMPLATE = Path(docgates.__file__).parent / "templates" / "docgates" / "leaderboard.html"


def _override(site, text: str) -> None:
    """The site keeps its own docgates/leaderboard.html in the theme's custom_dir."""
    site.config["theme"]["custom_dir"] = "overrides"
    site.write("overrides/docgates/leaderboard.html", text, dedent=False)


def test_a_site_copy_of_the_template_renders_the_page(git_site):
    site, _ = _docs_day(git_site)
    package = PACKAGE_TEMPLATE.read_text(encoding="utf-8")
    thanks = '<p class="site-thanks">Thank you, {{ board.people[0].name }}!</p>\n'
    _override(site, package.replace('<div class="docgates-leaderboard">\n', '<div class="docgates-leaderboard">\n' + thanks))
    result = site.build()
    assert result.returncode == 0, result.output
    html = (site.root / "site" / "leaderboard" / "index.html").read_text(encoding="utf-8")
    # The site's copy, with names from git still escaped, and the rest as the package has it.
    assert '<p class="site-thanks">Thank you, O&#x27;Brien &amp; Sons!</p>' in html
    assert "O&#x27;Brien &amp; &lt;Co&gt;" in html and "<Co>" not in html
    assert 'id="awards"' in html and 'href="../guide/"' in html


@pytest.mark.parametrize(
    "line, message",
    [
        ("{% if %}", "leaderboard.html:2: Expected an expression"),
        ("{{ board.peeple }}", "leaderboard.html:2: "),
    ],
)
def test_a_broken_site_template_fails_the_build_naming_its_line(git_site, line, message):
    site, _ = _docs_day(git_site)
    _override(site, f"<p>Docs day</p>\n{line}\n")
    result = site.build()
    assert result.returncode != 0
    assert message in result.output and "fix the template or remove the site's copy" in result.output
    assert "overrides" in result.output and "Traceback" not in result.output


def test_leaderboard_page_path_is_configurable(git_site):
    site, _ = _docs_day(git_site, page="community/docs-day/")
    site.build()
    assert (site.root / "site" / "community" / "docs-day" / "index.html").is_file()
    assert not (site.root / "site" / "leaderboard").exists()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"docs_day": "12.11.2026"}, "docs_day: expected an ISO date"),
        ({"points": {"karma": 3}}, "points: unknown improvement 'karma'"),
        ({"awards": ["best-hair"]}, "awards: unknown award 'best-hair'"),
        ({"page": "../outside.md"}, "page: expected a docs-relative page path"),
    ],
)
def test_bad_options_fail_the_build_with_the_option_named(site, options, message):
    site.page("index.md", "# Home\n")
    site.plugins({"docgates/leaderboard": options})
    result = site.build()
    assert result.returncode != 0
    assert "docgates/leaderboard" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_cli_formats(git_site):
    site, _ = _docs_day(git_site)
    text = site.docgates("leaderboard", "--since", "2026-11-12", "--until", "2026-11-12")
    assert text.returncode == 0, text.stderr
    assert "O'Brien & Sons" in text.stdout and "Stale-page rescuer: O'Brien & Sons" in text.stdout
    assert "Stale pages: 1 -> 0" in text.stdout

    data = json.loads(site.docgates("leaderboard", "--docs-day", "2026-11-12", "--format", "json").stdout)
    assert [p["name"] for p in data["people"]] == ["O'Brien & Sons"]
    assert data["health"]["after"]["broken_links"] == 0

    markdown = site.docgates("leaderboard", "--since", "2026-11-12", "--format", "markdown").stdout
    assert markdown.startswith("## Docs-day leaderboard: 2026-11-12 – 2026-11-24")
    rendered = MarkdownIt("commonmark").enable(["table"]).render(markdown)
    assert "<td>O'Brien &amp; Sons</td>" in rendered and "&lt;Co&gt;" in rendered
    assert "Late Larry" in markdown  # until defaults to today (DOCGATES_TODAY)
    for output in (text.stdout, markdown):
        assert "corp.example" not in output


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "--since is required"),
        (("--since", "yesterday"), "--since: expected an ISO date"),
        (("--since", "2026-11-12", "--until", "2026-11-01"), "is before"),
    ],
)
def test_cli_usage_errors_exit_2(git_site, args, message):
    site, _ = _docs_day(git_site)
    proc = site.docgates("leaderboard", *args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_outside_a_repository_says_what_to_do(site):
    site.page("index.md", "# Home\n")
    site.plugins("docgates/leaderboard")
    proc = site.docgates("leaderboard", "--since", "2026-11-12")
    assert proc.returncode == 2
    assert "not in a git repository" in proc.stderr


def test_commits_that_change_only_code_are_no_part_of_the_docs_day(git_site):
    """A page that documents code makes the run's one git read cover the whole repository;
    the docs day still counts only the commits that touched the docs."""
    site, repo = _docs_day(git_site)
    site.config["plugins"].append("docgates/freshness")
    repo.commit("code", "2026-11-12T16:00:00+00:00", author="Coder Cody <cody@corp.example>", files={
        "services/api.py": "print('v1')\n",
        "docs/api.md": "---\nowner: \"@docs\"\nreviewed: 2026-11-01\ndocuments: services/**\n---\n# API\n",
    })
    repo.commit("code only", "2026-11-12T17:00:00+00:00", author="Coder Cody <cody@corp.example>", files={
        "services/api.py": "print('v2')\n",
    })
    result = site.build()
    board = result.report["site"]["leaderboard"]
    assert board["commits"] == 2  # the docs-day commit and the one adding docs/api.md
    assert result.page("api.md")["code_changed"]["commits"] == 2  # the whole repository was read
