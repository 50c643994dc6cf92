"""Renderings of findings for people and CI: text, JSON, GitHub annotations, markdown."""

from __future__ import annotations

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
    # GitHub workflow command escaping rules for the message part.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding, path_prefix: str = "") -> str:
    """``::error file=…,line=…,title=<rule>::message`` with GitHub's escaping."""
    kind = "error" if finding.severity == "error" else "warning"
    props = []
    if finding.path:
        props.append(f"file={_escape_property(path_prefix + finding.path)}")
        props.append(f"line={finding.line}")
    props.append(f"title={_escape_property(finding.rule)}")
    return f"::{kind} {','.join(props)}::{_escape_data(finding.message)}"


def format_github(findings: Iterable[Finding], path_prefix: str = "") -> str:
    return "".join(github_annotation(f, path_prefix) + "\n" for f in findings)


def format_markdown_table(findings: Iterable[Finding], path_prefix: str = "") -> str:
    rows = ["| Severity | Location | Rule | Message |", "|---|---|---|---|"]
    for f in findings:
        message = f.message.replace("|", "\\|").replace("\n", " ")
        location = f"{path_prefix}{f.path}:{f.line}" if f.path else "site"
        rows.append(f"| {f.severity} | `{location}` | `{f.rule}` | {message} |")
    return "\n".join(rows) + "\n"


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
