"""The MkDocs side of one build: MkDocs' files, pages, theme and errors, fed to one
engine-neutral ``GateRun``.

Every docgates plugin registers its gate here; the first enabled docgates plugin of the
config (the lead) forwards MkDocs' events, so each event reaches the run once however many
docgates plugins are enabled.
"""

from __future__ import annotations

import logging
import os
from functools import partial
from html import escape as html_escape
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment, TemplateError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from docgates.core.safe_yaml import yaml_key_lines
from docgates.core.outputs import terminal_text
from docgates.core.pipeline import GateRun, RunError

log = logging.getLogger("mkdocs.plugins.docgates")

PACKAGE_DIR = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PACKAGE_DIR / "templates"
ASSETS_DIR = PACKAGE_DIR / "assets"
ASSETS_URI = "assets/docgates"
# The one stylesheet pages link: the base styles and those of the enabled gates.
STYLESHEET_URI = f"{ASSETS_URI}/docgates.css"
# Where MkDocs plugins keep their caches, relative to mkdocs.yml.
CACHE_DIR = Path(".cache") / "plugin" / "docgates"

__all__ = ["BuildSession", "forward_core_logs"]


class _ToMkDocsLog(logging.Handler):
    """Hands the core's ``docgates.*`` log records to MkDocs' ``mkdocs.plugins.docgates.*``
    loggers, where MkDocs shows them and ``--strict`` counts their warnings."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(f"mkdocs.plugins.{record.name}")
        if target.isEnabledFor(record.levelno):
            target.handle(record)


def forward_core_logs(on: bool) -> None:
    """While MkDocs runs docgates (from ``on_config`` to ``on_shutdown``), send the core's log
    records through MkDocs' loggers; otherwise they propagate as any library's do."""
    core = logging.getLogger("docgates")
    for handler in [h for h in core.handlers if isinstance(h, _ToMkDocsLog)]:
        core.removeHandler(handler)
    if on:
        core.addHandler(_ToMkDocsLog())
        # MkDocs' loggers decide what is shown; without this, records below the root's
        # WARNING would never be made.
        core.setLevel(logging.DEBUG)
        core.propagate = False
    else:
        core.setLevel(logging.NOTSET)
        core.propagate = True


class BuildSession(GateRun):
    """The gates' run over one MkDocs build (one per config object, so nothing accumulates
    across ``mkdocs serve`` rebuilds)."""

    def __init__(self, config: MkDocsConfig, command: str = "build") -> None:
        config_dir = Path(config.config_file_path or ".").resolve().parent
        super().__init__(config_dir, Path(config.docs_dir or "docs").resolve(), config_dir / CACHE_DIR, command=command)
        self.config = config
        # Each page's bytes as _guard_unreadable read them, until the page is read (or why
        # they cannot be read): a page is then read from disk once by docgates, not twice.
        self._raw: dict[str, bytes | OSError] = {}
        self.failed = False
        # Front matter titles as written (page.meta holds the escaped form).
        self.meta_titles: dict[str, str] = {}
        # Bodies of the generated pages, made before the theme renders the first page.
        self.generated_html: dict[str, str] = {}
        self.rendering_prepared = False
        # Generated pages a site keeps out of its explicit nav (option ``nav: false``).
        self.off_nav: set[str] = set()
        self.post_build_done = False
        # Top-level keys of Material's .meta.yml files with their lines, by docs-relative path.
        self._meta_file_keys: dict[str, dict[str, int]] = {}
        try:
            self._docs_prefix = self.docs_dir.relative_to(config_dir).as_posix().rstrip("/") + "/"
        except ValueError:
            self._docs_prefix = self.docs_dir.as_posix() + "/"
        forward_core_logs(True)
        self._install_templates()

    def _install_templates(self) -> None:
        dirs = self.config.theme.dirs
        # Before the theme's own folders (so our partials/content.html wins) but after a custom_dir.
        custom = self.config.theme.custom_dir
        index = 1 if custom and dirs and Path(dirs[0]) == Path(custom) else 0
        if str(TEMPLATES_DIR) not in dirs:
            dirs.insert(index, str(TEMPLATES_DIR))

    # -- files --------------------------------------------------------------------------
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        generated = self.generated_pages()
        for src_uri, title in generated.items():
            if files.get_file_from_path(src_uri) is None:
                files.append(File.generated(config, src_uri, content=f"# {title}\n"))
        _add_to_nav(config, {path: title for path, title in generated.items() if path not in self.off_nav})
        if files.get_file_from_path(STYLESHEET_URI) is None:
            files.append(File.generated(config, STYLESHEET_URI, content=self._stylesheet()))
        if STYLESHEET_URI not in config.extra_css:
            config.extra_css.append(STYLESHEET_URI)
        if self.reads_every_page:
            # A check of a few pages guards each as it reads it (``guard_unreadable``).
            for file in files.documentation_pages():
                self.guard_unreadable(file)
        self._raise_plugin_error(
            self.begin,
            Path(config.site_dir),
            [f.src_uri for f in files],
            {f.src_uri: f.url for f in files.documentation_pages()},
            _language(config),
        )
        return files

    def _stylesheet(self) -> str:
        """The enabled gates' styles as one file: a page links one stylesheet, not up to seven."""
        names = dict.fromkeys(["docgates.css", *(g.stylesheet for g in self.gates if g.stylesheet)])
        return "\n".join(
            f"/* docgates: {name} */\n" + (ASSETS_DIR / name).read_text(encoding="utf-8") for name in names
        )

    def guard_unreadable(self, file: File) -> None:
        """Give MkDocs readable text for a page it would crash on (not UTF-8, a broken
        symlink, no permission), so the build reports a finding instead of a traceback.
        (Not ``on_page_read_source``: MkDocs allows one such handler per site.)"""
        if not file.abs_src_path or file.src_uri in self.generated:
            return
        raw = _read_raw(file)
        if isinstance(raw, OSError):
            # Said now: MkDocs forgets the file's path once it has content.
            raw.strerror = _unreadable_message(Path(file.abs_src_path), raw)
            text = ""
        else:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-8", "replace").lstrip("\ufeff")
            else:
                self._raw[file.src_uri] = raw  # on_page_markdown's, so no second read
                return
        self._raw[file.src_uri] = raw  # what on_page_markdown reports on
        file.content_string = text

    # -- pages --------------------------------------------------------------------------
    def on_page_markdown(self, page: Page) -> None:
        path = page.file.src_uri
        if path in self.generated or path in self.inputs:
            return
        raw = self._raw.pop(path, None)
        if raw is None:
            raw = _read_raw(page.file)
        view = self._raise_plugin_error(
            self.read_page,
            path,
            raw,
            url=page.url,
            title=str(page.title or ""),
            declared=page.meta,
            declared_origin=partial(self._declared_origin, page),
        )
        page.meta["docgates"] = view
        title = page.meta.get("title")
        if isinstance(title, str):
            # Themes print page titles as HTML (Material's nav does), but a front matter title
            # is text: escape it once here so `title: "<img onerror=…>"` shows as text.
            self.meta_titles[path] = title
            page.meta["title"] = html_escape(title, quote=False)

    def _declared_origin(self, page: Page, key: str) -> str:
        """Where a key of ``page.meta`` that the page itself does not write came from: the
        nearest ``.meta.yml`` of Material's meta plugin that sets it (its ``__extends`` lists
        them, outermost first), with the line; else another plugin."""
        for meta_file in reversed(page.meta.get("__extends") or []):
            if meta_file not in self._meta_file_keys:
                try:
                    text = (Path(self.config.docs_dir) / meta_file).read_text(encoding="utf-8-sig")
                except OSError:
                    text = ""
                self._meta_file_keys[meta_file] = yaml_key_lines(text)
            line = self._meta_file_keys[meta_file].get(key)
            if line is not None:
                return f"{self._docs_prefix}{Path(meta_file).as_posix()}:{line}"
        return "page.meta, set by another plugin"

    def on_page_content(self, page: Page, html: str) -> str:
        path = page.file.src_uri
        page_input = self.inputs.get(path)
        if page_input is None or page_input.html is not None:
            return html
        title = self.meta_titles.get(path) or str(page.title or "")
        self._raise_plugin_error(self.rendered, path, html, title, _toc_ids(page.toc))
        return html

    def on_env(self, env: Environment) -> None:
        """Every page is in: finish the run, and give the theme the gates' header partials as
        one template (``docgates_header``), which ``docgates/page-header.html`` includes once
        per page instead of each partial by name. Each partial is read through the theme's
        loader, so a site's own copy still wins."""
        self._site().templates = env.loader  # generated pages: a site's copy wins there too
        self._raise_plugin_error(self.finish)
        if not self.renders or not self.partials:
            return
        try:
            # Jinja drops the one newline a template file ends with; so does this.
            sources = [_chomp(env.loader.get_source(env, name)[0]) for name in self.partials]
            # A partial's {% set %} stays its own, as it did when included alone.
            header = env.from_string("".join("\n    {% with %}" + s + "{% endwith %}" for s in sources))
        except TemplateError:
            # page-header.html then includes each partial by name, and a broken one is
            # reported by Jinja with its own file and line when the page renders.
            return
        env.globals["docgates_header"] = header

    def on_page_context(self, page: Page) -> None:
        if not self.rendering_prepared:
            self.rendering_prepared = True
            self.generated_html = self._raise_plugin_error(self.prepare_rendering)
            self.meta_titles.clear()
            self._raw.clear()  # pages never read (excluded from the build)
        html = self.generated_html.pop(page.file.src_uri, None)
        if html is not None:
            page.content = html
            # The table of contents came from the placeholder Markdown; its anchors are not in
            # the generated HTML, so the theme must not link to them.
            page.toc = TableOfContents([])

    # -- end of build -------------------------------------------------------------------
    def on_post_build(self) -> None:
        self.post_build_done = True
        try:
            outcome = self.end()
        except RunError as exc:
            self.failed = True
            raise PluginError(str(exc)) from None
        for finding in outcome.findings:
            if finding in outcome.baselined:
                # Accepted debt stays in quality.json; logging it above INFO would fail --strict.
                log.debug("%s (baselined)", terminal_text(finding.format()))
            else:
                (log.error if finding.severity == "error" else log.info)(terminal_text(finding.format()))
        if outcome.failed and self.command != "serve":
            self.failed = True
            raise PluginError(
                f"{outcome.summary}. Fix the errors above: each names its file, line and rule, "
                "and 'docgates check' lists them again."
            )
        log.info(outcome.summary)

    def on_build_error(self) -> None:
        # A build that failed elsewhere still leaves a report behind, as the contract asks.
        if self.site is not None and not self.post_build_done and not self.failed:
            try:
                self.write_report()
            except OSError:
                pass

    @staticmethod
    def _raise_plugin_error(step, *args: Any, **kwargs: Any) -> Any:
        try:
            return step(*args, **kwargs)
        except RunError as exc:
            raise PluginError(str(exc)) from None


def _add_to_nav(config: MkDocsConfig, pages: dict[str, str]) -> None:
    """With an explicit ``nav``, MkDocs leaves a page out of the menu unless the nav names it:
    add the generated pages the nav does not name at its end, as a reader expects to find them."""
    nav = config.nav
    if not isinstance(nav, list):
        return  # no nav: MkDocs lists every page itself
    named = set(_nav_paths(nav))
    for path, title in pages.items():
        if path not in named:
            nav.append({title: path})


def _nav_paths(items: Any) -> list[str]:
    paths: list[str] = []
    stack = [items]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            paths.append(PurePosixPath(item).as_posix())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return paths


def _read_raw(file: File) -> bytes | OSError:
    try:
        if file.abs_src_path:
            return Path(file.abs_src_path).read_bytes()
        return file.content_bytes
    except OSError as exc:
        return exc


def _unreadable_message(path: Path, exc: OSError) -> str:
    if path.is_symlink() and not path.exists():
        return (
            f"the file is a symbolic link to {os.readlink(path)}, which does not exist; "
            "fix or remove the link"
        )
    return f"cannot read the file: {exc.strerror or exc}; check that it exists and is readable"


def _chomp(source: str) -> str:
    for newline in ("\r\n", "\n", "\r"):
        if source.endswith(newline):
            return source[: -len(newline)]
    return source


def _toc_ids(toc: Any) -> list[str]:
    ids: list[str] = []
    stack = list(toc or [])
    while stack:
        item = stack.pop()
        if getattr(item, "id", None):
            ids.append(item.id)
        stack.extend(getattr(item, "children", []) or [])
    return ids


def _language(config: MkDocsConfig) -> str:
    theme_language = config.theme.get("language") if config.theme else None
    return str(theme_language or "en")
