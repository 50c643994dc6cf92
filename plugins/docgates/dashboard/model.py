"""What the dashboard shows, as typed values: each page's figures and findings, and the
site-wide sections the gates wrote.

Built from the build's ``QualityReport`` (``from_report``); a ``quality.json`` read back (the
org view reads other sites' reports) comes through ``core/report_file.report_from_dict`` with
``untrusted``, so a value of the wrong type counts as missing. The sections read these values
only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from docgates.core.findings import Finding
from docgates.core.report import PageReport, QualityReport
from docgates.freshness.model import Freshness


@dataclass(frozen=True)
class Reported:
    """A finding as the report lists it: accepted by the baseline or not."""

    finding: Finding
    baselined: bool = False

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def fails(self) -> bool:
        """Counted as an error or warning (a baselined finding is accepted debt)."""
        return not self.baselined


@dataclass(frozen=True)
class Checklist:
    type: str
    done: Any
    total: int
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.done == self.total


@dataclass(frozen=True)
class CodeChange:
    """The code a page documents changed after its review (freshness/code-changed)."""

    date: str
    commits: Any
    paths: tuple[str, ...]


@dataclass(frozen=True)
class PageView:
    path: str
    title: str = ""
    owners: tuple[str, ...] = ()
    due: str = ""  # empty: freshness did not judge the page
    freshness_date: str = ""
    stale: bool = False
    due_soon: bool = False
    flesch: float | None = None
    grade: int | float | None = None
    checklist: Checklist | None = None
    findings: tuple[Reported, ...] = ()
    code_changed: CodeChange | None = None
    documents: bool = False  # the page declares the code it documents
    silo_known: bool = False  # git told who wrote the page
    single_author: bool = False
    top_author: str = ""
    open_actions: int | None = None
    overdue_actions: int | None = None

    @property
    def rules(self) -> list[str]:
        return [f.rule for f in self.findings]


@dataclass(frozen=True)
class SiteView:
    pages: tuple[PageView, ...] = ()
    site_findings: tuple[Reported, ...] = ()
    page_count: int = 0  # the report's summary (generated pages are not in ``pages``)
    # Site-wide sections present in the report: evidence that a gate ran.
    sections: frozenset[str] = frozenset()
    due_soon_pages: frozenset[str] = frozenset()
    adopted: str = ""  # freshness's adoption day
    link_measures: tuple[tuple[str, int | float], ...] = ()
    baseline_file: str | None = None

    @property
    def findings(self) -> list[Reported]:
        return [f for page in self.pages for f in page.findings] + list(self.site_findings)


def from_report(report: QualityReport, leave_out: Iterable[str] = ()) -> SiteView:
    """The build's report as the dashboard reads it (``leave_out``: generated pages)."""
    left_out = set(leave_out)
    accepted = report.baselined
    pages = tuple(
        _page_from_report(page, accepted) for path, page in sorted(report.pages.items()) if path not in left_out
    )
    site_findings = tuple(Reported(f, f in accepted) for f in report.site_findings)
    return _site(pages, site_findings, len(report.pages), report.site)


def _page_from_report(page: PageReport, accepted: Any) -> PageView:
    extras = page.data
    freshness = extras.get("freshness")
    return _page(
        path=page.path, title=page.title, owners=page.owner, due=page.due, freshness_date=page.freshness_date,
        stale=page.stale,
        due_soon=_due_soon(freshness), readability=page.readability, checklist=page.checklist,
        findings=tuple(Reported(f, f in accepted) for f in page.findings), extras=extras,
    )


def _due_soon(freshness: Any) -> bool:
    # The build's typed verdict, or the object a quality.json read back holds.
    if isinstance(freshness, Mapping):
        return bool(freshness.get("due_soon"))
    return isinstance(freshness, Freshness) and freshness.due_soon


def _page(
    *, path: str, title: Any, owners: Any, due: Any, freshness_date: Any, stale: Any, due_soon: Any,
    readability: Any, checklist: Any, findings: tuple[Reported, ...], extras: Mapping[str, Any],
) -> PageView:
    """One page from the report's values (the gates' additions are typed, or plain data read
    back from a file)."""
    readability = readability if isinstance(readability, Mapping) else {}
    flesch = readability.get("flesch_reading_ease")
    grade = readability.get("grade")
    silo = extras.get("silo")
    open_actions, overdue = extras.get("open_actions"), extras.get("overdue_actions")
    return PageView(
        path=path,
        title=str(title) if title else "",
        owners=tuple(str(o) for o in owners) if isinstance(owners, (list, tuple)) else (),
        due=_text(due),
        freshness_date=_text(freshness_date),
        stale=bool(stale),
        due_soon=bool(due_soon),
        flesch=float(flesch) if _number(flesch) else None,
        grade=grade if _number(grade) else None,
        checklist=_checklist(checklist),
        findings=findings,
        code_changed=_code_change(extras.get("code_changed")),
        documents=bool(extras.get("documents")),
        silo_known=isinstance(silo, Mapping),
        single_author=bool(extras.get("bus_factor_one")) or (isinstance(silo, Mapping) and silo.get("authors") == 1),
        top_author=str(silo.get("top_author") or "") if isinstance(silo, Mapping) else "",
        open_actions=open_actions if isinstance(open_actions, int) else None,
        overdue_actions=overdue if isinstance(overdue, int) else None,
    )


def _site(
    pages: tuple[PageView, ...], site_findings: tuple[Reported, ...], count: Any, site: Mapping[str, Any]
) -> SiteView:
    freshness = site.get("freshness")
    freshness = freshness if isinstance(freshness, Mapping) else {}
    soon = freshness.get("due_soon_pages")
    links = site.get("links")
    baseline = site.get("baseline")
    baseline_file = baseline.get("file") if isinstance(baseline, Mapping) else None
    return SiteView(
        pages=pages,
        site_findings=site_findings,
        page_count=count,
        sections=frozenset({"findings", *(str(k) for k in site)}),
        due_soon_pages=frozenset(str(p) for p in soon) if isinstance(soon, (list, tuple, set, frozenset)) else frozenset(),
        adopted=_text(freshness.get("adopted")),
        link_measures=tuple(
            (str(k).replace("_", " "), v) for k, v in links.items() if _number(v)
        ) if isinstance(links, Mapping) else (),
        baseline_file=baseline_file if isinstance(baseline_file, str) else None,
    )


def _checklist(value: Any) -> Checklist | None:
    # A template (template_for) is not a page to finish.
    if not isinstance(value, Mapping) or value.get("template_for"):
        return None
    total = value.get("total")
    if not isinstance(total, int) or total <= 0:
        return None
    missing = value.get("missing")
    return Checklist(
        type=str(value.get("type") or "?"), done=value.get("done"), total=total,
        missing=tuple(str(m) for m in missing) if isinstance(missing, (list, tuple)) else (),
    )


def _code_change(value: Any) -> CodeChange | None:
    if not isinstance(value, Mapping):
        return None
    paths = value.get("paths")
    return CodeChange(
        date=str(value.get("date") or ""), commits=value.get("commits") or 0,
        paths=tuple(str(p) for p in paths) if isinstance(paths, (list, tuple)) else (),
    )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _text(value: Any) -> str:
    """A date or other value as shown; dates as ISO text, missing as empty."""
    if not value:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
