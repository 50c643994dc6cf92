"""Docs-day scoring: what each commit of a window improved, page by page.

Every page a commit touched is evaluated before and after the commit with the same core the
gates use (front matter parsing, the freshness rule, CODEOWNERS, checklists, readability,
the link scanner), reading the old versions through one ``git cat-file --batch`` process.
Points go to what made the docs better, never to raw commit counts.

Most of that work depends on a page's content only, and most pages have the same content at
the start and at the end of a window: so each blob is parsed once (by git's blob id), the
build's own parse of an unchanged page is reused, and only what depends on the revision or
the day (staleness, CODEOWNERS, which links resolve) is judged per revision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from docgates.core.dates import DateError, Interval, parse_date, parse_interval
from docgates.leaderboard.probes import Probes, count_broken, load_probes, probes_key, resolve_links
from docgates.core.frontmatter import PageSource, parse_page
from docgates.core.gitblobs import BlobReader, is_blob

try:
    from docgates.ownership.codeowners import CODEOWNERS_LOCATIONS
except ImportError:  # the ownership core not installed: GitHub's lookup order
    CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")

# Bump when a cached board (``result_key``, ``Leaderboard.to_cache``) must not be reused.
VERSION = 1

# Improvement kinds, in the order they are shown, with default points and a label.
KINDS: dict[str, tuple[int, str]] = {
    "rescued": (5, "stale pages made fresh"),
    "reviewed": (2, "pages reviewed"),
    "new_page": (3, "new pages"),
    "links_fixed": (1, "broken links fixed"),
    "checklist_completed": (3, "checklists completed"),
    "readability_gained": (2, "pages made easier to read"),
    "adopted": (2, "ownerless pages adopted"),
}
# A change of the Flesch reading ease smaller than this is noise, not an improvement.
READABILITY_STEP = 5.0

AWARDS: dict[str, tuple[str, str]] = {
    # id: (title, what it counts)
    "rescuer": ("Stale-page rescuer", "rescued"),
    "first": ("Best first contribution", "points"),
    "reviewer": ("Most pages reviewed", "reviewed"),
    "link-fixer": ("Link fixer", "links_fixed"),
    "author": ("Most new pages", "new_page"),
    "clarity": ("Clarity champion", "readability_gained"),
    "adopter": ("Page adopter", "adopted"),
    "finisher": ("Checklist finisher", "checklist_completed"),
}


class WindowError(ValueError):
    """A docs-day window that cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class Window:
    """Inclusive calendar days, in UTC like every git date docgates uses: a commit belongs
    to the UTC day of its author date, whatever the time zone of the machine that builds."""

    since: dt.date
    until: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.since <= day <= self.until

    def __str__(self) -> str:
        if self.since == self.until:
            return self.since.isoformat()
        return f"{self.since.isoformat()} – {self.until.isoformat()}"

    @classmethod
    def from_options(
        cls, since: Any = None, until: Any = None, docs_day: Any = None, today: dt.date | None = None
    ) -> "Window":
        """From ``docs_day`` (one day) or ``since`` [and ``until``, default today]."""
        if docs_day not in (None, ""):
            if since not in (None, "") or until not in (None, ""):
                raise WindowError("docs_day: give either docs_day or since/until, not both")
            day = _date("docs_day", docs_day)
            return cls(day, day)
        if since in (None, ""):
            raise WindowError("since: a start date is needed, e.g. since: 2026-11-12 (or docs_day: 2026-11-12)")
        start = _date("since", since)
        end = _date("until", until) if until not in (None, "") else (today or dt.date.today())
        if end < start:
            raise WindowError(f"until: {end.isoformat()} is before since: {start.isoformat()}; swap them")
        return cls(start, end)


def _date(option: str, value: Any) -> dt.date:
    try:
        return parse_date(value)
    except DateError as exc:
        raise WindowError(f"{option}: {exc}") from None


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
    readability: Any = _UNKNOWN
    checklist: dict[tuple[str, dt.date], Any] = field(default_factory=dict)


@dataclass
class Contribution:
    """One improvement of one page by one person in one commit."""

    kind: str
    author: str
    path: str
    commit: str
    day: dt.date
    points: int
    amount: float = 1
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "author": self.author,
            "path": self.path,
            "commit": self.commit[:12],
            "day": self.day.isoformat(),
            "points": self.points,
            "amount": self.amount,
            "detail": self.detail,
        }

    def to_cache(self) -> dict[str, Any]:
        return dict(dataclasses.asdict(self), day=self.day.isoformat())

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> "Contribution":
        return cls(**dict(data, day=dt.date.fromisoformat(data["day"])))


@dataclass
class Score:
    """The points of a person or a team, with the count of each improvement kind."""

    name: str
    points: int = 0
    kinds: Counter = field(default_factory=Counter)
    pages: set[str] = field(default_factory=set)
    commits: set[str] = field(default_factory=set)
    first_contribution: bool = False

    def add(self, item: Contribution) -> None:
        self.points += item.points
        self.kinds[item.kind] += item.amount
        self.pages.add(item.path)
        self.commits.add(item.commit)

    def to_dict(self) -> dict[str, Any]:
        result = {
            "name": self.name,
            "points": self.points,
            "pages": len(self.pages),
            "commits": len(self.commits),
            **{kind: _number(self.kinds.get(kind, 0)) for kind in KINDS},
        }
        if self.first_contribution:
            result["first_contribution"] = True
        return result

    def to_cache(self) -> dict[str, Any]:
        # Every field, unlike ``to_dict``: the page and commit sets, not just their sizes.
        return {
            "name": self.name,
            "points": self.points,
            "kinds": dict(self.kinds),
            "pages": sorted(self.pages),
            "commits": sorted(self.commits),
            "first_contribution": self.first_contribution,
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> "Score":
        return cls(
            data["name"], data["points"], Counter(data["kinds"]), set(data["pages"]), set(data["commits"]),
            bool(data["first_contribution"]),
        )


@dataclass
class Award:
    id: str
    title: str
    winner: str
    amount: float
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "winner": self.winner, "amount": _number(self.amount), "unit": self.unit}

    def to_cache(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> "Award":
        return cls(**data)


@dataclass
class Health:
    """Site health at one revision (stale pages, broken links, ownerless pages)."""

    revision: str | None
    day: dt.date
    pages: int = 0
    stale: int = 0
    ownerless: int = 0
    broken_links: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.revision[:12] if self.revision else None,
            "day": self.day.isoformat(),
            "pages": self.pages,
            "stale": self.stale,
            "ownerless": self.ownerless,
            "broken_links": self.broken_links,
        }

    def to_cache(self) -> dict[str, Any]:
        return dict(dataclasses.asdict(self), day=self.day.isoformat())

    @classmethod
    def from_cache(cls, data: dict[str, Any] | None) -> "Health | None":
        return None if data is None else cls(**dict(data, day=dt.date.fromisoformat(data["day"])))


@dataclass
class Leaderboard:
    window: Window
    status: str = "ok"
    message: str = ""
    commits: int = 0
    people: list[Score] = field(default_factory=list)
    teams: list[Score] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    before: Health | None = None
    after: Health | None = None
    # Improvement kinds that could not be measured (e.g. no link scanner) and why.
    not_measured: dict[str, str] = field(default_factory=dict)
    points: dict[str, int] = field(default_factory=dict)

    def _header(self) -> dict[str, Any]:
        return {
            "since": self.window.since.isoformat(),
            "until": self.window.until.isoformat(),
            "status": self.status,
            "message": self.message,
            "commits": self.commits,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self._header(),
            "points": dict(self.points),
            "not_measured": dict(self.not_measured),
            "people": [p.to_dict() for p in self.people],
            "teams": [t.to_dict() for t in self.teams],
            "awards": [a.to_dict() for a in self.awards],
            "health": {
                "before": self.before.to_dict() if self.before else None,
                "after": self.after.to_dict() if self.after else None,
            },
            "contributions": [c.to_dict() for c in self.contributions],
        }

    def to_cache(self) -> dict[str, Any]:
        """Everything the board holds, as JSON values: ``from_cache`` gives an equal board,
        so a cached board renders byte for byte as the one computed."""
        return {
            **self._header(),
            "people": [p.to_cache() for p in self.people],
            "teams": [t.to_cache() for t in self.teams],
            "awards": [a.to_cache() for a in self.awards],
            "contributions": [c.to_cache() for c in self.contributions],
            "before": self.before.to_cache() if self.before else None,
            "after": self.after.to_cache() if self.after else None,
            "not_measured": dict(self.not_measured),
            "points": dict(self.points),
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> "Leaderboard":
        """The board ``to_cache`` wrote; KeyError, TypeError or ValueError when it is not one."""
        return cls(
            window=Window(dt.date.fromisoformat(data["since"]), dt.date.fromisoformat(data["until"])),
            status=data["status"],
            message=data["message"],
            commits=data["commits"],
            people=[Score.from_cache(p) for p in data["people"]],
            teams=[Score.from_cache(t) for t in data["teams"]],
            awards=[Award.from_cache(a) for a in data["awards"]],
            contributions=[Contribution.from_cache(c) for c in data["contributions"]],
            before=Health.from_cache(data["before"]),
            after=Health.from_cache(data["after"]),
            not_measured=dict(data["not_measured"]),
            points=dict(data["points"]),
        )


def _nothing_excluded(path: str) -> bool:
    return False


@dataclass
class ScoringSettings:
    """What the scorer needs to know about the site (all from plugin options or mkdocs.yml)."""

    docs_prefix: str  # the docs folder, repository-relative, "" or ending in "/"
    review_every: Interval = field(default_factory=lambda: parse_interval("180d"))
    points: dict[str, int] = field(default_factory=lambda: {k: v[0] for k, v in KINDS.items()})
    awards: tuple[str, ...] = tuple(AWARDS)
    # Current owner of each docs page (from the ownership gate), to credit teams.
    current_owners: Mapping[str, list[str]] = field(default_factory=dict)
    exclude: Callable[[str], bool] = _nothing_excluded
    # Docs paths left out like ``exclude`` does (the generated pages); unlike a function,
    # a set can be part of ``result_key``.
    excluded: frozenset[str] = frozenset()
    # The checklist plugin's definitions file, so old versions are judged by the same list.
    checklists: Any = None
    language: str = "en"
    # The build's parsed pages (docs path -> PageSource): a revision holding the same bytes
    # as the working tree is not read and parsed a second time.
    sources: Mapping[str, PageSource] = field(default_factory=dict)
    # Where readability scores of old versions are kept between runs (None: not kept).
    cache_file: Path | None = None


def result_key(window: Window, settings: ScoringSettings, history: Any) -> str | None:
    """A key for the board ``Scorer.score`` computes, that changes whenever the board can;
    None when the settings hold what no key can see (an ``exclude`` function).

    Git names objects by their content, so the commit ids in the history stand for every
    page version, listing and CODEOWNERS file the scoring reads. The parsed history adds
    what ids do not say (mailmapped names, ignored commits, the renames git found), and it
    is the whole history: a later commit that deletes a page changes that page's past. The
    day of the build is not in the key: staleness is judged on the window's days. Neither
    are the current owners (team credits): a cached board keeps those it used, to compare.
    """
    if settings.exclude is not _nothing_excluded:
        return None
    return _digest([
        f"v{VERSION}",
        code_key(),
        window.since.isoformat(),
        window.until.isoformat(),
        settings.docs_prefix,
        str(settings.review_every),
        repr(sorted(settings.points.items())),
        repr(tuple(settings.awards)),
        repr(sorted(settings.excluded)),
        probes_key({"checklists": settings.checklists, "language": settings.language}),
        history_key(history),
    ])


def history_key(history: Any) -> str:
    """One digest of everything ``Scorer`` reads from the parsed history."""
    is_ignored = getattr(history, "is_ignored", None) or (lambda commit: False)
    lines = [f"{getattr(history, 'status', 'ok')}\0{getattr(history, 'message', '')}"]
    for commit in getattr(history, "commits", None) or []:
        # The author date is in the commit id; its UTC day comes from it (``commit_day``).
        lines.append(f"{commit.sha}\0{commit.author}\0{is_ignored(commit)}")
        lines.extend(
            f"{change.status}\0{change.path}\0{getattr(change, 'old_path', None)}\0{getattr(change, 'similarity', None)}"
            for change in getattr(commit, "changes", ()) or ()
        )
    return _digest(lines)


@functools.cache  # the code does not change within a run
def code_key() -> str:
    """One digest of the gate core's code and built-in checklists: a cached board is reused
    only with the very code that computed it, so an upgrade or a local edit never shows a
    stale one, whether or not someone remembered to bump ``VERSION``. About a millisecond."""
    package = Path(__file__).resolve().parents[1]
    # Every engine-neutral module (the engines and the command line compute no board).
    files = sorted(p for p in package.rglob("*.py") if not {"engines", "cli"} & set(p.relative_to(package).parts))
    files.append(package / "data" / "checklists.yml")
    parts = []
    for path in files:
        name = path.relative_to(package).as_posix()
        try:
            parts.append(f"{name}\0{hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest()}")
        except OSError:
            parts.append(f"{name}\0missing")
    return _digest(parts)


def _digest(parts: list[str]) -> str:
    text = json.dumps(parts, ensure_ascii=False)  # quoted: no two lists give the same text
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def commit_day(commit: Any) -> dt.date:
    """The UTC calendar day of a commit's author date (see ``Window``)."""
    value = getattr(commit, "date", None)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(int(getattr(commit, "timestamp", 0)), dt.timezone.utc).date()


class Scorer:
    """Scores one window of one repository's history."""

    def __init__(self, history: Any, reader: BlobReader, settings: ScoringSettings, probes: Probes | None = None) -> None:
        self.history = history
        self.reader = reader
        self.settings = settings
        self.probes = probes if probes is not None else load_probes(
            {"checklists": settings.checklists, "language": settings.language, "cache_file": settings.cache_file}
        )
        commits = list(getattr(history, "commits", []) or [])
        # Newest first, as git log lists them; the index is a topological age.
        self.commits = commits
        self.order = {c.sha: index for index, c in enumerate(commits)}
        self._states: dict[tuple[str, str, dt.date, bool], PageState] = {}
        self._files: dict[str, Mapping[str, str]] = {}
        self._codeowners: dict[str, Any] = {}
        self._versions: dict[str, PageVersion] = {}  # by blob id
        self._blob_ids: dict[str, str] = {}  # "rev:path" -> blob id, for revisions not listed
        self._changes: dict[str, list[Any]] = {}

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
        if probes.link_targets is None:  # a links probe that only counts
            return probes.broken_links(self._source_at(version, repo_path), self.files_at(rev)) if probes.broken_links else None
        path = self.docs_path(repo_path) or repo_path
        folder = posixpath.dirname(path)
        resolved = version.links.get(folder)
        if resolved is None:
            if version.link_targets is None:
                version.link_targets = probes.link_targets(version.source.body)
            resolved = version.links[folder] = resolve_links(version.link_targets, path)
        return count_broken(resolved, self.files_at(rev)) if resolved else 0

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
        fresh_from = source.reviewed or self._last_change(rev, repo_path)
        if fresh_from is None:
            return False
        interval = source.review_every or self.settings.review_every
        return day > interval.after(fresh_from)

    def _last_change(self, rev: str, repo_path: str) -> dt.date | None:
        """The day of the newest commit at or before ``rev`` that changed the page."""
        limit = self.order.get(rev.rstrip("^"), -1)
        if rev.endswith("^"):
            limit += 1  # the parent: strictly older than the commit itself
        if repo_path not in self._changes:
            self._changes[repo_path] = _changes(self.history, repo_path)
        candidates = [
            change
            for change in self._changes[repo_path]
            if self.order.get(change.commit.sha, -1) >= limit
            # The freshness rule: a deletion or a pure move does not refresh a page.
            and change.status != "D" and not getattr(change, "is_pure_rename", False)
        ]
        if not candidates:
            return None
        # Newest by author date, as the freshness gate decides: a rebase can reorder the log.
        return commit_day(max(candidates, key=lambda change: change.commit.timestamp).commit)

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

    # -- the window -----------------------------------------------------------------------
    def score(self, window: Window, candidates: Iterable[str] = ()) -> Leaderboard:
        board = Leaderboard(window=window, points=dict(self.settings.points))
        status = getattr(self.history, "status", "ok")
        if status != "ok":
            board.status = status
            board.message = getattr(self.history, "message", "") or "git history is not available"
            if status != "shallow":
                return board
        for kind, why in self.probes.missing.items():
            board.not_measured[kind] = why
        in_window = [c for c in self.commits if commit_day(c) in window]
        board.commits = len(in_window)
        before_rev = next((c.sha for c in self.commits if commit_day(c) < window.since), None)
        after_rev = next((c.sha for c in self.commits if commit_day(c) <= window.until), None)
        paths = self._candidate_paths(candidates, before_rev, after_rev)
        self._prefetch_window(in_window)
        seen: set[tuple[str, str, str]] = set()
        for commit in reversed(in_window):  # oldest first: the first to improve a page gets it
            if self._ignored(commit):
                continue  # bulk reformatting commits (.git-blame-ignore-revs) earn nothing
            for change in sorted(getattr(commit, "changes", ()) or (), key=lambda ch: ch.path):
                for item in self._improvements(commit, change):
                    key = (item.author, item.path, item.kind)
                    if key in seen:
                        continue
                    seen.add(key)
                    board.contributions.append(item)
        board.people = self._people(board.contributions)
        board.teams = self._teams(board.contributions)
        board.awards = self._awards(board.people)
        board.before = self.health(before_rev, window.since - dt.timedelta(days=1), paths)
        board.after = self.health(after_rev, window.until, paths)
        self.probes.save()
        return board

    def bodies_to_score(self, window: Window) -> list[str]:
        """The page bodies whose reading ease ``score(window)`` will ask for: both versions
        of every change in the window that edits a page's body (``_improvements``)."""
        if getattr(self.history, "status", "ok") not in ("ok", "shallow") or not self.probes.readability:
            return []
        in_window = [c for c in self.commits if commit_day(c) in window]
        self._prefetch_window(in_window)
        bodies: list[str] = []
        for commit in in_window:
            if self._ignored(commit):
                continue
            for change in getattr(commit, "changes", ()) or ():
                if self.docs_path(change.path) is None or str(getattr(change, "status", "M"))[:1] == "D":
                    continue
                old_path = getattr(change, "old_path", None) or change.path
                old, new = self.version(f"{commit.sha}^", old_path), self.version(commit.sha, change.path)
                if old is not None and new is not None and old.source.body != new.source.body:
                    bodies += [old.source.body, new.source.body]
        return bodies

    def _prefetch_window(self, commits: list[Any]) -> None:
        """Every page version the window's commits need (and their CODEOWNERS files), read
        in one round trip once the revisions are listed."""
        pages: list[tuple[str, str]] = []
        specs: list[str] = []
        for commit in commits:
            for change in getattr(commit, "changes", ()) or ():
                if self.docs_path(change.path) is None:
                    continue
                pages.append((commit.sha, change.path))
                pages.append((f"{commit.sha}^", getattr(change, "old_path", None) or change.path))
            specs.extend(f"{rev}:{location}" for rev in (commit.sha, f"{commit.sha}^") for location in CODEOWNERS_LOCATIONS)
        self._prefetch_pages(pages, specs)

    def _prefetch_pages(self, pages: Iterable[tuple[str, str]], specs: list[str] | None = None) -> None:
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

    def _ignored(self, commit: Any) -> bool:
        is_ignored = getattr(self.history, "is_ignored", None)
        return bool(is_ignored and is_ignored(commit))

    def _candidate_paths(self, candidates: Iterable[str], *revs: str | None) -> list[str]:
        prefix = self.settings.docs_prefix
        paths = {prefix + p for p in candidates}
        for rev in revs:
            if rev:
                paths.update(prefix + p for p in self.files_at(rev))
        return sorted(p for p in paths if self.docs_path(p) is not None)

    def _improvements(self, commit: Any, change: Any) -> list[Contribution]:
        status = str(getattr(change, "status", "M"))[:1]
        path = self.docs_path(change.path)
        if path is None or status == "D":
            return []
        day = commit_day(commit)
        author = str(getattr(commit, "author", "") or "unknown")
        old_path = getattr(change, "old_path", None) or change.path
        parent = f"{commit.sha}^"
        # Cheap measures first; checklists and readability only where they can earn points.
        before = self.state(parent, old_path, day, full=False)
        after = self.state(commit.sha, change.path, day, full=False)
        if not after.exists:
            return []
        found: list[tuple[str, float, str]] = []
        if not before.exists:
            if status != "R":
                found.append(("new_page", 1, ""))
        else:
            # Both exist (their states say so), so both versions are known.
            old, new = self.version(parent, old_path), self.version(commit.sha, change.path)
            if old is None or new is None:
                return []
            if after.reviewed and (before.reviewed is None or after.reviewed > before.reviewed):
                found.append(("reviewed", 1, f"reviewed {after.reviewed.isoformat()}"))
            if before.stale and after.stale is False:
                found.append(("rescued", 1, ""))
            if not before.owners and after.owners:
                found.append(("adopted", 1, ", ".join(after.owners)))
            if _incomplete(self.checklist(old, old_path, day)) and _complete(self.checklist(new, change.path, day)):
                found.append(("checklist_completed", 1, ""))
            # The reading ease depends on the body alone: an unchanged body gains nothing.
            if old.source.body != new.source.body:
                old_ease, new_ease = self.readability(old), self.readability(new)
                if old_ease is not None and new_ease is not None and new_ease - old_ease >= READABILITY_STEP:
                    found.append(("readability_gained", 1, f"reading ease {old_ease:.0f} → {new_ease:.0f}"))
            if before.broken_links and after.broken_links is not None and after.broken_links < before.broken_links:
                fixed = before.broken_links - after.broken_links
                found.append(("links_fixed", fixed, f"{fixed} fixed"))
        points = self.settings.points
        return [
            Contribution(kind, author, path, commit.sha, day, int(round(points.get(kind, 0) * amount)), amount, detail)
            for kind, amount, detail in found
        ]

    def _people(self, contributions: list[Contribution]) -> list[Score]:
        scores: dict[str, Score] = {}
        for item in contributions:
            scores.setdefault(item.author, Score(item.author)).add(item)
        first_commit: dict[str, Any] = {}
        for commit in self.commits:  # newest first: the last one written is the oldest
            first_commit[str(getattr(commit, "author", ""))] = commit
        for name, score in scores.items():
            first = first_commit.get(name)
            score.first_contribution = first is not None and first.sha in score.commits
        return _ranked(scores.values())

    def _teams(self, contributions: list[Contribution]) -> list[Score]:
        scores: dict[str, Score] = {}
        for item in contributions:
            owners = self.settings.current_owners.get(item.path) or self._owners_after(item)
            for owner in owners or ["(no owner)"]:
                scores.setdefault(owner, Score(owner)).add(item)
        return _ranked(scores.values())

    def _owners_after(self, item: Contribution) -> list[str]:
        return self.state(item.commit, self.settings.docs_prefix + item.path, item.day, full=False).owners

    def _awards(self, people: list[Score]) -> list[Award]:
        awards: list[Award] = []
        for award_id in self.settings.awards:
            title, measure = AWARDS[award_id]
            if award_id == "first":
                pool = [p for p in people if p.first_contribution]
                best = max(pool, key=lambda p: (p.points, _tiebreak(p.name)), default=None)
                if best and best.points > 0:
                    awards.append(Award(award_id, title, best.name, best.points, "points"))
                continue
            best = max(people, key=lambda p: (p.kinds.get(measure, 0), _tiebreak(p.name)), default=None)
            if best and best.kinds.get(measure, 0) > 0:
                awards.append(Award(award_id, title, best.name, best.kinds[measure], KINDS[measure][1]))
        return awards

    def health(self, rev: str | None, day: dt.date, paths: Iterable[str]) -> Health:
        result = Health(revision=rev, day=day)
        if self.probes.broken_links:
            result.broken_links = 0
        if rev is None:
            return result
        present = self.files_at(rev)
        self._prefetch_pages((rev, path) for path in paths if self.docs_path(path) in present)
        for repo_path in paths:
            docs_path = self.docs_path(repo_path)
            if docs_path is None or docs_path not in present:
                continue
            # Counted, not kept: nothing asks for a page's state on these days again, and
            # two revisions' states of every page would be most of the scorer's memory.
            state = self.state(rev, repo_path, day, full=False, keep=False)
            if not state.exists:
                continue
            result.pages += 1
            result.stale += bool(state.stale)
            result.ownerless += not state.owners
            if state.broken_links is not None and result.broken_links is not None:
                result.broken_links += state.broken_links
        return result


def _changes(history: Any, repo_path: str) -> list[Any]:
    try:
        return list(history.changes(repo_path) or [])
    except (KeyError, AttributeError):
        return []


def _incomplete(checklist: tuple[int, int] | None) -> bool:
    return checklist is not None and checklist[1] > 0 and checklist[0] < checklist[1]


def _complete(checklist: tuple[int, int] | None) -> bool:
    return checklist is not None and checklist[1] > 0 and checklist[0] >= checklist[1]


def _tiebreak(name: str) -> tuple:
    # max() picks the largest: invert the name so ties go to the alphabetically first.
    return tuple(-ord(ch) for ch in name.casefold())


def _ranked(scores: Iterable[Score]) -> list[Score]:
    return sorted(scores, key=lambda s: (-s.points, s.name.casefold(), s.name))


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 1)


def check_points(value: Mapping[str, Any] | None) -> dict[str, int]:
    """Default points with the ``points`` option's overrides; ValueError names a bad key."""
    points = {k: v[0] for k, v in KINDS.items()}
    for kind, amount in (value or {}).items():
        if kind not in KINDS:
            raise ValueError(f"points: unknown improvement {kind!r}; known: {', '.join(KINDS)}")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError(f"points: {kind} must be a whole number of points ≥ 0, not {amount!r}")
        points[kind] = amount
    return points


def check_awards(value: Any) -> tuple[str, ...]:
    """The ``awards`` option: a list of award ids (``true`` for all, ``false`` for none)."""
    if value is True or value is None:
        return tuple(AWARDS)
    if value is False:
        return ()
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"awards: expected a list of award ids ({', '.join(AWARDS)}), or true/false")
    for award in value:
        if award not in AWARDS:
            raise ValueError(f"awards: unknown award {award!r}; known: {', '.join(AWARDS)}")
    return tuple(value)
