"""A built site's ``quality.json`` read back into the typed report, for a command that adds
to it without rebuilding (``docgates linkcheck``) and writes it again with
``QualityReport.write``. What the file says survives the round trip: each finding's
fingerprint (a gate computes it from text the file does not hold) and the keys written beside
a finding's own (``source``), so reading and writing an unchanged report gives the same file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgates.core.findings import SEVERITIES, Finding
from docgates.core.report import PageReport, QualityReport

# The page keys PageReport holds in its own fields; any other key goes to ``data``.
_PAGE_FIELDS = ("path", "url", "title", "owner", "freshness_date", "due", "stale", "readability", "checklist", "findings")
# The keys of a finding's entry that are not extras: Finding.to_dict's, and the two the report
# adds (``baselined`` is the report's set; ``path`` names a site finding's page).
_FINDING_KEYS = ("rule", "severity", "line", "message", "fingerprint", "baselined", "path")


class ReportFileError(Exception):
    """The file is missing, unreadable or not a docgates report; the message names it."""


@dataclass(frozen=True)
class RecordedFinding(Finding):
    """A finding as a report recorded it: the fingerprint the gate gave it, and the keys
    written beside the finding's own (``{"source": "linkcheck"}``)."""

    recorded_fingerprint: str = field(default="", compare=False)
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    def fingerprint(self, path: str | None = None) -> str:
        if self.recorded_fingerprint and (path is None or path == self.path):
            return self.recorded_fingerprint
        return super().fingerprint(path)

    def to_dict(self) -> dict:
        return dict(super().to_dict(), **dict(self.extra))

    def get(self, key: str) -> Any:
        """An extra key's value (None when absent)."""
        return dict(self.extra).get(key)


def read_report(path: Path) -> QualityReport:
    """The report in ``path``, its baselined findings in ``QualityReport.baselined``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ReportFileError(f"{path}: not a readable quality.json ({exc}); rebuild the site") from None
    try:
        return report_from_dict(data)
    except (TypeError, ValueError, KeyError) as exc:
        raise ReportFileError(f"{path}: not a docgates quality.json ({exc}); rebuild the site") from None


def report_from_dict(data: Any) -> QualityReport:
    """The report a ``quality.json`` holds (``ValueError``/``TypeError`` for another shape)."""
    if not isinstance(data, dict) or not isinstance(data.get("pages"), list):
        raise ValueError("expected an object with a 'pages' list")
    report = QualityReport(today=dt.date.fromisoformat(str(data.get("today") or data.get("generated"))))
    site = dict(_mapping(data.get("site", {}), "site"))
    for entry in _list(site.pop("findings", []), "site findings"):
        finding, baselined = _finding(entry, str(_mapping(entry, "a finding").get("path", "")))
        report.site_findings.append(finding)
        if baselined:
            report.baselined.add(finding)
    report.site = site
    for raw in data["pages"]:
        page = _page(_mapping(raw, "a page"))
        report.pages[page.path] = page
        for entry in _list(raw.get("findings", []), f"findings of {page.path}"):
            finding, baselined = _finding(entry, page.path)
            page.findings.append(finding)
            if baselined:
                report.baselined.add(finding)
    return report


def _page(raw: dict[str, Any]) -> PageReport:
    path = raw.get("path")
    if not isinstance(path, str):
        raise ValueError("a page without a 'path' text")
    owner = raw.get("owner") or []
    return PageReport(
        path=path,
        url=str(raw.get("url") or ""),
        title=str(raw.get("title") or ""),
        owner=[str(o) for o in _list(owner, f"owner of {path}")],
        freshness_date=_date(raw.get("freshness_date")),
        due=_date(raw.get("due")),
        stale=bool(raw.get("stale")),
        readability=raw.get("readability"),
        checklist=raw.get("checklist"),
        data={key: value for key, value in raw.items() if key not in _PAGE_FIELDS},
    )


def _finding(entry: Any, path: str) -> tuple[RecordedFinding, bool]:
    entry = _mapping(entry, "a finding")
    severity, line = entry.get("severity"), entry.get("line", 0)
    if severity not in SEVERITIES or not isinstance(line, int) or isinstance(line, bool):
        raise ValueError(f"a finding of {path or 'the site'} without a severity or line")
    finding = RecordedFinding(
        str(entry.get("rule", "")), severity, path, line, str(entry.get("message", "")),
        recorded_fingerprint=str(entry.get("fingerprint") or ""),
        extra=tuple((key, value) for key, value in entry.items() if key not in _FINDING_KEYS),
    )
    return finding, entry.get("baselined") is True


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{what} is not a list")
    return value
