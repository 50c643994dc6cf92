"""One site's ``quality.json`` read into what the org view records: the site's figures and
one row per page. Anything a report holds is data, never trusted: a wrong type is skipped or
the whole report refused with the reason."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from docgates.dashboard.page import DashboardInput, dimensions, health_score

# The quality.json layout this version reads. A report says its layout with "schema"; reports
# written before that key existed are version 1.
SCHEMA_VERSION = 1


class ReportError(ValueError):
    """A report the org view cannot use; the message is the reason."""


@dataclass(slots=True)
class PageRow:
    path: str
    url: str
    title: str
    owners: list[str]
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
        health=health_score(dimensions(DashboardInput(report=data))),
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
    findings = [f for f in page.get("findings") or [] if isinstance(f, dict)] if isinstance(page.get("findings"), list) else []
    owners = page.get("owner")
    due = _date(page.get("due"))
    freshness = page.get("freshness") if isinstance(page.get("freshness"), dict) else {}
    overdue = freshness.get("days_overdue")
    if not _is_int(overdue):
        overdue = (today - dt.date.fromisoformat(due)).days if due else None
    silo = page.get("silo")
    single: bool | None = None
    if isinstance(page.get("bus_factor_one"), bool):
        single = page["bus_factor_one"]
    elif isinstance(silo, dict) and _is_int(silo.get("authors")):
        single = silo["authors"] == 1
    return PageRow(
        path=str(page.get("path") or ""),
        url=str(page.get("url") or ""),
        title=str(page.get("title") or page.get("path") or ""),
        owners=[str(o) for o in owners if isinstance(o, (str, int))] if isinstance(owners, list) else [],
        stale=page.get("stale") is True,
        due=due,
        days_overdue=overdue,
        errors=sum(f.get("severity") == "error" for f in findings),
        warnings=sum(f.get("severity") == "warning" for f in findings),
        single_author=single,
        open_actions=_count(page.get("open_actions")),
        behind_code=isinstance(page.get("code_changed"), dict),
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
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any) -> int:
    return value if _is_int(value) and value >= 0 else 0


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 20 else text[:20] + "…"
