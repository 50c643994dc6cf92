"""The baseline ratchet: findings a team has accepted as existing debt.

``docgates baseline`` records today's findings in a committed file; ``docgates check`` and the
build then fail only on findings that are not in it. A finding is matched by rule, page and
``Finding.fingerprint()`` (which ignores the line), so editing above a defect does not turn it
into a "new" one, and a page renamed since (git's rename detection, from the run's one history
read) still matches what was recorded under its former name. Each fingerprint carries a count: a page with two identical defects that
were recorded once fails when a third appears.

The file changes only when someone runs ``docgates baseline``: checks never write it, so it
never grows by accident, and rewriting it drops every finding that has since been fixed.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, Iterable

from docgates.core.findings import Finding
from docgates.core.outputs import count
from docgates.core.report import QualityReport, write_atomic

if TYPE_CHECKING:
    from docgates.core.git_history import GitHistory

DEFAULT_FILE = ".docgates-baseline.json"
FORMAT_VERSION = 1
Key = tuple[str, str, str]  # (rule, path, fingerprint)


class BaselineError(Exception):
    """The baseline file exists but cannot be used; the message says which file and what to do."""


class BaselineNotAFile(BaselineError):
    """Something other than a file (a folder) is where the baseline belongs: 'docgates
    baseline' cannot replace it either."""


# A count is a number of findings: more digits than this is not one, and Python would refuse
# to read 5,000 of them with an error about its own settings.
_MAX_DIGITS = 18
_REWRITE = "run 'docgates baseline' to rewrite it"


def key_of(finding: Finding) -> Key:
    return (finding.rule, finding.path, finding.fingerprint())


@dataclass
class Baseline:
    """Accepted findings: how many of each (rule, path, fingerprint) may exist."""

    counts: Counter[Key] = field(default_factory=Counter)
    # One message per key, only so that the committed file is readable in review.
    messages: dict[Key, str] = field(default_factory=dict)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> "Baseline":
        baseline = cls()
        for finding in findings:
            baseline.add(key_of(finding), finding.message)
        return baseline

    def add(self, key: Key, message: str) -> None:
        """Accept one more finding with this key."""
        self.counts[key] += 1
        # The smallest message keeps the file identical however the findings were ordered.
        if key not in self.messages or message < self.messages[key]:
            self.messages[key] = message

    @classmethod
    def load(cls, path: Path) -> "Baseline":
        """The baseline in ``path``; an empty one when nothing is there."""
        if not path.exists():
            return cls()
        if not path.is_file():
            kind = "a folder" if path.is_dir() else "not a regular file"
            raise BaselineNotAFile(
                f"{path}: is {kind}, not a baseline file; move it away, or name another file "
                "with the 'baseline' option of docgates/quality in mkdocs.yml"
            )
        try:
            data = _parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise BaselineError(
                f"{path}: not a readable baseline ({exc}); if it has merge conflicts, take "
                "either side and run 'docgates baseline' again to rewrite it"
            ) from None
        entries = data.get("findings") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise BaselineError(
                f"{path}: not a docgates baseline (expected an object with a 'findings' list); {_REWRITE}"
            )
        baseline = cls()
        for index, entry in enumerate(entries):
            key, count = _entry(entry)
            if key is None:
                raise BaselineError(
                    f"{path}: entry {index + 1} needs 'rule', 'path' and 'fingerprint' texts and a "
                    f"'count' of 0 or more; {_REWRITE}"
                )
            if count > 0:
                baseline.counts[key] += count
                baseline.messages.setdefault(key, str(entry.get("message", "")))
        return baseline

    def __len__(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> str:
        """Deterministic text: sorted entries, no dates, so re-running it changes nothing."""
        entries = [
            {
                "path": path,
                "rule": rule,
                "fingerprint": fingerprint,
                "count": count,
                "message": self.messages.get((rule, path, fingerprint), ""),
            }
            for (rule, path, fingerprint), count in sorted(
                self.counts.items(), key=lambda item: (item[0][1], item[0][0], item[0][2])
            )
            if count > 0
        ]
        data = {
            "docgates_baseline": FORMAT_VERSION,
            "about": (
                "Findings accepted as existing debt: 'docgates check' and the build fail only on "
                "findings not listed here. Rewrite with 'docgates baseline' (fixed findings drop "
                "out); never edit by hand to add entries."
            ),
            "findings": entries,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> Path:
        return write_atomic(path, self.to_json())

    def intersect(self, other: "Baseline") -> "Baseline":
        """Entries present in both, with the smaller count (``baseline --prune``)."""
        result = Baseline(counts=self.counts & other.counts)
        result.messages = {k: self.messages.get(k, other.messages.get(k, "")) for k in result.counts}
        return result

    def split(
        self, findings: Iterable[Finding], key_for: Callable[[Finding], Key] = key_of
    ) -> tuple[list[Finding], list[Finding]]:
        """``(new, baselined)``: each recorded fingerprint absorbs up to its count of findings,
        first by line, so which duplicate counts as new is stable. ``key_for`` lets a finding
        made outside the gates (a crawl's) stand for the gate finding it repeats."""
        budget = Counter(self.counts)
        new: list[Finding] = []
        baselined: list[Finding] = []
        for finding in sorted(findings, key=lambda f: (f.path, f.line, f.rule, f.message)):
            key = key_for(finding)
            if budget[key] > 0:
                budget[key] -= 1
                baselined.append(finding)
            else:
                new.append(finding)
        return new, baselined


def _parse(text: str) -> object:
    """JSON as a baseline may hold it: no Infinity, NaN, overflowing or endless numbers, and
    a ``ValueError`` saying what is wrong instead of a RecursionError for deep nesting."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_whole)
    except RecursionError:
        raise ValueError("lists or objects are nested too deeply") from None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a baseline can hold")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a number a baseline can hold")
    return value


def _whole(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"a number with {len(text.lstrip('-'))} digits is not a count of findings")
    return int(text)


def _entry(entry: object) -> tuple[Key | None, int]:
    """``(key, count)`` of one recorded finding; key None when the entry is malformed."""
    if not isinstance(entry, dict):
        return None, 0
    rule, page, fingerprint = entry.get("rule"), entry.get("path"), entry.get("fingerprint")
    count = entry.get("count", 1)
    if not (isinstance(rule, str) and isinstance(page, str) and isinstance(fingerprint, str)):
        return None, 0
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return None, 0
    return (rule, page, fingerprint), count


@dataclass
class BaselineOutcome:
    """What applying a baseline to one run's findings gave."""

    file: str
    new: list[Finding]
    baselined: list[Finding]
    recorded: int
    # Recorded findings that no longer occur (only meaningful when every page was checked).
    fixed: int | None

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "recorded": self.recorded,
            "remaining": len(self.baselined),
            "fixed": self.fixed,
            "new": len(self.new),
        }

    def describe(self) -> str:
        """A clause for summaries: how much accepted debt is left, and what to do about it."""
        if not self.recorded:
            return ""
        where = "" if self.fixed is not None else " on the checked pages"
        remain = "remains" if len(self.baselined) == 1 else "remain"
        text = f"{count(len(self.baselined), 'baselined finding')} {remain}{where} (not failing; recorded in {self.file})"
        if self.fixed:
            fixed = "is" if self.fixed == 1 else "are"
            text += f"; {count(self.fixed, 'recorded finding')} {fixed} fixed, run 'docgates baseline' to drop them"
        return text


def following_renames(
    baseline: Baseline, pages: Collection[str], former_paths: Callable[[str], list[str]]
) -> Callable[[Finding], Key]:
    """A ``key_for`` under which a finding on a renamed page matches what was recorded under
    the page's former name. ``former_paths(page)`` (older names, newest first) is asked only
    when the baseline names a page that no longer exists and the finding's page has no entry
    of its own, so a site with no renames reads no history for this."""
    recorded = {path for (_, path, _) in baseline.counts}
    gone = {path for path in recorded if path and path not in pages}

    def key_for(finding: Finding) -> Key:
        if gone and finding.path and finding.path not in recorded:
            for old in former_paths(finding.path):
                if old in gone:
                    return (finding.rule, old, finding.fingerprint(path=old))
        return key_of(finding)

    return key_for


def former_paths(history: "GitHistory", repo_prefix: str, page: str) -> list[str]:
    """The names the page at docs-relative ``page`` had before git's renames, newest first,
    docs-relative; from the run's one parsed history (no git call)."""
    names = []
    for change in history.changes(repo_prefix + page, include_ignored=True):
        old = change.old_path
        if change.status == "R" and old and old.startswith(repo_prefix):
            names.append(old[len(repo_prefix):])
    return names


def apply_baseline(
    report: QualityReport,
    baseline: Baseline,
    file: str,
    complete: bool = True,
    key_for: Callable[[Finding], Key] = key_of,
) -> BaselineOutcome:
    """Mark the report's baselined findings and return what is new.

    Baselined findings stay in the report (``"baselined": true`` in quality.json) so the debt
    stays visible; only the new ones may fail a build. ``key_for``: see ``following_renames``.
    """
    findings = report.findings()
    new, baselined = baseline.split(findings, key_for)
    report.baselined = set(baselined)
    fixed = None
    if complete:
        fixed = len(baseline) - len(baselined)
    outcome = BaselineOutcome(file=file, new=new, baselined=baselined, recorded=len(baseline), fixed=fixed)
    if baseline.counts:
        report.site["baseline"] = outcome.to_dict()
    return outcome
