"""Finding the repository a docs folder lives in, without running git."""

from __future__ import annotations

from pathlib import Path


def find_repo_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder, or a file for
    worktrees and submodules); None outside a repository."""
    current = start.resolve()
    for folder in (current, *current.parents):
        if (folder / ".git").exists():
            return folder
    return None
