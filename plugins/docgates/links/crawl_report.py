"""The crawl's findings in ``quality.json`` and against the committed baseline."""

from __future__ import annotations

from typing import Callable, Iterable

from docgates.core.baseline import Baseline, Key, following_renames
from docgates.core.findings import Finding
from docgates.core.report import QualityReport
from docgates.core.report_file import RecordedFinding

LINKCHECK_SOURCE = "linkcheck"
BuildFindings = dict[tuple[str, str, int], Finding]


def from_crawl(finding: Finding) -> bool:
    return isinstance(finding, RecordedFinding) and finding.get("source") == LINKCHECK_SOURCE


def build_findings(report: QualityReport | None) -> BuildFindings:
    """``{(path, rule, line): finding}`` of the findings the build itself reported on pages:
    a crawl finding with the same page, rule and line is the same defect."""
    found: BuildFindings = {}
    for page in (report.pages.values() if report else ()):
        for finding in page.findings:
            if not from_crawl(finding):
                found.setdefault((page.path, finding.rule, finding.line), finding)
    return found


# -- the baseline -------------------------------------------------------------------------
def split_by_baseline(
    baseline: Baseline,
    findings: list[Finding],
    report: QualityReport | None,
    former_paths: Callable[[str], list[str]],
) -> tuple[list[Finding], list[Finding]]:
    """``(new, baselined)``. A crawl finding only the crawl saw is matched as the build
    matches its own (``core.baseline.following_renames``: a page renamed since keeps what was
    recorded under its former name). One the build also reported counts as that finding:
    recorded under the build's fingerprint (what ``docgates baseline`` records), or accepted
    because the build accepted it (the build followed the renames; a build fingerprint cannot
    be recomputed for a former name from the report)."""
    build = build_findings(report)
    renamed = following_renames(baseline, set(report.pages) if report else set(), former_paths)

    def key_for(finding: Finding) -> Key:
        known = build.get((finding.path, finding.rule, finding.line))
        return (finding.rule, finding.path, known.fingerprint()) if known else renamed(finding)

    new, baselined = baseline.split(findings, key_for)
    accepted_by_build = report.baselined if report else set()
    repeats = [f for f in new if build.get((f.path, f.rule, f.line)) in accepted_by_build]
    if repeats:
        new = [f for f in new if f not in repeats]
        baselined += repeats
    return new, baselined


def recorded_crawl_keys(report: QualityReport | None) -> list[tuple[Key, str]]:
    """``[(key, message)]`` of the crawl findings a ``quality.json`` holds (those only the
    crawl saw), for ``docgates baseline`` to record beside the gates' findings."""
    if report is None or "linkcheck" not in report.site:
        return []
    return [((f.rule, f.path, f.fingerprint()), f.message) for f in report.findings() if from_crawl(f)]


# -- writing into quality.json ------------------------------------------------------------
def merge_into_report(
    report: QualityReport, findings: list[Finding], summary: dict, baselined: Iterable[Finding] = ()
) -> QualityReport:
    """Replace earlier crawl findings in a report read back from ``quality.json`` with these;
    one the build reported already is counted, not added twice."""
    accepted = set(baselined)
    for page in report.pages.values():
        page.findings = [f for f in page.findings if not from_crawl(f)]
    report.site_findings = [f for f in report.site_findings if not from_crawl(f)]
    report.baselined = {f for f in report.baselined if not from_crawl(f)}
    build = build_findings(report)
    known = 0
    for finding in findings:
        if (finding.path, finding.rule, finding.line) in build:
            known += 1
            continue
        entry = RecordedFinding(
            finding.rule, finding.severity, finding.path, finding.line, finding.message, finding.fingerprint_text,
            extra=(("source", LINKCHECK_SOURCE),),
        )
        if finding.path in report.pages:
            report.pages[finding.path].add(entry)
        else:  # a page the build did not report (or none): the site's, naming its path
            report.site_findings.append(entry)
        if finding in accepted:
            report.baselined.add(entry)
    report.site["linkcheck"] = dict(summary, already_reported_by_build=known)
    return report
