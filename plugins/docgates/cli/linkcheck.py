"""``docgates linkcheck [SITE_DIR]``: crawl the built site with LinkChecker.

Serves SITE_DIR (default ``site``) on a random 127.0.0.1 port, runs LinkChecker over it,
maps every failure back to the source page and line through ``quality.json``, prints the
findings like ``docgates check`` and adds them to ``SITE_DIR/quality.json`` (marked
``"source": "linkcheck"``; a rerun replaces them). The committed baseline applies as it does
to ``docgates check``: baselined findings are counted, marked in the report, never failing.
Exit 0 clean, 1 new error findings, 2 when the crawl cannot run.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from docgates.core import outputs
from docgates.core.baseline import DEFAULT_FILE as DEFAULT_BASELINE_FILE
from docgates.core.baseline import Baseline, BaselineError, former_paths
from docgates.core.findings import Finding, SeverityPolicy
from docgates.links.crawl import (
    CrawlOptions,
    LinkcheckError,
    SiteMap,
    classify,
    crawl,
    findings_for,
    linking_pages,
    missing_anchors,
    unfinished,
)
from docgates.links.crawl_report import merge_into_report, split_by_baseline
from docgates.core.git_history import GitHistory
from docgates.core.git_log import load_history
from docgates.core.report import QualityReport, severity_counts
from docgates.core.report_file import ReportFileError, read_report
from docgates.core.repo import find_repo_root
from docgates.cli.main import UsageError
from docgates.engines.mkdocs.config_file import ConfigFileError, read_config_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", nargs="?", default="site", metavar="SITE_DIR", help="the built site (default: site)")
    parser.add_argument(
        "-f", "--config-file",
        help="mkdocs.yml, to find the Markdown sources for line numbers (default: ./mkdocs.yml, else the one beside SITE_DIR)",
    )
    parser.add_argument("--external", action="store_true", help="also check links to other sites (needs network)")
    parser.add_argument("--no-anchors", action="store_true", help="do not check #anchors")
    parser.add_argument("--threads", type=int, default=10, metavar="N", help="LinkChecker threads (default: 10)")
    parser.add_argument("--timeout", type=int, default=30, metavar="S", help="seconds per request (default: 30)")
    parser.add_argument("--no-report", action="store_true", help="do not add the findings to SITE_DIR/quality.json")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    site_dir = Path(args.site_dir)
    if not (site_dir / "index.html").is_file():
        raise UsageError(f"{site_dir}: no built site here (no index.html); run 'mkdocs build' first")
    if args.threads < 1 or args.timeout < 1:
        raise UsageError("--threads and --timeout must be at least 1")
    report_file = site_dir / "quality.json"
    report = _load_report(report_file)
    project = _project(args.config_file, site_dir)
    docs_dir = project.docs_dir
    try:
        policy = SeverityPolicy(project.severity)
    except ValueError as exc:
        raise UsageError(f"docgates/links: severity: {exc}") from None

    options = CrawlOptions(
        external=args.external, anchors=not args.no_anchors, threads=args.threads, timeout=args.timeout
    )
    print(f"docgates linkcheck: crawling {site_dir} with LinkChecker...", file=sys.stderr)
    try:
        result = crawl(
            site_dir, options, progress=lambda text: print(f"docgates linkcheck: {text}", file=sys.stderr),
            alongside=(lambda base_url: missing_anchors(site_dir, base_url)) if options.anchors else None,
        )
    except LinkcheckError as exc:
        raise UsageError(str(exc)) from None

    site = SiteMap.from_report(report, result.base_url, docs_dir)
    failures, parents = classify(result.rows, result.base_url)
    if result.alongside:
        anchor_failures, anchor_parents = result.alongside
        failures += anchor_failures
        parents.update(anchor_parents)
    linked_from = linking_pages(site_dir, site, {f.url for f in failures}) if failures else {}
    findings = findings_for(failures, parents, linked_from, site, policy)
    failing, baselined = _apply_baseline(project, findings, report)
    summary = {
        "urls_fetched": result.requests,
        "failures": len(failures),
        "findings": len(findings),
        "baselined": len(baselined),
        "seconds": round(result.seconds, 2),
        "external": args.external,
    }
    if report is not None and not args.no_report:
        merge_into_report(report, findings, summary, baselined).write(report_file)

    accepted = set(baselined)
    # As 'docgates check': baselined findings are in the JSON (marked), not shown, not failing.
    if args.format == "json":
        entries = [dict(f.to_dict(), path=f.path, baselined=f in accepted) for f in findings]
        sys.stdout.write(outputs.dumps({"linkcheck": summary, "findings": entries}))
    elif args.format == "github":
        sys.stdout.write(outputs.format_github(failing, _prefix(docs_dir)))
    else:
        sys.stdout.write(outputs.format_text(failing))
    errors = severity_counts(f.severity for f in failing)["errors"]
    where = "" if report is not None else " (no quality.json: findings name pages by URL)"
    accepted_note = ""
    if baselined:
        accepted_note = f", {outputs.count(len(baselined), 'baselined finding')} (not failing; recorded in {project.baseline_shown})"
    print(
        f"docgates linkcheck: {outputs.count(result.requests, 'URL')} fetched in {result.seconds:.1f} s, "
        f"{outputs.count(len(failures), 'failing URL')}, {outputs.count(errors, 'error')}{accepted_note}{where}",
        file=sys.stderr,
    )
    incomplete = unfinished(result.rows, result.base_url)
    if result.server_errors or incomplete:
        # Fewer findings than the site has, reported as a pass, would be worse than no crawl.
        shown = ", ".join("/" + (site.local(url) or url) for url in incomplete[:5])
        print(
            "docgates linkcheck: the crawl did not finish: "
            + (f"{result.server_errors} requests failed on the site server; " if result.server_errors else "")
            + (f"{len(incomplete)} pages could not be read to the end ({shown}); " if incomplete else "")
            + "links behind them were not checked. Run it again; if it persists, lower --threads or raise --timeout",
            file=sys.stderr,
        )
        return 2
    return 1 if errors else 0


def _apply_baseline(
    project: "_Project", findings: list[Finding], report: QualityReport | None
) -> tuple[list[Finding], list[Finding]]:
    """``(new, baselined)`` against the committed baseline, as the build matches it (see
    ``crawl_report.split_by_baseline``)."""
    if project.baseline_file is None:
        return findings, []
    try:
        baseline = Baseline.load(project.baseline_file)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    new, baselined = split_by_baseline(baseline, findings, report, _former_paths(project.docs_dir))
    return sorted(new, key=lambda f: (f.path, f.line, f.rule, f.message)), baselined


def _former_paths(docs_dir: Path | None) -> Callable[[str], list[str]]:
    """``former_paths(page)`` from one read of the docs' git history, made only when first
    asked (only when the baseline names a page that is gone)."""
    history: list[GitHistory] = []
    root = find_repo_root(docs_dir) if docs_dir else None
    try:
        folder = docs_dir.relative_to(root.resolve()).as_posix() if docs_dir and root else None
    except ValueError:
        folder = None  # docs outside the repository: git knows nothing of their names

    def former(page: str) -> list[str]:
        if root is None or folder is None:
            return []
        if not history:
            history.append(load_history(root, paths=[folder]))
        return former_paths(history[0], "" if folder == "." else folder + "/", page)

    return former


def _load_report(path: Path) -> QualityReport | None:
    if not path.is_file():
        print(f"docgates linkcheck: {path} not found; build with a docgates plugin to map failures to source lines", file=sys.stderr)
        return None
    try:
        return read_report(path)
    except ReportFileError as exc:
        raise UsageError(str(exc)) from None


@dataclass
class _Project:
    """What the crawl needs from mkdocs.yml."""

    # Where the Markdown sources are, for line numbers.
    docs_dir: Path | None = None
    # The links plugin's severity overrides.
    severity: dict[str, str] = field(default_factory=dict)
    # The committed baseline (docgates/quality's ``baseline`` option); None when off or unknown.
    baseline_file: Path | None = None

    @property
    def baseline_shown(self) -> str:
        return self.baseline_file.name if self.baseline_file else ""


def _project(config_file: str | None, site_dir: Path) -> _Project:
    """The docs folder, severity overrides and baseline file of the site's mkdocs.yml."""
    if config_file:
        config = Path(config_file)
        if not config.is_file():
            raise UsageError(f"{config_file}: no such file; pass the path of your mkdocs.yml")
    else:
        candidates = [Path("mkdocs.yml"), Path("mkdocs.yaml"), site_dir.parent / "mkdocs.yml", site_dir.parent / "mkdocs.yaml"]
        config = next((c for c in candidates if c.is_file()), None)
        if config is None:
            return _Project()
    try:  # as the build reads it: INHERIT followed, !ENV and Python tags resolved
        data = read_config_file(config)
    except ConfigFileError as exc:
        raise UsageError(str(exc)) from None
    docs = data.get("docs_dir")
    folder = (config.parent / (docs if isinstance(docs, str) else "docs")).resolve()
    project = _Project(docs_dir=folder if folder.is_dir() else None)
    baseline: object = DEFAULT_BASELINE_FILE
    plugins = data.get("plugins") or []
    entries = [{name: value} for name, value in plugins.items()] if isinstance(plugins, dict) else plugins
    for entry in entries if isinstance(entries, list) else []:
        options = entry.get("docgates/links") if isinstance(entry, dict) else None
        if isinstance(options, dict) and isinstance(options.get("severity"), dict):
            project.severity = {str(k): str(v) for k, v in options["severity"].items()}
        quality = entry.get("docgates/quality") if isinstance(entry, dict) else None
        if isinstance(quality, dict) and "baseline" in quality:
            baseline = quality["baseline"]
    # As the docgates/quality plugin reads its option: false turns it off, true is the default.
    if baseline is not False:
        name = DEFAULT_BASELINE_FILE if baseline is True or not str(baseline).strip() else str(baseline).strip()
        project.baseline_file = (config.parent / name).resolve()
    return project


def _prefix(docs_dir: Path | None) -> str:
    if docs_dir is None:
        return ""
    root = find_repo_root(docs_dir) or Path.cwd().resolve()
    try:
        relative = docs_dir.relative_to(root).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"
