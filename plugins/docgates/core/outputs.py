"""Renderings of findings for people and CI: text, JSON, GitHub annotations, markdown.

Text from pages, front matter, CODEOWNERS and git reaches four targets, and each has one
escaping function here that every output uses: a line on a terminal or in a CI log
(``terminal_text``), a workflow command's message (``annotation_data``) and properties
(``annotation_property``), and Markdown that GitHub renders (``markdown_text``).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextlib import contextmanager
from typing import Iterable, Iterator, TextIO

from docgates.core.findings import Finding
from docgates.core.report import QualityReport

# C0 and C1 controls and DEL drive a terminal (colours, OSC 8 hyperlinks, clearing the screen,
# \r rewriting the line); bidi controls and line separators make a reader see text in another
# order than it has (Trojan Source); lone surrogates (undecodable file names) cannot be written
# as UTF-8 at all. All are shown as escapes, never sent.
_LINE_BREAKS = r"\n\r"
_OTHER_CONTROLS = (
    r"\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    r"\u2028\u2029\ud800-\udfff"
)
_CONTROLS = re.compile(f"[{_LINE_BREAKS}{_OTHER_CONTROLS}]")
_CONTROLS_BUT_LINE_BREAKS = re.compile(f"[{_OTHER_CONTROLS}]")
_NAMED_CONTROLS = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED_CONTROLS:
        return _NAMED_CONTROLS[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


# '::' where a line of output could begin: at the start, or after white space, where MkDocs
# wraps a long log line when it knows the terminal's width.
_COMMAND_START = re.compile(r"(?:^|(?<=\s)):(?=:)")


def terminal_text(text: str) -> str:
    """``text`` as one inert line for a terminal or a CI log: control characters as escapes
    (``\\x1b``, ``\\n``), and nothing the GitHub Actions runner would take for a workflow
    command. The runner (actions/runner ActionCommand.cs) acts on ``##[name]`` anywhere in a
    line and on ``::name::`` at its start after white space; there '[' and ':' are shown as
    ``\\x5b`` and ``\\x3a``."""
    line = _CONTROLS.sub(_visible, text).replace("##[", "##\\x5b")
    return _COMMAND_START.sub("\\\\x3a", line)


def annotation_data(text: str) -> str:
    """A workflow command's message with GitHub's escaping (actions/toolkit ``escapeData``):
    the runner turns %25, %0D and %0A back into '%' and line breaks, so a message keeps them
    and still fills one line. Other controls are shown as escapes, as on a terminal, since
    the command is also printed where annotations are not read."""
    text = _CONTROLS_BUT_LINE_BREAKS.sub(_visible, text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: str) -> str:
    """``escapeProperty``: the message's escaping plus ':' and ',', which separate the
    command's properties."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")


# Characters that begin Markdown or GFM syntax wherever they stand: escapes, code spans,
# emphasis, strikethrough, links, images, footnotes, HTML, autolinks, entities, math, table
# cells, headings. A backslash makes each of them literal (CommonMark: any ASCII punctuation).
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_~\[\]()!<>|#&$@]")
# GFM's extended autolinks begin at a scheme's '://' and at 'www.'.
_AUTOLINK_MARK = re.compile(r":(?=//)|(?<=www)\.", re.IGNORECASE)
# A list begins with '-', '+', '1.' or '1)' at the start of a list item or paragraph.
_LIST_MARK = re.compile(r"^(?:[-+]|\d{1,9}[.)])")
# U+2060 WORD JOINER: invisible, no line break; see markdown_text.
_WORD_JOINER = "\u2060"


def _escape_last(match: re.Match[str]) -> str:
    text = match.group()
    return text[:-1] + "\\" + text[-1]


def markdown_text(text: str) -> str:
    """``text`` as inert inline Markdown on one line (a table cell, a list item, a heading, a
    link label), as GitHub renders it: GFM with inline HTML, also inside ``<code>``.

    Backslash escapes keep every character that could begin a link, image, HTML tag, entity,
    emphasis, code span, table cell or autolink literal; '.', '-', '/' and ':' stay as they
    are where nothing can begin, so paths and messages remain readable in the raw Markdown.
    GitHub turns ``@name`` into a mention and ``#123`` into a reference later, in the rendered
    text, where escapes and entities (``\\@``, ``&#64;``) have already become a plain '@'; a
    word joiner after '@' and '#' leaves the text looking the same and matches neither."""
    line = _CONTROLS.sub(_visible, " ".join(text.split()))
    line = _MARKDOWN_SYNTAX.sub(_escape_last, line)
    line = _LIST_MARK.sub(_escape_last, _AUTOLINK_MARK.sub(_escape_last, line))
    return line.replace("@", "@" + _WORD_JOINER).replace("#", "#" + _WORD_JOINER)


class _InertLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record))


@contextmanager
def terminal_safe_logging(stream: TextIO | None = None) -> Iterator[None]:
    """While MkDocs runs in-process, print what it (or any library) logs as inert lines.

    MkDocs quotes file and folder names verbatim in its warnings: a folder named with a line
    break and ``::stop-commands::x`` would switch off the annotations that follow. Filtering
    the lines is certain; bracketing them with our own ``::stop-commands::`` would not be, as
    the runner reads stdout and stderr separately and may see our annotations before the
    resume line. Python warnings go the same way (``logging.captureWarnings``).
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(_InertLineFormatter())
    # Python's last-resort handler, which this one replaces, prints warnings and above.
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)


def format_text(findings: Iterable[Finding]) -> str:
    return "".join(terminal_text(f.format()) + "\n" for f in findings)


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 page``, ``2 pages``, ``0 pages``: a number with its noun agreeing."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def summary_line(report: QualityReport, findings: list[Finding]) -> str:
    counts = report.counts(findings)
    return (
        f"docgates: {count(len(report.pages), 'page')}, {count(counts['errors'], 'error')}, "
        f"{count(counts['warnings'], 'warning')}"
    )


def format_json(report: QualityReport) -> str:
    return report.to_json()


def github_annotation(finding: Finding, path_prefix: str = "") -> str:
    """``::error file=…,line=…,title=<rule>::message`` with GitHub's escaping."""
    kind = "error" if finding.severity == "error" else "warning"
    props = []
    if finding.path:
        props.append(f"file={annotation_property(path_prefix + finding.path)}")
        props.append(f"line={max(finding.line, 1)}")
    props.append(f"title={annotation_property(finding.rule)}")
    return f"::{kind} {','.join(props)}::{annotation_data(finding.message)}"


def format_github(findings: Iterable[Finding], path_prefix: str = "") -> str:
    return "".join(github_annotation(f, path_prefix) + "\n" for f in findings)


# GitHub caps a step summary at 1 MiB; a few hundred rows say everything a reviewer reads.
MAX_TABLE_ROWS = 300


def format_markdown_table(findings: Iterable[Finding], path_prefix: str = "", limit: int = MAX_TABLE_ROWS) -> str:
    items = list(findings)
    rows = ["| Severity | Location | Rule | Message |", "|---|---|---|---|"]
    for f in items[:limit]:
        location = f"{path_prefix}{f.path}:{f.line}" if f.path else "site"
        rows.append(
            f"| {markdown_text(f.severity)} | <code>{markdown_text(location)}</code> | "
            f"<code>{markdown_text(f.rule)}</code> | {markdown_text(f.message)} |"
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
    text = f"## docgates\n\n{markdown_text(headline)}\n"
    text += "".join(f"- {markdown_text(note)}\n" for note in notes if note)
    text += "\n" + (format_markdown_table(findings, path_prefix) if findings else "No new findings.\n")
    return text + "\n"


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
