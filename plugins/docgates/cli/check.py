"""``docgates check``: every gate over the project, without rendering the theme."""

from __future__ import annotations

import argparse
from dataclasses import replace
import os
import sys
from pathlib import Path
from typing import Iterable

from docgates.core import outputs
from docgates.core.baseline import BaselineError
from docgates.cli.main import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help=(
            "check only pages changed since the merge base of REF and HEAD (committed, staged, "
            "unstaged and untracked), plus pages linking to files removed or renamed since then"
        ),
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format: text, json (the quality.json report), or github (workflow annotations)",
    )


def run_gates(config_file: str | None, only: Iterable[str] | None = None, shared: dict | None = None):
    """``run_headless`` with project problems turned into usage errors (exit status 2)."""
    from docgates.engines.mkdocs.headless import ProjectError, run_headless

    try:
        return run_headless(config_file, only=only, shared=shared)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # a plugin error (bad option, bad registry file...) is a usage error
        if type(exc).__name__ in ("PluginError", "ConfigurationError", "Abort"):
            raise UsageError(str(exc)) from None
        raise


def run(args: argparse.Namespace) -> int:
    only = None
    notes: list[str] = []
    shared: dict = {}
    changed_code = None
    if args.changed_since:
        from docgates.cli.changed import compute_changes

        changes = compute_changes(args.config_file, args.changed_since)
        notes.append(changes.describe())
        # A change to a site-wide input (mkdocs.yml, CODEOWNERS...) needs the full check.
        only = None if changes.everything else changes.pages
        from docgates.freshness.code import CHANGED_CODE_KEY, ChangedCode

        # The change decides freshness/code-changed for the pages it touched and for the pages
        # whose code it touched; other pages checked (e.g. linking to a removed file) by dates.
        changed_code = ChangedCode(args.changed_since, changes.code_changed, set(changes.changed))
        shared[CHANGED_CODE_KEY] = changed_code
        if only == set():
            # Nothing a change could have broken: answer at once (pre-commit runs this on
            # every commit, docs or not).
            if args.format == "json":
                sys.stdout.write(outputs.format_json(_empty_report()))
            elif args.format == "github":
                _append_step_summary(outputs.github_step_summary([], notes[0]))
            print(f"docgates: {outputs.terminal_text(notes[0])}", file=sys.stderr)
            return 0
    result = run_gates(args.config_file, only=only, shared=shared)
    try:
        outcome = result.session.apply_baseline()
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    report = result.report
    findings = report.findings()
    # Baselined findings stay in the JSON report (marked) but are neither shown nor failing.
    failing = outcome.new if outcome else findings
    if outcome and outcome.describe():
        notes.append(outcome.describe())
    summary = outputs.summary_line(report, failing)
    if args.format == "json":
        sys.stdout.write(outputs.format_json(report))
    elif args.format == "github":
        # Annotations need repository-relative paths; page findings are docs-relative, while
        # site findings with a path (CODEOWNERS:2) are repository-relative already.
        site = result.session.site
        located = [
            replace(f, path=site.repo_path(f.path)) if site is not None and f.path in report.pages else f
            for f in failing
        ]
        sys.stdout.write(outputs.format_github(located))
        text = outputs.github_step_summary(located, summary, notes)
        if changed_code is not None and site is not None:
            text += code_changed_table(changed_code, report, site)
        _append_step_summary(text)
    else:
        sys.stdout.write(outputs.format_text(failing))
    for note in notes:
        print(f"docgates: {outputs.terminal_text(note)}", file=sys.stderr)
    _note_zensical(Path(result.session.config.config_file_path).resolve().parent)
    print(summary, file=sys.stderr)
    return 1 if any(f.severity == "error" for f in failing) else 0


def code_changed_table(changed, report, site) -> str:
    """The step summary's "code changed, docs not touched" table: each page whose documented
    code this change touched, the code paths and the owners, all as inert Markdown."""
    rows = []
    for page in sorted(changed.pages):
        entry = report.pages.get(page)
        source = site.sources.get(page)
        # The ownership gate's answer (CODEOWNERS too), else the front matter's.
        owners = ", ".join((entry.owner if entry else None) or (source.owners if source else None) or ["no owner known"])
        paths = changed.pages[page]
        shown = ", ".join(outputs.markdown_text(p) for p in paths[:5])
        if len(paths) > 5:
            shown += f" and {len(paths) - 5} more"
        rows.append(f"| {outputs.markdown_text(site.repo_path(page))} | {shown} | {outputs.markdown_text(owners)} |")
    if not rows:
        return ""
    head = "\n### Code changed, docs not touched\n\n| page | code changed | owner |\n|---|---|---|\n"
    return head + "\n".join(rows) + "\n"


def _note_zensical(config_dir: Path) -> None:
    from docgates.engines.zensical import silent_build_notice

    notice = silent_build_notice(config_dir)
    if notice:
        print(f"docgates: note: {outputs.terminal_text(notice)}", file=sys.stderr)


def _append_step_summary(text: str) -> None:
    """Appends to the file GitHub names in ``GITHUB_STEP_SUMMARY``, if set. A path that cannot
    be written is a note, not a failure: the findings, already printed, decide the exit status."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        print(
            f"docgates check: cannot write the step summary to GITHUB_STEP_SUMMARY="
            f"{outputs.terminal_text(target)} ({reason}); point it at a writable file. "
            "The findings are in the output above.",
            file=sys.stderr,
        )


def _empty_report():
    from docgates.core.dates import DateError, today
    from docgates.core.report import QualityReport

    try:
        return QualityReport(today=today())
    except DateError as exc:
        raise UsageError(str(exc)) from None
