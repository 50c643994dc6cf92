"""Entry point of the ``docgates`` command: one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from docgates import __version__
from docgates.core.outputs import terminal_safe_logging, terminal_text

# name -> module under docgates.cli; each has add_arguments(parser) and run(args) -> int.
COMMANDS = {
    "check": "Run every gate over the project; exit 0 clean, 1 error findings, 2 usage error.",
    "build": "Build the site with MkDocs, ProperDocs or Zensical and every docgates gate.",
    "serve": "Preview the site with the chosen engine, rebuilding on changes.",
    "review": "Record a review: set 'reviewed' in page front matter, touching nothing else.",
    "stale": "List stale and soon-due pages grouped by owner.",
    "suggest-documents": "Propose 'documents:' patterns for pages from links, code spans and shared commits.",
    "new": "Scaffold a page of a type from its template.",
    "leaderboard": "Docs-day scores from git history.",
    "linkcheck": "Crawl the built site with LinkChecker on a loopback server.",
    "baseline": "Record current findings so checks fail only on new ones.",
    "org": "Record many sites' quality reports in a database and write the org portal.",
    "remind": "One review reminder per owner from the stale digest (markdown or GitHub issue payloads).",
    "setup": "Install and verify offline data docgates needs (the CMU pronouncing dictionary).",
}


class UsageError(Exception):
    """Bad arguments or configuration: exit status 2 with a one-line message."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only that command's module is imported to add its
    arguments: the others' imports (LinkChecker's crawl, an HTTP server, the org database)
    would cost ``docgates check --changed-since`` a tenth of its time."""
    parser = argparse.ArgumentParser(
        prog="docgates", description="Docs-as-code quality gates for MkDocs sites."
    )
    parser.add_argument("--version", action="version", version=f"docgates {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if command is None or name == command:
            module = importlib.import_module(f"{__package__}.{name.replace('-', '_')}")
            module.add_arguments(command_parser)
            command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    words = sys.argv[1:] if argv is None else argv
    # The command is the first word that is not an option (the only options before it are
    # --help and --version, which take no value).
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        # MkDocs runs in-process and logs file names verbatim: every command prints log lines inert.
        with terminal_safe_logging():
            return int(args._run(args) or 0)
    except UsageError as exc:
        print(terminal_text(f"docgates {args.command}: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("DOCGATES_DEBUG"):
            raise
        print(
            terminal_text(f"docgates {args.command}: unexpected {type(exc).__name__}: {exc}") + "\n"
            "This is a docgates bug: rerun with DOCGATES_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
