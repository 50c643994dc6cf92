"""``docgates serve``: the writer's loop with the chosen engine (see ``docgates build``)."""

from __future__ import annotations

import argparse

from docgates.cli.build import add_engine_arguments, run_engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_engine_arguments(parser)
    parser.add_argument(
        "-a", "--dev-addr", metavar="IP:PORT", help="address to serve on (default: the engine's, 127.0.0.1:8000)"
    )


def run(args: argparse.Namespace) -> int:
    return run_engine(args, "serve")
