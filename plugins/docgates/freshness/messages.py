"""The words of the freshness findings: what is wrong, who should act, and the command to
run. Commit subjects and paths reach them from git, so they are made one plain line here and
escaped further by each output."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docgates.core.git_history import Commit
    from docgates.freshness.code import CodeChange
    from docgates.freshness.model import Freshness

# Paths named in a message or banner; the rest are counted ("and 3 more").
SHOWN_PATHS = 5
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def owner_phrase(owners: list[str]) -> str:
    if not owners:
        return "no owner is known (add 'owner:' to the front matter); review the page"
    return f"owner {', '.join(owners)} should review the page"


def in_days(days: int) -> str:
    return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"


def stale_message(result: "Freshness", owners: list[str], command: str) -> str:
    if result.source == "reviewed":
        basis = f"last reviewed {result.reviewed}"
    elif result.source == "adopted":
        basis = f"no review recorded since docgates was adopted on {result.adopted}"
    else:
        basis = f"no review recorded, content last changed {result.last_changed}"
    return (
        f"review overdue by {result.days_overdue} days ({basis}; review_every "
        f"{result.interval} made it due {result.due}); {owner_phrase(owners)}, "
        f"then run '{command}'"
    )


def one_line(text: str) -> str:
    """A commit subject as one plain line (outputs escape it further for their targets)."""
    return _CONTROL.sub(" ", text).strip()


def shown_paths(paths: list[str]) -> str:
    listed = ", ".join(paths[:SHOWN_PATHS])
    more = len(paths) - SHOWN_PATHS
    return f"{listed} and {more} more" if more > 0 else listed


def behind_message(change: "CodeChange", basis: str, owner_phrase: str, command: str) -> str:
    newest = change.newest
    count = len(change.commits)
    return (
        f"the code this page documents changed after {basis} ({change.since}): {count} "
        f"commit{'s' if count != 1 else ''}, the newest {newest.sha[:7]} on {newest.date} "
        f"({one_line(newest.subject)}), changing {shown_paths(change.paths)}; {owner_phrase}, "
        f"update it if needed, then run '{command}'"
    )


def pr_message(ref: str, paths: list[str], owner_phrase: str, command: str) -> str:
    return (
        f"this change touches code the page documents ({shown_paths(paths)}) but not the page "
        f"(compared with the merge base of {ref}); {owner_phrase}, update it in this change if "
        f"needed, then run '{command}'"
    )


def where_it_went(move: "tuple[Commit, list[tuple[str, str | None]]] | None") -> str:
    """A ``CodeIndex.last_move`` as a clause for the ``freshness/code-missing`` message; ""
    when git has none."""
    if move is None:
        return ""
    commit, moved = move
    shown = [f"{old} -> {new}" if new else f"{old} (deleted)" for old, new in moved[:SHOWN_PATHS]]
    more = f" and {len(moved) - SHOWN_PATHS} more" if len(moved) > SHOWN_PATHS else ""
    renamed = any(new for _, new in moved)
    return (
        f"; git shows them {'moved' if renamed else 'deleted'} in {commit.sha[:7]} on "
        f"{commit.date} ({one_line(commit.subject)}): {', '.join(shown)}{more}"
    )


def missing_message(pattern: str, where: str) -> str:
    return (
        f"documents: {pattern!r} matches no file tracked at HEAD: the code this page describes "
        f"was moved or removed{where}; point the pattern at where the code is now, or remove it"
    )
