"""``docgates review`` under hostile conditions: the page changes on disk while it runs, the
file is read-only, the disk is full. The original file stays intact (or the other writer's
version wins) and the error says what happened. Hypothesis: any block front matter round-trips
through review with exactly one line changed or added."""

from __future__ import annotations

import datetime as dt
import errno
import os
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import base_env
from docgates.freshness import review
from docgates.core.frontmatter import parse_page
from docgates.freshness.review import review_file
from docgates.freshness.review_edit import ReviewError, set_reviewed

from .hostile import has_traceback

DATE = dt.date(2026, 11, 20)
PAGE = b"---\r\nowner: '@a'  # the team\r\nreviewed: 2026-01-02\r\n---\r\n# Page\r\n\r\nText.\r\n"


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "docs" / "page.md"
    path.parent.mkdir()
    path.write_bytes(PAGE)
    return path


def _leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_page_changed_on_disk_while_review_runs(page, monkeypatch, tally):
    theirs = PAGE.replace(b"Text.", b"Someone else's edit.")
    original = review.set_reviewed

    def edit_then_race(text, date, path="page"):
        result = original(text, date, path)
        page.write_bytes(theirs)  # an editor saves between our read and our write
        return result

    monkeypatch.setattr(review, "set_reviewed", edit_then_race)
    with pytest.raises(ReviewError, match="changed on disk") as info:
        review_file(page, DATE, shown="docs/page.md")
    tally.tried("review: changed on disk meanwhile", changed=page.read_bytes() != theirs)
    assert page.read_bytes() == theirs  # their edit is kept, not overwritten
    assert "docs/page.md" in str(info.value) and "run the command again" in str(info.value)
    assert _leftovers(page) == []


def test_read_only_file_is_left_alone(page, tally):
    page.chmod(0o444)
    try:
        with pytest.raises(ReviewError) as info:
            review_file(page, DATE, shown="docs/page.md")
    except BaseException:
        tally.tried("review: read-only file", changed=page.read_bytes() != PAGE)
        raise
    tally.tried("review: read-only file", changed=page.read_bytes() != PAGE)
    assert page.read_bytes() == PAGE
    assert "read-only" in str(info.value) and "docs/page.md" in str(info.value)
    assert (page.stat().st_mode & 0o777) == 0o444
    assert _leftovers(page) == []


def _fail(code: int):
    def raiser(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return raiser


# where the write fails -> (attribute to patch, errno, words the message must hold)
FAILURES = {
    "disk full on write": ("fsync", errno.ENOSPC, "No space left on device"),
    "disk full on rename": ("replace", errno.ENOSPC, "No space left on device"),
    "read-only file system": ("replace", errno.EROFS, "Read-only file system"),
    "no permission for the temp file": ("mkstemp", errno.EACCES, "Permission denied"),
    "quota exceeded": ("fsync", errno.EDQUOT, "quota"),
}


@pytest.mark.parametrize("label", list(FAILURES))
def test_write_failure_keeps_the_original(page, monkeypatch, label, tally):
    attribute, code, words = FAILURES[label]
    target = review.tempfile if attribute == "mkstemp" else review.os
    monkeypatch.setattr(target, attribute, _fail(code))
    try:
        with pytest.raises(ReviewError) as info:
            review_file(page, DATE, shown="docs/page.md")
    finally:
        tally.tried(f"review: {label}", changed=page.read_bytes() != PAGE)
    monkeypatch.undo()
    assert page.read_bytes() == PAGE
    message = str(info.value)
    assert "docs/page.md" in message and words.lower() in message.lower() and "not changed" in message, message
    assert _leftovers(page) == []


def test_cli_reports_read_only_file_without_traceback(page, tally):
    import subprocess

    page.chmod(0o444)
    proc = subprocess.run(
        [sys.executable, "-m", "docgates", "review", "docs/page.md"],
        cwd=page.parent.parent, env=base_env(), capture_output=True, text=True, timeout=60,
    )
    tally.tried("review cli: read-only file", traceback=has_traceback(proc.stderr), changed=page.read_bytes() != PAGE)
    assert proc.returncode == 1, proc.stderr
    assert not has_traceback(proc.stderr)
    assert "docs/page.md" in proc.stderr and "read-only" in proc.stderr
    assert page.read_bytes() == PAGE


# -- property: one line changed ------------------------------------------------------------
keys = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True).filter(lambda k: k not in ("reviewed", "y", "n", "yes", "no", "on", "off", "true", "false", "null"))
scalars = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)).map(str),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))
REVIEWED_FORMS = [
    None,  # no reviewed key yet: one line is added
    "reviewed: 2020-01-01",
    "reviewed: '2020-01-01'",
    'reviewed: "2020-01-01"',
    "reviewed: 2020-01-01  # last check",
    "reviewed:",
    "reviewed: {date}",  # already today's review: nothing changes
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    meta=st.dictionaries(keys, values, max_size=6),
    reviewed=st.sampled_from(REVIEWED_FORMS),
    position=st.integers(0, 6),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    body=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=80),
)
def test_review_changes_exactly_one_line(meta, reviewed, position, newline, bom, body):
    lines = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**6).splitlines() if meta else []
    if reviewed is not None:
        # Only between top-level keys: inside a block list the line would be list text.
        slots = [i for i in range(len(lines) + 1) if i == len(lines) or not lines[i].startswith((" ", "-"))]
        lines.insert(slots[position % len(slots)], reviewed.format(date=DATE.isoformat()))
    text = ("\ufeff" if bom else "") + newline.join(["---", *lines, "---", "# Title", body]) + newline
    before = parse_page("p.md", text)
    if not before.front_matter_valid:  # e.g. a key that YAML reads as another type
        return
    edit = set_reviewed(text, DATE, "p.md")
    after = parse_page("p.md", edit.text)
    assert after.reviewed == DATE and after.front_matter_valid
    assert {k: v for k, v in after.meta.items() if k != "reviewed"} == {k: v for k, v in before.meta.items() if k != "reviewed"}
    old, new = text.splitlines(keepends=True), edit.text.splitlines(keepends=True)
    if edit.action == "unchanged":
        assert edit.text == text
    elif edit.action == "updated":
        assert len(old) == len(new) and sum(a != b for a, b in zip(old, new)) == 1
    else:
        assert edit.action == "added" and len(new) == len(old) + 1
        [added] = [line for line in new if line not in old or new.count(line) > old.count(line)]
        assert added == f"reviewed: {DATE.isoformat()}{newline}"
    assert edit.text.startswith("\ufeff") == bom
    assert all(line.endswith(newline) for line in new)
