"""``docgates build``: build the site with MkDocs, ProperDocs or Zensical and every docgates
plugin of ``mkdocs.yml``: the same findings, report, page headers and generated pages."""

from __future__ import annotations

import argparse
from pathlib import Path

from docgates.cli.main import UsageError
from docgates.engines import DEFAULT_ENGINE, ENGINES, BuildRequest, EngineError


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=tuple(ENGINES),
        default=DEFAULT_ENGINE,
        help=f"the site generator to build with (default: {DEFAULT_ENGINE})",
    )
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_engine_arguments(parser)
    parser.add_argument(
        "-d", "--site-dir", help="folder to write the site to (default: the config's site_dir)"
    )


def request_for(args: argparse.Namespace) -> BuildRequest:
    from docgates.engines.mkdocs.headless import ProjectError, find_config

    engine = ENGINES[args.engine]
    if not engine.installed():
        raise UsageError(f"the {engine.name} engine is not installed; install it with: {engine.install}")
    try:
        config_file = find_config(args.config_file).resolve()
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    site_dir = getattr(args, "site_dir", None)
    return BuildRequest(
        engine=engine.name,
        config_file=config_file,
        site_dir=Path(site_dir).resolve() if site_dir else None,
        dev_addr=getattr(args, "dev_addr", None),
    )


def run_engine(args: argparse.Namespace, command: str) -> int:
    request = request_for(args)
    adapter = ENGINES[request.engine].command(command)
    try:
        return adapter(request)
    except EngineError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    return run_engine(args, "build")
