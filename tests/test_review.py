"""``docgates review``: one line changes (or one is added), not one other byte."""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import GitRepo
from docgates.freshness import review
from docgates.core.git_log import first_commit_date
from docgates.freshness.review import review_file
from docgates.freshness.review_edit import ReviewError, set_reviewed

D = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("before", "after", "action"),
    [
        # Comments, key order and quoting stay; only the value changes.
        (
            '---\n# Reviewed by the SRE rota\ntitle: "Restart"  # shown in nav\nreviewed: 2025-01-01   # last rota\nowner: [a, b]\n---\n# T\n',
            '---\n# Reviewed by the SRE rota\ntitle: "Restart"  # shown in nav\nreviewed: 2026-11-24   # last rota\nowner: [a, b]\n---\n# T\n',
            "updated",
        ),
        ("---\nreviewed: '2025-01-01'\n---\n", "---\nreviewed: '2026-11-24'\n---\n", "updated"),
        ('---\nreviewed: "2025-01-01"\n---\n', '---\nreviewed: "2026-11-24"\n---\n', "updated"),
        ("---\nreviewed:\n---\n", "---\nreviewed: 2026-11-24\n---\n", "updated"),
        ("---\nreviewed:   # todo\n---\n", "---\nreviewed: 2026-11-24   # todo\n---\n", "updated"),
        ("---\nreviewed: ~\n---\n", "---\nreviewed: 2026-11-24\n---\n", "updated"),
        # CRLF and a missing trailing newline stay.
        ("---\r\nowner: x\r\nreviewed: 2025-01-01\r\n---\r\n# T", "---\r\nowner: x\r\nreviewed: 2026-11-24\r\n---\r\n# T", "updated"),
        # A missing key is one added line at the end of the block, in the file's line ending.
        ("---\r\nowner: x\r\n# keep me\r\n---\r\nBody", "---\r\nowner: x\r\n# keep me\r\nreviewed: 2026-11-24\r\n---\r\nBody", "added"),
        ("---\n---\n# Empty block\n", "---\nreviewed: 2026-11-24\n---\n# Empty block\n", "added"),
        ("---\n  owner: x\n  type: adr\n---\n", "---\n  owner: x\n  type: adr\n  reviewed: 2026-11-24\n---\n", "added"),
        ("---\nowner: x\n...\nBody\n", "---\nowner: x\nreviewed: 2026-11-24\n...\nBody\n", "added"),
        # No front matter: a block is added, the page after it is untouched.
        ("# Title\n\nText", "---\nreviewed: 2026-11-24\n---\n# Title\n\nText", "created"),
        ("# Title\r\n\r\nText\r\n", "---\r\nreviewed: 2026-11-24\r\n---\r\n# Title\r\n\r\nText\r\n", "created"),
        ("", "---\nreviewed: 2026-11-24\n---\n", "created"),
        # A BOM stays first.
        ("\ufeff---\nreviewed: 2025-01-01\n---\n", "\ufeff---\nreviewed: 2026-11-24\n---\n", "updated"),
        ("\ufeff# T\n", "\ufeff---\nreviewed: 2026-11-24\n---\n# T\n", "created"),
        ("---\nreviewed: 2026-11-24\n---\n", "---\nreviewed: 2026-11-24\n---\n", "unchanged"),
    ],
)
def test_set_reviewed_is_byte_exact(before, after, action):
    edit = set_reviewed(before, D)
    assert edit.text == after
    assert edit.action == action


def test_previous_value_is_reported():
    assert set_reviewed("---\nreviewed: '2025-01-01'\n---\n", D).previous == "2025-01-01"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\nowner: [x\n---\n", "front matter is invalid (line 2"),
        ("---\nowner: x\n", "never closed"),
        ("---\nowner: x\nowner: y\n---\n", "duplicate key"),
        ("---\n- a\n- b\n---\n", "must be a mapping"),
        ("---\n{owner: x}\n---\n", "flow mapping"),
        ("---\nreviewed: |\n  2025-01-01\n---\n", "not a single date"),
        ("---\nreviewed: [2025-01-01]\n---\n", "not a single date"),
    ],
)
def test_invalid_or_unsafe_front_matter_is_refused(text, message):
    with pytest.raises(ReviewError, match=message.replace("(", r"\(").replace("[", r"\[")):
        set_reviewed(text, D, "docs/page.md")


KEYS = st.sampled_from(["owner", "title", "type", "tags", "review_every", "status"])
VALUES = st.sampled_from(['"@sre-team"', "'quoted: value'", "plain", "[a, b]", "90d", "2025-01-01", "x # comment"])
COMMENTS = st.sampled_from(["", "# a comment", "  # indented comment"])


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(st.tuples(KEYS, VALUES, COMMENTS), unique_by=lambda t: t[0], max_size=5),
    reviewed=st.sampled_from([None, "2025-01-01", "'2025-01-01'", '"2025-01-01"']),
    position=st.integers(min_value=0, max_value=5),
    newline=st.sampled_from(["\n", "\r\n"]),
    trailing=st.booleans(),
)
def test_only_the_reviewed_line_ever_changes(items, reviewed, position, newline, trailing):
    lines = [f"{k}: {v}" + (f"{newline}{c}" if c else "") for k, v, c in items]
    if reviewed is not None:
        lines.insert(min(position, len(lines)), f"reviewed: {reviewed}")
    body = "# Title" + (newline if trailing else "")
    text = newline.join(["---", *lines, "---", body])
    edit = set_reviewed(text, D)
    old, new = text.splitlines(keepends=True), edit.text.splitlines(keepends=True)
    if reviewed is None:
        assert len(new) == len(old) + 1
        added = [line for line in new if line.startswith("reviewed:")]
        assert added == [f"reviewed: 2026-11-24{newline}"]
        new.remove(added[0])
        assert new == old
    else:
        assert len(new) == len(old)
        changed = [(a, b) for a, b in zip(old, new) if a != b]
        assert len(changed) == 1
        assert changed[0][1] == f"reviewed: {reviewed.replace('2025-01-01', '2026-11-24')}{newline}"


def test_review_file_writes_bytes_keeps_mode_and_symlink(tmp_path):
    target = tmp_path / "page.md"
    target.write_bytes(b"---\r\nreviewed: 2025-01-01\r\n---\r\n# T")
    os.chmod(target, 0o640)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    edit = review_file(link, D)
    assert edit.action == "updated"
    assert target.read_bytes() == b"---\r\nreviewed: 2026-11-24\r\n---\r\n# T"
    assert link.is_symlink()
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if "docgates-tmp" in p.name] == []


def test_a_file_changed_during_the_review_is_not_overwritten(tmp_path, monkeypatch):
    target = tmp_path / "page.md"
    target.write_text("---\nreviewed: 2025-01-01\n---\n# T\n", encoding="utf-8")
    real = review.set_reviewed

    def edit_meanwhile(text, date, path="page"):
        result = real(text, date, path)
        target.write_text("---\nreviewed: 2025-01-01\n---\n# Someone else's edit, longer\n", encoding="utf-8")
        return result

    monkeypatch.setattr(review, "set_reviewed", edit_meanwhile)
    with pytest.raises(ReviewError, match="changed on disk"):
        review_file(target, D)
    assert "Someone else's edit" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_review_file_refuses_non_utf8(tmp_path):
    target = tmp_path / "page.md"
    target.write_bytes(b"# caf\xe9\n")
    with pytest.raises(ReviewError, match="not valid UTF-8"):
        review_file(target, D, "docs/page.md")
    assert target.read_bytes() == b"# caf\xe9\n"


def test_cli_reviews_each_page_and_reports_the_ones_it_refused(site):
    good = site.page("good.md", "---\nowner: x  # team\nreviewed: 2025-01-01\n---\n# Good\n")
    new = site.page("new.md", "# New\n")
    bad_text = "---\nowner: [x\n---\n# Bad\n"
    bad = site.page("bad.md", bad_text)
    proc = site.run(sys.executable, "-m", "docgates", "review", "docs/good.md", "docs/new.md", "docs/bad.md", "docs/missing.md")
    assert proc.returncode == 1
    assert "docs/good.md: reviewed 2026-11-24 (was 2025-01-01)" in proc.stdout
    assert "docs/new.md: reviewed 2026-11-24 (added a front matter block)" in proc.stdout
    assert "docs/bad.md: front matter is invalid (line 2" in proc.stderr
    assert "docs/missing.md: no such file" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert good.read_text() == "---\nowner: x  # team\nreviewed: 2026-11-24\n---\n# Good\n"
    assert new.read_text() == "---\nreviewed: 2026-11-24\n---\n# New\n"
    assert bad.read_text() == bad_text


def test_cli_date_option(site):
    page = site.page("page.md", "# Page\n")
    ok = site.run(sys.executable, "-m", "docgates", "review", "--date", "2026-10-02", "docs/page.md")
    assert ok.returncode == 0, ok.stderr
    assert page.read_text().startswith("---\nreviewed: 2026-10-02\n---\n")
    for value, message in [("2026-13-01", "not a calendar date"), ("2027-01-01", "in the future"), ("soon", "ISO date")]:
        proc = site.run(sys.executable, "-m", "docgates", "review", "--date", value, "docs/page.md")
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert page.read_text().startswith("---\nreviewed: 2026-10-02\n---\n")


def test_first_commit_date_is_unknown_in_a_shallow_clone(tmp_path):
    repo = GitRepo(tmp_path / "full")
    repo.commit("first", date="2025-03-04T23:30:00-05:00", files={"a.md": "# A\n"})
    repo.commit("second", date="2026-01-15T12:00:00+00:00", files={"b.md": "# B\n"})
    assert first_commit_date(repo.root) == dt.date(2025, 3, 4)  # the author's own day, not UTC's
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    assert first_commit_date(clone) is None  # its oldest commit is missing: no floor at all
    assert first_commit_date(tmp_path) is None  # not a repository


def test_cli_pages_must_be_in_the_configured_docs_dir(site):
    site.write("mkdocs.yml", "site_name: X\ndocs_dir: handbook\n", dedent=False)
    page = site.write("handbook/runbooks/p.md", "# P\n")
    stray = site.page("old.md", "# Old\n")  # docs/ is not this project's docs folder
    proc = site.run(sys.executable, "-m", "docgates", "review", "handbook/runbooks/p.md", "docs/old.md")
    assert proc.returncode == 1
    assert "handbook/runbooks/p.md: reviewed 2026-11-24 (added a front matter block)" in proc.stdout
    assert "docs/old.md: is outside the docs folder handbook/; docgates review changes only pages inside it" in proc.stderr
    assert stray.read_text() == "# Old\n"
    again = site.run(sys.executable, "-m", "docgates", "review", "-f", "../../mkdocs.yml", "p.md", cwd=page.parent)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "p.md: already reviewed 2026-11-24\n"
