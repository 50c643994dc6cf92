"""Which pages link to a set of files, for ``check --changed-since``: the pages whose links a
removed page broke, or whose ``#anchor`` links a changed heading may have broken.

Links are found by the one source-link finder (``markdown_outline.link_targets``, in its
``rendered`` reading: images and raw HTML too, as the links gate judges the rendered page) and
resolved by the one resolver (``links.resolve``), so this mode never disagrees with the gates
about what a link is or where it leads.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import quote

from docgates.cli.project import PAGE_SUFFIXES
from docgates.core.markdown_outline import link_targets
from docgates.links.resolve import link_destinations

INDEX_NAMES = ("index", "readme")


def find_pages_linking_to(
    docs_dir: Path, removed: set[str], pages: set[str], skip: set[str] = frozenset(), fragments_only: bool = False
) -> set[str]:
    """Pages among ``pages`` with a link that resolves to one of ``removed`` (with
    ``fragments_only``, only links carrying an ``#anchor`` count).

    Reading 2,000 sources and testing a few substrings takes tens of milliseconds, so there
    is no cache: a cache keyed by content hash would have to read and hash every file anyway.
    Only pages that mention a removed name have their links parsed.
    """
    needles, folders = _needles(removed)
    result: set[str] = set()
    for page in sorted(pages - set(skip) - removed):
        try:
            text = (docs_dir / page).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lowered = text.lower()
        mentioned = any(needle in lowered for needle in needles)
        near_index = any(folder == "" or page.startswith(folder) for folder in folders)
        if (mentioned or near_index) and _links_to(page, text, removed, fragments_only):
            result.add(page)
    return result


def _needles(removed: set[str]) -> tuple[set[str], set[str]]:
    """Substrings every link to a removed file contains, and folders whose removed index page
    can be reached by links that name no file at all (``./``, ``../``)."""
    needles: set[str] = set()
    folders: set[str] = set()
    for path in removed:
        folder, name = posixpath.split(path)
        stem, suffix = posixpath.splitext(name)
        is_page = suffix in PAGE_SUFFIXES
        if is_page and stem.lower() in INDEX_NAMES:
            folders.add(folder + "/" if folder else "")
            if folder:
                needles.add(posixpath.basename(folder).lower())
            continue
        base = (stem if is_page else name).lower()
        needles.add(base)
        # Links may percent-encode the name (``my%20page.md``).
        needles.add(quote(base).lower())
    return {n for n in needles if n}, folders


def _links_to(page: str, text: str, removed: set[str], fragments_only: bool = False) -> bool:
    targets = link_targets(text, rendered=True)
    if fragments_only:
        targets = [t for t in targets if "#" in t and not t.strip().endswith("#")]
    return any(resolves_to(page, target, removed) for target in targets)


def resolves_to(page: str, target: str, removed: set[str]) -> bool:
    """Whether the link ``target`` on ``page`` may name one of ``removed``."""
    return not removed.isdisjoint(link_destinations(page, target)[2])
