"""One build's shared state: the gates, the site context and the report.

Each docgates plugin forwards its MkDocs events here; the session does the work once per
event however many docgates plugins are enabled, and always in the same gate order.
"""

from __future__ import annotations

import logging
import os
from functools import partial
from html import escape as html_escape
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from docgates.core.baseline import DEFAULT_FILE as DEFAULT_BASELINE_FILE
from docgates.core.baseline import Baseline, BaselineError, BaselineOutcome, apply_baseline
from docgates.core.dates import DateError, today
from docgates.core.findings import SeverityPolicy
from docgates.core.frontmatter import PageSource, add_declared, parse_page, yaml_key_lines
from docgates.core.gate import Gate, GateError, PageInput, SiteContext
from docgates.core.git_history import read_history_early
from docgates.core.outputs import terminal_text
from docgates.core.report import PageReport, QualityReport
from docgates.core.repo import find_repo_root

log = logging.getLogger("mkdocs.plugins.docgates")

PACKAGE_DIR = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PACKAGE_DIR / "templates"
ASSETS_DIR = PACKAGE_DIR / "assets"
ASSETS_URI = "assets/docgates"
# The one stylesheet pages link: the base styles and those of the enabled gates.
STYLESHEET_URI = f"{ASSETS_URI}/docgates.css"
# Gates that read the git history: with one of them on, the history is read from on_config.
GIT_GATES = frozenset({"freshness", "ownership", "leaderboard"})
# Gates run in this order, so e.g. freshness can name the owner that ownership resolved.
GATE_ORDER = ("ownership", "freshness", "checklist", "readability", "links", "leaderboard", "quality")


@dataclass(slots=True)
class PageView:
    """What templates see as ``page.meta.docgates``."""

    report: PageReport
    # The gates' header partials (one tuple shared by every page).
    partials: tuple[str, ...]
    # Per-gate values for the partials, e.g. ``view.freshness.banner``.
    view: dict[str, Any] = field(default_factory=dict)


class BuildSession:
    _current: "BuildSession | None" = None

    @classmethod
    def for_config(cls, config: MkDocsConfig, command: str = "build") -> "BuildSession":
        """The session of this config object; a new config (a new build) gets a new one, so
        nothing accumulates across ``mkdocs serve`` rebuilds."""
        current = cls._current
        if current is None or current.config is not config:
            current = cls._current = cls(config, command)
        return current

    def __init__(self, config: MkDocsConfig, command: str = "build") -> None:
        self.config = config
        self.command = command
        self.policy = SeverityPolicy()
        self.gates: list[Gate] = []
        self.site: SiteContext | None = None
        self.inputs: dict[str, PageInput] = {}
        self.generated: dict[str, Gate] = {}
        self.report_name = "quality.json"
        self._done: set[str] = set()
        # The headless ``docgates check`` sets it to False before the run starts.
        self.renders = True
        # False when only some pages will be read (``docgates check --changed-since``).
        self.reads_every_page = True
        # Each page's bytes as _guard_unreadable read them, until the page is read (or why
        # they cannot be read): a page is then read from disk once by docgates, not twice.
        self._raw: dict[str, bytes | OSError] = {}
        self.failed = False
        # Front matter titles as written (page.meta holds the escaped form).
        self.meta_titles: dict[str, str] = {}
        # Each checked page's ``page.meta.docgates``, filled in before the theme renders.
        self.views: dict[str, PageView] = {}
        # Bodies of the generated pages, made before the theme renders the first page.
        self.generated_html: dict[str, str] = {}
        self.partials: tuple[str, ...] = ()
        # The committed baseline (docgates/quality option ``baseline``; None turns it off).
        config_dir = Path(config.config_file_path or ".").resolve().parent
        self.baseline_file: Path | None = config_dir / DEFAULT_BASELINE_FILE
        self.baseline_outcome: BaselineOutcome | None = None
        self.repo_root = find_repo_root(config_dir)
        # Becomes the site's shared values; the git history may start loading into it early.
        self.shared: dict[str, Any] = {}
        # Top-level keys of Material's .meta.yml files with their lines, by docs-relative path.
        self._meta_file_keys: dict[str, dict[str, int]] = {}
        docs = Path(config.docs_dir or "docs").resolve()
        try:
            self._docs_prefix = docs.relative_to(config_dir).as_posix().rstrip("/") + "/"
        except ValueError:
            self._docs_prefix = docs.as_posix() + "/"

    # -- registration -------------------------------------------------------------------
    def register(self, gate: Gate) -> None:
        if any(g.name == gate.name for g in self.gates):
            return
        self.gates.append(gate)
        self.gates.sort(key=lambda g: GATE_ORDER.index(g.name) if g.name in GATE_ORDER else 99)
        if gate.name in GIT_GATES:
            read_history_early(self.shared, self.repo_root, Path(self.config.docs_dir))
        if "templates" not in self._done:
            self._done.add("templates")
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
        if "files" in self._done:
            return files
        self._done.add("files")
        config_dir = Path(config.config_file_path or ".").resolve().parent
        try:
            run_today = today()
        except DateError as exc:
            raise PluginError(str(exc)) from None
        self.site = SiteContext(
            config_dir=config_dir,
            docs_dir=Path(config.docs_dir).resolve(),
            site_dir=Path(config.site_dir).resolve(),
            today=run_today,
            policy=self.policy,
            report=QualityReport(today=run_today),
            language=_language(config),
            repo_root=self.repo_root,
            shared=self.shared,
            renders=self.renders,
            complete=self.reads_every_page,
        )
        for gate in self.gates:
            for src_uri, title in gate.generated_pages().items():
                if files.get_file_from_path(src_uri) is None:
                    files.append(File.generated(config, src_uri, content=f"# {title}\n"))
                self.generated[src_uri] = gate
        if files.get_file_from_path(STYLESHEET_URI) is None:
            files.append(File.generated(config, STYLESHEET_URI, content=self._stylesheet()))
        if STYLESHEET_URI not in config.extra_css:
            config.extra_css.append(STYLESHEET_URI)
        self._guard_unreadable(files)
        self.site.files = {f.src_uri for f in files}
        # Which gates run, so the dashboard can tell "not measured" from "all clean".
        self.site.shared["gates"] = tuple(g.name for g in self.gates)
        self.site.page_urls = {f.src_uri: f.url for f in files.documentation_pages()}
        self.partials = tuple(g.partial for g in self.gates if g.partial)
        for gate in self.gates:
            self._call(gate, "begin", None, self.site)
        return files

    def _stylesheet(self) -> str:
        """The enabled gates' styles as one file: a page links one stylesheet, not up to seven
        (fewer requests for readers, and for the build six fewer links rendered per page)."""
        names = dict.fromkeys(["docgates.css", *(g.stylesheet for g in self.gates if g.stylesheet)])
        return "\n".join(
            f"/* docgates: {name} */\n" + (ASSETS_DIR / name).read_text(encoding="utf-8") for name in names
        )

    # -- pages --------------------------------------------------------------------------
    def read_source(self, file: File) -> PageSource:
        raw = self._raw.pop(file.src_uri, None)
        if raw is None:
            raw = _read_raw(file)
        if isinstance(raw, OSError):
            page = PageSource(path=file.src_uri, text="", front_matter_valid=False)
            page.findings.append(
                self.policy.finding("frontmatter/invalid", file.src_uri, 1, raw.strerror or str(raw))
            )
            return page
        return parse_page(file.src_uri, raw, self.policy)

    def _guard_unreadable(self, files: Files) -> None:
        """Give MkDocs readable text for pages it would crash on (not UTF-8, a broken
        symlink, no permission), so the build reports a finding instead of a traceback.
        (Not ``on_page_read_source``: MkDocs allows one such handler per site.)"""
        for file in files.documentation_pages():
            if not file.abs_src_path or file.src_uri in self.generated:
                continue
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
                    if self.reads_every_page:
                        self._raw[file.src_uri] = raw  # read_source's, so no second read
                    continue
            self._raw[file.src_uri] = raw  # what read_source reports on
            file.content_string = text

    def on_page_markdown(self, page: Page, markdown: str) -> None:
        site = self.site
        path = page.file.src_uri
        if site is None or path in self.inputs or path in self.generated:
            return
        source = self.read_source(page.file)
        if source.front_matter_valid:
            # What the site declares counts as front matter does. (With invalid front matter,
            # MkDocs' lenient reading of it is no declaration of the site's.)
            declared = {k: v for k, v in page.meta.items() if k not in source.meta}
            add_declared(source, declared, partial(self._declared_origin, page), self.policy)
        site.sources[path] = source
        page_input = PageInput(source=source, url=page.url)
        self.inputs[path] = page_input
        report = site.report.page(path)
        report.url = page.url
        report.title = str(page.title or "")
        for finding in source.findings:
            report.add(finding)
        view = self.views[path] = PageView(report, self.partials)
        page.meta["docgates"] = view
        title = page.meta.get("title")
        if isinstance(title, str):
            # Themes print page titles as HTML (Material's nav does), but a front matter title
            # is text: escape it once here so `title: "<img onerror=…>"` shows as text.
            self.meta_titles[path] = title
            page.meta["title"] = html_escape(title, quote=False)
        for gate in self.gates:
            self._call(gate, "check_source", path, page_input, report, site)

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
        site = self.site
        path = page.file.src_uri
        page_input = self.inputs.get(path)
        if site is None or page_input is None or page_input.html is not None:
            return html
        page_input.html = html
        page_input.title = self.meta_titles.get(path) or str(page.title or "")
        page_input.anchors = set(_toc_ids(page.toc))
        report = site.report.page(path)
        report.title = page_input.title
        for gate in self.gates:
            self._call(gate, "check_rendered", path, page_input, report, site)
        page_input.anchors = frozenset()
        return html

    def on_env(self, env: Environment) -> None:
        """Give the theme the gates' header partials as one template (``docgates_header``),
        which ``docgates/page-header.html`` includes once per page instead of each partial by
        name: four fewer template lookups and contexts per page (~0.1 s on 2,000 pages).
        Each partial is read through the theme's loader, so a site's own copy still wins."""
        if "env" in self._done or not self.renders or not self.partials:
            return
        self._done.add("env")
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

    def finish(self) -> None:
        if self.site is None or "finish" in self._done:
            return
        self._done.add("finish")
        for gate in self.gates:
            self._call(gate, "finish", None, self.site)
        if self.site.complete:
            # Now, not at post_build, so generated pages (the dashboard) see what is baselined.
            # A partial run applies it once its report holds only the pages asked for.
            try:
                self.apply_baseline()
            except BaselineError:
                # Reported by on_post_build and 'docgates check', which ask again; 'docgates
                # baseline' never asks, so it can still rewrite a broken file.
                pass

    def on_page_context(self, page: Page) -> None:
        self._before_rendering()
        html = self.generated_html.pop(page.file.src_uri, None)
        if html is not None:
            page.content = html
            # The table of contents came from the placeholder Markdown; its anchors are not in
            # the generated HTML, so the theme must not link to them.
            page.toc = TableOfContents([])

    def _before_rendering(self) -> None:
        """Once, before the theme renders the first page: each page's header values (every
        gate's ``page_view``) and the generated pages' bodies; then the gates and the session
        let go of per-page state, as the report is all that is left to write. The build's
        peak memory comes after this, when the theme has rendered every page."""
        site = self.site
        if site is None or "render" in self._done:
            return
        self._done.add("render")
        self.finish()
        for path, view in self.views.items():
            for gate in self.gates:
                value = self._call(gate, "page_view", path, path, site)
                if value is not None:
                    view.view[gate.name] = value
        self.views.clear()
        # Gates that make no page let go first, so the pages that are made (a cold leaderboard
        # reads hundreds of old page versions) reuse that memory rather than grow the heap
        # (-1 MiB at the build's peak on 2,000 pages).
        makers = set(self.generated.values())
        for gate in self.gates:
            if gate not in makers:
                self._call(gate, "release", None, site)
        for src_uri, gate in self.generated.items():
            self.generated_html[src_uri] = self._call(gate, "render_generated", src_uri, src_uri, site)
        for gate in self.gates:
            if gate in makers:
                self._call(gate, "release", None, site)
        self.inputs.clear()
        self.meta_titles.clear()
        self._raw.clear()  # pages never read (excluded from the build)
        site.sources.clear()
        # Shared values (the git history, CODEOWNERS, link indexes) served the gates only.
        for key in [k for k in site.shared if k != "gates"]:
            del site.shared[key]

    # -- end of build -------------------------------------------------------------------
    def on_post_build(self) -> None:
        if self.site is None or "post_build" in self._done:
            return
        self._done.add("post_build")
        self.finish()
        report = self.site.report
        try:
            outcome = self.apply_baseline()
        except BaselineError as exc:
            report.write(self.site.site_dir / self.report_name)
            self.failed = True
            raise PluginError(str(exc)) from None
        report.write(self.site.site_dir / self.report_name)
        findings = report.findings()
        accepted = set(outcome.baselined) if outcome else set()
        for finding in findings:
            if finding in accepted:
                # Accepted debt stays in quality.json; logging it above INFO would fail --strict.
                log.debug("%s (baselined)", terminal_text(finding.format()))
            else:
                (log.error if finding.severity == "error" else log.info)(terminal_text(finding.format()))
        counts = report.counts([f for f in findings if f not in accepted])
        summary = (
            f"docgates: {len(report.pages)} pages checked, {counts['errors']} errors, "
            f"{counts['warnings']} warnings"
        )
        if outcome and outcome.describe():
            summary += f"; {outcome.describe()}"
        summary += f"; report: {self.site.site_dir / self.report_name}"
        if counts["errors"] and self.command != "serve":
            self.failed = True
            raise PluginError(
                f"{summary}. Fix the errors above (each names file, line and rule), or see "
                "'Writing docs here' in the handbook for what each rule means."
            )
        log.info(summary)

    def apply_baseline(self) -> BaselineOutcome | None:
        """Split the findings into new and baselined (once per run); None without a baseline
        file. Raises ``BaselineError`` for a file that cannot be read."""
        if self.site is None or self.baseline_file is None:
            return None
        if self.baseline_outcome is None:
            baseline = Baseline.load(self.baseline_file)
            try:
                shown = self.baseline_file.relative_to(self.site.config_dir).as_posix()
            except ValueError:
                shown = str(self.baseline_file)
            self.baseline_outcome = apply_baseline(
                self.site.report, baseline, shown, complete=self.site.complete
            )
        return self.baseline_outcome

    def on_build_error(self) -> None:
        # A build that failed elsewhere still leaves a report behind, as the contract asks.
        if self.site is not None and "post_build" not in self._done and not self.failed:
            try:
                self.site.report.write(self.site.site_dir / self.report_name)
            except OSError:
                pass

    # -- helpers ------------------------------------------------------------------------
    def _call(self, gate: Gate, hook: str, path: str | None, *args: Any) -> Any:
        try:
            return getattr(gate, hook)(*args)
        except PluginError:
            raise
        except GateError as exc:
            where = f"{path}: " if path else ""
            raise PluginError(f"{where}docgates/{gate.name}: {exc}") from None
        except Exception as exc:  # a gate bug must not surface as a bare traceback
            where = f"{path}: " if path else ""
            log.debug("docgates/%s %s failed", gate.name, hook, exc_info=True)
            raise PluginError(
                f"{where}docgates/{gate.name} failed in {hook}: {type(exc).__name__}: {exc}. "
                "This is a docgates bug; run 'mkdocs build -v' for details and report it."
            ) from exc


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
