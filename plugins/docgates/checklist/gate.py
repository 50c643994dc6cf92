"""The checklist gate: a definition of done per page ``type``, evaluated and reported.

A page with ``type: adr`` is checked against the ``adr`` checklist (``checklist_config``).
Every missing item of a page is listed in ONE ``checklist/incomplete`` finding, at the line
of the first thing to fix. A page whose type has no checklist gets ``checklist/unknown-type``.

Template pages (``docs/templates/adr.md``) say ``template_for: adr`` instead of ``type: adr``:
they are exempt from the fields and task rules (their values are placeholders) but must have
every required section, since ``docgates new`` copies them.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from docgates.checklist.config import Checklist, FieldRule, load_checklists
from docgates.core.dates import DateError, parse_date
from docgates.core.findings import Finding
from docgates.core.frontmatter import PageSource, parse_page
from docgates.core.gate import Gate, PageInput, SiteContext
from docgates.core.markdown_outline import Outline, outline, source_lines
from docgates.core.report import PageReport

TEMPLATE_KEY = "template_for"
INCOMPLETE = "checklist/incomplete"
UNKNOWN_TYPE = "checklist/unknown-type"
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


class ChecklistGate(Gate):
    name = "checklist"
    rules = (INCOMPLETE, UNKNOWN_TYPE)
    partial = "docgates/checklist.html"
    stylesheet = "checklist.css"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.checklists = load_checklists(self.options.get("checklists"), self.options.get("checklists_display"))
        self.templates_dir = str(self.options.get("templates_dir") or "templates").strip("/")
        self.show_commands = self.options.get("show_commands", True) is not False
        self._pages: dict[str, tuple[PageSource, Outline, str | None, bool]] = {}

    def begin(self, site: SiteContext) -> None:
        self._pages = {}

    def check_source(self, page: PageInput, report: PageReport, site: SiteContext) -> None:
        source = page.source
        if not source.front_matter_valid:
            return
        template_for = source.meta.get(TEMPLATE_KEY)
        if template_for is not None:
            if not isinstance(template_for, str) or not template_for.strip():
                site.add(site.finding(
                    UNKNOWN_TYPE, source.path, source.line_of(TEMPLATE_KEY),
                    f"{TEMPLATE_KEY}: expected the page type this page is the template of, e.g. adr",
                ))
                return
            page_type, is_template = template_for.strip().lower(), True
        elif source.type is not None:
            page_type, is_template = source.type, False
        else:
            return
        self._pages[source.path] = (source, outline(source.body, source.body_line), page_type, is_template)

    def release(self, site: SiteContext) -> None:
        self._pages = {}

    def page_view(self, path: str, site: SiteContext) -> dict[str, bool] | None:
        # Only a site that hides maintainer commands needs a view: the partial reads the report.
        return None if self.show_commands else {"show_commands": False}

    def finish(self, site: SiteContext) -> None:
        summary = _SiteSummary()
        find_page = self._page_finder(site)
        for path, (source, page_outline, page_type, is_template) in sorted(self._pages.items()):
            checklist = self.checklists.get(page_type or "")
            if checklist is None:
                key = TEMPLATE_KEY if is_template else "type"
                known = ", ".join(sorted(self.checklists)) or "none"
                site.add(site.finding(
                    UNKNOWN_TYPE, path, source.line_of(key),
                    f"{key} '{page_type}' has no definition of done; use one of {known}, or define "
                    f"'{page_type}' in the file named by the 'checklists' option of docgates/checklist",
                    fingerprint_text=str(page_type),
                ))
                continue
            evaluation = evaluate(checklist, source, page_outline, site.today, find_page, template=is_template)
            report = site.report.page(path)
            template_path = f"{self.templates_dir}/{checklist.type}.md"
            template_url = site.page_urls.get(template_path) if template_path != path else None
            report.checklist = evaluation.to_dict(template_url)
            if is_template:
                # What a page made from this template must have, for the template's own box.
                full = evaluate(checklist, source, page_outline, site.today, None)
                report.checklist["definition"] = [item.label for item in full.items]
            else:
                summary.add(evaluation, source)
            if evaluation.actions is not None:
                report.data.update(evaluation.actions)
            if evaluation.missing:
                shown_template = template_path if template_path in site.files else None
                site.add(self._incomplete(site, path, evaluation, shown_template))
        site.report.site["checklist"] = summary.to_dict()

    def _incomplete(self, site: SiteContext, path: str, evaluation: Evaluation, template_path: str | None) -> Finding:
        missing = evaluation.missing
        line = min(item.line for item in missing)
        checklist = evaluation.checklist
        todo = "; ".join(f"line {item.line}: {item.todo}" for item in missing)
        if evaluation.template:
            message = (
                f"template for {checklist.type} pages lacks required sections ('docgates new "
                f"{checklist.type}' would create incomplete pages): {todo}"
            )
        else:
            where = f"; see {template_path}" if template_path else ""
            message = (
                f"{checklist.label} not done ({evaluation.done} of {len(evaluation.items)} items): {todo}{where}"
            )
        # The fingerprint names the missing items, not the counts or lines, so a baseline
        # survives edits elsewhere on the page.
        fingerprint = "\x1f".join(item.label for item in missing)
        return site.finding(INCOMPLETE, path, line, message, fingerprint_text=fingerprint)

    def _page_finder(self, site: SiteContext) -> PageFinder:
        def find(page_path: str, value: str) -> tuple[str | None, str | None]:
            target = value.strip().split("#", 1)[0].strip()
            if not target or "://" in target:
                return None, None
            folder = posixpath.dirname(page_path)
            bases = [] if target.startswith("/") else [folder]
            bases.append("")
            for base in bases:
                joined = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
                if joined.startswith("../"):
                    continue
                for candidate in (joined, f"{joined}.md", f"{joined.rstrip('/')}/index.md"):
                    if candidate in site.files and candidate.endswith(".md"):
                        return candidate, _type_of(site, candidate)
            return None, None

        return find


class _SiteSummary:
    """Site-wide figures for quality.json and the dashboard."""

    def __init__(self) -> None:
        self.counts = {"typed_pages": 0, "complete": 0, "incomplete": 0,
                       "actions": 0, "open_actions": 0, "overdue_actions": 0}
        self.by_type: dict[str, dict[str, int]] = {}
        # Post-mortem tags: factors that keep coming back are what a learning team fixes first.
        self.factors: Counter[str] = Counter()

    def add(self, evaluation: Evaluation, source: PageSource) -> None:
        complete = not evaluation.missing
        self.counts["typed_pages"] += 1
        self.counts["complete" if complete else "incomplete"] += 1
        per_type = self.by_type.setdefault(evaluation.checklist.type, {"pages": 0, "complete": 0})
        per_type["pages"] += 1
        per_type["complete"] += complete
        for name, count in (evaluation.actions or {}).items():
            self.counts[name] += count
        self.factors.update(_factors(source.meta.get("contributing_factors")))

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {**self.counts, "by_type": dict(sorted(self.by_type.items()))}
        if self.factors:
            result["contributing_factors"] = dict(sorted(self.factors.items(), key=lambda kv: (-kv[1], kv[0])))
        return result


def _type_of(site: SiteContext, path: str) -> str | None:
    source = site.sources.get(path)
    if source is None:
        # Changed-pages mode: the target was not checked in this run, so read it from disk.
        file = Path(site.docs_dir) / path
        try:
            source = parse_page(path, file.read_bytes(), site.policy)
        except OSError:
            return None
    return source.type


def _factors(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [" ".join(str(v).split()).casefold() for v in value if isinstance(v, (str, int)) and str(v).strip()]
