"""The quality report: every page's gate results and findings, as ``quality.json``."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Iterable, Iterator

from docgates import __version__
from docgates.core.findings import Finding


def severity_counts(severities: Iterable[str]) -> dict[str, int]:
    """``{"errors": n, "warnings": m}``: the one count of findings by severity, for the build
    log, ``check``, ``linkcheck`` and quality.json's summary."""
    counts = {"errors": 0, "warnings": 0}
    for severity in severities:
        if severity == "error":
            counts["errors"] += 1
        elif severity == "warning":
            counts["warnings"] += 1
    return counts


@dataclass(slots=True)
class PageReport:
    """What the gates found out about one page; each gate fills in its part."""

    path: str
    url: str = ""
    title: str = ""
    owner: list[str] = field(default_factory=list)
    freshness_date: dt.date | None = None
    due: dt.date | None = None
    stale: bool = False
    readability: dict[str, Any] | None = None
    checklist: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    # Gate-specific additions (contract: "keys may be added"), merged into the page's JSON.
    data: dict[str, Any] = field(default_factory=dict)

    # What ``findings`` holds, for a constant-time duplicate check: a page with thousands of
    # findings (a generated 5 MB page) must not make adding them quadratic.
    # (None until the first finding: most pages have none, and an empty set is 216 bytes.)
    _seen: set[Finding] | None = field(default=None, repr=False, compare=False)

    def add(self, finding: Finding) -> None:
        if self._seen is None or len(self._seen) != len(self.findings):  # or changed directly
            self._seen = set(self.findings)
        if finding not in self._seen:
            self._seen.add(finding)
            self.findings.append(finding)

    def to_dict(self, baselined: AbstractSet[Finding] = frozenset()) -> dict[str, Any]:
        result: dict[str, Any] = {
            "path": self.path,
            "url": self.url,
            "title": self.title,
            "owner": list(self.owner),
            "freshness_date": _iso(self.freshness_date),
            "due": _iso(self.due),
            "stale": self.stale,
            "readability": self.readability,
            "checklist": self.checklist,
            "findings": [_finding_dict(f, baselined) for f in sorted(self.findings, key=_finding_order)],
        }
        for key, value in self.data.items():
            result.setdefault(key, _jsonable(value))
        return result


@dataclass
class QualityReport:
    """All pages of one build or check run, plus findings that belong to no page."""

    today: dt.date
    pages: dict[str, PageReport] = field(default_factory=dict)
    site_findings: list[Finding] = field(default_factory=list)
    # Site-wide sections (silo audit, link health, leaderboard summary, baseline...).
    site: dict[str, Any] = field(default_factory=dict)
    # Findings the committed baseline accepts (core/baseline.py): reported, never failing.
    baselined: set[Finding] = field(default_factory=set)

    def page(self, path: str) -> PageReport:
        if path not in self.pages:
            self.pages[path] = PageReport(path=path)
        return self.pages[path]

    def add(self, finding: Finding) -> None:
        """File a finding under its page (or the site when it has no path)."""
        if finding.path and finding.path in self.pages:
            self.pages[finding.path].add(finding)
        elif finding.path:
            self.page(finding.path).add(finding)
        elif finding not in self.site_findings:
            self.site_findings.append(finding)

    def findings(self) -> list[Finding]:
        """Every finding, in a stable order: site first, then by path and line."""
        result = list(self.site_findings)
        for path in sorted(self.pages):
            result.extend(self.pages[path].findings)
        return sorted(result, key=_finding_order)

    def counts(self, findings: Iterable[Finding] | None = None) -> dict[str, int]:
        return severity_counts(f.severity for f in (self.findings() if findings is None else findings))

    def to_dict(self) -> dict[str, Any]:
        return dict(self._head(), pages=[self.pages[p].to_dict(self.baselined) for p in sorted(self.pages)])

    def _head(self) -> dict[str, Any]:
        """Everything but the pages, in quality.json's key order."""
        counts = self.counts()
        return {
            "generated": self.today.isoformat(),
            "generator": f"docgates {__version__}",
            "today": self.today.isoformat(),
            "summary": {"pages": len(self.pages), **counts},
            "site": {
                "findings": [
                    dict(_finding_dict(f, self.baselined), path=f.path)
                    for f in sorted(self.site_findings, key=_finding_order)
                ],
                **{k: _jsonable(v) for k, v in sorted(self.site.items())},
            },
        }

    def iter_json(self) -> Iterator[str]:
        """quality.json's text, piece by piece: the site sections indented, then one line per
        page. Python's JSON encoder runs in C only without ``indent``, so a line per page
        writes a 2,000-page report several times faster than indenting it all, and a page's
        line is still one grep (or one diff hunk) away. No page's dict outlives its line."""
        head = json.dumps(self._head(), indent=2, ensure_ascii=False)
        yield head[: -len("\n}")]
        yield ',\n  "pages": ['
        for index, path in enumerate(sorted(self.pages)):
            line = json.dumps(self.pages[path].to_dict(self.baselined), ensure_ascii=False)
            yield ("\n    " if index == 0 else ",\n    ") + line
        yield "\n  ]\n}\n" if self.pages else "]\n}\n"

    def to_json(self) -> str:
        return "".join(self.iter_json())

    def write(self, path: str | os.PathLike[str]) -> Path:
        return write_atomic(Path(path), self.iter_json())


def write_atomic(path: Path, text: str | Iterable[str]) -> Path:
    """Write through a temporary file and rename, so readers never see half a report. The
    file gets the mode a plain write would give it: the one it had, else 0666 less the umask
    (mkstemp's 0600 would make a deployed site's quality.json unreadable to its web server)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    # Linux tells the umask without changing it; elsewhere reading it means setting it for a
    # moment, which another thread creating a file then could notice.
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _finding_dict(finding: Finding, baselined: AbstractSet[Finding]) -> dict[str, Any]:
    return dict(finding.to_dict(), baselined=finding in baselined)


def _finding_order(finding: Finding) -> tuple:
    return (finding.path, finding.line, finding.rule, finding.message)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    return value
