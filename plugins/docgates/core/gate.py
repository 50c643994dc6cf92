"""What a gate is, and what it sees of the site and of each page.

A gate is engine-agnostic: adapters (the MkDocs plugins, the headless ``docgates check``)
build ``SiteContext`` and ``PageInput`` values and call the gate's hooks in this order:
``begin`` once, ``check_source`` and ``check_rendered`` per page, ``finish`` once; a build
that renders the pages then asks for each ``page_view`` and generated page, and calls
``release``.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Callable, ClassVar, Mapping

from docgates.core.content_cache import content_key
from docgates.core.findings import Finding, SeverityPolicy
from docgates.core.frontmatter import PageSource
from docgates.core.report import PageReport, QualityReport


class GateError(Exception):
    """A problem the user must fix (missing setup data, bad configuration), raised from a
    hook; adapters show its message as is (a build error, ``docgates check`` exit 2)."""


@dataclass
class SiteContext:
    """Everything a gate may know about the site being checked."""

    config_dir: Path
    docs_dir: Path
    site_dir: Path
    today: dt.date
    policy: SeverityPolicy
    report: QualityReport
    language: str = "en"
    repo_root: Path | None = None
    # Every file of the docs (docs-relative POSIX paths), pages and assets alike.
    files: set[str] = field(default_factory=set)
    # Page path -> URL relative to the site root (e.g. "guide/setup/").
    page_urls: dict[str, str] = field(default_factory=dict)
    # Parsed sources of the pages seen so far (all pages after a full run).
    sources: dict[str, PageSource] = field(default_factory=dict)
    # Shared, lazily built values (git history, CODEOWNERS...), so each is computed once.
    shared: dict[str, Any] = field(default_factory=dict)
    # Whether every page is being checked (False in changed-pages mode).
    complete: bool = True
    # In changed-pages mode, lets a gate ask for a page it needs but was not checked.
    load_page: Callable[[str], "PageInput | None"] | None = None
    # False when the run renders nothing (``docgates check``): no generated page will be
    # asked for, so a gate need not start preparing one in ``begin``.
    renders: bool = True

    # Where the gates keep their caches between runs; the engine adapter says where (MkDocs
    # plugins keep theirs under .cache/plugin/NAME).
    cache_dir: Path | None = None
    # The site's own templates (a jinja2 loader; MkDocs: the theme's, custom_dir first), which
    # generated pages look in before the package's (``core/templates.py``); None: the package's.
    templates: Any = None

    def __post_init__(self) -> None:
        if self.cache_dir is None:
            self.cache_dir = self.config_dir / ".cache" / "docgates"

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """Build a shared value once per run (e.g. ``memo("git", load_history)``)."""
        if key not in self.shared:
            self.shared[key] = build()
        value = self.shared[key]
        if isinstance(value, Future):  # started early in a thread (e.g. the git history)
            value = self.shared[key] = value.result()
        return value

    def finding(self, rule: str, path: str, line: int, message: str, fingerprint_text: str = "") -> Finding:
        return self.policy.finding(rule, path, line, message, fingerprint_text)

    def add(self, finding: Finding) -> None:
        self.report.add(finding)

    def repo_path(self, docs_path: str) -> str:
        """A docs-relative path as a repository-relative one (for git and CODEOWNERS)."""
        absolute = self.docs_dir / docs_path
        root = self.repo_root or self.config_dir
        try:
            return absolute.relative_to(root).as_posix()
        except ValueError:
            return Path(docs_path).as_posix()


@dataclass
class PageInput:
    """One page as a gate sees it."""

    source: PageSource
    url: str = ""
    title: str = ""
    # Rendered HTML of the page body; None until rendered.
    html: str | None = None
    # Anchor ids the rendered page really has (toc slugs, attr_list ids, raw HTML ids), during
    # ``check_rendered`` only: a gate that needs them later keeps its own copy.
    anchors: AbstractSet[str] = frozenset()

    # content_key(html), computed once for every cache keyed by the page's HTML.
    _html_key: str | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def html_key(self) -> str:
        if self._html_key is None:
            self._html_key = content_key(self.html or "")
        return self._html_key


class Gate:
    """Base class of the gates. Subclasses set ``name`` and override the hooks they need."""

    name: ClassVar[str] = ""
    # Rules this gate may report; its plugin's ``severity`` option may override only these.
    rules: ClassVar[tuple[str, ...]] = ()
    # Jinja partial (under templates/) that renders this gate's part of the page header.
    partial: ClassVar[str | None] = None
    # Stylesheet (under assets/) for what the partial renders.
    stylesheet: ClassVar[str | None] = None

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: dict[str, Any] = dict(options or {})

    def declares_code(self) -> bool:
        """Whether this gate's options say that pages document code (code-coupled freshness):
        the run's one git read then covers the whole repository, not only the docs folder."""
        return False

    def begin(self, site: SiteContext) -> None:
        """Called once per run after the list of files is known."""

    def check_source(self, page: PageInput, report: PageReport, site: SiteContext) -> None:
        """Called per page with its parsed source, before rendering."""

    def check_rendered(self, page: PageInput, report: PageReport, site: SiteContext) -> None:
        """Called per page once ``page.html`` and ``page.anchors`` are known."""

    def finish(self, site: SiteContext) -> None:
        """Called once after every page, for cross-page checks and site-wide data."""

    def page_view(self, path: str, site: SiteContext) -> Any:
        """Values for this gate's partial on one page (``page.meta.docgates.view[name]``),
        asked for after ``finish``, before the page is rendered; None adds nothing."""
        return None

    def release(self, site: SiteContext) -> None:
        """Called once per build, when ``finish``, every ``page_view`` and this gate's
        generated pages are done and only the report remains to be written: let go of
        per-page state. A big site's pages are then not held twice while the theme renders
        them (the build's peak memory comes after). Gates with no generated page are released
        before any page is generated, so a generated page reads only the site (report,
        sources, shared values), never another gate. Not called by ``docgates check``, whose
        commands read the gates afterwards."""

    def generated_pages(self) -> dict[str, str]:
        """Virtual pages this gate adds to the site: ``{src_uri: title}``."""
        return {}

    def render_generated(self, src_uri: str, site: SiteContext) -> str:
        """HTML body of one of ``generated_pages`` (called after ``finish``); escape everything."""
        raise NotImplementedError
