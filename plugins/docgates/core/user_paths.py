"""Paths a user typed, in messages: shown back as they were typed (relative to the working
folder), and checked to stay inside a folder (a symbolic link can lead anywhere)."""

from __future__ import annotations

import os
from pathlib import Path


def leads_outside(path: Path, real: Path, root: Path) -> str | None:
    """None when ``real`` (``path`` resolved) lies inside the real folder ``root``; else how
    ``path`` leads out of it, in words for a message."""
    if real.is_relative_to(root):
        return None
    if os.path.islink(path):
        how = f"is a symbolic link to {os.readlink(path)}, which is"
    elif real != Path(os.path.abspath(path)):
        how = f"leads through a symbolic link to {display_path(real)}, which is"
    else:
        how = "is"
    return f"{how} outside the docs folder {display_path(root)}/"


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when inside it (as the user typed paths)."""
    try:
        return Path(path).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)

