"""A page of the docs folder at one revision, as the gates would judge it on one day.

Every page a docs-day commit touched is judged before and after the commit with the same
core the gates use (front matter parsing, the freshness rule, CODEOWNERS, checklists,
readability, the link scanner), reading old versions through one ``git cat-file --batch``
process. Most of that depends on a page's content only, and most pages have the same content
at the start and at the end of a window: so each blob is parsed once (by git's blob id), the
build's own parse of an unchanged page is reused, and only what depends on the revision or
the day (staleness, CODEOWNERS, which links resolve) is judged per revision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from docgates.core.frontmatter import PageSource, parse_page
from docgates.core.git_history import FileChange, GitHistory
from docgates.core.gitblobs import BlobReader, is_blob
from docgates.leaderboard.docsday import ScoringSettings
from docgates.leaderboard.probes import Probes, count_broken, resolve_links
from docgates.links.resolve import file_candidates
from docgates.ownership.codeowners import CODEOWNERS_LOCATIONS


@dataclass
class PageState:
    """One page at one revision, as the gates would judge it on one day."""

    exists: bool
    reviewed: dt.date | None = None
    owners: list[str] = field(default_factory=list)
    stale: bool | None = None
    checklist: tuple[int, int] | None = None
    readability: float | None = None
    broken_links: int | None = None


MISSING = PageState(exists=False)

_UNKNOWN: Any = object()


@dataclass
class PageVersion:
    """One content of a page (one git blob) and the measures that depend on it alone."""

    source: PageSource
    link_targets: list[str] | None = None
    # Docs folder -> the docs paths the page's internal links point to from there.
    links: dict[str, list[str]] = field(default_factory=dict)
    # Docs folder -> every docs file those links may name (``PageJudge.link_files``).
    link_files: dict[str, frozenset[str]] = field(default_factory=dict)
    readability: Any = _UNKNOWN
    checklist: dict[tuple[str, dt.date], Any] = field(default_factory=dict)


class _AndGenerated:
    """The files of a revision and the site's generated pages, which git never holds: a link
    to the dashboard is not broken."""

    def __init__(self, files: Mapping[str, str], generated: frozenset[str]) -> None:
        self.files, self.generated = files, generated

    def __contains__(self, path: object) -> bool:
        return path in self.files or path in self.generated


class PageJudge:
    """Any page of the docs folder at any revision of one repository's history, judged on
    any day as the gates would judge it; each content is read and parsed once."""

    def __init__(self, history: GitHistory, reader: BlobReader, settings: ScoringSettings, probes: Probes) -> None:
        self.history = history
        self.reader = reader
        self.settings = settings
        self.probes = probes
        # Newest first, as git log lists them; the index is a topological age.
        self.order = {c.sha: index for index, c in enumerate(history.commits)}
        self._states: dict[tuple[str, str, dt.date, bool], PageState] = {}
        self._files: dict[str, Mapping[str, str]] = {}
        self._codeowners: dict[str, Any] = {}
        self._versions: dict[str, PageVersion] = {}  # by blob id
        self._blob_ids: dict[str, str] = {}  # "rev:path" -> blob id, for revisions not listed
        self._changes: dict[str, list[FileChange]] = {}

    # -- what a page was ------------------------------------------------------------------
    def docs_path(self, repo_path: str) -> str | None:
        prefix = self.settings.docs_prefix
        if not repo_path.startswith(prefix) or not repo_path.endswith(".md"):
            return None
        path = repo_path[len(prefix) :]
        return None if path in self.settings.excluded or self.settings.exclude(path) else path

    def files_at(self, rev: str) -> Mapping[str, str]:
        """Docs path -> blob id of every file of the docs folder at ``rev`` (use ``in``)."""
        if rev not in self._files:
            self._files[rev] = self.reader.folder_blobs(rev, self.settings.docs_prefix.rstrip("/"))
        return self._files[rev]

    def state(self, rev: str | None, repo_path: str, day: dt.date, full: bool = True, keep: bool = True) -> PageState:
        """The page ``repo_path`` at ``rev`` judged on ``day`` (``full``: every measure;
        ``keep``: remember it, for a state asked for again)."""
        if rev is None:
            return MISSING
        key = (rev, repo_path, day, full)
        if key in self._states:
            return self._states[key]
        version = self.version(rev, repo_path)
        if version is None:
            if keep:
                self._states[key] = MISSING
            return MISSING
        source = version.source
        state = PageState(exists=True, reviewed=source.reviewed)
        state.owners = list(source.owners) or self.codeowners_at(rev, repo_path)
        state.stale = self._stale(source, rev, repo_path, day)
        if full:
            state.checklist = self.checklist(version, repo_path, day)
            state.readability = self.readability(version)
        if self.probes.broken_links:
            state.broken_links = self.broken_links(version, repo_path, rev)
        if keep:
            self._states[key] = state
        return state

    # -- what a page's content says (once per blob) ---------------------------------------
    def version(self, rev: str, repo_path: str) -> PageVersion | None:
        """The content of ``repo_path`` at ``rev``, parsed once per blob; None when absent."""
        prefix = self.settings.docs_prefix
        if repo_path.startswith(prefix):
            blob_id = self.files_at(rev).get(repo_path[len(prefix) :])
            if blob_id is None:
                return None
            version = self._versions.get(blob_id) or self._known_version(repo_path, blob_id)
            if version is not None:
                return version
            found = self.reader.blob(blob_id)
        else:  # moved into the docs folder from outside: not listed
            # The reader hands a blob out once: remember which blob this was.
            spec = f"{rev}:{repo_path}"
            if spec in self._blob_ids:
                return self._versions.get(self._blob_ids[spec])
            found = self.reader.blob(spec)
            if found is not None:
                self._blob_ids[spec] = found[0]
        if found is None:
            return None
        blob_id, raw = found
        version = self._versions.get(blob_id)
        if version is None:
            version = PageVersion(parse_page(self.docs_path(repo_path) or repo_path, raw))
            self._versions[blob_id] = version
        return version

    def _known_version(self, repo_path: str, blob_id: str) -> PageVersion | None:
        """The build's parse of the page, when the working tree holds exactly this blob."""
        docs_path = self.docs_path(repo_path)
        source = self.settings.sources.get(docs_path) if docs_path else None
        if source is None:
            return None
        try:
            raw = source.text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        # Parsing these bytes gives this source again only when they are the bytes parsed:
        # a BOM, a byte that is not UTF-8 or a line-ending filter changes them, and the blob
        # is then read from git instead.
        if not is_blob(raw, blob_id):
            return None
        version = PageVersion(source)
        self._versions[blob_id] = version
        return version

    def _source_at(self, version: PageVersion, repo_path: str) -> PageSource:
        """The version's source named as ``repo_path`` (one blob can be several pages)."""
        path = self.docs_path(repo_path) or repo_path
        source = version.source
        return source if source.path == path else dataclasses.replace(source, path=path)

    def broken_links(self, version: PageVersion, repo_path: str, rev: str) -> int | None:
        probes = self.probes
        files = _AndGenerated(self.files_at(rev), self.settings.excluded)
        if probes.link_targets is None:  # a links probe that only counts
            return probes.broken_links(self._source_at(version, repo_path), files) if probes.broken_links else None
        resolved = self._resolved(version, repo_path)
        return count_broken(resolved, files) if resolved else 0

    def link_files(self, version: PageVersion, repo_path: str) -> frozenset[str] | None:
        """Every docs file the page's internal links may name: adding or removing any other
        file cannot change its broken links. None with a links probe that only counts."""
        if self.probes.link_targets is None:
            return None
        folder = posixpath.dirname(self.docs_path(repo_path) or repo_path)
        if folder not in version.link_files:
            resolved = self._resolved(version, repo_path)
            version.link_files[folder] = frozenset(name for target in resolved for name in file_candidates(target))
        return version.link_files[folder]

    def _resolved(self, version: PageVersion, repo_path: str) -> list[str]:
        path = self.docs_path(repo_path) or repo_path
        folder = posixpath.dirname(path)
        resolved = version.links.get(folder)
        if resolved is None:
            if version.link_targets is None:
                version.link_targets = self.probes.link_targets(version.source.body)
            resolved = version.links[folder] = resolve_links(version.link_targets, path)
        return resolved

    def readability(self, version: PageVersion) -> float | None:
        if not self.probes.readability:
            return None
        if version.readability is _UNKNOWN:
            version.readability = self.probes.readability(version.source)
        return version.readability

    def checklist(self, version: PageVersion, repo_path: str, day: dt.date) -> tuple[int, int] | None:
        if not self.probes.checklist:
            return None
        key = (self.docs_path(repo_path) or repo_path, day)
        if key not in version.checklist:
            version.checklist[key] = self.probes.checklist(self._source_at(version, repo_path), day)
        return version.checklist[key]

    def _stale(self, source: PageSource, rev: str, repo_path: str, day: dt.date) -> bool:
        if source.archived:
            return False
        last_change = None if source.reviewed else self._last_change(rev, repo_path)
        schedule = self.settings.clock.schedule(
            self.docs_path(repo_path) or repo_path, source.reviewed, source.review_every, False, last_change
        )
        return schedule.stale(day)

    def _last_change(self, rev: str, repo_path: str) -> dt.date | None:
        """The day of the newest commit at or before ``rev`` that changed the page."""
        limit = self.order.get(rev.rstrip("^"), -1)
        if rev.endswith("^"):
            limit += 1  # the parent: strictly older than the commit itself
        if repo_path not in self._changes:
            self._changes[repo_path] = self.history.changes(repo_path)
        candidates = [
            change
            for change in self._changes[repo_path]
            if self.order.get(change.commit.sha, -1) >= limit
            # The freshness rule: a deletion or a pure move does not refresh a page.
            and change.status != "D" and not change.is_pure_rename
        ]
        if not candidates:
            return None
        # Newest by author date, as the freshness gate decides: a rebase can reorder the log.
        return max(candidates, key=lambda change: change.commit.timestamp).commit.date

    def codeowners_at(self, rev: str, repo_path: str) -> list[str]:
        if rev not in self._codeowners:
            self._codeowners[rev] = None
            for location in CODEOWNERS_LOCATIONS:
                raw = self.reader.read(rev, location)
                if raw is not None and self.probes.codeowners:
                    self._codeowners[rev] = self.probes.codeowners(raw.decode("utf-8", "replace"))
                    break
        resolver = self._codeowners[rev]
        return list(resolver(repo_path)) if resolver else []

    def prefetch(self, pages: Iterable[tuple[str, str]], specs: list[str] | None = None) -> None:
        """Read the blobs of these ``(rev, repo path)`` pages (and ``specs``) in one round trip,
        all but those parsed already or held by the build's own parse.

        Pages of the docs folder are asked for by blob id, as ``version`` asks for them: a
        blob read under another name would stay unread in the reader (and be read again).
        """
        wanted = list(specs or [])
        prefix = self.settings.docs_prefix
        for rev, repo_path in pages:
            if not repo_path.startswith(prefix):
                wanted.append(f"{rev}:{repo_path}")
                continue
            blob_id = self.files_at(rev).get(repo_path[len(prefix) :])
            if blob_id and blob_id not in self._versions and self._known_version(repo_path, blob_id) is None:
                wanted.append(blob_id)
        self.reader.prefetch(wanted)
