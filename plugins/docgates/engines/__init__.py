"""The engines ``docgates build`` and ``docgates serve`` can build a site with.

Each engine reads the same ``mkdocs.yml``. MkDocs and ProperDocs load the docgates plugins
themselves; Zensical runs no third-party code, so ``engines/zensical/`` drives the gates
around it. An adapter is imported only when its engine is chosen, so an engine need not be
installed unless it is used. Adapters return ``docgates check``'s exit codes: 0 clean, 1
error findings, 2 the site could not be built.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


class EngineError(Exception):
    """The site could not be built; the message says why and what to do (exit status 2)."""


@dataclass(frozen=True)
class BuildRequest:
    """What the command line asked for."""

    engine: str
    # The project's mkdocs.yml.
    config_file: Path
    # ``-d``: where the site goes instead of the config's ``site_dir``.
    site_dir: Path | None = None
    # ``docgates serve -a``: the address to serve on.
    dev_addr: str | None = None


@dataclass(frozen=True)
class Engine:
    name: str
    # The Python module that must be importable for the engine to run.
    module: str
    # The adapter under docgates.engines, with build(request) and serve(request) -> exit code.
    adapter: str
    # What to install when it is missing.
    install: str

    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def command(self, name: str) -> Callable[[BuildRequest], int]:
        return getattr(importlib.import_module(self.adapter), name)


ENGINES: dict[str, Engine] = {
    "mkdocs": Engine("mkdocs", "mkdocs", "docgates.engines.properdocs.cli_engine", "pip install mkdocs"),
    "properdocs": Engine(
        "properdocs", "properdocs", "docgates.engines.properdocs.cli_engine", "pip install 'docgates[properdocs]'"
    ),
    "zensical": Engine("zensical", "zensical", "docgates.engines.zensical.build", "pip install 'docgates[zensical]'"),
}
DEFAULT_ENGINE = "mkdocs"
