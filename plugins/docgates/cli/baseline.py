"""``docgates baseline``: accept today's findings, so checks and builds fail only on new ones.

The file (``.docgates-baseline.json`` beside mkdocs.yml, or the ``docgates/quality`` plugin's
``baseline`` option) is meant to be committed. Rewriting it drops fixed findings; nothing else
ever writes it, so it grows only when someone runs this command on purpose.

Findings only ``docgates linkcheck`` sees (links the theme or mkdocs.yml put on pages) are
recorded too when the site's ``quality.json`` holds a crawl newer than the last build: run the
crawl first to accept them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docgates.core.baseline import Baseline, BaselineError, BaselineNotAFile
from docgates.cli.main import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="only drop findings that are fixed; never add new ones (safe to automate)",
    )


def run(args: argparse.Namespace) -> int:
    from docgates.cli.check import run_gates

    # Always every page: a baseline recorded from part of the site would forget the rest.
    result = run_gates(args.config_file, only=None)
    session = result.session
    if session.baseline_file is None:
        raise UsageError(
            "the baseline is turned off ('baseline: false' under docgates/quality in mkdocs.yml); "
            "remove that option to use one"
        )
    path = session.baseline_file
    try:
        previous = Baseline.load(path)
    except BaselineNotAFile as exc:
        raise UsageError(str(exc)) from None
    except BaselineError as exc:
        if args.prune:
            raise UsageError(str(exc)) from None
        previous = Baseline()  # an unreadable file is replaced, which is what the message advises
    current = Baseline.from_findings(result.report.findings())
    if session.site is not None:
        _add_crawl_findings(current, session.site.site_dir / "quality.json")
    recorded = previous.intersect(current) if args.prune else current
    dropped = len(previous) - len(previous.intersect(current))
    added = len(recorded) - len(previous.intersect(recorded))
    if recorded.to_json().encode("utf-8") == _bytes_of(path):
        print(f"docgates baseline: {path.name} is up to date ({len(recorded)} findings)", file=sys.stderr)
        return 0
    if not recorded.counts and not path.is_file():
        print("docgates baseline: no findings, so no baseline file is needed", file=sys.stderr)
        return 0
    try:
        recorded.write(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written ({exc.strerror or exc}); fix its permissions "
                         "or the folder it goes in, then run 'docgates baseline' again") from None
    print(
        f"docgates baseline: recorded {len(recorded)} findings in {path} "
        f"({dropped} fixed and dropped, {added} added); commit the file",
        file=sys.stderr,
    )
    return 0


def _add_crawl_findings(baseline: Baseline, report_file: Path) -> None:
    """The findings of the last 'docgates linkcheck' (kept in the built site's quality.json
    until the next build rewrites it). An unreadable report adds nothing: the build reports it."""
    from docgates.core.report_file import ReportFileError, read_report
    from docgates.links.crawl_report import recorded_crawl_keys

    try:
        report = read_report(report_file)
    except ReportFileError:
        return
    for key, message in recorded_crawl_keys(report):
        baseline.add(key, message)


def _bytes_of(path: Path) -> bytes | None:
    """The file as it is, or None: a broken one (not UTF-8, unreadable) is simply rewritten."""
    try:
        return path.read_bytes()
    except OSError:
        return None
