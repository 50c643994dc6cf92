"""Hostile front matter in a real build with every plugin: the core cases of
test_frontmatter_hostile.py, plus odd types in the keys other gates read (checklist fields,
title, tags). One frontmatter/invalid (or checklist) finding each, never a gate crash."""

from __future__ import annotations

import pytest

from .hostile import has_traceback, new_site, scan_docgates_html
from .test_frontmatter_hostile import CASES

# Keys no core check validates, read by the checklist, dashboard and leaderboard gates.
ODD_TYPES = {
    "adr status a list": "---\nowner: '@a'\ntype: adr\nstatus: [accepted, rejected]\ndate: 2026-01-01\n---\n# ADR\n",
    "adr superseded_by a mapping": "---\nowner: '@a'\ntype: adr\nstatus: superseded\nsuperseded_by: {a: b}\ndate: 2026-01-01\n---\n# ADR\n",
    "adr date impossible": "---\nowner: '@a'\ntype: adr\nstatus: accepted\ndate: 2026-13-45\n---\n# ADR\n",
    "postmortem factors a number": "---\nowner: '@a'\ntype: postmortem\nincident_date: yesterday\nseverity: [1]\ncontributing_factors: 5\n---\n# PM\n",
    "postmortem factors nested": "---\nowner: '@a'\ntype: postmortem\ncontributing_factors: [[a, b], {c: d}, null]\n---\n# PM\n",
    "type a list": "---\nowner: '@a'\ntype: [adr, runbook]\n---\n# T\n",
    "type unknown": "---\nowner: '@a'\ntype: \"<x-pwn>\"\n---\n# T\n",
    "title a list": "---\nowner: '@a'\ntitle: [a, b]\n---\n# T\n",
    "tags a number": "---\nowner: '@a'\ntags: 5\nonboarding: maybe\n---\n# T\n",
    "owner empty list": "---\nowner: []\n---\n# T\n",
    "owner number": "---\nowner: 42\n---\n# T\n",
    "huge owner list": "---\nowner: [" + ", ".join(f"'@t{n}'" for n in range(2000)) + "]\n---\n# T\n",
}


def _name(label: str) -> str:
    return "fm-" + "".join(c if c.isalnum() else "-" for c in label) + ".md"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = new_site(tmp_path_factory.mktemp("fm") / "project")
    site.page("index.md", "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n# Home\n\nHello.\n", dedent=False)
    for label, text, _ in CASES:
        (site.docs / _name(label)).write_bytes(text.encode("utf-8"))
    for label, text in ODD_TYPES.items():
        (site.docs / _name(label)).write_text(text, encoding="utf-8")
    build = site.build()
    check = site.docgates("check")
    return site, build, check


@pytest.mark.parametrize("label,line", [(c[0], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_front_matter_in_a_build(built, label, line, tally):
    _, build, check = built
    tally.tried(f"build front matter: {label}", traceback=has_traceback(build.output + check.stderr))
    assert not has_traceback(build.output), build.output[-3000:]
    findings = [f for f in build.page(_name(label))["findings"] if f["rule"] == "frontmatter/invalid"]
    assert [f["line"] for f in findings] == [line], findings


@pytest.mark.parametrize("label", list(ODD_TYPES))
def test_odd_types_never_crash_a_gate(built, label, tally):
    site, build, check = built
    tally.tried(f"build odd type: {label}", traceback=has_traceback(build.output + check.stderr))
    assert not has_traceback(build.output), build.output[-3000:]
    assert "failed in" not in build.output, build.output[-3000:]  # the session's gate-crash message
    page = build.page(_name(label))
    assert all(f["message"] and f["line"] >= 1 for f in page["findings"])
    html = (site.root / "site" / page["url"] / "index.html").read_text(encoding="utf-8")
    assert scan_docgates_html(html).clean


def test_check_agrees(built):
    _, build, check = built
    assert build.returncode == 1 and check.returncode == 1 and not has_traceback(check.stderr)
