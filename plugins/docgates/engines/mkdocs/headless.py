"""Run the docgates plugins of a MkDocs project without rendering the theme.

``docgates check`` uses this so that it reports exactly what the build would: the same
config, the same plugins, the same Markdown rendering, minus templates and file copies.
Another engine's build (Zensical) runs it without the Markdown rendering (``render=False``):
that engine renders the pages, the adapter hands the gates its HTML (``rendered``), then
``finish_headless`` ends the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from jinja2 import Environment
from mkdocs.commands.build import _populate_page
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, MkDocsException
from mkdocs.structure.files import Files, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from docgates.core.gate import PageInput
from docgates.core.report import QualityReport
from docgates.engines.mkdocs.base import session_of
from docgates.engines.mkdocs.session import BuildSession


class ProjectError(Exception):
    """The project cannot be checked (no mkdocs.yml, bad config, no docgates plugin)."""


@dataclass
class HeadlessRun:
    session: BuildSession
    report: QualityReport
    checked: set[str]
    # What MkDocs made of the docs folder: another engine builds the same files and nav.
    files: Files | None = None
    nav: Navigation | None = None
    # Set while a run without rendering waits for the pages' HTML (see ``finish_headless``).
    waiting: tuple[MkDocsConfig, Environment] | None = None

    def rendered(self, page: Page, html: str, title: str | None, anchors: Iterable[str]) -> None:
        """Another engine rendered ``page`` (of a run with ``render=False``) to ``html``, its
        first element an h1 with text ``title`` (or not): run the gates' rendered checks, with
        the title MkDocs would give the page after rendering it."""
        page.content = html
        # MkDocs' render takes a page's title from this h1 when neither the nav nor the front
        # matter names one; the title is a property a caller may set for good.
        if title and "title" not in page.meta and "title" not in vars(page):
            page.title = title
        path = page.file.src_uri
        shown = self.session.meta_titles.get(path) or str(page.title or "")
        self.session.rendered(path, html, shown, anchors)


def find_config(config_file: str | None) -> Path:
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ProjectError(f"{config_file}: no such file; pass the path of your mkdocs.yml")
        return path
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if Path(name).is_file():
            return Path(name)
    raise ProjectError("no mkdocs.yml in this folder; run from the project root or pass --config-file")


def run_headless(
    config_file: str | None = None,
    only: Iterable[str] | None = None,
    gates: Iterable[str] | None = None,
    shared: Mapping[str, Any] | None = None,
    render: bool = True,
) -> HeadlessRun:
    """Run the gates over every page, or only over the docs-relative paths in ``only``;
    ``gates`` (names) runs only those of the enabled gates (e.g. ``docgates stale``);
    ``shared`` seeds the site's shared values (what ``--changed-since`` found).
    ``render=False`` reads each page's source and front matter (the plugins'
    ``on_page_markdown``) but renders no Markdown, and leaves the run open: the caller gives
    each page's HTML to ``HeadlessRun.rendered``, then calls ``finish_headless``."""
    path = find_config(config_file)
    # MkDocs logs config warnings through its own logger; keep them, but not INFO chatter.
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(str(path))
    except (ConfigurationError, MkDocsException) as exc:
        raise ProjectError(f"{path}: {exc}") from None
    except RecursionError:
        # MkDocs' YAML loader recurses once per level of nesting.
        raise ProjectError(f"{path}: lists or mappings are nested too deep for MkDocs to read; flatten them") from None
    config.plugins.on_startup(command="build", dirty=False)
    waiting = False
    try:
        try:
            config = config.plugins.on_config(config)
        except (ConfigurationError, MkDocsException) as exc:
            raise ProjectError(f"{path}: {exc}") from None
        session = session_of(config)
        if session is None:
            raise ProjectError(
                f"{path}: no docgates plugin is enabled; add e.g. 'docgates/freshness' under plugins"
            )
        # 'docgates check' makes no site, so no generated page will be asked for; another
        # engine (``render=False``) builds the whole site, generated pages included, and a gate
        # may start preparing one in ``begin`` (the leaderboard scores old page versions in
        # its worker process while that engine renders).
        session.renders = not render
        session.shared.update(shared or {})
        # Known before on_files, where it becomes the site's ``complete``.
        session.reads_every_page = only is None
        if gates is not None:
            wanted_gates = set(gates)
            session.gates = [g for g in session.gates if g.name in wanted_gates]
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        # As the build does: theme files are site files too (a link to one is not broken).
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        config.plugins.on_nav(nav, config=config, files=files)
        wanted = None if only is None else set(only)
        pages = {f.src_uri: f for f in files.documentation_pages() if f.src_uri not in session.generated}

        def populate(src_uri: str) -> PageInput | None:
            file = pages.get(src_uri)
            if file is None:
                return None
            if src_uri not in session.inputs:
                if not session.reads_every_page:
                    session.guard_unreadable(file)
                if file.page is None:
                    Page(None, file, config)
                if render:
                    _populate_page(file.page, config, files)
                else:
                    _read_page(file.page, config, files)
            return session.inputs.get(src_uri)

        assert session.site is not None
        session.site.load_page = populate
        checked = {p for p in pages if wanted is None or p in wanted}
        for src_uri in sorted(checked):
            populate(src_uri)
        if not render:
            waiting = True
            return HeadlessRun(
                session=session, report=session.site.report, checked=checked, files=files, nav=nav,
                waiting=(config, env),
            )
        # The lead plugin's on_env finishes the run (cross-page checks, the baseline).
        config.plugins.on_env(env, config=config, files=files)
    finally:
        if not waiting:
            config.plugins.on_shutdown()
    report = session.site.report
    if wanted is not None:
        # Pages loaded only to resolve links are not part of what was asked for.
        report.pages = {p: r for p, r in report.pages.items() if p in checked}
    return HeadlessRun(session=session, report=report, checked=checked, files=files, nav=nav)


def finish_headless(run: HeadlessRun, *, pages_rendered: bool = True) -> None:
    """End a run made with ``render=False``: with every page's HTML in, the gates' cross-page
    checks and the baseline (MkDocs' ``on_env``); then the plugins' shutdown, which
    ``pages_rendered=False`` (the other engine failed) does alone."""
    if run.waiting is None:
        return
    config, env = run.waiting
    run.waiting = None
    try:
        if pages_rendered:
            config.plugins.on_env(env, config=config, files=run.files)
    finally:
        config.plugins.on_shutdown()


def _read_page(page: Page, config: MkDocsConfig, files: Files) -> None:
    """``_populate_page`` up to the Markdown: the source, its front matter and the plugins'
    ``on_page_markdown`` (where docgates reads the page), no rendering."""
    config._current_page = page
    try:
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        assert page.markdown is not None
        page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
    finally:
        config._current_page = None
