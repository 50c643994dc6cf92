"""The baseline ratchet: findings a team has accepted as existing debt.

``docgates baseline`` records today's findings in a committed file; ``docgates check`` and the
build then fail only on findings that are not in it. A finding is matched by rule, page and
``Finding.fingerprint()`` (which ignores the line), so editing above a defect does not turn it
into a "new" one. Each fingerprint carries a count: a page with two identical defects that
were recorded once fails when a third appears.

The file changes only when someone runs ``docgates baseline``: checks never write it, so it
never grows by accident, and rewriting it drops every finding that has since been fixed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .findings import Finding
from .report import QualityReport, write_atomic

DEFAULT_FILE = ".docgates-baseline.json"
FORMAT_VERSION = 1
Key = tuple[str, str, str]  # (rule, path, fingerprint)


class BaselineError(Exception):
    """The baseline file exists but cannot be used; the message says which file and what to do."""


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
            key = key_of(finding)
            baseline.counts[key] += 1
            # The smallest message keeps the file identical however the findings were ordered.
            if key not in baseline.messages or finding.message < baseline.messages[key]:
                baseline.messages[key] = finding.message
        return baseline

    @classmethod
    def load(cls, path: Path) -> "Baseline":
        """The baseline in ``path``; an empty one when the file does not exist."""
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BaselineError(
                f"{path}: not a readable baseline ({exc}); if it has merge conflicts, take "
                "either side and run 'docgates baseline' again to rewrite it"
            ) from None
        entries = data.get("findings") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise BaselineError(
                f"{path}: not a docgates baseline (expected an object with a 'findings' list); "
                "run 'docgates baseline' to rewrite it"
            )
        baseline = cls()
        for index, entry in enumerate(entries):
            try:
                key = (str(entry["rule"]), str(entry["path"]), str(entry["fingerprint"]))
                count = int(entry.get("count", 1))
            except (TypeError, KeyError, ValueError, AttributeError):
                raise BaselineError(
                    f"{path}: entry {index + 1} needs 'rule', 'path', 'fingerprint' and a "
                    "numeric 'count'; run 'docgates baseline' to rewrite the file"
                ) from None
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

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """``(new, baselined)``: each recorded fingerprint absorbs up to its count of findings,
        first by line, so which duplicate counts as new is stable."""
        budget = Counter(self.counts)
        new: list[Finding] = []
        baselined: list[Finding] = []
        for finding in sorted(findings, key=lambda f: (f.path, f.line, f.rule, f.message)):
            key = key_of(finding)
            if budget[key] > 0:
                budget[key] -= 1
                baselined.append(finding)
            else:
                new.append(finding)
        return new, baselined


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
        text = f"{len(self.baselined)} baselined findings remain{where} (not failing; recorded in {self.file})"
        if self.fixed:
            text += f"; {self.fixed} recorded findings are fixed, run 'docgates baseline' to drop them"
        return text


def apply_baseline(report: QualityReport, baseline: Baseline, file: str, complete: bool = True) -> BaselineOutcome:
    """Mark the report's baselined findings and return what is new.

    Baselined findings stay in the report (``"baselined": true`` in quality.json) so the debt
    stays visible; only the new ones may fail a build.
    """
    findings = report.findings()
    new, baselined = baseline.split(findings)
    report.baselined = set(baselined)
    fixed = None
    if complete:
        fixed = len(baseline) - len(baselined)
    outcome = BaselineOutcome(file=file, new=new, baselined=baselined, recorded=len(baseline), fixed=fixed)
    if baseline.counts:
        report.site["baseline"] = outcome.to_dict()
    return outcome
