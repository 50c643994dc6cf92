"""The links gate (engine-agnostic): every link and image on a page leads somewhere.

Links are read from the HTML the build produced (so text in code is never a link and links in
raw HTML count too) and resolved the way a reader's browser resolves them, against the page's
URL. Anchors are checked against the ids the target page really has. Each problem becomes one
finding on the line of the page's source where the link is written:

- ``links/broken``: the target page or file does not exist, or the link leaves ``docs/``.
  Targets are looked up in the list of site files; nothing outside ``docs/`` is ever read.
- ``links/scheme``: the link runs script (``javascript:``, ``vbscript:``, a ``data:`` page) or
  opens a file on the author's disk (``file:``, a drive path such as ``C:/``). Not a broken link, so a site that
  shows such a link on purpose (a demo) can lower this rule alone.
- ``links/anchor``: the target page exists but has no element with that id.
- ``links/external``: an ``http(s)`` URL failed (opt-in, see ``external_links``).
- ``links/refused``: an ``http(s)`` URL was not fetched, because it or a redirect leads to an
  address the build machine must not be made to reach (see ``external_links``).
"""

from __future__ import annotations

import difflib
import posixpath
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from docgates.links.external_options import ExternalOptions, glob_patterns
from docgates.core.gate import Gate, PageInput, SiteContext
from docgates.links.scan import ScanCache, SourceLocator
from docgates.core.report import PageReport


CACHE_FILE = "external-links.sqlite"
# Fragments every page has: "#" and "#top" scroll to the top (HTML spec), ":~:" are text
# fragments, and "__" ids belong to the theme's page template (Material: "#__comments").
_ALWAYS_PRESENT = ("", "top")
_TEMPLATE_PREFIXES = (":~:", "__")

# site.shared key: target page -> the pages that link to it (resolved as the build resolves).
INBOUND_KEY = "links.inbound"
SUGGESTED_PATHS = 100


@dataclass(frozen=True, slots=True)
class PageLink:
    """One link on one page: as written in the source and as the browser sees it."""

    page: str
    original: str
    rendered: str
    kind: str  # "link" or "image"
    occurrence: int  # how many earlier links on the page were written the same way


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where a link leads: ``kind`` is page, file, external, skip, broken or scheme."""

    kind: str
    target: str = ""
    fragment: str = ""
    problem: str = ""


@dataclass
class LinkStats:
    internal: int = 0
    external: int = 0
    broken: int = 0
    anchor: int = 0


@dataclass
class _PageState:
    input: PageInput
    locator: SourceLocator | None = None


class LinksGate(Gate):
    name = "links"
    rules = ("links/broken", "links/scheme", "links/anchor", "links/external", "links/refused")

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        opts = self.options
        self.external = bool(opts.get("external", False))
        self.ignore: tuple[str, ...] = glob_patterns(opts.get("ignore"), "ignore")
        self.site_url_path = "/" + str(opts.get("site_url_path") or "/").strip("/") + "/"
        self.site_url_path = self.site_url_path.replace("//", "/")
        self.external_options = ExternalOptions.from_plugin_options(opts)
        self.use_cache = bool(opts.get("cache", True))
        self.scan_cache = ScanCache(None)
        cache_file = opts.get("cache_file")
        self.cache_file: Path | None = Path(cache_file) if cache_file else None
        # Original hrefs per page, as the adapter captured them before MkDocs rewrote them:
        # ``[(as written, as rendered), ...]`` in document order.
        self.originals: dict[str, list[tuple[str, str]]] = {}
        self._reset()

    def _reset(self) -> None:
        self.pages: dict[str, _PageState] = {}
        self.anchors: dict[str, tuple[str, ...]] = {}
        self.url_index: dict[str, str] = {}
        self.sorted_files: list[str] = []
        self.deferred: list[tuple[PageLink, Resolved]] = []
        self.external_links: list[PageLink] = []
        self.stats = LinkStats()
        self._loading = False
        # (target, fragment) -> hint: a page repeating one broken anchor is matched once.
        self._anchor_hints: dict[tuple[str, str], str] = {}
        # Missing path -> the closest file, or None: a removed page that many pages still
        # link to is matched against every file once, not once per link. At most
        # SUGGESTED_PATHS of them: fuzzy matching is slow, and a wrecked site needs none.
        self._path_guesses: dict[str, str | None] = {}

    # -- hooks --------------------------------------------------------------------------
    def begin(self, site: SiteContext) -> None:
        self._reset()
        # A run over the whole site reads the scans ahead; a partial one asks for a few.
        path = site.cache_dir / "link-scan.sqlite" if self.use_cache else None
        self.scan_cache = ScanCache(path, read_ahead=site.complete)
        pages = set(site.page_urls)
        self.sorted_files = sorted(site.files)
        for path in self.sorted_files:
            if path not in pages:
                self.url_index.setdefault(_url_key(path), path)
        # Files the build writes without a source in docs/ (sitemap.xml, 404.html, search index).
        for output in self.options.get("extra_outputs") or ():
            self.url_index.setdefault(_url_key(str(output)), str(output))
        # Pages last: a page's URL wins over a stray file of the same name.
        for path, url in sorted(site.page_urls.items()):
            self.url_index[_url_key(unquote(url))] = path

    def check_rendered(self, page: PageInput, report: PageReport, site: SiteContext) -> None:
        if page.html is None:
            return
        scan = self.scan_cache.scan(page.html, page.html_key)
        page.anchors = page.anchors | scan.ids
        # A tuple: a set per page costs four times the memory, and a page has few anchors.
        self.anchors[page.path] = tuple(page.anchors)
        originals = self.originals.pop(page.path, [])
        if self._loading:
            return  # loaded only so that links into it can be checked
        written = _OriginalHrefs(originals)
        state = self.pages[page.path] = _PageState(page)
        seen: Counter[str] = Counter()
        linked: set[str] = set()
        for rendered in scan.links:
            original = written.take(rendered.url)
            link = PageLink(page.path, original, rendered.url, rendered.kind, seen[original])
            seen[original] += 1
            resolved = self.resolve(link, page, site)
            if resolved.kind == "external":
                self.stats.external += 1
                self.external_links.append(link)
            elif resolved.kind in ("broken", "scheme"):
                self.stats.internal += 1
                self._report(site, state, link, f"links/{resolved.kind}", resolved.problem)
            elif resolved.kind in ("page", "file"):
                self.stats.internal += 1
                if resolved.kind == "page" and resolved.target != page.path:
                    linked.add(resolved.target)
                if resolved.fragment and resolved.kind == "page":
                    if resolved.target in self.anchors:
                        # This page or one rendered before it: its anchors are known, so the
                        # link is checked now instead of being held until every page is in.
                        self._check_anchor(site, link, resolved)
                    else:
                        self.deferred.append((link, resolved))
        if linked:
            # How many pages link to each page, for the dashboard's "most-linked pages".
            inbound = site.shared.setdefault(INBOUND_KEY, Counter())
            for target in linked:
                inbound[target] += 1

    def finish(self, site: SiteContext) -> None:
        for link, resolved in self.deferred:
            self._check_anchor(site, link, resolved)
        self.deferred = []
        self.scan_cache.close()
        external = None
        if self.external and self.external_links:
            external = self._check_external(site)
        site.report.site["links"] = {
            "internal": self.stats.internal,
            "external": self.stats.external,
            "broken": self.stats.broken,
            "anchors_missing": self.stats.anchor,
            "external_check": external,
        }

    def release(self, site: SiteContext) -> None:
        self.originals, self.pages, self.anchors, self.url_index = {}, {}, {}, {}
        self.sorted_files, self.external_links, self._anchor_hints, self._path_guesses = [], [], {}, {}

    # -- resolving ----------------------------------------------------------------------
    def resolve(self, link: PageLink, page: PageInput, site: SiteContext) -> Resolved:
        url = link.rendered.strip()
        if not url:
            return Resolved("skip")
        # Only with patterns: the generator costs ~3 µs a link, and most sites ignore nothing.
        if self.ignore and any(fnmatchcase(u, p) for p in self.ignore for u in (link.original, url)):
            return Resolved("skip")
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") and parts.netloc:
            return Resolved("external", url)
        if not scheme and url.startswith("//"):
            return Resolved("external", "https:" + url)
        if scheme == "file":
            return Resolved("scheme", problem=(
                f"{link.kind} '{_short(link.original, 200)}' is a file: URL, which opens a file on the author's "
                "own disk; put the file under docs/ and link to it with a relative path"
            ))
        if scheme in ("javascript", "vbscript") or (scheme == "data" and link.kind == "link"):
            return Resolved("scheme", problem=(
                f"{link.kind} '{_short(link.original)}' runs script instead of leading anywhere; "
                "link to a page, a file or a URL (or lower links/scheme in the links plugin's "
                "severity option if the page shows it on purpose)"
            ))
        if len(scheme) == 1 and parts.path.startswith(("\\", "/")):
            return Resolved("scheme", problem=(
                f"{link.kind} '{_short(link.original, 200)}' is a path on the author's disk; put the file under "
                "docs/ and link to it with a relative path"
            ))
        if scheme:
            return Resolved("skip")  # mailto:, tel:, data:, ftp:... are not ours to check
        path = unquote(parts.path)
        fragment = unquote(parts.fragment)
        if not path:
            return Resolved("page", page.path, fragment) if fragment else Resolved("skip")
        if path.startswith("/"):
            if not path.startswith(self.site_url_path):
                return Resolved("skip")  # another application on the same host
            resolved = posixpath.normpath(path[len(self.site_url_path):] or ".")
        else:
            resolved = posixpath.normpath(posixpath.join(_url_dir(page.url), path))
        if not (resolved == ".." or resolved.startswith("../")):
            target = self.url_index.get(_url_key(resolved))
            if target is not None:
                kind = "page" if target in site.page_urls else "file"
                return Resolved(kind, target, fragment)
        return Resolved("broken", problem=self._broken_message(link, page, site, resolved))

    def _broken_message(self, link: PageLink, page: PageInput, site: SiteContext, resolved: str) -> str:
        written = unquote(urlsplit(link.original).path)
        if written.startswith("/"):
            in_source = posixpath.normpath(written.lstrip("/") or ".")
        else:
            in_source = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), written))
        what = f"{link.kind} '{_short(link.original, 200)}'"  # a 100 kB URL stays one readable line
        escapes = resolved == ".." or resolved.startswith("../")
        if escapes or (not written.startswith("/") and (in_source == ".." or in_source.startswith("../"))):
            return (
                f"{what} points outside docs/, where the site cannot reach (it was not read); "
                "link to a page or file inside docs/"
            )
        if link.original == link.rendered and in_source in site.files:
            # Raw HTML is copied as written: MkDocs rewrites only Markdown links.
            url = site.page_urls.get(in_source, in_source)
            suggestion = posixpath.relpath(url or ".", _url_dir(page.url) or ".")
            if url.endswith("/") and not suggestion.endswith("/"):
                suggestion += "/"
            return (
                f"{what} names the source file '{in_source}', but MkDocs does not rewrite links "
                f"in raw HTML, so readers get a 404; write it as a Markdown link, or as the "
                f"page's URL '{suggestion}'"
            )
        shown = in_source if written.endswith(".md") or link.rendered == link.original else resolved
        message = f"{what} points to '{_short(shown, 200)}', which is not a page or file in docs/"
        if shown not in self._path_guesses and len(self._path_guesses) < SUGGESTED_PATHS:
            close = difflib.get_close_matches(shown, self.sorted_files, n=1, cutoff=0.75)
            self._path_guesses[shown] = close[0] if close else None
        guess = self._path_guesses.get(shown)
        if guess:
            message += f"; did you mean '{guess}'?"
        else:
            message += "; fix the path or add the missing file"
        return message

    # -- anchors ------------------------------------------------------------------------
    def _check_anchor(self, site: SiteContext, link: PageLink, resolved: Resolved) -> None:
        fragment = resolved.fragment
        if fragment.lower() in _ALWAYS_PRESENT or fragment.startswith(_TEMPLATE_PREFIXES):
            return
        anchors = self._anchors_of(resolved.target, site)
        if anchors is None or fragment in anchors:
            return  # a page the build did not render (generated, excluded) is not judged
        state = self.pages[link.page]
        where = "this page" if resolved.target == link.page else resolved.target
        hint = self._anchor_hints.get((resolved.target, fragment))
        if hint is None:
            close = difflib.get_close_matches(fragment, sorted(a for a in anchors if not a.startswith("__")), n=1, cutoff=0.6)
            hint = self._anchor_hints[(resolved.target, fragment)] = f"did you mean '#{close[0]}'?" if close else (
                "link to one of its headings' anchors, or give a heading that id: "
                f"'## Title {{#{fragment}}}' (attr_list)"
            )
        self._report(site, state, link, "links/anchor", (
            f"{link.kind} '{_short(link.original, 200)}': {where} has no anchor '#{fragment}'; {hint}"
        ))

    def _anchors_of(self, path: str, site: SiteContext) -> tuple[str, ...] | None:
        if path not in self.anchors and not site.complete and site.load_page is not None:
            # Changed-pages mode: render the target too, for its anchors only.
            self._loading = True
            try:
                site.load_page(path)
            finally:
                self._loading = False
        return self.anchors.get(path)

    # -- external -----------------------------------------------------------------------
    def _check_external(self, site: SiteContext) -> dict[str, Any]:
        # Here, not at the top: sockets, TLS and SQLite cost every build that checks no URL.
        from docgates.links.external import check_with_cache

        by_url: dict[str, list[PageLink]] = {}
        for link in self.external_links:
            url = link.rendered.strip()
            url = ("https:" + url) if url.startswith("//") else url
            by_url.setdefault(url.split("#", 1)[0], []).append(link)
        verdicts, summary = check_with_cache(by_url, self.external_options, self.cache_file or (site.cache_dir / CACHE_FILE))
        for url in sorted(verdicts):
            verdict = verdicts[url]
            if verdict.ok is not False:
                continue
            when = " (cached verdict)" if verdict.from_cache else ""
            for link in by_url[url]:
                state = self.pages[link.page]
                if verdict.refused:
                    # The status says why and what to do; nothing was sent to the refused hop.
                    self._report(site, state, link, "links/refused", (
                        f"external {link.kind} '{_short(link.original, 200)}' was not fetched: {verdict.status}"
                    ), fingerprint=url)
                    continue
                self._report(site, state, link, "links/external", (
                    f"external {link.kind} '{_short(link.original, 200)}' failed: {verdict.status}{when}; fix or "
                    "remove it, or add a pattern to the links plugin's external_ignore"
                ), fingerprint=url)
        return summary

    # -- findings -----------------------------------------------------------------------
    def _report(
        self, site: SiteContext, state: _PageState, link: PageLink, rule: str, message: str, fingerprint: str = ""
    ) -> None:
        if state.locator is None:
            source = state.input.source
            state.locator = SourceLocator(source.text, source.body_line)
        line = state.locator.line_of(link.original, link.occurrence)
        if rule in ("links/broken", "links/scheme"):  # neither leads a reader anywhere
            self.stats.broken += 1
        elif rule == "links/anchor":
            self.stats.anchor += 1
        site.add(site.finding(rule, link.page, line, message, fingerprint or f"{rule} {link.original}"))


class _OriginalHrefs:
    """Maps each rendered href back to how the author wrote it, in document order."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.queues: dict[str, list[str]] = {}
        for original, rendered in pairs:
            self.queues.setdefault(rendered, []).append(original)

    def take(self, rendered: str) -> str:
        queue = self.queues.get(rendered)
        return queue.pop(0) if queue else rendered


def _url_dir(page_url: str) -> str:
    """The folder a page's relative links start from: ``a/b/`` for ``a/b/``, ``a/`` for ``a/b.html``."""
    if not page_url or page_url.endswith("/"):
        return page_url
    return posixpath.dirname(page_url) + "/" if "/" in page_url else ""


def _url_key(path: str) -> str:
    """One key for the ways a URL may name the same output file."""
    key = path.strip("/")
    if key == ".":
        return ""
    if key == "index.html" or key.endswith("/index.html"):
        key = key[: -len("index.html")].rstrip("/")
    return key


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
