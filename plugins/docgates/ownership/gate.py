"""The ownership gate (engine-agnostic): every page has a known owner.

Owner precedence: the page's front matter ``owner``, else the last matching CODEOWNERS rule
(patterns relative to the repository root), else the plugin's per-folder ``defaults``, else
none (``ownership/missing``). With a team registry, owners not in it are ``ownership/unknown``.

The knowledge-silo audit reuses the build's single git pass: per page the distinct authors
and the top author's share of commits (one author = bus factor one); per owner the pages
owned and how many of them are stale.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from docgates.ownership.codeowners import CodeownersFile, DefaultOwners, find_codeowners, load_codeowners
from docgates.core.gate import Gate, PageInput, SiteContext
from docgates.ownership.registry import Registry, RegistryError, is_web_url, load_registry
from docgates.core.report import PageReport

# "meta": declared for the page by the site (a .meta.yml of Material's meta plugin).
OwnerSource = Literal["front-matter", "meta", "codeowners", "default"]
CODEOWNERS_RULE = "ownership/codeowners"


@dataclass(slots=True)
class Resolution:
    """Who owns a page and where that came from."""

    owners: list[str]
    source: OwnerSource | None = None
    # Where to look: a front matter line, "CODEOWNERS:12" or the defaults pattern.
    origin: str = ""
    line: int = 1

    @property
    def description(self) -> str:
        """Human wording of the source (the header's hover text)."""
        if self.source == "front-matter":
            return "Owner set in this page's front matter"
        if self.source in ("codeowners", "meta"):
            return f"Owner from {self.origin}"
        if self.source == "default":
            return f"Owner from the folder default {self.origin!r} in the docgates/ownership settings"
        return "No owner is set for this page"


@dataclass(slots=True)
class OwnerView:
    """What the ``docgates/owner.html`` partial renders for one page."""

    owners: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""
    missing: bool = False


class OwnershipGate(Gate):
    name = "ownership"
    rules = ("ownership/missing", "ownership/unknown", CODEOWNERS_RULE)
    partial = "docgates/owner.html"
    stylesheet = "ownership.css"

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.defaults = DefaultOwners.parse(self.options.get("defaults"))
        self.chat_url: str | None = self.options.get("chat_url") or None
        if self.chat_url and not is_web_url(self.chat_url):
            raise ValueError(
                f"chat_url: {self.chat_url!r} must start with https:// or http://, e.g. "
                "https://chat.example.com/channels/{channel}"
            )
        if self.chat_url and "{channel}" not in self.chat_url:
            raise ValueError(
                f"chat_url: {self.chat_url!r} has no '{{channel}}' placeholder, e.g. "
                "https://chat.example.com/channels/{channel}"
            )
        self.registry: Registry | None = None
        registry_path = self.options.get("registry")
        if registry_path:
            path = Path(registry_path)
            display = str(self.options.get("registry_display") or path)
            if not path.is_file():
                raise ValueError(
                    f"registry: {display} not found (looked for {path}); the path is relative "
                    "to mkdocs.yml; create the team registry there or fix the 'registry' option"
                )
            try:
                self.registry = load_registry(path, display)
            except RegistryError as exc:
                problems = "\n  ".join(exc.problems)
                raise ValueError(f"registry: the team registry has problems:\n  {problems}") from None
        codeowners = self.options.get("codeowners")
        self.codeowners_path: Path | None = Path(codeowners) if codeowners else None
        if self.codeowners_path and not self.codeowners_path.is_file():
            raise ValueError(
                f"codeowners: {self.options.get('codeowners_display') or codeowners} not found "
                f"(looked for {self.codeowners_path}); the path is relative to mkdocs.yml"
            )
        self.resolutions: dict[str, Resolution] = {}
        self.codeowners: CodeownersFile | None = None

    # -- hooks ----------------------------------------------------------------------------
    def begin(self, site: SiteContext) -> None:
        self.resolutions = {}
        # Read git now, while the build is small: the git process's memory adds to the
        # build's while it runs. (finish asks again, for the history every gate agreed on.)
        _history(site)
        self.codeowners = site.memo("codeowners", lambda: self._load_codeowners(site))
        if self.codeowners is not None:
            for problem in self.codeowners.problems:
                finding = site.finding(
                    CODEOWNERS_RULE, self.codeowners.display_path, problem.line, problem.message
                )
                # A CODEOWNERS line is not a page: file it with the site-wide findings.
                if finding not in site.report.site_findings:
                    site.report.site_findings.append(finding)
        if self.registry is not None:
            for handle in sorted(set(self.defaults.handles())):
                if handle not in self.registry:
                    site.add(site.finding(
                        "ownership/unknown", "", 0,
                        f"defaults: owner {handle!r} is not in the team registry "
                        f"{self.registry.display_path}{self._hint(handle)}",
                    ))

    def check_source(self, page: PageInput, report: PageReport, site: SiteContext) -> None:
        resolution = self.resolve(page, site)
        resolution.owners = self._canonical(resolution.owners)
        self.resolutions[page.path] = resolution
        report.owner = list(resolution.owners)
        report.data["owner_source"] = resolution.source
        if not resolution.owners and page.source.unreadable("owner"):
            return  # the owner may be written, just unreadable: frontmatter/invalid says where
        if not resolution.owners:
            where = site.repo_path(page.path)
            site.add(site.finding(
                "ownership/missing", page.path, 1,
                f"no owner: add 'owner: \"@team\"' to the front matter, a CODEOWNERS rule for "
                f"{where}, or a folder default in the docgates/ownership 'defaults' option",
            ))
            return
        if self.registry is None:
            return
        for handle in resolution.owners:
            if handle in self.registry:
                continue
            via = "" if resolution.source == "front-matter" else f" (from {resolution.origin})"
            site.add(site.finding(
                "ownership/unknown", page.path, resolution.line,
                f"owner {handle!r}{via} is not in the team registry "
                f"{self.registry.display_path}{self._hint(handle)}",
                fingerprint_text=f"unknown owner {handle}",
            ))

    def finish(self, site: SiteContext) -> None:
        history = _history(site)
        owners: dict[str, dict[str, Any]] = {}
        unowned: list[str] = []
        silos: list[str] = []
        for path in sorted(self.resolutions):
            report = site.report.page(path)
            silo = _silo(history, site.repo_path(path))
            # Always present, so readers of quality.json need no key checks; a page git does
            # not know (or a shallow clone) has no silo figures and is not flagged.
            report.data["silo"] = silo
            report.data["bus_factor_one"] = bool(silo and silo["authors"] == 1)
            if report.data["bus_factor_one"]:
                silos.append(path)
            if not report.owner:
                unowned.append(path)
            for handle in report.owner:
                entry = owners.setdefault(handle, self._owner_entry(handle))
                entry["pages"] += 1
                entry["stale"] += bool(report.stale)
                entry["bus_factor_one"] += bool(silo and silo["authors"] == 1)
                if report.stale:
                    entry["stale_pages"].append(path)
        site.report.site["ownership"] = {
            "complete": site.complete,
            "registry": self.registry.display_path if self.registry else None,
            "codeowners": self.codeowners.display_path if self.codeowners else None,
            "history": _history_status(history),
            "owners": dict(sorted(owners.items(), key=lambda item: item[0].casefold())),
            "unowned_pages": unowned,
            "bus_factor_one_pages": silos,
        }

    def page_view(self, path: str, site: SiteContext) -> OwnerView | None:
        """Display values for the page header: names, contact links, source on hover."""
        resolution = self.resolutions.get(path)
        if resolution is None:
            return None
        view = OwnerView(source=resolution.description, missing=not resolution.owners)
        for handle in resolution.owners:
            team = self.registry.get(handle) if self.registry else None
            view.owners.append({
                "handle": handle,
                "name": team.name if team else handle,
                "url": team.url if team else None,
                "contact": team.contact if team else None,
                "contact_kind": team.contact_kind if team else None,
                "contact_href": team.contact_href(self.chat_url) if team else None,
                # Without a registry there is nothing to be unregistered from.
                "registered": team is not None or self.registry is None,
            })
        return view


    def release(self, site: SiteContext) -> None:
        self.resolutions = {}
        self.codeowners = None
    def watched_files(self) -> list[Path]:
        """Files whose edits change ownership (for ``mkdocs serve`` to watch)."""
        files = [Path(self.options["registry"])] if self.registry is not None else []
        if self.codeowners_path is not None:
            files.append(self.codeowners_path)
        elif self.codeowners is not None and self.codeowners.source is not None:
            files.append(self.codeowners.source)
        return files

    # -- owner resolution ------------------------------------------------------------------
    def resolve(self, page: PageInput, site: SiteContext) -> Resolution:
        source = page.source
        if source.owners and "owner" in source.declared_in:
            return Resolution(list(source.owners), "meta", source.declared_in["owner"])
        if source.owners:
            return Resolution(list(source.owners), "front-matter", "front matter", source.line_of("owner"))
        if self.codeowners is not None:
            rule = self.codeowners.rule_for(site.repo_path(page.path))
            # A matching rule without owners means "unowned" on GitHub; fall through.
            if rule is not None and rule.owners:
                origin = f"{self.codeowners.display_path} line {rule.line} ({rule.pattern})"
                return Resolution(list(rule.owners), "codeowners", origin)
        match = self.defaults.owners_for(page.path)
        if match is not None:
            pattern, owners = match
            return Resolution(list(owners), "default", pattern)
        return Resolution([])

    def _canonical(self, handles: list[str]) -> list[str]:
        """Handles without repeats, spelled as in the registry (handles ignore case)."""
        result: list[str] = []
        for handle in handles:
            team = self.registry.get(handle) if self.registry else None
            handle = team.handle if team else handle
            if handle.casefold() not in (h.casefold() for h in result):
                result.append(handle)
        return result

    def _load_codeowners(self, site: SiteContext) -> CodeownersFile | None:
        root = site.repo_root or site.config_dir
        path = self.codeowners_path or find_codeowners(root)
        if path is None:
            return None
        return load_codeowners(path, _display(path, root, site.config_dir))

    def _owner_entry(self, handle: str) -> dict[str, Any]:
        team = self.registry.get(handle) if self.registry else None
        return {
            "name": team.name if team else None,
            "contact": team.contact if team else None,
            "registered": team is not None if self.registry else None,
            "pages": 0,
            "stale": 0,
            "bus_factor_one": 0,
            "stale_pages": [],
        }

    def _hint(self, handle: str) -> str:
        assert self.registry is not None
        suggestion = self.registry.suggestion(handle)
        if suggestion:
            return f"; did you mean {suggestion!r}?"
        return "; add it there (with name and contact) or use a registered handle"


def _display(path: Path, root: Path, config_dir: Path) -> str:
    """How findings name a file: relative to the repository, else to mkdocs.yml."""
    for base in (root, config_dir):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def _history(site: SiteContext) -> Any:
    try:
        from docgates.core.site_history import history_for
    except ImportError:  # the git history module is optional for this gate
        return None
    try:
        return history_for(site)
    except ValueError:  # an unreadable ignore-revs file; the freshness gate reports it
        return None


def _history_status(history: Any) -> dict[str, Any]:
    if history is None:
        return {"status": "unavailable", "message": "git history was not read"}
    return {"status": history.status, "message": getattr(history, "message", "")}


def _silo(history: Any, repo_path: str) -> dict[str, Any] | None:
    """Authors of one page over its history; None when the history cannot say."""
    if history is None or history.status != "ok":
        return None
    authors: Counter[str] = history.authors(repo_path)
    total = sum(authors.values())
    if not total:
        return None
    # Ties go to the alphabetically first name, so reports are reproducible.
    top_author, top_commits = min(authors.items(), key=lambda item: (-item[1], item[0]))
    return {
        "authors": len(authors),
        "commits": total,
        "top_author": top_author,
        "top_author_share": round(top_commits / total, 3),
    }
