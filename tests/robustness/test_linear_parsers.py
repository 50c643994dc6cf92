"""docgates' own parsers on pathological lines of 10^5 characters (issue 34, item 6).

A page with one line of 120,000 spaces took docgates 185 s (the bare build 0.4 s), a heading
"# a" + 120,000 spaces + "b" 128 s: patterns that started a repeat at each of many places and
scanned on from each, or split one run of spaces between two repeats, so their work grew with
the square of the line. Each case below feeds the parser that had such a pattern a line of that
length and asserts what it parses.

There are no timing assertions. The suite has no per-test timeout (pytest-timeout is not a
dependency; only subprocess builds are bounded, at 600 s, by ``Site.run`` in tests/conftest.py),
so the inputs are sized for the difference to be unmistakable: the linear parsers take
milliseconds per case, the quadratic ones took from about 40 seconds to 7 minutes per case
(timed on 8,000 characters and scaled to these lengths), so a regression turns this file from
seconds into a stalled run. A build-level case runs every plugin on the page the issue reported.
"""

from __future__ import annotations

import pytest

from docgates.cli.changed import anchor_lines
from docgates.core.markdown_outline import code_spans, heading_text, link_targets, outline
from docgates.links.scan import SourceLocator
from docgates.ownership.registry import parse_registry
from docgates.readability.prose import extract_prose, split_sentences

from .hostile import has_traceback, new_site

N = 120_000
SPACES = " " * N


def _link_targets(body: str) -> list[str]:
    return [link.target for link in outline(body).links]


def test_atx_heading_with_a_long_run_of_spaces(tally):
    tally.tried("heading '# a' + 120,000 spaces + 'b'")
    [heading] = outline("# a" + SPACES + "b").headings
    assert (heading.level, heading.text) == (1, "a b")
    [heading] = outline("## a" + SPACES).headings  # trailing spaces only
    assert (heading.level, heading.text) == (2, "a")


def test_a_line_of_spaces_then_one_word(tally):
    tally.tried("a line of 120,000 spaces then 'x'")
    parsed = outline(SPACES + "x\n\n[broken](missing.md)\n")
    assert parsed.headings == [] and parsed.words == 2
    assert _link_targets(SPACES + "x\n\n[broken](missing.md)\n") == ["missing.md"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a" + SPACES + "{#id}", "a"),  # the attribute list and the spaces before it go
        ("a" + SPACES + "x", "a x"),
        ("a " + "{#" * (N // 2) + "}", "a"),  # one list: from the first "{#" to the "}"
        ("a " + "{x}" * (N // 3), "a " + "{x}" * (N // 3)),  # no ':', '#' or '.': text
        ("a" + " #" * (N // 2), "a" + " #" * (N // 2 - 1)),  # the closing hashes: the last run
        ("a" + SPACES + "#" + SPACES, "a"),
        ("a" + "#" * N, "a" + "#" * N),  # hashes without a space before them are text
    ],
    ids=["spaces then attr list", "spaces inside", "many openers", "braces", "space-hash pairs",
         "spaces around closing hash", "hashes glued"],
)
def test_heading_text_on_long_lines(raw, expected, tally):
    tally.tried(f"heading text: {raw[:12]!r}... ({len(raw)} characters)")
    assert heading_text(raw) == expected


def test_code_spans_with_many_backtick_runs(tally):
    # Runs of 1, 2, ... 489 backticks, no two alike: none closes another, so every run is an
    # opening without a closer (a regex tried each against the rest of the line).
    unclosed = "".join("`" * width + "a" for width in range(1, 490))
    assert len(unclosed) > N
    tally.tried("code spans: 489 backtick runs of different widths")
    assert code_spans(unclosed) == []
    assert _link_targets(unclosed + " [x](page.md)") == ["page.md"]
    # Alternating widths close in pairs; the link inside a span is code, not a link.
    paired = "`a` ``b`` " * (N // 10) + "`[x](code.md)`"
    assert len(code_spans(paired)) == 2 * (N // 10) + 1
    assert _link_targets(paired) == []


def test_inline_links_and_autolinks_on_long_lines(tally):
    tally.tried("links: '[a](' + 120,000 spaces; '<a:' x 40,000")
    assert _link_targets("[a](" + SPACES + "x)") == ["x"]
    assert _link_targets("[a](" + SPACES + "x") == []  # never closed
    assert _link_targets("[a](" + SPACES + "x" + SPACES + '"title")') == ["x"]  # and a title
    assert _link_targets("<a:" * (N // 3)) == []
    assert _link_targets("<a:" * (N // 3) + "b>") == ["a:b"]


@pytest.mark.parametrize(
    ("lines", "line_of_link"),
    [
        ([SPACES + "x", "[l](t.md)"], 2),
        (["> " * (N // 2) + "```", "[l](t.md)", "```", "", "[l](t.md)"], 5),  # deep quote, a fence
        ([SPACES + "```", "[l](t.md)", "```", "[l](t.md)"], 4),  # a fence after spaces
        (["".join("`" * w + "a" for w in range(1, 490)) + " [l](t.md)"], 1),
    ],
    ids=["spaces", "quoted fence", "indented fence", "backtick runs"],
)
def test_link_locator_on_long_lines(lines, line_of_link, tally):
    tally.tried(f"link locator: {lines[0][:10]!r}... ({len(lines[0])} characters)")
    assert SourceLocator("\n".join(lines)).find("t.md") == line_of_link


def test_sentences_on_a_long_run_of_stops(tally):
    tally.tried("sentences: '.' x 100,000")
    assert split_sentences("." * 100_000) == ["." * 100_000]
    assert split_sentences("One" + "." * 100_000 + " Two.") == ["One" + "." * 100_000, "Two."]
    assert split_sentences("Wait" + "!?" * 50_000 + "\u201d Next.") == ["Wait" + "!?" * 50_000 + "\u201d", "Next."]


def test_email_addresses_in_a_long_run_of_words_and_dots(tally):
    tally.tried("prose: 'a.' x 50,000 then '@'")
    words = "a." * 50_000
    assert extract_prose(f"<p>{words}@ x</p>").blocks == [f"{words}@ x."]
    assert extract_prose(f"<p>Mail {words}a@example.com now</p>").blocks == ["Mail link now."]
    assert extract_prose(f"<p>Mail -.{words}a@example.com now</p>").blocks == ["Mail -.link now."]


def test_anchor_lines_on_a_line_of_braces(tally):
    tally.tried("changed: '{' x 120,000")
    assert anchor_lines("{" * N + "\n") == []
    assert anchor_lines("{" * N + "#id}\n") == ["{" * N + "#id}"]


def test_rendered_link_targets_on_hostile_lines(tally):
    # What check --changed-since reads: raw HTML addresses and links around images too.
    tally.tried("changed: '<img src=\"' + 120,000 letters; '[![a](b.png)' x 10,000 + '](c.md)'")
    assert link_targets('<img src="' + "a" * N, rendered=True) == []
    assert link_targets('<img src="' + "a" * N + '">', rendered=True) == []  # longer than any address
    badges = N // 12
    assert link_targets("[![a](b.png)" * badges + "](c.md)", rendered=True) == ["b.png"] * badges + ["c.md"]


def test_registry_contact_with_a_long_domain(tally):
    tally.tried("registry contact: 'a@' + '.' x 120,000 + '@'")
    long_domain = "a@" + "." * N + "@"
    registry_text = f'"@sre": {{name: SRE, contact: "{long_domain}"}}\n'
    with pytest.raises(ValueError, match="is not a chat channel"):
        parse_registry(registry_text, "teams.yml")
    valid = parse_registry(f'"@sre": {{name: SRE, contact: "sre@{"a." * (N // 2)}com"}}\n', "teams.yml")
    assert valid.teams["@sre"].contact_kind == "email"


def test_build_with_the_reported_page(tmp_path, tally):
    """The page from the issue, built with every plugin: 120,000 spaces then ``x`` on one
    line, ``type: runbook`` and a broken link. The right findings, nothing else."""
    site = new_site(tmp_path / "project")
    site.page("index.md", "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n# Home\n\nHello.\n", dedent=False)
    site.page("runbooks/long.md", (
        "---\nowner: '@a'\nreviewed: 2026-11-01\ntype: runbook\n---\n# Long line\n\n"
        f"{SPACES}x\n\n## Steps\n\nRead [the missing page](missing.md).\n"
        f"# a{SPACES}b\n"
    ), dedent=False)
    build = site.build()
    tally.tried("build: 120,000 spaces, a long heading, runbook, broken link", traceback=has_traceback(build.output))
    assert not has_traceback(build.output), build.output[-3000:]
    page = build.page("runbooks/long.md")
    assert [(f["rule"], f["line"]) for f in page["findings"]] == [
        ("checklist/incomplete", 6), ("links/broken", 12)
    ], page["findings"]
    assert page["checklist"]["missing"] == ["Section 'When to use'", "Section 'Verification'", "Section 'Escalation'"]
