"""One run of the gates over a site, whatever engine renders it.

An engine adapter (``engines/mkdocs/``) feeds the run what its engine knows, in this order:
``register`` each gate, ``start``, ``begin`` once the files are listed, ``read_page`` and
``rendered`` per page, ``finish`` once every page is in, ``prepare_rendering`` before the
theme renders, and ``end`` after the build.
The run calls every gate's hooks once, in a fixed order, and owns the report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from docgates.core.baseline import DEFAULT_FILE as DEFAULT_BASELINE_FILE
from docgates.core.baseline import (
    Baseline,
    BaselineError,
    BaselineOutcome,
    apply_baseline,
    following_renames,
    former_paths,
)
from docgates.core.dates import DateError, today
from docgates.core.findings import Finding, SeverityPolicy
from docgates.core.frontmatter import PageSource, add_declared, parse_page
from docgates.core.gate import Gate, GateError, PageInput, SiteContext
from docgates.core.site_history import history_for, read_history_early
from docgates.core.report import PageReport, QualityReport
from docgates.core.repo import find_repo_root

log = logging.getLogger("docgates")

# Gates that read the git history: with one of them on, ``start`` begins loading it.
GIT_GATES = frozenset({"freshness", "ownership", "leaderboard"})
# Gates run in this order, so e.g. freshness can name the owner that ownership resolved.
GATE_ORDER = ("ownership", "freshness", "checklist", "readability", "links", "leaderboard", "quality")
REPORT_NAME = "quality.json"


class RunError(Exception):
    """The run cannot go on: a gate's configuration or setup problem, a gate bug, a broken
    baseline or ``DOCGATES_TODAY``. The message says what to do; adapters show it as is."""


@dataclass(slots=True)
class PageView:
    """What a page's header templates see (``page.meta.docgates`` under MkDocs)."""

    report: PageReport
    # The gates' header partials (one tuple shared by every page).
    partials: tuple[str, ...]
    # Per-gate values for the partials, e.g. ``view.freshness.banner``.
    view: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Outcome:
    """How a finished run ended: what to log and whether the build fails."""

    findings: list[Finding]
    baselined: set[Finding]
    summary: str
    failed: bool


class GateRun:
    def __init__(self, config_dir: Path, docs_dir: Path, cache_dir: Path, *, command: str = "build") -> None:
        self.config_dir = config_dir
        self.docs_dir = docs_dir
        self.cache_dir = cache_dir
        self.command = command
        self.policy = SeverityPolicy()
        self.gates: list[Gate] = []
        self.site: SiteContext | None = None
        self.inputs: dict[str, PageInput] = {}
        # Generated page (docs-relative path) -> the gate that makes it.
        self.generated: dict[str, Gate] = {}
        # Set by the headless ``docgates check`` before ``begin``.
        self.renders = True
        # False when only some pages will be read (``docgates check --changed-since``).
        self.reads_every_page = True
        # Each checked page's header values, filled in by ``prepare_rendering``.
        self.views: dict[str, PageView] = {}
        self.partials: tuple[str, ...] = ()
        # The committed baseline (docgates/quality option ``baseline``; None turns it off).
        self.baseline_file: Path | None = config_dir / DEFAULT_BASELINE_FILE
        self.baseline_outcome: BaselineOutcome | None = None
        self.repo_root = find_repo_root(config_dir)
        # Becomes the site's shared values; the git history may start loading into it early.
        self.shared: dict[str, Any] = {}
        self.report_written = False

    # -- before the pages ---------------------------------------------------------------
    def register(self, gate: Gate) -> None:
        if any(g.name == gate.name for g in self.gates):
            return
        self.gates.append(gate)
        self.gates.sort(key=lambda g: GATE_ORDER.index(g.name) if g.name in GATE_ORDER else len(GATE_ORDER))

    def start(self) -> None:
        """Every gate is registered: start reading the git history in the background (when a
        gate needs it), so it is ready by the time the pages are."""
        if any(g.name in GIT_GATES for g in self.gates):
            declared = any(g.declares_code() for g in self.gates)
            read_history_early(self.shared, self.repo_root, self.docs_dir, documents_declared=declared)

    def begin(self, site_dir: Path, files: Iterable[str], page_urls: Mapping[str, str], language: str) -> None:
        """The files are known: make the site context and let each gate begin."""
        try:
            run_today = today()
        except DateError as exc:
            raise RunError(str(exc)) from None
        self.site = SiteContext(
            config_dir=self.config_dir,
            docs_dir=self.docs_dir.resolve(),
            site_dir=site_dir.resolve(),
            today=run_today,
            policy=self.policy,
            report=QualityReport(today=run_today),
            language=language,
            repo_root=self.repo_root,
            shared=self.shared,
            renders=self.renders,
            complete=self.reads_every_page,
            cache_dir=self.cache_dir,
        )
        self.site.files = set(files)
        # Which gates run, so the dashboard can tell "not measured" from "all clean".
        self.site.shared["gates"] = tuple(g.name for g in self.gates)
        self.site.page_urls = dict(page_urls)
        self.partials = tuple(g.partial for g in self.gates if g.partial)
        for gate in self.gates:
            self._call(gate, "begin", None, self.site)

    def generated_pages(self) -> dict[str, str]:
        """The pages the gates make (docs-relative path -> title); call before ``begin``."""
        pages: dict[str, str] = {}
        for gate in self.gates:
            for path, title in gate.generated_pages().items():
                pages[path] = title
                self.generated[path] = gate
        return pages

    # -- per page -----------------------------------------------------------------------
    def read_page(
        self,
        path: str,
        raw: bytes | OSError,
        *,
        url: str,
        title: str,
        declared: Mapping[str, Any] | None = None,
        declared_origin: Callable[[str], str] | None = None,
    ) -> PageView:
        """A page's source is known: parse it and run each gate's ``check_source``.
        ``declared`` holds what the site sets for the page beyond its own front matter (e.g.
        Material's ``.meta.yml``), counted as front matter; ``declared_origin`` names where a
        key came from."""
        site = self._site()
        source = self._parse(path, raw)
        if source.front_matter_valid and declared:
            # With invalid front matter, an engine's lenient reading of it is no declaration.
            extra = {k: v for k, v in declared.items() if k not in source.meta}
            add_declared(source, extra, declared_origin or (lambda key: "the site's page metadata"), self.policy)
        site.sources[path] = source
        page_input = PageInput(source=source, url=url)
        self.inputs[path] = page_input
        report = site.report.page(path)
        report.url = url
        report.title = title
        for finding in source.findings:
            report.add(finding)
        view = self.views[path] = PageView(report, self.partials)
        for gate in self.gates:
            self._call(gate, "check_source", path, page_input, report, site)
        return view

    def _parse(self, path: str, raw: bytes | OSError) -> PageSource:
        if isinstance(raw, OSError):
            page = PageSource(path=path, text="", front_matter_valid=False)
            page.findings.append(self.policy.finding("frontmatter/invalid", path, 1, raw.strerror or str(raw)))
            return page
        return parse_page(path, raw, self.policy)

    def rendered(self, path: str, html: str, title: str, anchors: Iterable[str]) -> None:
        """A page's body is rendered: run each gate's ``check_rendered``."""
        site = self._site()
        page_input = self.inputs[path]
        page_input.html = html
        page_input.title = title
        page_input.anchors = set(anchors)
        report = site.report.page(path)
        report.title = title
        for gate in self.gates:
            self._call(gate, "check_rendered", path, page_input, report, site)
        page_input.anchors = frozenset()

    # -- after the pages ----------------------------------------------------------------
    def finish(self) -> None:
        """Every page is in: cross-page checks, then the baseline (now, so generated pages
        such as the dashboard see what is baselined)."""
        site = self._site()
        for gate in self.gates:
            self._call(gate, "finish", None, site)
        if site.complete:
            # A partial run applies it once its report holds only the pages asked for.
            try:
                self.apply_baseline()
            except BaselineError:
                # Reported by ``end`` and 'docgates check', which ask again; 'docgates
                # baseline' never asks, so it can still rewrite a broken file.
                pass

    def prepare_rendering(self) -> dict[str, str]:
        """Before the first page is rendered: fill in each page's header values and make the
        generated pages' bodies (returned by path); then let go of per-page state, as the
        report is all that is left to write. The build's peak memory comes after this."""
        site = self._site()
        for path, view in self.views.items():
            for gate in self.gates:
                value = self._call(gate, "page_view", path, path, site)
                if value is not None:
                    view.view[gate.name] = value
        # Gates that make no page let go first, so the pages that are made (a cold leaderboard
        # reads hundreds of old page versions) reuse that memory rather than grow the heap.
        makers = set(self.generated.values())
        for gate in self.gates:
            if gate not in makers:
                self._call(gate, "release", None, site)
        bodies = {path: self._call(gate, "render_generated", path, path, site) for path, gate in self.generated.items()}
        for gate in self.gates:
            if gate in makers:
                self._call(gate, "release", None, site)
        self.inputs.clear()
        site.sources.clear()
        # Shared values (the git history, CODEOWNERS, link indexes) served the gates only.
        for key in [k for k in site.shared if k != "gates"]:
            del site.shared[key]
        return bodies

    def end(self) -> Outcome:
        """The build is done: write the report (pass or fail) and say how the run ended.
        Raises ``RunError`` for a baseline file that cannot be read."""
        site = self._site()
        report = site.report
        try:
            outcome = self.apply_baseline()
        except BaselineError as exc:
            self.write_report()
            raise RunError(str(exc)) from None
        self.write_report()
        findings = report.findings()
        accepted = set(outcome.baselined) if outcome else set()
        counts = report.counts([f for f in findings if f not in accepted])
        summary = (
            f"docgates: {len(report.pages)} pages checked, {counts['errors']} errors, "
            f"{counts['warnings']} warnings"
        )
        if outcome and outcome.describe():
            summary += f"; {outcome.describe()}"
        summary += f"; report: {site.site_dir / REPORT_NAME}"
        return Outcome(findings, accepted, summary, failed=bool(counts["errors"]))

    def write_report(self) -> None:
        if self.site is not None:
            self.site.report.write(self.site.site_dir / REPORT_NAME)
            self.report_written = True

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
            site = self.site
            prefix = site.repo_path("x")[:-1]
            renamed = following_renames(baseline, site.files, lambda page: former_paths(history_for(site), prefix, page))
            self.baseline_outcome = apply_baseline(site.report, baseline, shown, site.complete, renamed)
        return self.baseline_outcome

    # -- helpers ------------------------------------------------------------------------
    def _site(self) -> SiteContext:
        if self.site is None:
            raise RunError("docgates: a page arrived before the file list; this is a docgates bug, please report it")
        return self.site

    def _call(self, gate: Gate, hook: str, path: str | None, *args: Any) -> Any:
        where = f"{path}: " if path else ""
        try:
            return getattr(gate, hook)(*args)
        except RunError:
            raise
        except GateError as exc:
            raise RunError(f"{where}docgates/{gate.name}: {exc}") from None
        except Exception as exc:  # a gate bug must not surface as a bare traceback
            log.debug("docgates/%s %s failed", gate.name, hook, exc_info=True)
            raise RunError(
                f"{where}docgates/{gate.name} failed in {hook}: {type(exc).__name__}: {exc}. "
                "This is a docgates bug; run the build with -v for details and report it."
            ) from exc
