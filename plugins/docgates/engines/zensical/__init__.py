"""Zensical: it reads ``mkdocs.yml`` but runs no plugin of ours (it drops unknown plugins
without a word), so docgates runs the gates itself, has Zensical build a staged copy of the
docs, and puts the gates' header and generated pages into the pages Zensical wrote."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def silent_build_notice(config_dir: Path) -> str | None:
    """What ``docgates check`` says when Zensical may be building this site: a plain
    ``zensical build`` drops every docgates plugin and exits 0, and nothing of ours runs
    there to say so."""
    if (config_dir / "zensical.toml").is_file():
        found = "zensical.toml is next to mkdocs.yml"
    elif importlib.util.find_spec("zensical") is not None:
        found = "Zensical is installed"
    else:
        return None
    return (
        f"{found}: a plain 'zensical build' runs none of the docgates gates and reports nothing; "
        "build with 'docgates build --engine zensical'"
    )
