"""One site's ``quality.json`` read into what the org view records: the site's figures and
one row per page. Anything a report holds is data, never trusted: a wrong type is skipped or
the whole report refused with the reason.

The health score comes from the dashboard's typed view of the report
(``core/report_file.report_from_dict`` with ``untrusted``, as the dashboard reads any report
it is handed). The rest stays here on purpose: the body is fetched bytes, not a file (its own
size cap in ``sources.py``, and messages for bytes that are not UTF-8 or JSON), the schema
version is checked before anything is read, and a page row needs only counts and a few
fields, read with plain lookups because it runs for every page of every site."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from docgates.core.report_file import report_from_dict
from docgates.dashboard.inputs import DashboardInput
from docgates.dashboard.measures import dimensions, health_score

# The quality.json layout this version reads. A report says its layout with "schema"; reports
# written before that key existed are version 1.
SCHEMA_VERSION = 1
_JSON_SPECIAL = frozenset('"\\')


class ReportError(ValueError):
    """A report the org view cannot use; the message is the reason."""


class PageRow(NamedTuple):
    """One page as the org database stores it (the columns of its ``pages`` table)."""

    path: str
    url: str
    title: str
    owners: str  # a JSON list
    stale: bool
    due: str | None
    days_overdue: int | None
    errors: int
    warnings: int
    single_author: bool | None
    open_actions: int
    behind_code: bool


@dataclass(slots=True)
class Contribution:
    """One scored docs-day event of a site's board (names only: boards never carry emails)."""

    author: str
    day: str
    kind: str
    points: int
    amount: float


@dataclass
class SiteReport:
    generated: str
    today: str
    pages: int
    errors: int
    warnings: int
    health: float | None
    rows: list[PageRow] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    # Handles the site's ownership registry lists (teams, never assignable people).
    teams: set[str] = field(default_factory=set)


def parse_report(body: bytes) -> SiteReport:
    try:
        data = json.loads(body)
    except UnicodeDecodeError as exc:
        raise ReportError(f"not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ReportError("not a docgates report (nested too deeply)") from None
    if not isinstance(data, dict) or not isinstance(data.get("pages"), list) or not isinstance(data.get("summary"), dict):
        raise ReportError("not a docgates quality.json (no 'summary' and 'pages'); point at the site's quality.json")
    schema = data.get("schema", 1)
    if schema != SCHEMA_VERSION:
        raise ReportError(f"schema version {_short(schema)}; this docgates reads version {SCHEMA_VERSION}: "
                          "build the site and run docgates org with the same docgates version")
    today = _date(data.get("today")) or _date(data.get("generated"))
    if today is None:
        raise ReportError("no 'today' date (YYYY-MM-DD); not a quality.json written by docgates")
    pages = [p for p in data["pages"] if isinstance(p, dict)]
    site = data.get("site") if isinstance(data.get("site"), dict) else {}
    summary = data["summary"]
    report = SiteReport(
        generated=_date(data.get("generated")) or today,
        today=today,
        pages=len(pages),
        errors=_count(summary.get("errors")),
        warnings=_count(summary.get("warnings")),
        health=health_score(dimensions(DashboardInput(report=report_from_dict(data, untrusted=True)))),
    )
    today_date = dt.date.fromisoformat(today)
    report.rows = [_row(page, today_date) for page in pages]
    report.contributions = _contributions(site.get("leaderboard"))
    ownership = site.get("ownership")
    owners = ownership.get("owners") if isinstance(ownership, dict) else None
    if isinstance(owners, dict):
        report.teams = {str(h) for h, v in owners.items() if isinstance(v, dict) and v.get("registered") is True}
    return report


def _row(page: dict[str, Any], today: dt.date) -> PageRow:
    # Run for every page of every site (a million per org run): plain lookups, no helpers
    # that allocate per call.
    get = page.get
    errors = warnings = 0
    findings = get("findings")
    if type(findings) is list:
        for finding in findings:
            if type(finding) is dict:
                severity = finding.get("severity")
                errors += severity == "error"
                warnings += severity == "warning"
    owners = get("owner")
    if type(owners) is not list or not owners:
        owners_json = "[]"
    elif len(owners) == 1 and type(owners[0]) is str and owners[0].isprintable() and not _JSON_SPECIAL & set(owners[0]):
        owners_json = f'["{owners[0]}"]'  # what json.dumps gives, at a tenth of its cost
    else:
        owners_json = json.dumps(list(dict.fromkeys(o for o in owners if type(o) is str)), ensure_ascii=False)
    due = _date(get("due"))
    freshness = get("freshness")
    overdue = freshness.get("days_overdue") if type(freshness) is dict else None
    if type(overdue) is not int:
        overdue = (today - dt.date.fromisoformat(due)).days if due else None
    single = get("bus_factor_one")
    if type(single) is not bool:
        silo = get("silo")
        authors = silo.get("authors") if type(silo) is dict else None
        single = authors == 1 if type(authors) is int else None
    actions = get("open_actions")
    path = get("path")
    path = path if type(path) is str else ""
    title = get("title")
    url = get("url")
    return PageRow(
        path, url if type(url) is str else "", title if type(title) is str and title else path, owners_json,
        get("stale") is True, due, overdue, errors, warnings, single,
        actions if type(actions) is int and actions > 0 else 0, type(get("code_changed")) is dict,
    )


def _contributions(board: Any) -> list[Contribution]:
    if not isinstance(board, dict) or not isinstance(board.get("contributions"), list):
        return []
    result = []
    for item in board["contributions"]:
        if not isinstance(item, dict):
            continue
        day = _date(item.get("day"))
        author = item.get("author")
        amount = item.get("amount", 1)
        if day and isinstance(author, str) and author.strip() and _is_int(item.get("points")) \
                and isinstance(amount, (int, float)) and not isinstance(amount, bool):
            result.append(Contribution(author.strip(), day, str(item.get("kind") or ""), item["points"], float(amount)))
    return result


def _date(value: Any) -> str | None:
    """``YYYY-MM-DD`` (the start of a longer ISO text), else None."""
    if type(value) is not str:
        return None
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return value[:10]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any) -> int:
    return value if _is_int(value) and value >= 0 else 0


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 20 else text[:20] + "…"
