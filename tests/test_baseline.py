"""The baseline ratchet: accepted findings never fail, new ones do, fixed ones drop out."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from docgates.core.baseline import Baseline, BaselineError, BaselineNotAFile, apply_baseline
from docgates.core.findings import Finding
from docgates.core.report import QualityReport

BAD_DATE = "reviewed: expected an ISO date like 2026-09-01, got 'someday'"


def finding(path: str, line: int, message: str = "m", rule: str = "links/broken") -> Finding:
    return Finding(rule, "error", path, line, message)


# -- the core -----------------------------------------------------------------------------


def test_matching_ignores_line_numbers_and_respects_counts():
    baseline = Baseline.from_findings([finding("a.md", 3), finding("a.md", 9), finding("b.md", 1)])
    # The same two defects moved down the page, plus a third identical one.
    new, accepted = baseline.split([finding("a.md", 5), finding("a.md", 12), finding("a.md", 40)])
    assert [f.line for f in accepted] == [5, 12]
    assert [f.line for f in new] == [40]
    # A different message, rule or page is a different finding.
    new, accepted = baseline.split(
        [finding("a.md", 3, "other"), finding("a.md", 3, rule="links/anchor"), finding("c.md", 3)]
    )
    assert accepted == [] and len(new) == 3


def test_line_numbers_inside_messages_do_not_change_the_fingerprint():
    before = finding("a.md", 4, "duplicate key 'x' (first at line 3 of the front matter)")
    after = finding("a.md", 9, "duplicate key 'x' (first at line 8 of the front matter)")
    assert before.fingerprint() == after.fingerprint()
    assert finding("a.md", 4, "key 'x'").fingerprint() != finding("a.md", 4, "key 'y'").fingerprint()


def test_fingerprint_text_keeps_a_finding_matched_when_its_message_changes():
    old = Finding("readability/hard", "warning", "a.md", 1, "score 31.2", fingerprint_text="hard")
    now = Finding("readability/hard", "warning", "a.md", 1, "score 29.8", fingerprint_text="hard")
    new, accepted = Baseline.from_findings([old]).split([now])
    assert accepted == [now] and new == []


def test_file_is_deterministic_and_round_trips(tmp_path):
    findings = [finding("b.md", 2, "z"), finding("a.md", 7, "y"), finding("a.md", 1, "y"), finding("a.md", 1, "x")]
    one = Baseline.from_findings(findings).to_json()
    two = Baseline.from_findings(reversed(findings)).to_json()
    assert one == two
    entries = json.loads(one)["findings"]
    assert [(e["path"], e["count"]) for e in entries] == [("a.md", 1), ("a.md", 2), ("b.md", 1)]
    assert "line" not in entries[0]
    path = tmp_path / "baseline.json"
    Baseline.from_findings(findings).write(path)
    assert Baseline.load(path).counts == Baseline.from_findings(findings).counts
    assert Baseline.load(tmp_path / "missing.json").counts == {}


def _counted(count: str) -> str:
    return '{"findings": [{"rule": "r", "path": "a.md", "fingerprint": "f", "count": %s}]}' % count


UNUSABLE = {
    "merge conflict": ("<<<<<<< HEAD\n{", "Expecting"),
    "a list": ("[]", "expected an object with a 'findings' list"),
    "an entry without path": ('{"findings": [{"rule": "x"}]}', "entry 1 needs"),
    # JSON that Python reads but no count can be: these raised OverflowError, ValueError about
    # Python's int limit, or RecursionError, past the handler that names the file.
    "Infinity": (_counted("Infinity"), "Infinity is not a number"),
    "NaN": (_counted("NaN"), "NaN is not a number"),
    "1e400": (_counted("1e400"), "1e400 is not a number"),
    "5,000-digit count": (_counted("9" * 5000), "a number with 5000 digits"),
    "fractional count": (_counted("2.5"), "entry 1 needs"),
    "negative count": (_counted("-1"), "entry 1 needs"),
    "count as text": (_counted('"2"'), "entry 1 needs"),
    "100,000 nested [": ("[" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("label", list(UNUSABLE))
def test_unusable_file_names_itself_and_the_fix(tmp_path, label):
    text, reason = UNUSABLE[label]
    path = tmp_path / ".docgates-baseline.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as error:
        Baseline.load(path)
    assert str(path) in str(error.value)
    assert reason in str(error.value)
    assert "docgates baseline" in str(error.value)
    assert not isinstance(error.value, BaselineNotAFile)


def test_a_folder_where_the_file_belongs_cannot_be_rewritten(tmp_path):
    path = tmp_path / ".docgates-baseline.json"
    path.mkdir()
    with pytest.raises(BaselineNotAFile) as error:
        Baseline.load(path)
    assert str(error.value) == (
        f"{path}: is a folder, not a baseline file; move it away, or name another file with the "
        "'baseline' option of docgates/quality in mkdocs.yml"
    )


def test_apply_marks_findings_in_the_report():
    report = QualityReport(today=dt.date(2026, 11, 24))
    old, new = finding("a.md", 3, "old"), finding("a.md", 4, "new")
    report.add(old)
    report.add(new)
    outcome = apply_baseline(report, Baseline.from_findings([finding("a.md", 1, "old")]), ".docgates-baseline.json")
    assert outcome.new == [new] and outcome.baselined == [old]
    data = report.to_dict()
    marks = {f["message"]: f["baselined"] for f in data["pages"][0]["findings"]}
    assert marks == {"old": True, "new": False}
    assert data["site"]["baseline"] == {
        "file": ".docgates-baseline.json", "recorded": 1, "remaining": 1, "fixed": 0, "new": 1
    }


# -- the command and the build ------------------------------------------------------------


def bad_page(extra_lines: int = 0) -> str:
    padding = "".join(f"tag{i}: x\n" for i in range(extra_lines))
    return f"---\n{padding}reviewed: someday\n---\n# Old debt\n\nText.\n"


def test_baseline_suppresses_old_findings_catches_new_ones_and_shrinks(site):
    site.plugins("docgates/quality")
    site.page("index.md", "# Home\n\nWelcome.\n")
    site.page("old.md", bad_page())
    site.page("older.md", bad_page())
    site.save_config()
    assert site.docgates("check").returncode == 1

    proc = site.docgates("baseline")
    assert proc.returncode == 0, proc.stderr
    baseline_file = site.root / ".docgates-baseline.json"
    recorded = json.loads(baseline_file.read_text())["findings"]
    assert [(e["path"], e["rule"], e["count"]) for e in recorded] == [
        ("old.md", "frontmatter/invalid", 1),
        ("older.md", "frontmatter/invalid", 1),
    ]
    text_before = baseline_file.read_text()

    # Old debt no longer fails, and the summary says how much is left.
    proc = site.docgates("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "2 baselined findings remain" in proc.stderr

    # The build agrees, even with --strict, and quality.json still shows the debt.
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    [mark] = [f["baselined"] for f in result.page("old.md")["findings"]]
    assert mark is True
    assert result.report["site"]["baseline"]["remaining"] == 2
    assert "2 baselined findings remain" in result.output

    # Lines shift above the old defect: still the same finding. A new defect fails.
    site.page("old.md", bad_page(extra_lines=3))
    site.page("new.md", bad_page())
    proc = site.docgates("check")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [f"new.md:2: frontmatter/invalid: {BAD_DATE}; write the date of the last review as YYYY-MM-DD"]
    result = site.build()
    assert result.returncode == 1
    assert "new.md:2: frontmatter/invalid" in result.output
    assert "old.md:5: frontmatter/invalid" not in result.output
    assert {f["baselined"] for f in result.page("old.md")["findings"]} == {True}
    assert {f["baselined"] for f in result.page("new.md")["findings"]} == {False}
    # Checks and builds never write the baseline: it cannot grow by itself.
    assert baseline_file.read_text() == text_before

    # Fix one old defect and drop the new page: rewriting the baseline shrinks it.
    site.page("older.md", "---\nreviewed: 2026-11-01\n---\n# Fixed\n\nText.\n")
    (site.docs / "new.md").unlink()
    proc = site.docgates("baseline")
    assert proc.returncode == 0
    assert "1 fixed and dropped" in proc.stderr
    assert [e["path"] for e in json.loads(baseline_file.read_text())["findings"]] == ["old.md"]


def test_prune_drops_fixed_findings_but_never_adds(site):
    site.plugins("docgates/quality")
    site.page("old.md", bad_page())
    site.page("fixed.md", bad_page())
    site.save_config()
    assert site.docgates("baseline").returncode == 0
    site.page("fixed.md", "# Fixed\n")
    site.page("new.md", bad_page())
    proc = site.docgates("baseline", "--prune")
    assert proc.returncode == 0, proc.stderr
    paths = [e["path"] for e in json.loads((site.root / ".docgates-baseline.json").read_text())["findings"]]
    assert paths == ["old.md"]
    assert site.docgates("check").returncode == 1  # new.md is still new


def test_baseline_option_moves_or_turns_off_the_file(site):
    site.plugins({"docgates/quality": {"baseline": "ci/accepted.json"}})
    site.page("old.md", bad_page())
    site.save_config()
    assert site.docgates("baseline").returncode == 0
    assert (site.root / "ci" / "accepted.json").is_file()
    assert not (site.root / ".docgates-baseline.json").exists()
    assert site.build().returncode == 0

    site.plugins({"docgates/quality": {"baseline": False}})
    site.save_config()
    assert site.build().returncode == 1
    proc = site.docgates("baseline")
    assert proc.returncode == 2 and "baseline: false" in proc.stderr


def test_broken_baseline_file_is_a_clear_error(site):
    site.plugins("docgates/quality")
    site.page("old.md", bad_page())
    site.write(".docgates-baseline.json", "<<<<<<< HEAD\n")
    proc = site.docgates("check")
    assert proc.returncode == 2
    assert ".docgates-baseline.json: not a readable baseline" in proc.stderr
    assert "Traceback" not in proc.stderr
    result = site.build()
    assert result.returncode == 1
    assert "not a readable baseline" in result.output
    assert "Traceback" not in result.output
    assert result.report is not None  # quality.json is written all the same
    # What the message advises works: the command rewrites the file.
    assert site.docgates("baseline").returncode == 0
    assert site.docgates("check").returncode == 0
