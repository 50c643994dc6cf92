"""The docs-day board as readers and tools see it: the generated page (through the Jinja
template ``docgates/leaderboard.html``, which a site may override), and the text, Markdown and
JSON of ``docgates leaderboard``. Emails never leave git: people are shown by their
(mailmapped) names only.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable, NamedTuple

import jinja2
from markupsafe import Markup

from docgates.core.outputs import count, markdown_text
from docgates.core.pagehtml import TABLE_SCRIPT, link
from docgates.core.templates import render
from docgates.leaderboard.bulk import BULK_LINES
from docgates.leaderboard.docsday import KINDS
from docgates.leaderboard.model import Leaderboard, Score, number

TITLE = "Docs-day leaderboard"
TEMPLATE = "docgates/leaderboard.html"

# Column headings of the score tables (the legend below them spells each out).
SHORT_LABELS = {
    "rescued": "Rescued",
    "reviewed": "Reviewed",
    "new_page": "New",
    "links_fixed": "Links fixed",
    "checklist_completed": "Checklists",
    "readability_gained": "Clearer",
    "adopted": "Adopted",
}


# Why a commit is flagged (``bulk.py``), for every rendering.
FLAGGED_WHY = f"mechanical bulk commits, each editing many pages by at most {BULK_LINES} lines"


class Kind(NamedTuple):
    id: str
    short: str  # a column heading
    label: str  # what it counts, in words


class HealthRow(NamedTuple):
    label: str
    before: int | str
    after: int | str
    change: str


def health_rows(board: Leaderboard) -> list[HealthRow]:
    before, after = board.before, board.after
    if before is None or after is None:
        return []
    rows: list[HealthRow] = []
    for key, label in (("stale", "Stale pages"), ("broken_links", "Broken links"), ("ownerless", "Ownerless pages")):
        old, new = getattr(before, key), getattr(after, key)
        if old is None or new is None:
            rows.append(HealthRow(label, "not measured", "not measured", ""))
        else:
            rows.append(HealthRow(label, old, new, _change(old, new)))
    rows.append(HealthRow("Pages", before.pages, after.pages, _change(before.pages, after.pages)))
    return rows


def _change(old: int, new: int) -> str:
    return f"{new - old:+d}" if new != old else "±0"


def earned_kinds(scores: Iterable[Score]) -> list[str]:
    """The kinds someone among ``scores`` earned: ten columns of zeros would hide the ones
    that count."""
    scores = list(scores)
    return [kind for kind in KINDS if any(s.kinds.get(kind) for s in scores)]


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def render_html(
    board: Leaderboard,
    href: Callable[[str], str | None] = lambda path: None,
    templates: jinja2.BaseLoader | None = None,
) -> str:
    """The generated page's body; ``href``: a page's URL from this page (None: no link);
    ``templates``: the site's own templates, searched before the package's."""
    return render(
        TEMPLATE,
        templates,
        title=TITLE,
        board=board,
        health=health_rows(board),
        kinds={kind: Kind(kind, SHORT_LABELS[kind], label) for kind, (_, label) in KINDS.items()},
        earned_kinds=earned_kinds,
        number=number,
        amount=_amount,
        count=count,
        flagged_why=FLAGGED_WHY,
        # pagehtml's link: only addresses a reader may follow (no javascript:) become links.
        page_link=lambda path: Markup(link(path, href(path))),
        table_script=Markup(TABLE_SCRIPT),
    )


def render_text(board: Leaderboard) -> str:
    lines = [f"{TITLE}: {board.window} ({count(board.commits, 'commit')})"]
    if board.status != "ok":
        lines.append(f"git history: {board.message}")
        if board.status != "shallow":
            return "\n".join(lines) + "\n"
    if board.awards:
        lines.append("")
        lines.append("Awards:")
        lines.extend(f"  {a.title}: {a.winner} ({_amount(a.amount)} {a.unit})" for a in board.awards)
    for title, scores in (("People", board.people), ("Teams", board.teams)):
        lines.append("")
        lines.append(f"{title}:")
        if not scores:
            lines.append("  (none)")
        width = max((len(s.name) for s in scores), default=0)
        for rank, score in enumerate(scores, start=1):
            detail = ", ".join(f"{_amount(score.kinds[k])} {KINDS[k][1]}" for k in KINDS if score.kinds.get(k))
            first = " (first contribution)" if score.first_contribution else ""
            lines.append(f"  {rank:>2}. {score.name:<{width}}  {score.points:>4} points  {detail}{first}")
    if board.flagged:
        lines.append("")
        lines.append(f"Flagged, no points ({FLAGGED_WHY}):")
        lines.extend(
            f"  {f.commit[:12]} {f.day.isoformat()} {f.author}: {count(f.pages, 'page')}, {f.subject}" for f in board.flagged
        )
    health = health_rows(board)
    if health:
        lines.append("")
        lines.append("Health before -> after:")
        lines.extend(f"  {label}: {old} -> {new} ({change})" for label, old, new, change in health)
    for kind, why in board.not_measured.items():
        lines.append(f"note: {KINDS[kind][1]} not measured: {why}")
    return "\n".join(lines) + "\n"


def render_markdown(board: Leaderboard) -> str:
    out = [f"## {TITLE}: {board.window}", "", f"{count(board.commits, 'commit')} in the window."]
    if board.status != "ok":
        out += ["", f"> git history: {markdown_text(board.message)}"]
        if board.status != "shallow":
            return "\n".join(out) + "\n"
    if board.awards:
        out += ["", "### Awards", ""]
        out += [f"- **{markdown_text(a.title)}**: {markdown_text(a.winner)} ({_amount(a.amount)} {markdown_text(a.unit)})" for a in board.awards]
    for title, label, scores in (("People", "Person", board.people), ("Owning teams", "Team", board.teams)):
        out += ["", f"### {title}", ""]
        if not scores:
            out.append("No points yet.")
            continue
        shown = earned_kinds(scores)
        out.append("| " + " | ".join(["#", label, "Points", *(SHORT_LABELS[k] for k in shown)]) + " |")
        out.append("|---:|---|---:|" + "---:|" * len(shown))
        for rank, s in enumerate(scores, start=1):
            cells = [str(rank), markdown_text(s.name), str(s.points), *(_amount(s.kinds.get(k, 0)) for k in shown)]
            out.append("| " + " | ".join(cells) + " |")
    if board.flagged:
        out += ["", "### Flagged commits", "", f"No points: {FLAGGED_WHY}.", ""]
        out += ["| Commit | Day | Person | Pages | Subject |", "|---|---|---|---:|---|"]
        out += [
            f"| `{f.commit[:12]}` | {f.day.isoformat()} | {markdown_text(f.author)} | {f.pages} | {markdown_text(f.subject)} |"
            for f in board.flagged
        ]
    health = health_rows(board)
    if health:
        out += ["", "### Health before → after", "", "| Measure | Before | After | Change |", "|---|---:|---:|---:|"]
        out += [f"| {label} | {old} | {new} | {change} |" for label, old, new, change in health]
    return "\n".join(out) + "\n"


def render_json(board: Leaderboard) -> str:
    return json.dumps(board.to_dict(), indent=2, ensure_ascii=False) + "\n"
