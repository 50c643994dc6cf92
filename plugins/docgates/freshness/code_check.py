"""The per-page check of code-coupled freshness: does a page that documents code fall behind
it (``freshness/code-changed``), or name code that is gone (``freshness/code-missing``)?

The freshness gate runs it after it has dated the page, because "behind" means a code commit
after the page's freshness date. The history is indexed for code at the first page that
documents code, so a site where no page does never pays for the index.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docgates.core.code_patterns import CodePatterns
from docgates.core.gate import PageInput, SiteContext
from docgates.core.ignore_revs import IgnoreRevsError
from docgates.core.report import PageReport
from docgates.core.site_history import code_history_for
from docgates.freshness.code import CHANGED_CODE_KEY, ChangedCode, CodeIndex
from docgates.freshness.messages import (
    SHOWN_PATHS,
    behind_message,
    missing_message,
    owner_phrase,
    pr_message,
    where_it_went,
)
from docgates.freshness.model import CodeChangedView, Freshness, FreshnessView
from docgates.freshness.options import FolderDocuments


class CodeCheck:
    """One run's code-coupled checks, with what they learn once and reuse for every page."""

    def __init__(self, folder_documents: FolderDocuments, ignore_revs_file: Path | None) -> None:
        self.folder_documents = folder_documents
        self.ignore_revs_file = ignore_revs_file
        self.changed_code: ChangedCode | None = None
        self.repo_prefix = ""
        self.index: CodeIndex | None = None
        # Pages that document code, and those of them git could not judge (shallow clone...).
        self.pages = 0
        self.pages_unknown = 0
        self._patterns: dict[tuple[str, ...], CodePatterns] = {}
        self._missing: dict[str, str | None] = {}

    def begin(self, site: SiteContext, repo_prefix: str) -> None:
        """A new run; ``repo_prefix`` turns a docs-relative page path into a repository path."""
        changed_code = site.shared.get(CHANGED_CODE_KEY)
        self.changed_code = changed_code if isinstance(changed_code, ChangedCode) else None
        self.repo_prefix = repo_prefix
        self.index, self.pages, self.pages_unknown = None, 0, 0
        self._missing, self._patterns = {}, {}

    def release(self) -> None:
        self.index = None

    def documents_for(self, page: PageInput) -> tuple[list[str] | None, int]:
        """The page's code patterns and the line to report them at: front matter (or a
        ``.meta.yml`` declaration) wins over the folder option."""
        source = page.source
        if "documents" in source.meta:
            return source.documents, source.line_of("documents")
        return self.folder_documents.match(page.path), 1

    def check(
        self, page: PageInput, report: PageReport, site: SiteContext, result: Freshness, view: FreshnessView,
        latest: dt.date,
    ) -> None:
        """Check one page the gate has dated (``result``); ``latest`` is the newest commit
        date to trust (a committer's wrong clock must not keep a page behind for years)."""
        patterns, line = self.documents_for(page)
        report.data["documents"] = list(patterns or [])
        report.data["code_changed"] = None
        source = page.source
        if not patterns or result.archived or source.unreadable("archived") or not source.front_matter_valid:
            return
        self.pages += 1
        index = self._code_index(site)
        if index is None:
            self.pages_unknown += 1
            return
        compiled = self._patterns.get(tuple(patterns))
        if compiled is None:
            compiled = self._patterns[tuple(patterns)] = CodePatterns(patterns)
        owners, command = view.owners, view.command
        if index.history.head_files is not None:
            self._check_missing(page, site, index, patterns, line)
        changed = self.changed_code
        if changed is not None and (page.path in changed.pages or page.path in changed.changed_pages):
            # Pull request mode: the change decides, whatever the dates.
            paths = changed.pages.get(page.path)
            if paths and page.path not in changed.changed_pages:
                site.add(site.finding(
                    "freshness/code-changed", page.path, 1,
                    pr_message(changed.ref, paths, owner_phrase(owners), command),
                    fingerprint_text=f"code changed in a change: {', '.join(sorted(paths))}",
                ))
                view.code_changed = CodeChangedView(
                    None, None, paths[:SHOWN_PATHS], max(0, len(paths) - SHOWN_PATHS), "this change", owners, command
                )
            return
        if not index.history.ok:
            self.pages_unknown += 1
            return
        since = result.date
        if since is None:
            return  # never committed nor reviewed: a new page is written against today's code
        own = self.repo_prefix + page.path
        behind = index.behind(compiled, since, latest, own)
        if behind is None:
            return
        basis = {"reviewed": "the last review", "adopted": "docgates was adopted"}.get(
            result.source or "", "the page last changed"
        )
        report.data["code_changed"] = behind.to_dict()
        site.add(site.finding(
            "freshness/code-changed", page.path, line,
            behind_message(behind, basis, owner_phrase(owners), command),
            fingerprint_text=f"code changed: {behind.newest.sha}",
        ))
        view.code_changed = CodeChangedView(
            behind.date.isoformat(), len(behind.commits), behind.paths[:SHOWN_PATHS],
            max(0, len(behind.paths) - SHOWN_PATHS), basis, owners, command,
        )

    def _check_missing(
        self, page: PageInput, site: SiteContext, index: CodeIndex, patterns: list[str], line: int
    ) -> None:
        for pattern in patterns:
            if pattern.startswith("!"):
                continue
            if pattern not in self._missing:
                self._missing[pattern] = where_it_went(index.last_move(pattern)) if index.missing(pattern) else None
            if self._missing[pattern] is not None:
                site.add(site.finding(
                    "freshness/code-missing", page.path, line,
                    missing_message(pattern, self._missing[pattern]),
                    fingerprint_text=f"code missing: {pattern}",
                ))

    def _code_index(self, site: SiteContext) -> CodeIndex | None:
        """The history indexed for code, built at the first page that documents code; None
        when git cannot tell (not a repository, no git)."""
        if self.index is None:
            try:
                history = code_history_for(site, self.ignore_revs_file)
            except IgnoreRevsError:
                history = code_history_for(site, None)  # reported by the gate's begin
            if history.status in ("not-a-repo", "no-git"):
                return None
            self.index = CodeIndex(history)
        return self.index
