"""The crawl's findings in ``quality.json`` and against the committed baseline."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from docgates.core.findings import Finding
from docgates.core.report import severity_counts

LINKCHECK_SOURCE = "linkcheck"


# -- the baseline -------------------------------------------------------------------------
Key = tuple[str, str, str]  # core.baseline.Key: (rule, path, fingerprint)


def build_keys(report: dict[str, Any] | None) -> dict[tuple[str, str, int], str]:
    """``{(path, rule, line): fingerprint}`` of the findings the build itself reported."""
    keys: dict[tuple[str, str, int], str] = {}
    for page in (report or {}).get("pages", []):
        if not isinstance(page, dict) or not isinstance(page.get("path"), str):
            continue
        for entry in page.get("findings", []):
            if isinstance(entry, dict) and "source" not in entry and isinstance(entry.get("fingerprint"), str):
                keys.setdefault((page["path"], str(entry.get("rule")), entry.get("line")), entry["fingerprint"])
    return keys


def baseline_key(finding: Finding, build: dict[tuple[str, str, int], str]) -> Key:
    """The baseline key of a crawl finding: the build's own finding when the crawl found the
    same defect (same page, rule and line; what ``merge_into_report`` counts as already
    reported), so the baseline ``docgates baseline`` records accepts both."""
    known = build.get((finding.path, finding.rule, finding.line))
    return (finding.rule, finding.path, known or finding.fingerprint())


def recorded_crawl_keys(report: dict[str, Any] | None) -> list[tuple[Key, str]]:
    """``[(key, message)]`` of the crawl findings a ``quality.json`` holds (those only the
    crawl saw), for ``docgates baseline`` to record beside the gates' findings."""
    if not isinstance(report, dict) or not isinstance(report.get("site"), dict) or "linkcheck" not in report["site"]:
        return []
    entries = [(p.get("path"), f) for p in report.get("pages", []) if isinstance(p, dict) for f in p.get("findings", [])]
    entries += [(f.get("path"), f) for f in report["site"].get("findings", []) if isinstance(f, dict)]
    return [
        ((entry["rule"], path, entry["fingerprint"]), str(entry.get("message", "")))
        for path, entry in entries
        if isinstance(entry, dict) and entry.get("source") == LINKCHECK_SOURCE and isinstance(path, str)
        and isinstance(entry.get("rule"), str) and isinstance(entry.get("fingerprint"), str)
    ]


# -- writing into quality.json ------------------------------------------------------------
def merge_into_report(
    report: dict[str, Any], findings: list[Finding], summary: dict[str, Any], baselined: Iterable[Finding] = ()
) -> dict[str, Any]:
    """Replace earlier LinkChecker findings in a loaded ``quality.json`` with these."""
    accepted = set(baselined)
    pages = {p.get("path"): p for p in report.get("pages", []) if isinstance(p, dict)}
    for page in pages.values():
        page["findings"] = [f for f in page.get("findings", []) if f.get("source") != LINKCHECK_SOURCE]
    site = report.setdefault("site", {})
    site["findings"] = [f for f in site.get("findings", []) if f.get("source") != LINKCHECK_SOURCE]
    known = 0
    for finding in findings:
        entry = dict(finding.to_dict(), source=LINKCHECK_SOURCE, baselined=finding in accepted)
        page = pages.get(finding.path)
        if page is None:
            site["findings"].append(dict(entry, path=finding.path))
        elif (finding.rule, finding.line) in {(f.get("rule"), f.get("line")) for f in page["findings"] if "source" not in f}:
            known += 1  # the build reported this defect already; do not count it twice
        else:
            page["findings"].append(entry)
    site["linkcheck"] = dict(summary, already_reported_by_build=known)
    everything: Iterator[dict[str, Any]] = (
        f for group in ([p.get("findings", []) for p in pages.values()] + [site["findings"]]) for f in group
    )
    report.setdefault("summary", {}).update(severity_counts(entry.get("severity") for entry in everything))
    return report
