"""Review reminders routed to owners: one message per owner from the stale digest.

A GitHub issue payload carries a marker in its body that depends only on the owner, so a
scheduled job finds the owner's open reminder and edits it instead of opening another; the
same inputs give byte-identical payloads. Everything from pages and owners is escaped for
GitHub's Markdown (no mention, no reference, no markup), and the title is plain text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Iterable

from docgates.freshness.digest import NO_OWNER, DuePage, OwnerGroup
from docgates.core import outputs

MARKER_PREFIX = "docgates-remind"
DEFAULT_LABELS = ("docs-review",)
# GitHub user names: letters, digits and single hyphens, at most 39 characters.
_GITHUB_USER = re.compile(r"@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass
class SiteDuePage(DuePage):
    """A due page of one site of the org (the org database knows which site it is on)."""

    site: str = ""


def marker(owner: str) -> str:
    digest = hashlib.sha256(owner.strip().lstrip("@").casefold().encode("utf-8")).hexdigest()[:16]
    return f"<!-- {MARKER_PREFIX} owner={digest} -->"


def assignees(owner: str, teams: set[str]) -> list[str]:
    """A person's GitHub handle; teams (registered in a registry, or org/team) are not assignable."""
    match = _GITHUB_USER.fullmatch(owner.strip())
    if not match or owner.strip().casefold() in teams:
        return []
    return [match.group(1)]


def title(owner: str) -> str:
    # Titles are plain text on GitHub; only controls (and length) need taming.
    name = _CONTROLS.sub(" ", owner).strip() or NO_OWNER
    return f"Docs due for review: {name[:120]}"


def _when(page: DuePage) -> str:
    if page.days_overdue > 0:
        return f"{page.days_overdue} day{'s' if page.days_overdue != 1 else ''} overdue"
    if page.days_overdue == 0:
        return "due today"
    return f"due in {-page.days_overdue} day{'s' if page.days_overdue != -1 else ''}"


def body(group: OwnerGroup, today: str, within: int) -> str:
    stale = sum(p.days_overdue > 0 for p in group.pages)
    by_site = any(getattr(p, "site", "") for p in group.pages)
    lines = [
        marker(group.owner),
        f"Pages owned by {outputs.markdown_text(group.owner)} that are stale or due within {within} days, "
        f"as of {today}: {stale} stale, {len(group.pages) - stale} due soon.",
        "",
        ("| Site | Page | Status | Due | Record the review |" if by_site else "| Page | Status | Due | Record the review |"),
        ("|---|---|---|---|---|" if by_site else "|---|---|---|---|"),
    ]
    for page in group.pages:
        label = outputs.markdown_text(page.title)
        cell = f"[{label}]({_markdown_url(page.url)})" if page.url.startswith(("http://", "https://")) else label
        status = f"**{_when(page)}**" if page.days_overdue > 0 else _when(page)
        row = [cell, status, page.due, f"<code>{outputs.markdown_text(page.command)}</code>"]
        if by_site:
            row.insert(0, outputs.markdown_text(getattr(page, "site", "")))
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "Review each page, then record the review in the page's repository with the command shown: "
        "it sets `reviewed` in the front matter. This issue is updated by the scheduled "
        "`docgates remind` job; close it when the list is done.",
        "",
    ]
    return "\n".join(lines)


def _markdown_url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def github_issues(groups: Iterable[OwnerGroup], today: str, within: int, teams: set[str],
                  labels: Iterable[str] = DEFAULT_LABELS) -> list[dict[str, Any]]:
    """One ``gh issue create``/``edit`` payload per owner, in the digest's order."""
    return [
        {
            "owner": group.owner,
            "marker": marker(group.owner),
            "title": title(group.owner),
            "body": body(group, today, within),
            "labels": sorted(set(labels)),
            "assignees": assignees(group.owner, teams) if group.owner != NO_OWNER else [],
        }
        for group in groups
    ]


def markdown(groups: list[OwnerGroup], today: str, within: int) -> str:
    """One chat message per owner, separated by a rule."""
    if not groups:
        return f"Nothing is stale or due within {within} days ({today}).\n"
    messages = []
    for group in groups:
        text = body(group, today, within).split("\n", 1)[1]  # the marker is for issues only
        messages.append(f"### {outputs.markdown_text(group.owner)}\n\n{text}")
    return "\n---\n\n".join(messages)
