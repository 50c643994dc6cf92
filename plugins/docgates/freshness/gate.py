"""The freshness gate (engine-agnostic): every page is reviewed on schedule.

When a page falls due is ``clock.py``'s rule (shared with the docs-day leaderboard): from
front matter ``reviewed``, else the last git commit that changed the page's content (renames
followed, pure renames and ignored bulk commits skipped) but never before the ``adopted``
option; plus front matter ``review_every``, else the ``intervals`` option's last matching
folder glob, else ``review_every`` of the plugin. A page is stale when ``today > due``;
``archived: true`` pages are exempt.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Mapping

from docgates.core.gate import Gate, PageInput, SiteContext
from docgates.core.git_history import GitHistory
from docgates.core.ignore_revs import IgnoreRevsError, default_ignore_revs_file, read_ignore_revs
from docgates.core.report import PageReport
from docgates.core.site_history import IGNORE_REVS_KEY, history_for
from docgates.freshness.clock import CLOCK_KEY, ReviewClock
from docgates.freshness.code_check import CodeCheck
from docgates.freshness.messages import in_days, owner_phrase, stale_message
from docgates.freshness.model import Freshness, FreshnessView
from docgates.freshness.options import DEFAULT_WARN_WITHIN, FolderDocuments

# A review dated tomorrow is a reviewer east of the build machine, not a typo.
FUTURE_TOLERANCE = dt.timedelta(days=1)


class FreshnessGate(Gate):
    name = "freshness"
    rules = ("freshness/stale", "freshness/unknown", "freshness/due-soon", "freshness/code-changed", "freshness/code-missing")
    partial = "docgates/freshness.html"
    stylesheet = "freshness.css"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.clock = ReviewClock.from_options(self.options)
        warn_within = self.options.get("warn_within", DEFAULT_WARN_WITHIN)
        if isinstance(warn_within, bool) or not isinstance(warn_within, int) or warn_within < 0:
            raise ValueError(f"warn_within: expected a number of days (0 turns it off), got {warn_within!r}")
        self.warn_within: int = warn_within
        ignore = self.options.get("ignore_revs_file")
        self.ignore_revs_file: Path | None = Path(ignore) if ignore else None
        self.git_unknown: str | None = self.options.get("git_unknown")
        self.show_commands = self.options.get("show_commands", True) is not False
        self.folder_documents = FolderDocuments(self.options.get("documents"))
        self.code = CodeCheck(self.folder_documents, self.ignore_revs_file)
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
        self.repo_prefix = site.repo_path("x")[:-1]
        # The docs-day board judges staleness by this clock too (leaderboard/gate.py).
        site.shared[CLOCK_KEY] = self.clock
        self.code.begin(site, self.repo_prefix)
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
        if result.reviewed and history.ok:
            since = history.content_changes(repo_path, since=result.reviewed)
            result.commits_since_review = len(since)
            result.authors_since_review = len({c.commit.author for c in since})
        schedule = self.clock.schedule(
            page.path, result.reviewed, source.review_every, result.archived, result.last_changed
        )
        result.source, result.interval = schedule.source, schedule.interval
        result.interval_source = schedule.interval_source
        if schedule.source == "adopted":
            result.adopted = schedule.fresh_from
        if schedule.due is not None:
            result.due = schedule.due
            result.days_overdue = (site.today - result.due).days
        elif schedule.fresh_from is None and not result.archived and not reviewed_broken and not history.ok:
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
                    stale_message(result, owners, command),
                    fingerprint_text=f"stale: due {result.due}",
                ))
            elif result.due_soon:
                site.add(site.finding(
                    "freshness/due-soon", page.path, source.line_of("reviewed") if result.reviewed else 1,
                    f"review due {in_days(-result.days_overdue)} ({result.due}); "
                    f"{owner_phrase(owners)}, then run '{command}'",
                    fingerprint_text=f"due soon: {result.due}",
                ))
        else:
            # Exempt or undecidable: a due date would only mislead readers and the report.
            result.due = result.days_overdue = None
        self.results[page.path] = result
        view = self.views[page.path] = self._view(result, history, owners, command)
        self.code.check(page, report, site, result, view, site.today + FUTURE_TOLERANCE)

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
        if not history.ok and (self.pages_needing_git or self.code.pages_unknown):
            # One finding for both consequences of the same missing history.
            parts = []
            if self.pages_needing_git:
                n = self.pages_needing_git
                parts.append(f"{'1 page has' if n == 1 else f'{n} pages have'} no 'reviewed' date")
            if self.code.pages_unknown:
                n = self.code.pages_unknown
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
            "review_every": str(self.clock.review_every),
            "warn_within": self.warn_within,
            # Pages with no review are due from this day at the earliest (None: not set).
            "adopted": _iso(self.clock.adopted),
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
        self.code.release()

    # -- helpers ------------------------------------------------------------------------
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




def _command_path(site: SiteContext, docs_path: str) -> str:
    """The page as a path from the project folder, where ``docgates`` commands run."""
    absolute = site.docs_dir / docs_path
    try:
        return absolute.relative_to(site.config_dir).as_posix()
    except ValueError:
        return absolute.as_posix()


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
