"""``docgates/links``: MkDocs adapter for the links gate.

While this plugin is enabled it replaces MkDocs' own link validation: it checks everything
``validation.links.not_found``, ``unrecognized_links``, ``absolute_links`` and
``validation.anchors`` cover (and raw HTML links, images and external URLs besides), so those
levels are set to ``ignore`` in ``on_config`` and one defect is never reported twice. Set
``enabled: false`` to get MkDocs' validation back.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as etree
from typing import Any
from urllib.parse import urlsplit

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from docgates.links.scan import URL_ATTRIBUTES
from docgates.links.gate import LinksGate
from docgates.engines.mkdocs.base import GateConfig, GatePlugin
from docgates.engines.mkdocs.session import BuildSession

# Markdown hides backslash-escaped characters as STX<code>ETX until its "unescape" step.
_ESCAPED = re.compile("\x02(\\d+)\x03")


class LinksConfig(GateConfig):
    cache = c.Type(bool, default=True)
    """Keep what each page's HTML links to under ``.cache/plugin/docgates/``, by a hash of
    the HTML, so unchanged pages are not parsed again on the next build."""

    ignore = c.Type(list, default=[])
    """Glob patterns of internal links not to check, matched against the link as written
    and as rendered, e.g. ``["/api/*", "*.pdf"]`` for files another job publishes."""

    external = c.Type(bool, default=False)
    """Also check ``http(s)`` links over the network (``links/external``). Off by default:
    builds then need no network. Verdicts are cached under ``.cache/plugin/docgates/``."""

    external_ignore = c.Type(list, default=[])
    """Glob patterns of external URLs never to fetch, e.g. ``["https://intranet.example.com/*"]``."""

    external_offline = c.Type(bool, default=False)
    """Use only cached verdicts, never the network (also set by ``DOCGATES_OFFLINE=1``).
    Cached verdicts are used whatever their age; URLs never checked are skipped, not failed."""

    external_allow_private = c.Type(bool, default=True)
    """Fetch links whose host is on a private address (``10.x``, ``192.168.x``, loopback...),
    as internal handbooks link to intranet hosts. ``false`` on a public site reports them as
    ``links/refused`` without fetching. Link-local and cloud-metadata addresses are never
    fetched, and a redirect from a public address to a private one is never followed."""

    external_time_limit = c.Type((str, int, float), default="10min")
    """Longest time the whole external check may take (``45s``, ``30min``, ``2h`` or seconds);
    URLs not reached by then are reported once as not checked, neither passed nor failed."""

    cache_ttl_ok = c.Type((str, int, float), default="7d")
    """How long a good verdict is trusted before the URL is fetched again
    (``45s``, ``30min``, ``12h``, ``7d``, ``2w`` or seconds)."""

    cache_ttl_failed = c.Type((str, int, float), default="1h")
    """How long a failed verdict is trusted; short, so a passing outage is re-checked soon."""

    concurrency = c.Type(int, default=8)
    """External URLs fetched at the same time."""

    per_host = c.Type(int, default=2)
    """At most this many requests to one host at a time, to stay polite."""

    timeout = c.Type((int, float), default=10)
    """Seconds one request may take as a whole: name lookup, connecting and the answer's
    headers, however slowly the server sends them."""

    retries = c.Type(int, default=2)
    """Further attempts after a timeout, a network error, HTTP 429 or 5xx (never after 404)."""

    retry_backoff = c.Type((int, float), default=1.0)
    """Seconds before the first retry; doubled for each further one (``Retry-After`` is honoured up to 10 s)."""


class LinksPlugin(GatePlugin[LinksConfig]):
    gate_class = LinksGate

    def __init__(self) -> None:
        super().__init__()
        self.current_page: str | None = None

    def gate_options(self, config: MkDocsConfig) -> dict[str, Any]:
        options = super().gate_options(config)
        options["site_url_path"] = urlsplit(config.site_url or "").path or "/"
        options["extra_outputs"] = [
            *config.theme.static_templates, *config.extra_templates, "sitemap.xml.gz", "search/search_index.json"
        ]
        return options

    def configure_session(self, session: BuildSession, config: MkDocsConfig) -> None:
        links = config.validation.links
        # We report these ourselves, as links/broken and links/anchor with the source line.
        links.not_found = logging.DEBUG
        links.unrecognized_links = logging.DEBUG
        links.anchors = logging.DEBUG
        if links.absolute_links >= 0:  # keep "relative_to_docs": it changes the output
            links.absolute_links = logging.DEBUG
        config.markdown_extensions.append(_HrefRecorder(self))

    def gate(self) -> LinksGate | None:
        session = self.session
        for gate in session.gates if session else ():
            if isinstance(gate, LinksGate):
                return gate
        return None

    # Same priority as the base class's handler, which this extends.
    @event_priority(50)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        # Pages are rendered one at a time right after this event; the recorder files what
        # it sees under this page.
        self.current_page = page.file.src_uri
        return super().on_page_markdown(markdown, page=page, config=config, files=files)

    def record(self, pairs: list[tuple[str, str]]) -> None:
        gate = self.gate()
        if gate is not None and self.current_page is not None:
            gate.originals.setdefault(self.current_page, []).extend(pairs)


class _HrefRecorder(Extension):
    """Captures every link as the author wrote it, before MkDocs rewrites ``page.md`` into
    ``../page/``, so that messages quote the source and lines can be found in it."""

    def __init__(self, plugin: LinksPlugin) -> None:
        super().__init__()
        self.plugin = plugin

    def extendMarkdown(self, md: Markdown) -> None:
        written = _WrittenHrefs(md)
        # After every extension has made its links (inline is 20, toc 5, attr_list 8), before
        # MkDocs' "relpath" (0) rewrites them; then once more after it.
        md.treeprocessors.register(written, "docgates_links_written", 0.5)
        md.treeprocessors.register(_RenderedHrefs(md, written, self.plugin), "docgates_links_rendered", -1)


class _WrittenHrefs(Treeprocessor):
    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.elements: list[tuple[etree.Element, str, str]] = []

    def run(self, root: etree.Element) -> None:
        self.elements = []
        for element in root.iter():
            for attribute in URL_ATTRIBUTES.get(element.tag, ()):  # type: ignore[arg-type]
                value = element.get(attribute)
                if value and attribute != "srcset":
                    original = _ESCAPED.sub(lambda m: chr(int(m.group(1))), value)
                    self.elements.append((element, attribute, original))


class _RenderedHrefs(Treeprocessor):
    def __init__(self, md: Markdown, written: _WrittenHrefs, plugin: LinksPlugin) -> None:
        super().__init__(md)
        self.written = written
        self.plugin = plugin

    def run(self, root: etree.Element) -> None:
        pairs = [
            (original, element.get(attribute) or "")
            for element, attribute, original in self.written.elements
        ]
        self.written.elements = []
        self.plugin.record(pairs)
