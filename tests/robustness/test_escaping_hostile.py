"""Owners, titles, registry entries, git author names and commit messages carrying HTML,
script, quotes, ``&`` and newlines: escaped everywhere docgates shows them.

An HTML parser walks what docgates renders (page header, dashboard, leaderboard) and fails on
any element or attribute a hostile string could have injected, so the test does not depend
on how the escaping is spelled."""

from __future__ import annotations

import json

import pytest

from conftest import GitRepo

from conftest import base_env

from .hostile import dump_yaml, has_traceback, new_site, scan_docgates_html, scan_markdown

PAYLOAD = '<x-pwn data-pwn="1" onerror=alert(1)><script>alert("x")</script>&amp; "q" \'s'
OWNER = "@evil<x-pwn data-pwn=1>&\"'"
NEWLINE_OWNER = "@line\nbreak::error::forged"
TITLE = f"Title {PAYLOAD}"
# Git drops '<', '>' and newlines from names, so names carry quotes, '&' and attribute text.
AUTHOR = 'Ann "onmouseover=alert(1) x=" & O\'Brien'
SUBJECT = f"Rescue {PAYLOAD}"
BODY = "Second line <script>alert(2)</script>\n::error::forged annotation"

REGISTRY = {
    "@evil<x-pwn data-pwn=1>&\"'": {
        "name": f"Evil {PAYLOAD}",
        "contact": "#evil-chan",  # the registry refuses anything but a channel, email or URL
        "url": "https://example.com/team?a=1&b=2",
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("escape") / "project"
    site = new_site(root)
    repo = GitRepo(root)
    site.config["plugins"] = [
        "search",
        {"docgates/ownership": {"registry": "teams.yml"}},
        "docgates/freshness",
        "docgates/readability",
        "docgates/checklist",
        "docgates/links",
        {"docgates/leaderboard": {"since": "2026-11-01"}},
        "docgates/quality",
    ]
    site.write("teams.yml", dump_yaml(REGISTRY), dedent=False)
    stale = dump_yaml({"title": TITLE, "owner": [OWNER, NEWLINE_OWNER, "@unregistered&<x-pwn>"], "reviewed": "2020-01-01"})
    fresh = dump_yaml({"title": TITLE, "owner": OWNER, "type": "runbook"})
    repo.commit("start", date="2026-01-01T10:00:00+00:00", author=f"{AUTHOR} <ann@example.com>", files={
        "mkdocs.yml": dump_yaml(site.config),
        "docs/index.md": "---\nowner: '@x'\nreviewed: 2026-11-01\n---\n# Home\n\nHello.\n",
        "docs/stale.md": f"---\n{stale}---\n# Stale {PAYLOAD}\n\n[bad](<missing {PAYLOAD}.md>)\n",
    })
    repo.commit(f"{SUBJECT}\n\n{BODY}", date="2026-11-10T10:00:00+00:00", author=f"{AUTHOR} <ann@example.com>", files={
        "docs/runbook.md": f"---\n{fresh}---\n# Runbook\n\n## When to use\n\nNow.\n",
        "docs/stale.md": f"---\n{stale}---\n# Stale {PAYLOAD}\n\n[bad](<missing {PAYLOAD}.md>)\n\nMore.\n",
    })
    build = site.build()
    summary = root.parent / "step-summary.md"
    github = site.docgates("check", "--format", "github", env=base_env(GITHUB_STEP_SUMMARY=str(summary)))
    text = site.docgates("check")
    return site, build, github, text


def _html(site, url_path: str) -> str:
    return (site.root / "site" / url_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["stale", "runbook", "quality", "leaderboard"])
def test_no_injected_markup_in_docgates_html(built, where, tally):
    site, build, *_ = built
    assert not has_traceback(build.output), build.output[-3000:]
    found = scan_docgates_html(_html(site, where))
    tally.tried(f"escaping: {where} page", unescaped=not found.clean, traceback=has_traceback(build.output))
    assert found.roots >= 1, f"no docgates markup on {where}/"
    assert found.clean, found


def test_hostile_text_is_shown_as_text(built):
    site, *_ = built
    header = " ".join(scan_docgates_html(_html(site, "stale")).text)
    assert "@evil<x-pwn data-pwn=1>&\"'" in header  # the owner, verbatim, as text
    assert "Evil <x-pwn" in header  # the registry name
    board = " ".join(scan_docgates_html(_html(site, "leaderboard")).text)
    assert "O'Brien" in board and "&" in board


def test_quality_json_is_valid_and_verbatim(built, tally):
    site, build, *_ = built
    raw = (site.root / "site" / "quality.json").read_text(encoding="utf-8")
    report = json.loads(raw)
    tally.tried("escaping: quality.json")
    page = build.page("stale.md")
    assert page["title"] == TITLE
    assert OWNER in page["owner"] and NEWLINE_OWNER in page["owner"]
    assert report == build.report


def test_github_annotations_cannot_be_forged(built, tally):
    _, build, github, _ = built
    lines = github.stdout.splitlines()
    findings = sum(len(p["findings"]) for p in build.report["pages"])
    forged = [line for line in lines if not line.startswith(("::error file=", "::warning file=", "::error title=", "::warning title="))]
    tally.tried("escaping: github annotations", unescaped=bool(forged))
    assert not forged, forged
    assert len(lines) >= findings - len(build.report["site"].get("findings", []))
    assert not has_traceback(github.stderr)


def test_text_output_one_line_per_finding(built, tally):
    _, build, _, text = built
    expected = sum(len(p["findings"]) for p in build.report["pages"])
    page_lines = [line for line in text.stdout.splitlines() if not line.startswith("site:")]
    tally.tried("escaping: text output newlines", unescaped=len(page_lines) != expected)
    assert len(page_lines) == expected, text.stdout


CLI_OUTPUTS = {
    "stale markdown": ("stale", "--format", "markdown"),
    "stale text": ("stale",),
    "leaderboard markdown": ("leaderboard", "--since", "2026-11-01", "--format", "markdown"),
    "leaderboard text": ("leaderboard", "--since", "2026-11-01"),
}


@pytest.mark.parametrize("label", list(CLI_OUTPUTS))
def test_cli_outputs_escape_hostile_text(built, label, tally):
    site, *_ = built
    proc = site.docgates(*CLI_OUTPUTS[label])
    found = scan_markdown(proc.stdout) if "markdown" in label else None
    tally.tried(f"escaping: {label}", traceback=has_traceback(proc.stderr), unescaped=bool(found and not found.clean))
    assert proc.returncode in (0, 1) and not has_traceback(proc.stderr), proc.stderr[-2000:]
    assert proc.stdout.strip()
    if found is not None:
        assert found.clean, (found, proc.stdout[:3000])


@pytest.mark.parametrize("label", ["stale json", "leaderboard json"])
def test_cli_json_is_valid(built, label, tally):
    site, *_ = built
    args = ("stale", "--format", "json") if label.startswith("stale") else ("leaderboard", "--since", "2026-11-01", "--format", "json")
    proc = site.docgates(*args)
    try:
        json.loads(proc.stdout)
        valid = True
    except ValueError:
        valid = False
    tally.tried(f"escaping: {label}", traceback=has_traceback(proc.stderr), unescaped=not valid)
    assert valid and not has_traceback(proc.stderr), (proc.stdout[:2000], proc.stderr[-2000:])
    assert AUTHOR in proc.stdout or OWNER.replace('"', '\\"') in proc.stdout or "evil" in proc.stdout


def test_step_summary_escapes_hostile_text(built, tally):
    site, *_ = built
    summary = (site.root.parent / "step-summary.md").read_text(encoding="utf-8")
    found = scan_markdown(summary)
    tally.tried("escaping: GitHub step summary", unescaped=not found.clean)
    assert "stale.md" in summary
    assert found.clean, (found, summary[:3000])


def test_the_scanner_sees_injections():
    """The checks above can fail: raw hostile text inside docgates markup is caught."""
    html = f'<div class="docgates-header"><span title="a">{PAYLOAD}</span><a href="javascript:x">y</a></div>'
    found = scan_docgates_html(html)
    assert found.tags == ["x-pwn", "script"] and "x-pwn[data-pwn]" in found.attrs and found.urls
    assert scan_docgates_html(f"<p>{PAYLOAD}</p>").clean  # outside docgates markup: not ours
    assert not scan_markdown(f"| {PAYLOAD} |").clean
    assert scan_markdown("| \\<x-pwn data-pwn=1\\> |").clean
