"""The freshness gate (engine-agnostic): every page is reviewed on schedule.

Freshness date = front matter ``reviewed``, else the date of the last git commit that changed
the page's content (renames followed, pure renames and ignored bulk commits skipped), but never
earlier than the ``adopted`` option: a site adopting docgates starts green. Review
interval = front matter ``review_every``, else the last matching folder glob of the
``intervals`` option, else ``review_every`` of the plugin. A page is stale when
``today > freshness date + interval``; ``archived: true`` pages are exempt.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from docgates.core.code_patterns import CodePatterns, PatternListError, parse_patterns
from docgates.core.dates import DateError, Interval, parse_date, parse_interval
from docgates.core.gate import Gate, PageInput, SiteContext
from docgates.core.path_patterns import AS_FILE, GitIgnorePattern, PatternError, path_names
from docgates.core.git_history import (
    IGNORE_REVS_KEY,
    GitHistory,
    IgnoreRevsError,
    code_history_for,
    default_ignore_revs_file,
    history_for,
    read_ignore_revs,
)
from docgates.core.report import PageReport
from docgates.freshness.code import (
    CHANGED_CODE_KEY,
    ChangedCode,
    CodeChangedView,
    CodeIndex,
    SHOWN_PATHS,
    behind_message,
    missing_message,
    pr_message,
)

DEFAULT_REVIEW_EVERY = "180d"
DEFAULT_WARN_WITHIN = 14
# A review dated tomorrow is a reviewer east of the build machine, not a typo.
FUTURE_TOLERANCE = dt.timedelta(days=1)


class FolderIntervals:
    """``{glob: interval}`` per folder; the last matching glob wins, as in CODEOWNERS.

    Globs are docs-relative: ``*`` matches within a folder name, ``**`` across folders,
    ``runbooks/`` (or ``runbooks``) means everything under that folder.
    """

    def __init__(self, intervals: Mapping[str, Any] | None) -> None:
        self.rules: list[tuple[str, PageGlob, Interval]] = []
        for pattern, value in (intervals or {}).items():
            if not isinstance(pattern, str) or not pattern.strip():
                raise ValueError(f"intervals: {pattern!r} is not a glob; write e.g. 'runbooks/**: 90d'")
            try:
                interval = parse_interval(value)
                glob = PageGlob(pattern)
            except (DateError, ValueError) as exc:
                raise ValueError(f"intervals: {pattern}: {exc}") from None
            self.rules.append((pattern, glob, interval))

    def match(self, path: str) -> tuple[str, Interval] | None:
        for pattern, glob, interval in reversed(self.rules):
            if glob.matches(path):
                return pattern, interval
        return None


class PageGlob:
    """A docs-relative page glob of ``intervals`` and ``documents``: gitignore syntax, always
    anchored at the docs folder, naming pages rather than folders (``runbooks/*`` is the pages
    directly in ``runbooks``); ``runbooks/`` or a bare ``runbooks`` is every page below it."""

    def __init__(self, pattern: str) -> None:
        text = pattern.strip().lstrip("/")
        if text.endswith("/"):
            text += "**"
        elif not any(ch in text for ch in "*?[") and not text.endswith(".md"):
            text += "/**"  # a bare folder name
        try:
            self.pattern = GitIgnorePattern("/" + text)
        except PatternError as exc:
            raise ValueError(f"{pattern!r} is not a glob ({exc})") from None

    def matches(self, path: str) -> bool:
        return self.pattern.reach(path_names(path)) == AS_FILE


class FolderDocuments:
    """The freshness option ``documents``: ``{page glob: [code patterns]}``, docs-relative page
    globs as in ``intervals``; the last matching glob wins."""

    def __init__(self, mapping: Mapping[str, Any] | None) -> None:
        if mapping is not None and not isinstance(mapping, Mapping):
            raise ValueError(
                "documents: expected a mapping of page globs to code patterns, e.g. "
                "{'billing/*.md': ['services/billing/**']}"
            )
        self.rules: list[tuple[PageGlob, list[str]]] = []
        for glob, value in (mapping or {}).items():
            if not isinstance(glob, str) or not glob.strip():
                raise ValueError(f"documents: {glob!r} is not a page glob; write e.g. 'billing/*.md'")
            try:
                self.rules.append((PageGlob(glob), parse_patterns(value)))
            except (PatternListError, ValueError) as exc:
                raise ValueError(f"documents: {glob}: {exc}") from None

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, page: str) -> list[str] | None:
        for glob, patterns in reversed(self.rules):
            if glob.matches(page):
                return patterns
        return None


@dataclass(slots=True)
class Freshness:
    """The freshness of one page, as the gate decided it."""

    source: str | None = None  # "reviewed", "git", "adopted" or None (unknown)
    reviewed: dt.date | None = None
    adopted: dt.date | None = None
    last_changed: dt.date | None = None
    created: dt.date | None = None
    interval: Interval | None = None
    interval_source: str = "default"
    due: dt.date | None = None
    days_overdue: int | None = None
    stale: bool = False
    due_soon: bool = False
    archived: bool = False
    commits: int | None = None
    authors: int | None = None
    commits_since_review: int | None = None
    authors_since_review: int | None = None
    git: str = "ok"
    # Whether the page is judged at all (valid front matter, not archived, a known date).
    judged: bool = False

    @property
    def date(self) -> dt.date | None:
        return {"reviewed": self.reviewed, "git": self.last_changed, "adopted": self.adopted}.get(self.source or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reviewed": self.reviewed,
            "last_changed": self.last_changed,
            "created": self.created,
            "review_every": str(self.interval) if self.interval else None,
            "review_every_from": self.interval_source,
            "days_overdue": self.days_overdue,
            "due_soon": self.due_soon,
            "archived": self.archived,
            "commits": self.commits,
            "authors": self.authors,
            "commits_since_review": self.commits_since_review,
            "authors_since_review": self.authors_since_review,
            "git": self.git,
        }


@dataclass(slots=True)
class FreshnessView:
    """What ``docgates/freshness.html`` renders (every value is escaped there)."""

    state: str  # stale, due-soon, ok, archived, unknown, untracked
    source: str | None
    reviewed: str | None
    last_changed: str | None
    due: str | None
    days_overdue: int | None
    adopted: str | None = None
    owners: list[str] = field(default_factory=list)
    command: str = ""
    # False: the site keeps maintainer commands out of what readers see (show_commands).
    show_command: bool = True
    edits_since_review: int | None = None
    # Set when the page is behind the code it documents (the docgates-code-changed banner).
    code_changed: CodeChangedView | None = None

    @property
    def stale(self) -> bool:
        return self.state == "stale"

    @property
    def days_left(self) -> int | None:
        return None if self.days_overdue is None else -self.days_overdue


class FreshnessGate(Gate):
    name = "freshness"
    rules = ("freshness/stale", "freshness/unknown", "freshness/due-soon", "freshness/code-changed", "freshness/code-missing")
    partial = "docgates/freshness.html"
    stylesheet = "freshness.css"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        try:
            self.review_every = parse_interval(self.options.get("review_every") or DEFAULT_REVIEW_EVERY)
        except DateError as exc:
            raise ValueError(f"review_every: {exc}") from None
        self.intervals = FolderIntervals(self.options.get("intervals"))
        warn_within = self.options.get("warn_within", DEFAULT_WARN_WITHIN)
        if isinstance(warn_within, bool) or not isinstance(warn_within, int) or warn_within < 0:
            raise ValueError(f"warn_within: expected a number of days (0 turns it off), got {warn_within!r}")
        self.warn_within: int = warn_within
        ignore = self.options.get("ignore_revs_file")
        self.ignore_revs_file: Path | None = Path(ignore) if ignore else None
        self.git_unknown: str | None = self.options.get("git_unknown")
        self.show_commands = self.options.get("show_commands", True) is not False
        adopted = self.options.get("adopted")
        try:
            self.adopted: dt.date | None = parse_date(adopted) if adopted else None
        except DateError as exc:
            raise ValueError(f"adopted: {exc}; write the day the site adopted docgates, e.g. 2026-12-01") from None
        self.folder_documents = FolderDocuments(self.options.get("documents"))
        self.code_index: CodeIndex | None = None
        self.changed_code: ChangedCode | None = None
        # Pages that document code, and those of them git could not judge (shallow clone...).
        self.code_pages = 0
        self.code_pages_unknown = 0
        self._patterns: dict[tuple[str, ...], CodePatterns] = {}
        self._missing: dict[str, str | None] = {}
        self.history: GitHistory | None = None
        self.results: dict[str, Freshness] = {}
        self.views: dict[str, FreshnessView] = {}
        self.pages_needing_git = 0
        # (page, date) of pages whose last content change is dated after today.
        self.future_dated: list[tuple[str, dt.date]] = []
        # Folder prefixes of pages, computed once: Path arithmetic per page adds up on big sites.
        self.repo_prefix = ""
        self.command_prefix = ""

    # -- hooks --------------------------------------------------------------------------
    def declares_code(self) -> bool:
        return bool(self.folder_documents)

    def begin(self, site: SiteContext) -> None:
        self.results.clear()
        self.views.clear()
        self.pages_needing_git = 0
        self.future_dated = []
        self.code_index, self.code_pages, self.code_pages_unknown = None, 0, 0
        self._missing, self._patterns = {}, {}
        changed_code = site.shared.get(CHANGED_CODE_KEY)
        self.changed_code = changed_code if isinstance(changed_code, ChangedCode) else None
        self.repo_prefix = site.repo_path("x")[:-1]
        self.command_prefix = _command_path(site, "x")[:-1]
        # In CI a shallow checkout would switch the gate off without failing: an error there,
        # unless the site chose a severity (git_unknown, or a severity override).
        git_unknown = self.git_unknown or ("error" if running_in_ci(os.environ) else None)
        if git_unknown and "freshness/unknown" not in site.policy.overrides:
            site.policy.set("freshness/unknown", git_unknown)
        if self.ignore_revs_file is not None:
            site.shared[IGNORE_REVS_KEY] = self.ignore_revs_file
        try:
            self.history = history_for(site, self.ignore_revs_file)
        except IgnoreRevsError as exc:
            site.add(site.finding("config/invalid", "", 0, f"docgates/freshness: ignore_revs_file: {exc}"))
            self.history = history_for(site, None)
        if self.ignore_revs_file is None and self.history.root is not None:
            self._check_default_ignore_file(site)

    def check_source(self, page: PageInput, report: PageReport, site: SiteContext) -> None:
        source = page.source
        history = self.history
        assert history is not None
        result = Freshness(archived=source.archived, git=history.status)
        repo_path = self.repo_prefix + page.path
        if history.ok:
            last = history.last_content_change(repo_path)
            created = history.created(repo_path)
            result.last_changed = last.commit.date if last else None
            if result.last_changed and result.last_changed > site.today + FUTURE_TOLERANCE:
                # A committer's clock was wrong: trusting it would keep the page "fresh" for
                # years, so the git date is unknown (reported once, in finish).
                self.future_dated.append((page.path, result.last_changed))
                result.last_changed = None
            result.created = created.commit.date if created else None
            changes = history.content_changes(repo_path)
            result.commits = len(changes)
            result.authors = len({c.commit.author for c in changes})
        result.reviewed = source.reviewed
        # A review date or interval that is written but unreadable: judging the page on a
        # fallback would add a second finding to the frontmatter/invalid one.
        reviewed_broken = any(source.unreadable(key) for key in ("reviewed", "review_every", "archived"))
        if source.reviewed and source.reviewed > site.today + FUTURE_TOLERANCE:
            site.add(site.finding(
                "frontmatter/invalid", page.path, source.line_of("reviewed"),
                f"reviewed: {source.reviewed} is in the future (today is {site.today}); write the "
                "date the review happened, or run 'docgates review' on the page",
            ))
            result.reviewed, reviewed_broken = None, True
        if result.reviewed:
            result.source = "reviewed"
            if history.ok:
                since = history.content_changes(repo_path, since=result.reviewed)
                result.commits_since_review = len(since)
                result.authors_since_review = len({c.commit.author for c in since})
        elif result.last_changed:
            result.source = "git"
            if self.adopted is not None and self.adopted > result.last_changed:
                # Unreviewed before adoption: the clock runs from the adoption, not from history.
                result.source, result.adopted = "adopted", self.adopted
        result.interval, result.interval_source = self._interval_for(page)
        if result.date is not None:
            result.due = result.interval.after(result.date)
            result.days_overdue = (site.today - result.due).days
        elif not result.archived and not reviewed_broken and not history.ok:
            self.pages_needing_git += 1
        report.freshness_date = result.date
        report.data["freshness"] = result
        owners = list(report.owner or source.owners)
        command = f"docgates review {self.command_prefix}{page.path}"
        # Without valid front matter we cannot know `reviewed` or `archived`: the
        # frontmatter/invalid error is the one to fix first.
        judged = source.front_matter_valid and not reviewed_broken and not result.archived
        if judged and result.due is not None and result.days_overdue is not None:
            result.judged = True
            report.due = result.due
            result.stale = result.days_overdue > 0
            result.due_soon = not result.stale and -result.days_overdue <= self.warn_within and self.warn_within > 0
            report.stale = result.stale
            if result.stale:
                site.add(site.finding(
                    "freshness/stale", page.path, source.line_of("reviewed") if result.reviewed else 1,
                    self._stale_message(result, owners, command),
                    fingerprint_text=f"stale: due {result.due}",
                ))
            elif result.due_soon:
                site.add(site.finding(
                    "freshness/due-soon", page.path, source.line_of("reviewed") if result.reviewed else 1,
                    f"review due {_in_days(-result.days_overdue)} ({result.due}); "
                    f"{_owner_phrase(owners)}, then run '{command}'",
                    fingerprint_text=f"due soon: {result.due}",
                ))
        else:
            # Exempt or undecidable: a due date would only mislead readers and the report.
            result.due = result.days_overdue = None
        self.results[page.path] = result
        view = self.views[page.path] = self._view(result, history, owners, command)
        self._check_code(page, report, site, result, view)

    def finish(self, site: SiteContext) -> None:
        history = self.history
        if history is None:
            return
        if self.future_dated:
            path, day = self.future_dated[0]
            count = len(self.future_dated)
            site.add(site.finding(
                "freshness/unknown", "", 0,
                f"{count} page{'s were' if count > 1 else ' was'} last changed by a commit dated after "
                f"today ({site.today}), e.g. {path} on {day}: a committer's clock was wrong, so those "
                "git dates are ignored; record reviews with 'docgates review' to date the pages",
            ))
        if not history.ok and (self.pages_needing_git or self.code_pages_unknown):
            # One finding for both consequences of the same missing history.
            parts = []
            if self.pages_needing_git:
                n = self.pages_needing_git
                parts.append(f"{'1 page has' if n == 1 else f'{n} pages have'} no 'reviewed' date")
            if self.code_pages_unknown:
                n = self.code_pages_unknown
                parts.append(
                    f"{'1 page documents' if n == 1 else f'{n} pages document'} code whose changes "
                    "cannot be dated"
                )
            site.add(site.finding(
                "freshness/unknown", "", 0,
                f"{' and '.join(parts)}: git dates are unknown: {history.message}",
                fingerprint_text=f"git {history.status}",
            ))
        stale = sorted(p for p, r in self.results.items() if r.stale)
        site.report.site["freshness"] = {
            # No timings here: the same inputs must give the same report.
            "git": {"status": history.status, "message": history.message, "commits": len(history.commits)},
            "review_every": str(self.review_every),
            "warn_within": self.warn_within,
            # Pages with no review are due from this day at the earliest (None: not set).
            "adopted": _iso(self.adopted),
            "stale_pages": stale,
            "due_soon_pages": sorted(p for p, r in self.results.items() if r.due_soon),
            "code_changed_pages": sorted(
                p for p, view in self.views.items() if view.code_changed is not None
            ),
        }

    def page_view(self, path: str, site: SiteContext) -> FreshnessView | None:
        return self.views.get(path)

    def release(self, site: SiteContext) -> None:
        # Each page's result stays in its report (report.data["freshness"]).
        self.results, self.views, self.history = {}, {}, None
        self.code_index = None

    # -- helpers ------------------------------------------------------------------------
    def _interval_for(self, page: PageInput) -> tuple[Interval, str]:
        if page.source.review_every is not None:
            return page.source.review_every, "page"
        match = self.intervals.match(page.path)
        if match is not None:
            return match[1], f"intervals: {match[0]}"
        return self.review_every, "default"

    def _stale_message(self, result: Freshness, owners: list[str], command: str) -> str:
        if result.source == "reviewed":
            basis = f"last reviewed {result.reviewed}"
        elif result.source == "adopted":
            basis = f"no review recorded since docgates was adopted on {result.adopted}"
        else:
            basis = f"no review recorded, content last changed {result.last_changed}"
        return (
            f"review overdue by {result.days_overdue} days ({basis}; review_every "
            f"{result.interval} made it due {result.due}); {_owner_phrase(owners)}, "
            f"then run '{command}'"
        )

    def _view(self, result: Freshness, history: GitHistory, owners: list[str], command: str) -> FreshnessView:
        if result.archived:
            state = "archived"
        elif result.stale:
            state = "stale"
        elif result.due_soon:
            state = "due-soon"
        elif result.date is not None:
            state = "ok"
        elif history.ok:
            state = "untracked"
        else:
            state = "unknown"
        return FreshnessView(
            state=state,
            source=result.source,
            reviewed=_iso(result.reviewed),
            last_changed=_iso(result.last_changed),
            due=_iso(result.due) if not result.archived else None,
            days_overdue=result.days_overdue,
            adopted=_iso(result.adopted),
            owners=owners,
            command=command,
            show_command=self.show_commands,
            edits_since_review=result.commits_since_review,
        )

    # -- code-coupled freshness -----------------------------------------------------------
    def _documents_for(self, page: PageInput) -> tuple[list[str] | None, int]:
        """The page's code patterns and the line to report them at: front matter (or a
        ``.meta.yml`` declaration) wins over the folder option."""
        source = page.source
        if "documents" in source.meta:
            return source.documents, source.line_of("documents")
        return self.folder_documents.match(page.path), 1

    def _check_code(
        self, page: PageInput, report: PageReport, site: SiteContext, result: Freshness, view: FreshnessView
    ) -> None:
        patterns, line = self._documents_for(page)
        report.data["documents"] = list(patterns or [])
        report.data["code_changed"] = None
        source = page.source
        if not patterns or result.archived or source.unreadable("archived") or not source.front_matter_valid:
            return
        self.code_pages += 1
        index = self._code_index(site)
        if index is None:
            self.code_pages_unknown += 1
            return
        compiled = self._patterns.get(tuple(patterns))
        if compiled is None:
            compiled = self._patterns[tuple(patterns)] = CodePatterns(patterns)
        owners, command = view.owners, view.command
        if index.history.head_files is not None:
            for pattern in patterns:
                if pattern.startswith("!"):
                    continue
                if pattern not in self._missing:
                    self._missing[pattern] = index.where_it_went(pattern) if index.missing(pattern) else None
                if self._missing[pattern] is not None:
                    site.add(site.finding(
                        "freshness/code-missing", page.path, line,
                        missing_message(pattern, self._missing[pattern]),
                        fingerprint_text=f"code missing: {pattern}",
                    ))
        changed = self.changed_code
        if changed is not None and (page.path in changed.pages or page.path in changed.changed_pages):
            # Pull request mode: the change decides, whatever the dates.
            paths = changed.pages.get(page.path)
            if paths and page.path not in changed.changed_pages:
                site.add(site.finding(
                    "freshness/code-changed", page.path, 1,
                    pr_message(changed.ref, paths, _owner_phrase(owners), command),
                    fingerprint_text=f"code changed in a change: {', '.join(sorted(paths))}",
                ))
                view.code_changed = CodeChangedView(
                    None, None, paths[:SHOWN_PATHS], max(0, len(paths) - SHOWN_PATHS), "this change", owners, command
                )
            return
        if not index.history.ok:
            self.code_pages_unknown += 1
            return
        since = result.date
        if since is None:
            return  # never committed nor reviewed: a new page is written against today's code
        own = self.repo_prefix + page.path
        behind = index.behind(compiled, since, site.today + FUTURE_TOLERANCE, own)
        if behind is None:
            return
        basis = {"reviewed": "the last review", "adopted": "docgates was adopted"}.get(
            result.source or "", "the page last changed"
        )
        report.data["code_changed"] = behind.to_dict()
        site.add(site.finding(
            "freshness/code-changed", page.path, line,
            behind_message(behind, basis, _owner_phrase(owners), command),
            fingerprint_text=f"code changed: {behind.newest.sha}",
        ))
        view.code_changed = CodeChangedView(
            behind.date.isoformat(), len(behind.commits), behind.paths[:SHOWN_PATHS],
            max(0, len(behind.paths) - SHOWN_PATHS), basis, owners, command,
        )

    def _code_index(self, site: SiteContext) -> CodeIndex | None:
        """The history indexed for code, built at the first page that documents code; None
        when git cannot tell (not a repository, no git)."""
        if self.code_index is None:
            try:
                history = code_history_for(site, self.ignore_revs_file)
            except IgnoreRevsError:
                history = code_history_for(site, None)  # reported in begin
            if history.status in ("not-a-repo", "no-git"):
                return None
            self.code_index = CodeIndex(history)
        return self.code_index

    def _check_default_ignore_file(self, site: SiteContext) -> None:
        file = default_ignore_revs_file(site, self.history)
        if file is None:
            return
        try:
            read_ignore_revs(file)
        except IgnoreRevsError as exc:
            site.add(site.finding("config/invalid", "", 0, f"docgates/freshness: {exc}"))


def running_in_ci(environ: Mapping[str, str]) -> bool:
    """Whether a CI service runs the build (GitHub Actions, GitLab and most others set CI)."""
    return any(environ.get(name, "").strip().lower() not in ("", "0", "false") for name in ("CI", "GITHUB_ACTIONS"))


def _owner_phrase(owners: list[str]) -> str:
    if not owners:
        return "no owner is known (add 'owner:' to the front matter); review the page"
    return f"owner {', '.join(owners)} should review the page"


def _in_days(days: int) -> str:
    return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"


def _command_path(site: SiteContext, docs_path: str) -> str:
    """The page as a path from the project folder, where ``docgates`` commands run."""
    absolute = site.docs_dir / docs_path
    try:
        return absolute.relative_to(site.config_dir).as_posix()
    except ValueError:
        return absolute.as_posix()


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
