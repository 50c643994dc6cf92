"""A page against its definition of done: every item of a checklist, ticked or not.

Engine-neutral and free of site state: the checklist gate feeds it each typed page, and the
docs-day probes score pages of past commits with it. What to fix is worded here, so every
caller tells the author the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from docgates.checklist.model import Checklist, FieldRule
from docgates.core.dates import DateError, parse_date
from docgates.core.frontmatter import PageSource
from docgates.core.markdown_outline import Outline, source_lines

# An ATX heading line, or a setext heading's underline: structure, not content.
_SUBHEADING = re.compile(r"#{1,6}(?:[ \t]|$)|-+$|=+$")
# Front matter values that count as "not filled in".
_EMPTY = (None, "", [], {})


@dataclass(frozen=True)
class Item:
    """One line of a definition of done, ticked or not."""

    label: str
    done: bool
    # The line to fix when not done.
    line: int
    # What to do, for the finding's message (empty when done).
    todo: str = ""
    kind: str = "section"


@dataclass
class Evaluation:
    checklist: Checklist
    items: list[Item] = field(default_factory=list)
    template: bool = False
    actions: dict[str, int] | None = None

    @property
    def done(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def missing(self) -> list[Item]:
        return [item for item in self.items if not item.done]

    def to_dict(self, template_url: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {
            "done": self.done,
            "total": len(self.items),
            "missing": [item.label for item in self.missing],
            "type": self.checklist.type,
            "label": self.checklist.label,
            "complete": not self.missing,
            "items": [{"item": item.label, "done": item.done} for item in self.items],
        }
        if self.template:
            result["template_for"] = self.checklist.type
        # Always present, None without a template page: the partial links only to a URL, and a
        # missing key would be Jinja's Undefined, which "is not none" (a link to the home page).
        result["template_url"] = template_url
        return result


# Finds the page a front matter value points to: (docs-relative path or None, its type or None).
PageFinder = Callable[[str, str], "tuple[str | None, str | None]"]


def evaluate(
    checklist: Checklist,
    source: PageSource,
    page_outline: Outline,
    today: dt.date,
    find_page: PageFinder | None = None,
    template: bool = False,
) -> Evaluation:
    """Every item of ``checklist`` for one page, ticked or not."""
    result = Evaluation(checklist, template=template)
    heading_line = page_outline.h1.line if page_outline.h1 else source.body_line
    if not template:
        result.items.extend(_field_items(checklist, source, find_page))
    # A template's sections are headings to copy; a page's must also say something.
    result.items.extend(_section_items(checklist, page_outline, heading_line, None if template else source))
    if checklist.open_tasks and not template:
        items, actions = _task_items(checklist, source, page_outline, today, heading_line)
        result.items.extend(items)
        result.actions = actions
    if checklist.min_words and not template:
        words = page_outline.words
        result.items.append(Item(
            f"At least {checklist.min_words} words",
            words >= checklist.min_words,
            heading_line,
            f"write at least {checklist.min_words} words (the page has {words})",
            "min_words",
        ))
    if checklist.min_links and not template:
        links = sum(link.internal for link in page_outline.links)
        wanted = checklist.min_links
        result.items.append(Item(
            f"At least {wanted} link{'s' if wanted > 1 else ''} to related pages",
            links >= wanted,
            heading_line,
            f"link at least {wanted} related page{'s' if wanted > 1 else ''} of this site (the page links {links})",
            "min_links",
        ))
    return result


def _field_items(checklist: Checklist, source: PageSource, find_page: PageFinder | None) -> list[Item]:
    meta = source.meta
    names = list(checklist.required_fields)
    names += [key for key in checklist.fields if key not in names]
    items: list[Item] = []
    for key in names:
        rule = checklist.rule_for(key)
        value = meta.get(key)
        required = key in checklist.required_fields or any(
            _same(meta.get(other), wanted) for other, wanted in rule.required_when
        )
        present = key in meta and value not in _EMPTY
        if not present and not required:
            continue
        label = _field_label(rule)
        if not present:
            why = ""
            if key not in checklist.required_fields:
                why = " (" + ", ".join(f"{k} is {v}" for k, v in rule.required_when) + ")"
            example = f" ({rule.hint})" if rule.hint else (f" ({_shape(rule)})" if _shape(rule) else "")
            if key in meta:
                todo, line = f"fill in '{key}:' in the front matter{why}{example}", source.line_of(key)
            else:
                todo, line = f"add '{key}:' to the front matter{why}{example}", 1
            items.append(Item(label, False, line, todo, "field"))
            continue
        problem = _field_problem(rule, value, source.path, find_page)
        items.append(Item(label, not problem, source.line_of(key), f"{key}: {problem}" if problem else "", "field"))
    return items


def _field_label(rule: FieldRule) -> str:
    shape = _shape(rule)
    return f"Front matter '{rule.name}'" + (f" ({shape})" if shape else "")


def _shape(rule: FieldRule) -> str:
    if rule.allowed:
        return "one of " + ", ".join(rule.allowed)
    if rule.date:
        return "a date, YYYY-MM-DD"
    if rule.is_list:
        return "a list"
    if rule.page_of_type:
        return f"path of an existing {rule.page_of_type} page"
    return ""


def _same(value: Any, wanted: str) -> bool:
    return value is not None and str(value).strip().casefold() == wanted.casefold()


def _field_problem(rule: FieldRule, value: Any, page_path: str, find_page: PageFinder | None) -> str:
    if rule.allowed and not any(_same(value, allowed) for allowed in rule.allowed):
        return f"{_show(value)} is not allowed; use one of {', '.join(rule.allowed)}"
    if rule.date:
        try:
            parse_date(value)
        except DateError as exc:
            return str(exc)
    if rule.is_list:
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
            return f"expected a list of short texts such as [deploy-pipeline, alerting], got {_show(value)}"
    if rule.page_of_type and find_page is not None:
        if not isinstance(value, str):
            return f"expected the path of a {rule.page_of_type} page, got {_show(value)}"
        target, target_type = find_page(page_path, value)
        if target is None:
            return f"{value} is not a page of this site; write the path of the {rule.page_of_type} page, e.g. 0007-new-decision.md"
        if target == page_path:
            return "points to this page itself; name the page that replaces this one"
        if target_type != rule.page_of_type:
            return f"{target} is not a {rule.page_of_type} page (its type is {target_type or 'not set'})"
    return ""


def _section_items(
    checklist: Checklist, page_outline: Outline, heading_line: int, source: PageSource | None
) -> list[Item]:
    """One item per required section: present and, for pages (``source`` given), not empty."""
    items: list[Item] = []
    # A missing section is reported at the section it should follow, where the author adds it.
    anchor_line = heading_line
    for spellings in checklist.required_sections:
        found = next((h for name in spellings if (h := page_outline.section(name))), None)
        if found:
            anchor_line = found.line
            filled = source is None or _section_has_content(source, page_outline, found.line)
            todo = "" if filled else f"write the '{found.text}' section: it has a heading and nothing under it"
            items.append(Item(f"Section '{spellings[0]}'", filled, found.line, todo))
        else:
            items.append(Item(f"Section '{spellings[0]}'", False, anchor_line, f"add a '## {spellings[0]}' section"))
    return items


def _section_has_content(source: PageSource, page_outline: Outline, line: int) -> bool:
    """Whether the H2 at ``line`` has anything under it before the next H1 or H2: text, a list,
    a table, code. Sub-headings and HTML comments (a template's hints) are not content."""
    end = next((h.line for h in page_outline.headings if h.line > line and h.level <= 2), None)
    for index, text in source_lines(source.body):
        number = source.body_line + index
        if number <= line:
            continue
        if end is not None and number >= end:
            break
        if text is None:  # a fenced code block
            return True
        stripped = text.strip()
        if stripped and not _SUBHEADING.match(stripped):
            return True
    return False


def _task_items(
    checklist: Checklist, source: PageSource, page_outline: Outline, today: dt.date, heading_line: int
) -> tuple[list[Item], dict[str, int]]:
    rule = checklist.open_tasks
    assert rule is not None
    tasks = page_outline.tasks_in(rule.section)
    section = page_outline.section(rule.section)
    section_line = section.line if section else heading_line
    open_tasks = [t for t in tasks if not t.done]
    items: list[Item] = []
    if rule.min:
        label = f"At least {rule.min} task{'s' if rule.min > 1 else ''} in '{rule.section}'"
        items.append(Item(
            label,
            len(tasks) >= rule.min,
            section_line,
            f"list the {rule.section.lower()} as tasks ('- [ ] who does what') under '## {rule.section}'",
            "open_tasks",
        ))
    overdue: list[tuple[int, str]] = []
    if rule.max_open_days is not None and rule.since_field:
        start = _date_or_none(source.meta.get(rule.since_field))
        for task in open_tasks:
            due = _date_or_none(task.due) or (start + dt.timedelta(days=rule.max_open_days) if start else None)
            if due is not None and today > due:
                overdue.append((task.line, task.text))
        label = f"No open task in '{rule.section}' overdue ({rule.max_open_days} days after {rule.since_field}, or its own 'due YYYY-MM-DD')"
        first = overdue[0] if overdue else (section_line, "")
        todo = (
            f"{len(overdue)} open task{'s are' if len(overdue) > 1 else ' is'} overdue in '{rule.section}' "
            f"(\"{_clip(first[1])}\"); close {'them' if len(overdue) > 1 else 'it'} or give "
            "each a new 'due YYYY-MM-DD'"
        )
        items.append(Item(label, not overdue, first[0], todo if overdue else "", "open_tasks"))
    actions = {"actions": len(tasks), "open_actions": len(open_tasks), "overdue_actions": len(overdue)}
    return items, actions


def _date_or_none(value: Any) -> dt.date | None:
    if value in _EMPTY:
        return None
    try:
        return parse_date(value)
    except DateError:
        return None


def _show(value: Any) -> str:
    text = f"'{value}'" if isinstance(value, str) else repr(value)
    return _clip(text)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def factor_tags(value: Any) -> list[str]:
    """A post-mortem's ``contributing_factors`` as tags to count and group by: white space
    folded and case folded ("DNS " and "dns" are one factor); anything but a list of texts or
    numbers, and empty entries, are no factors."""
    if not isinstance(value, list):
        return []
    return [" ".join(str(v).split()).casefold() for v in value if isinstance(v, (str, int)) and str(v).strip()]
