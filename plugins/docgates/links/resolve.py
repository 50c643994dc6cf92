"""Where a link written in a page's Markdown source leads, as MkDocs resolves it.

The one resolver of source links: the docs-day probes count broken links with it, the
dashboard counts inbound links, and ``check --changed-since`` finds the pages linking to a
removed file. (The links gate judges the rendered HTML instead, after MkDocs has rewritten
``.md`` links into URLs; it uses ``docs_path`` only to name the file a broken link meant.)

MkDocs' rules, for a link ``target`` on the page ``page`` (both docs-relative, ``/``-separated):

* a file link (``../guide/setup.md``) is relative to the page's file; a folder link
  (``guide/``) names its ``index.md`` or ``README.md``, and a name without suffix (``setup``)
  may name ``setup.md`` too;
* a URL-style link (``../setup/``, no file suffix) is copied into the HTML unchanged, so with
  ``use_directory_urls`` it is relative to the page's URL, one folder deeper than the file for
  pages other than index pages (``url_style_folders`` gives both starting folders);
* ``/x`` starts at the site root, ``#part`` stays on the page, the query is not part of the
  path, and ``%20`` is a space;
* a link with a scheme (``https:``, ``mailto:``) or a host (``//cdn``) leads elsewhere.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

PAGE_INDEX_NAMES = ("index.md", "README.md")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def split_link(target: str) -> tuple[str, str] | None:
    """``(path, fragment)`` of a link into the site, percent-decoded and without the query
    (``("", "part")`` for ``#part``); None for a link elsewhere or an empty one."""
    target = target.strip()
    if not target or target.startswith("//") or _SCHEME.match(target):
        return None
    parts = urlsplit(target)
    return unquote(parts.path), unquote(parts.fragment)


def docs_path(path: str, folder: str) -> str | None:
    """The docs-relative path a relative link ``path`` (from ``split_link``) names from
    ``folder``, keeping a trailing ``/`` (``"./"`` for the docs root itself); None when it
    leaves the docs folder, which is not the site's to judge."""
    joined = posixpath.normpath(posixpath.join(folder, path))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined + ("/" if path.endswith("/") else "")


def url_style_folders(page: str) -> tuple[str, ...]:
    """The folders a relative link on ``page`` may start from: the file's folder, and for a
    page other than an index page its URL's folder under ``use_directory_urls``."""
    folder, name = posixpath.split(page)
    stem = posixpath.splitext(name)[0]
    if stem.lower() in ("index", "readme"):
        return (folder,)
    return (folder, posixpath.join(folder, stem))


def file_candidates(resolved: str) -> tuple[str, ...]:
    """The docs files a resolved path may name, most literal first: the path itself and, for a
    folder or a name without suffix, ``x.md``, ``x/index.md`` and ``x/README.md``."""
    stripped = resolved.rstrip("/")
    stripped = "" if stripped == "." else stripped
    if not stripped:
        return PAGE_INDEX_NAMES
    candidates = [stripped] if not resolved.endswith("/") else []
    if resolved.endswith("/") or not posixpath.splitext(stripped)[1]:
        candidates.append(f"{stripped}.md")
        candidates.extend(f"{stripped}/{name}" for name in PAGE_INDEX_NAMES)
    return tuple(candidates)


def link_destinations(page: str, target: str, *, url_style: bool = True) -> tuple[str, str | None, tuple[str, ...]]:
    """``(path, fragment, candidates)`` for a link on ``page``: the docs files it may name
    (``file_candidates`` of each way to read it); no candidates for a link elsewhere, one that
    leaves the docs folder or a bare ``#part`` (then ``path`` is empty)."""
    split = split_link(target)
    if split is None:
        return "", None, ()
    path, fragment = split
    if not path:
        return "", fragment, ()
    if path.startswith("/"):
        folders: tuple[str, ...] = ("",)
        relative = path.lstrip("/")
    else:
        # A link naming a file (a suffix) is rewritten by MkDocs from the page's file; only a
        # folder or bare name may be a URL the browser reads from the page's URL.
        names_file = not path.endswith("/") and posixpath.splitext(path)[1]
        folders = url_style_folders(page) if url_style and not names_file else (posixpath.dirname(page),)
        relative = path
    found: list[str] = []
    for folder in folders:
        resolved = docs_path(relative, folder) if relative else "."
        if resolved is not None:
            found.extend(c for c in file_candidates(resolved) if c not in found)
    return path, fragment, tuple(found)
