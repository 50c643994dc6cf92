"""Hostile front matter: every kind gives frontmatter/invalid with a line and runs nothing;
an alias bomb is refused, not expanded."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docgates.core.dates import DateError, parse_date, parse_interval
from docgates.core.findings import Finding
from docgates.core.frontmatter import parse_page
from docgates.core.safe_yaml import MAX_YAML_DEPTH

BOMB = "---\n" + "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
    ]
) + "\n---\n# Bomb\n"

# (label, page text, expected line of the finding)
CASES = [
    ("unclosed block", "---\nowner: '@a'\n# Title\n", 1),
    ("unclosed quote", "---\nowner: '@a\nreviewed: 2026-01-01\n---\n", 2),
    ("tab indentation", "---\nowner:\n\t- '@a'\n---\n", 3),
    ("duplicate key", "---\nowner: '@a'\nreviewed: 2026-01-01\nowner: '@b'\n---\n", 4),
    ("list instead of mapping", "---\n- a\n- b\n---\n", 2),
    ("scalar instead of mapping", "---\njust text\n---\n", 2),
    ("python tag", "---\nx: !!python/object/apply:os.system ['touch /tmp/docgates-pwned']\n---\n", 2),
    ("local tag", "---\nx: !secret value\n---\n", 2),
    ("alias bomb", BOMB, 3),
    ("impossible date", "---\nreviewed: 2026-13-45\n---\n", 2),
    ("word date", "---\nreviewed: yesterday\n---\n", 2),
    ("interval word", "---\nreview_every: soon\n---\n", 2),
    ("negative interval", "---\nreview_every: -5d\n---\n", 2),
    ("zero interval", "---\nreview_every: 0d\n---\n", 2),
    ("huge interval", "---\nreview_every: 99999y\n---\n", 2),
    ("owner mapping", "---\nowner: {a: b}\n---\n", 2),
    ("archived text", "---\narchived: maybe\n---\n", 2),
    ("crlf bad date", "---\r\nowner: '@a'\r\nreviewed: 2026-02-30\r\n---\r\n", 3),
    ("bom bad interval", "\ufeff---\nreview_every: 3x\n---\n", 2),
    # PyYAML recurses once per level: 2,000 levels were a RecursionError, not a finding.
    ("lists 2,000 deep", "---\nowner: '@a'\nx: " + "[" * 2000 + "]" * 2000 + "\n---\n", 3),
    ("mappings 2,000 deep", "---\nx: " + "{a: " * 2000 + "b" + "}" * 2000 + "\n---\n", 2),
    ("block lists 2,000 deep", "---\nx:\n  " + "- " * 2000 + "y\n---\n", 3),
    ("block mappings 2,000 deep", "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(2000)) + "---\n", 102),
]


@pytest.mark.parametrize("label,text,line", CASES, ids=[c[0] for c in CASES])
def test_bad_front_matter_is_one_precise_finding(label, text, line, tally, tmp_path):
    try:
        page = parse_page("guide/page.md", text.encode("utf-8"))
    except Exception as exc:  # the whole point: nothing may escape
        tally.tried(label, traceback=True)
        raise AssertionError(f"{label}: parse_page raised {exc!r}")
    tally.tried(label)
    rules = [(f.rule, f.line) for f in page.findings]
    assert rules == [("frontmatter/invalid", line)], (label, page.findings)
    assert all(f.message for f in page.findings)


def test_nesting_up_to_the_limit_is_read_and_one_more_level_is_refused(tally):
    def page(levels: int) -> str:
        return "---\nx: " + "[" * levels + "]" * levels + "\n---\n"

    deepest = parse_page("a.md", page(MAX_YAML_DEPTH - 1))  # the front matter mapping is a level
    tally.tried("nesting at the limit")
    assert deepest.findings == [] and deepest.front_matter_valid
    [finding] = parse_page("a.md", page(MAX_YAML_DEPTH)).findings
    assert (finding.line, finding.rule) == (2, "frontmatter/invalid")
    assert f"nested more than {MAX_YAML_DEPTH} levels deep" in finding.message


def test_python_tag_executes_nothing(tmp_path, tally):
    marker = tmp_path / "pwned"
    text = f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    parse_page("a.md", text)
    tally.tried("python tag executes", changed=marker.exists())
    assert not marker.exists()


def test_non_utf8_bytes_name_the_line(tally):
    page = parse_page("a.md", b"---\nowner: '@a'\n---\n# Title\n\nCaf\xe9 au lait\n")
    tally.tried("latin-1 bytes")
    [finding] = page.findings
    assert finding.line == 6
    assert "UTF-8" in finding.message


def test_bom_and_crlf_pages_parse_cleanly(tally):
    page = parse_page("a.md", "\ufeff---\r\nowner: '@a'\r\nreviewed: 2026-01-02\r\n---\r\n# T\r\n".encode())
    tally.tried("bom + crlf")
    assert page.findings == []
    assert page.owners == ["@a"]
    assert str(page.reviewed) == "2026-01-02"
    assert page.line_of("reviewed") == 3


def test_empty_file_has_no_front_matter():
    page = parse_page("a.md", b"")
    assert page.findings == [] and not page.has_front_matter


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_interval_parsing_raises_only_the_documented_error(text):
    try:
        interval = parse_interval(text)
    except DateError:
        return
    assert interval.count >= 1 and interval.unit in "dwmy"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.none(), st.dates()))
def test_date_parsing_raises_only_the_documented_error(value):
    try:
        parse_date(value)
    except DateError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40), st.integers(1, 10_000), st.integers(1, 10_000))
def test_fingerprint_is_stable_under_line_shifts(message, line, other_line):
    a = Finding("links/broken", "error", "a.md", line, message)
    b = Finding("links/broken", "error", "a.md", other_line, message)
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != Finding("links/anchor", "error", "a.md", line, message).fingerprint()
