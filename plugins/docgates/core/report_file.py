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


def report_from_dict(data: Any, untrusted: bool = False) -> QualityReport:
    """The report a ``quality.json`` holds (``ValueError``/``TypeError`` for another shape).

    ``untrusted``: another site's report (the org view) or a sparse one, read as data that
    never raises: a value of the wrong type counts as missing, an entry that is not an object
    is skipped, a severity other than ``error`` is a warning, and a report without a date gets
    ``date.min`` (the dashboard reads its day from the build, not the report)."""
    if untrusted and not isinstance(data, dict):
        data = {}
    elif not untrusted and (not isinstance(data, dict) or not isinstance(data.get("pages"), list)):
        raise ValueError("expected an object with a 'pages' list")
    today = _date(data.get("today"), untrusted) or _date(data.get("generated"), untrusted)
    if today is None and not untrusted:
        raise ValueError("no 'today' date")
    report = QualityReport(today=today or dt.date.min)
    site = dict(_mapping(data.get("site", {}), "site", untrusted))
    for entry in _list(site.pop("findings", []), "site findings", untrusted):
        read = _finding(entry, None, untrusted)
        if read is not None:
            report.site_findings.append(read[0])
            if read[1]:
                report.baselined.add(read[0])
    report.site = site
    for raw in _list(data.get("pages"), "pages", untrusted):
        if untrusted and not isinstance(raw, dict):
            continue
        page = _page(_mapping(raw, "a page", untrusted), untrusted)
        report.pages[page.path] = page
        for entry in _list(raw.get("findings", []), f"findings of {page.path}", untrusted):
            read = _finding(entry, page.path, untrusted)
            if read is not None:
                page.findings.append(read[0])
                if read[1]:
                    report.baselined.add(read[0])
    return report


def _page(raw: dict[str, Any], untrusted: bool) -> PageReport:
    path = raw.get("path")
    if not isinstance(path, str):
        if not untrusted:
            raise ValueError("a page without a 'path' text")
        path = "" if path is None else str(path)
    owner = raw.get("owner") or []
    return PageReport(
        path=path,
        url=str(raw.get("url") or ""),
        title=str(raw.get("title") or ""),
        owner=[str(o) for o in _list(owner, f"owner of {path}", untrusted)],
        freshness_date=_date(raw.get("freshness_date"), untrusted),
        due=_date(raw.get("due"), untrusted),
        stale=bool(raw.get("stale")),
        readability=raw.get("readability"),
        checklist=raw.get("checklist"),
        data={key: value for key, value in raw.items() if key not in _PAGE_FIELDS},
    )


def _finding(entry: Any, page_path: str | None, untrusted: bool) -> tuple[RecordedFinding, bool] | None:
    """The finding and whether it is baselined; None for an untrusted entry that is not one.
    A site finding (``page_path`` None) names its page in the entry's ``path``."""
    if untrusted and not isinstance(entry, dict):
        return None
    entry = _mapping(entry, "a finding", untrusted)
    path = page_path if page_path is not None else str(entry.get("path", ""))
    severity, line = entry.get("severity"), entry.get("line", 0)
    line_ok = isinstance(line, int) and not isinstance(line, bool)
    if untrusted:
        severity, line = ("error" if severity == "error" else "warning"), (line if line_ok else 0)
    elif severity not in SEVERITIES or not line_ok:
        raise ValueError(f"a finding of {path or 'the site'} without a severity or line")
    finding = RecordedFinding(
        str(entry.get("rule", "")), severity, path, line, str(entry.get("message", "")),
        recorded_fingerprint=str(entry.get("fingerprint") or ""),
        extra=tuple((key, value) for key, value in entry.items() if key not in _FINDING_KEYS),
    )
    return finding, entry.get("baselined") is True


def _date(value: Any, untrusted: bool = False) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        if untrusted:
            return None
        raise


def _mapping(value: Any, what: str, untrusted: bool = False) -> dict[str, Any]:
    if not isinstance(value, dict):
        if untrusted:
            return {}
        raise TypeError(f"{what} is not an object")
    return value


def _list(value: Any, what: str, untrusted: bool = False) -> list[Any]:
    if not isinstance(value, list):
        if untrusted:
            return []
        raise TypeError(f"{what} is not a list")
    return value
