"""``docgates stale [--owner O] [--within N] [--format text|json|markdown]``.

Stale and soon-due pages grouped by owner, most overdue first, and beside them the pages behind
the code they document (``freshness/code-changed``). Runs the same ownership and
freshness gates as the build (so owners and dates are exactly what the build would say);
the markdown output is ready to paste into a chat digest or an issue.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any

from docgates.core import outputs
from docgates.cli.main import UsageError

NO_OWNER = "(no owner)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--owner", action="append", metavar="O", help="only pages of this owner (repeatable; '@' optional)")
    parser.add_argument(
        "--within", type=int, metavar="N",
        help="also list pages due within N days (default: the plugin's warn_within)",
    )
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="output format")


@dataclass
class DuePage:
    path: str
    file: str
    url: str
    title: str
    owners: list[str]
    due: str
    days_overdue: int
    freshness_date: str | None
    source: str | None
    review_every: str | None
    command: str
    # {"date", "commits", "paths"} when the code the page documents changed after its review.
    code_changed: dict[str, Any] | None = None
    # Due within the window; False for a page listed only because it is behind its code.
    due_soon: bool = True

    @property
    def status(self) -> str:
        if self.days_overdue > 0:
            return "stale"
        return "due-soon" if self.due_soon else "behind-code"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "file": self.file, "url": self.url, "title": self.title,
            "owners": self.owners, "status": self.status, "due": self.due,
            "days_overdue": self.days_overdue, "freshness_date": self.freshness_date,
            "source": self.source, "review_every": self.review_every, "command": self.command,
            "code_changed": self.code_changed,
        }


@dataclass
class OwnerGroup:
    owner: str
    pages: list[DuePage] = field(default_factory=list)


def run(args: argparse.Namespace) -> int:
    from docgates.engines.mkdocs.headless import ProjectError, run_headless

    if args.within is not None and args.within < 0:
        raise UsageError("--within: expected a number of days, 0 or more")
    try:
        result = run_headless(args.config_file, gates=("ownership", "freshness"))
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # a plugin error (bad option...) is a configuration error
        if type(exc).__name__ in ("PluginError", "ConfigurationError", "Abort"):
            raise UsageError(str(exc)) from None
        raise
    gate = next((g for g in result.session.gates if g.name == "freshness"), None)
    if gate is None:
        raise UsageError("docgates/freshness is not enabled in mkdocs.yml; add it under plugins")
    site = result.session.site
    assert site is not None
    within = gate.warn_within if args.within is None else args.within
    site_url = str(result.session.config.site_url or "")
    pages = _due_pages(gate, result.report, within, site_url)
    if args.owner:
        wanted = {_norm(o) for o in args.owner}
        pages = [p for p in pages if wanted & {_norm(o) for o in (p.owners or [NO_OWNER])}]
    groups = group_by_owner(pages, only={_norm(o) for o in args.owner} if args.owner else None)
    for finding in result.report.site_findings:
        if finding.rule == "freshness/unknown":
            print(f"docgates stale: warning: {outputs.terminal_text(finding.message)}", file=sys.stderr)
    today = site.today.isoformat()
    if args.format == "json":
        sys.stdout.write(outputs.dumps({
            "today": today,
            "within": within,
            "stale": sum(p.status == "stale" for p in pages),
            "due_soon": sum(p.status == "due-soon" for p in pages),
            "behind_code": sum(p.code_changed is not None for p in pages),
            "owners": [{"owner": g.owner, "pages": [p.to_dict() for p in g.pages]} for g in groups],
        }))
    elif args.format == "markdown":
        sys.stdout.write(format_markdown(groups, pages, today, within))
    else:
        sys.stdout.write(format_text(groups, pages, within))
    return 0


def _due_pages(gate: Any, report: Any, within: int, site_url: str) -> list[DuePage]:
    pages: list[DuePage] = []
    for path, fresh in gate.results.items():
        page = report.pages.get(path)
        code_changed = page.data.get("code_changed") if page else None
        if not fresh.judged or fresh.days_overdue is None:
            continue
        due_soon = fresh.days_overdue >= -within
        if not due_soon and code_changed is None:
            continue
        view = gate.views.get(path)
        url = page.url if page else ""
        pages.append(DuePage(
            path=path,
            file=view.command.removeprefix("docgates review ") if view else path,
            url=(site_url.rstrip("/") + "/" + url) if site_url else url,
            title=(page.title if page else "") or path,
            owners=list(view.owners if view else []),
            due=fresh.due.isoformat(),
            days_overdue=fresh.days_overdue,
            freshness_date=fresh.date.isoformat() if fresh.date else None,
            source=fresh.source,
            review_every=str(fresh.interval) if fresh.interval else None,
            command=view.command if view else f"docgates review {path}",
            code_changed=code_changed,
            due_soon=due_soon,
        ))
    return pages


def group_by_owner(pages: list[DuePage], only: set[str] | None = None) -> list[OwnerGroup]:
    """One group per owner (a page with two owners is in both), most overdue page first;
    groups ordered by their most overdue page, then by name."""
    groups: dict[str, OwnerGroup] = {}
    for page in pages:
        for owner in page.owners or [NO_OWNER]:
            if only is not None and _norm(owner) not in only:
                continue
            groups.setdefault(owner, OwnerGroup(owner)).pages.append(page)
    for group in groups.values():
        group.pages.sort(key=lambda p: (-p.days_overdue, p.path))
    return sorted(groups.values(), key=lambda g: (-g.pages[0].days_overdue, g.owner == NO_OWNER, g.owner.casefold()))


def _norm(owner: str) -> str:
    return owner.strip().lstrip("@").casefold()


def _when(page: DuePage) -> str:
    if page.status == "behind-code":
        return "behind its code"
    if page.days_overdue > 0:
        return f"{page.days_overdue} day{'s' if page.days_overdue != 1 else ''} overdue"
    if page.days_overdue == 0:
        return "due today"
    left = -page.days_overdue
    return f"due in {left} day{'s' if left != 1 else ''}"


def _summary(pages: list[DuePage], within: int) -> str:
    stale = sum(p.status == "stale" for p in pages)
    soon = sum(p.status == "due-soon" for p in pages)
    behind = sum(p.code_changed is not None for p in pages)
    text = f"{stale} stale page{'s' if stale != 1 else ''}, {soon} due within {within} days"
    return text + (f", {behind} behind the code they document" if behind else "")


def _code_note(page: DuePage) -> str:
    """"code changed 2026-06-03 (2 commits): a.py, b.py" for a page behind its code."""
    change = page.code_changed
    if not change:
        return ""
    commits = change.get("commits") or 0
    paths = list(change.get("paths") or [])
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"code changed {change.get('date')} ({commits} commit{'s' if commits != 1 else ''}): {shown}"


def format_text(groups: list[OwnerGroup], pages: list[DuePage], within: int) -> str:
    if not pages:
        return f"No pages are stale or due within {within} days.\n"
    out: list[str] = []
    for group in groups:
        out.append(f"{group.owner} ({len(group.pages)} page{'s' if len(group.pages) != 1 else ''})")
        for page in group.pages:
            out.append(f"  {_when(page):<20} {page.file}  (due {page.due})  {page.title}")
            if page.code_changed:
                out.append(f"  {'':<20} {_code_note(page)}")
        out.append("")
    out.append(_summary(pages, within) + "; record a review with: docgates review PATH")
    return "".join(outputs.terminal_text(line) + "\n" for line in out)


def format_markdown(groups: list[OwnerGroup], pages: list[DuePage], today: str, within: int) -> str:
    out = [f"## Docs due for review ({today})", ""]
    if not pages:
        out.append(f"Nothing is stale or due within {within} days.")
        return "\n".join(out) + "\n"
    out += [_summary(pages, within) + ".", ""]
    for group in groups:
        out += [f"### {outputs.markdown_text(group.owner)} ({len(group.pages)})", ""]
        out += ["| Page | Status | Due | Record the review |", "|---|---|---|---|"]
        for page in group.pages:
            label = outputs.markdown_text(page.title)
            link = f"[{label}]({page.url.replace(')', '%29').replace(' ', '%20')})" if page.url else label
            status = f"**{_when(page)}**" if page.status == "stale" else _when(page)
            if page.code_changed:
                status += f"<br>{outputs.markdown_text(_code_note(page))}"
            command = outputs.markdown_text(page.command)
            out.append(f"| {link} | {status} | {page.due} | <code>{command}</code> |")
        out.append("")
    return "\n".join(out)
