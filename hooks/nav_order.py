"""Site-local MkDocs hook: order the top-level navigation of the bundled handbook.

MkDocs sorts an automatic nav alphabetically, which puts "Decisions" before "Learning". A full
`nav:` in mkdocs.yml would fix the order but make every new page an edit to mkdocs.yml, so this
hook only reorders the top level by `extra.nav_order`: section titles, or the docs-relative paths
of top-level pages (page titles are not known yet when the nav is built). Anything not listed
keeps its place after them, and pages inside each section keep MkDocs' own order.
"""

from __future__ import annotations

import logging

log = logging.getLogger("mkdocs.hooks.nav_order")


def on_nav(nav, config, files):
    order = list((config.extra or {}).get("nav_order") or [])
    if not order:
        return nav
    titles = [_key(item) for item in nav.items]
    unknown = [title for title in order if title not in titles]
    if unknown:
        # A renamed section should not silently fall to the bottom of the menu.
        log.warning(
            "mkdocs.yml: extra.nav_order names %s, which the navigation does not have (it has: %s)",
            ", ".join(repr(t) for t in unknown),
            ", ".join(repr(t) for t in titles),
        )
    rank = {title: index for index, title in enumerate(order)}
    nav.items.sort(key=lambda item: rank.get(_key(item), len(order)))
    return nav


def _key(item) -> str:
    file = getattr(item, "file", None)
    return file.src_uri if file is not None else str(item.title)
