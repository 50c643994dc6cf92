"""Commits whose changes do not count (bulk reformats), from a ``.git-blame-ignore-revs``
style file: the option ``ignore_revs_file``, else that file at the repository root."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docgates.core.gate import SiteContext
    from docgates.core.git_history import GitHistory

IGNORE_REVS_DEFAULT = ".git-blame-ignore-revs"
_HEX = re.compile(r"^[0-9a-fA-F]{4,40}$")


class IgnoreRevsError(ValueError):
    """An ignore-revs file that cannot be used; the message names file and line."""


def read_ignore_revs(path: str | os.PathLike[str]) -> set[str]:
    """Commit ids from a file in ``.git-blame-ignore-revs`` format: one id per line,
    ``#`` starts a comment. Raises ``IgnoreRevsError`` naming the bad line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IgnoreRevsError(f"{file}: cannot read the ignore-revs file: {exc}") from None
    revs: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        if not _HEX.match(value):
            raise IgnoreRevsError(
                f"{file}:{number}: {value!r} is not a commit id; write one full commit "
                "hash per line ('#' starts a comment)"
            )
        revs.add(value.lower())
    return revs


def default_ignore_revs_file(site: "SiteContext", history: GitHistory | None = None) -> Path | None:
    """``.git-blame-ignore-revs`` at the repository root, when there is one."""
    root = (history.root if history else None) or site.repo_root or site.config_dir
    candidate = Path(root) / IGNORE_REVS_DEFAULT
    return candidate if candidate.is_file() else None

