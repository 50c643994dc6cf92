"""The checklist gate: a definition of done per page ``type``, evaluated and reported.

A page with ``type: adr`` is checked against the ``adr`` checklist (``checklist_config``).
Every missing item of a page is listed in ONE ``checklist/incomplete`` finding, at the line
of the first thing to fix. A page whose type has no checklist gets ``checklist/unknown-type``.

Template pages (``docs/templates/adr.md``) say ``template_for: adr`` instead of ``type: adr``:
they are exempt from the fields and task rules (their values are placeholders) but must have
every required section, since ``docgates new`` copies them.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from pathlib import Path
from typing import Any

from docgates.checklist.config import load_checklists
from docgates.checklist.evaluate import Evaluation, PageFinder, evaluate, factor_tags
from docgates.core.findings import Finding
from docgates.core.frontmatter import PageSource, parse_page
from docgates.core.gate import Gate, PageInput, SiteContext
from docgates.core.markdown_outline import Outline, outline
from docgates.core.report import PageReport

TEMPLATE_KEY = "template_for"
INCOMPLETE = "checklist/incomplete"
UNKNOWN_TYPE = "checklist/unknown-type"


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
        self.factors.update(factor_tags(source.meta.get("contributing_factors")))

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

