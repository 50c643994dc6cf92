"""``docgates check``: every gate over the project, without rendering the theme."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..core import outputs
from .main import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument(
        "--changed-since", metavar="REF", help="check only pages changed since this git ref"
    )
    parser.add_argument(
        "--format", choices=("text", "json", "github"), default="text", help="output format"
    )


def run(args: argparse.Namespace) -> int:
    from ..mkdocs_plugins.headless import ProjectError, run_headless

    only = None
    if args.changed_since:
        from .changed import changed_pages

        only = changed_pages(args.config_file, args.changed_since)
    try:
        result = run_headless(args.config_file, only=only)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # a plugin error (bad option, bad registry file...) is a usage error
        if type(exc).__name__ in ("PluginError", "ConfigurationError", "Abort"):
            raise UsageError(str(exc)) from None
        raise
    report = result.report
    site = result.session.site
    findings = report.findings()
    prefix = ""
    if site is not None:
        prefix = site.repo_path("x")[:-1]  # the docs folder as seen from the repository root
    if args.format == "json":
        sys.stdout.write(outputs.format_json(report))
    elif args.format == "github":
        sys.stdout.write(outputs.format_github(findings, prefix))
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            with Path(summary_file).open("a", encoding="utf-8") as handle:
                handle.write("## docgates\n\n" + outputs.summary_line(report, findings) + "\n\n")
                if findings:
                    handle.write(outputs.format_markdown_table(findings, prefix))
    else:
        sys.stdout.write(outputs.format_text(findings))
        print(outputs.summary_line(report, findings), file=sys.stderr)
    return 1 if any(f.severity == "error" for f in findings) else 0
