"""Renderings of findings for people and CI: text, JSON, GitHub annotations, markdown."""

from __future__ import annotations

import html
import json
from typing import Iterable

from .findings import Finding
from .report import QualityReport


def format_text(findings: Iterable[Finding]) -> str:
    return "".join(f.format() + "\n" for f in findings)


def summary_line(report: QualityReport, findings: list[Finding]) -> str:
    counts = report.counts(findings)
    return (
        f"docgates: {len(report.pages)} pages, {counts['errors']} errors, "
        f"{counts['warnings']} warnings"
    )


def format_json(report: QualityReport) -> str:
    return report.to_json()


def _escape_data(text: str) -> str:
    # GitHub's workflow-command rules (actions/toolkit core/src/command.ts, escapeData): the
    # runner unescapes %25, %0D and %0A, so a message can hold '%' and line breaks.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # escapeProperty: additionally ':' and ',' which separate the command's properties.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding, path_prefix: str = "") -> str:
    """``::error file=…,line=…,title=<rule>::message`` with GitHub's escaping."""
    kind = "error" if finding.severity == "error" else "warning"
    props = []
    if finding.path:
        props.append(f"file={_escape_property(path_prefix + finding.path)}")
        props.append(f"line={max(finding.line, 1)}")
    props.append(f"title={_escape_property(finding.rule)}")
    return f"::{kind} {','.join(props)}::{_escape_data(finding.message)}"


def format_github(findings: Iterable[Finding], path_prefix: str = "") -> str:
    return "".join(github_annotation(f, path_prefix) + "\n" for f in findings)


# GitHub caps a step summary at 1 MiB; a few hundred rows say everything a reviewer reads.
MAX_TABLE_ROWS = 300


def _markdown_cell(text: str) -> str:
    # Step summaries render Markdown with inline HTML: escape HTML, then the table syntax.
    cell = html.escape(" ".join(text.split()), quote=False)
    return cell.replace("|", "\\|").replace("`", "&#96;")


def format_markdown_table(findings: Iterable[Finding], path_prefix: str = "", limit: int = MAX_TABLE_ROWS) -> str:
    items = list(findings)
    rows = ["| Severity | Location | Rule | Message |", "|---|---|---|---|"]
    for f in items[:limit]:
        location = f"{path_prefix}{f.path}:{f.line}" if f.path else "site"
        rows.append(
            f"| {f.severity} | <code>{_markdown_cell(location)}</code> | "
            f"<code>{_markdown_cell(f.rule)}</code> | {_markdown_cell(f.message)} |"
        )
    text = "\n".join(rows) + "\n"
    if len(items) > limit:
        text += f"\n…and {len(items) - limit} more; every finding is in the JSON output (`--format json`).\n"
    return text


def github_step_summary(
    findings: list[Finding], headline: str, notes: Iterable[str] = (), path_prefix: str = ""
) -> str:
    """The Markdown written to ``$GITHUB_STEP_SUMMARY``: a headline, notes, the findings table.

    GitHub shows only the first annotations of each kind on a pull request, so the table is
    where a reviewer sees the full list.
    """
    text = f"## docgates\n\n{_markdown_cell(headline)}\n"
    text += "".join(f"- {_markdown_cell(note)}\n" for note in notes if note)
    text += "\n" + (format_markdown_table(findings, path_prefix) if findings else "No new findings.\n")
    return text + "\n"


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
