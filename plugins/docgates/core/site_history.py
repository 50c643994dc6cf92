"""The run's one git history, read once and shared by every gate.

``read_history_early`` starts the read in a thread before the first gate asks, so ``git log``
works in its own process while the build lists and reads its files; ``history_for`` waits for
it, and serves it with the ignored commits a gate chose, parsed once.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from docgates.core.code_patterns import docs_declare_documents
from docgates.core.git_history import GitHistory
from docgates.core.git_log import load_history
from docgates.core.ignore_revs import IgnoreRevsError, default_ignore_revs_file, read_ignore_revs

if TYPE_CHECKING:
    from docgates.core.gate import SiteContext

_RAW_KEY = "git-history"
IGNORE_REVS_KEY = "git-history:ignore-revs-file"


def history_for(site: "SiteContext", ignore_revs_file: str | os.PathLike[str] | None = None) -> GitHistory:
    """The site's git history, read once per run and shared by every gate.

    Ignored commits come from ``ignore_revs_file`` when given (``IgnoreRevsError`` if it
    cannot be used), else from the freshness gate's ``ignore_revs_file`` option (stored under
    ``IGNORE_REVS_KEY`` in ``begin``, so every gate that asks later sees the same commits),
    else from ``.git-blame-ignore-revs`` at the repository root when it exists and is
    readable (the freshness gate reports a broken one).
    """
    if ignore_revs_file is None and site.shared.get(IGNORE_REVS_KEY):
        try:
            return history_for(site, site.shared[IGNORE_REVS_KEY])
        except IgnoreRevsError:
            pass  # reported by the freshness gate; fall back to the default file

    def load() -> GitHistory:
        return load_history(site.repo_root, paths=docs_pathspecs(site.repo_root, site.docs_dir))

    raw: GitHistory = site.memo(_RAW_KEY, load)
    explicit = ignore_revs_file is not None
    file = Path(ignore_revs_file) if explicit else default_ignore_revs_file(site, raw)
    if file is None:
        return raw
    key = f"{_RAW_KEY}:{file.resolve()}"
    if key not in site.shared:
        try:
            revs = read_ignore_revs(file)
        except IgnoreRevsError:
            if explicit:
                raise
            return raw
        site.shared[key] = raw.with_ignored(revs)
    return site.shared[key]


def code_history_for(site: "SiteContext", ignore_revs_file: str | os.PathLike[str] | None = None) -> GitHistory:
    """The run's history with the whole repository and HEAD's files, for pages that document
    code. The early read covers it whenever the pages or the options declare ``documents``;
    only a declaration it could not see (another plugin's ``page.meta``) costs a second read."""
    history = history_for(site, ignore_revs_file)
    if history.head_files is not None or history.status in ("not-a-repo", "no-git"):
        return history
    raw: GitHistory = site.memo(f"{_RAW_KEY}:code", lambda: load_history(site.repo_root, head_files=True))
    return raw.with_ignored(history.ignored)


def docs_pathspecs(repo_root: Path | None, docs_dir: Path) -> list[str] | None:
    """The docs folder as a pathspec for ``git log`` (None: the whole repository)."""
    if repo_root is None:
        return None
    try:
        relative = docs_dir.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return None
    return None if relative in ("", ".") else [relative]


def read_history_early(
    site_shared: dict, repo_root: Path | None, docs_dir: Path, documents_declared: bool = False
) -> None:
    """Start the run's one history read in a thread, before the first gate asks for it.

    ``git log`` then works in its own process while the build lists and reads its files;
    ``history_for`` waits for it (``SiteContext.memo`` resolves the future). When pages
    document code (``documents_declared``: the freshness option; else a quick look at the
    pages' front matter), the same one ``git log`` reads the whole repository instead of the
    docs folder, and HEAD's files are listed beside it.
    """
    if _RAW_KEY in site_shared:
        return
    future: Future = Future()

    def read() -> None:
        try:
            code = documents_declared or docs_declare_documents(docs_dir)
            paths = None if code else docs_pathspecs(repo_root, docs_dir)
            future.set_result(load_history(repo_root, paths=paths, head_files=code))
        except BaseException as exc:  # handed to whoever asks, as if read then
            future.set_exception(exc)

    site_shared[_RAW_KEY] = future
    threading.Thread(target=read, name="docgates-git-history", daemon=True).start()

