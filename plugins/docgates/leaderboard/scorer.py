"""Who improved which page in a docs-day window, with points, awards and site health.

Each commit of the window is compared page by page with its parent (``pages.PageJudge``);
the first person to make an improvement of a kind to a page earns its points.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from docgates.core.git_history import Commit, FileChange, GitHistory
from docgates.core.gitblobs import BlobReader
from docgates.leaderboard.docsday import AWARDS, KINDS, READABILITY_STEP, ScoringSettings
from docgates.leaderboard.model import Award, Contribution, Health, Leaderboard, Score
from docgates.leaderboard.pages import PageJudge
from docgates.leaderboard.probes import Probes, load_probes
from docgates.leaderboard.window import Window
from docgates.ownership.codeowners import CODEOWNERS_LOCATIONS


class Scorer:
    """Scores one window of one repository's history."""

    def __init__(self, history: GitHistory, reader: BlobReader, settings: ScoringSettings, probes: Probes | None = None) -> None:
        self.history = history
        self.settings = settings
        self.probes = probes if probes is not None else load_probes(settings.probe_options())
        self.pages = PageJudge(history, reader, settings, self.probes)
        # Newest first, as git log lists them.
        self.commits = history.commits

    def score(self, window: Window, candidates: Iterable[str] = ()) -> Leaderboard:
        board = Leaderboard(window=window, points=dict(self.settings.points))
        if self.history.status != "ok":
            board.status = self.history.status
            board.message = self.history.message or "git history is not available"
            if self.history.status != "shallow":
                return board
        for kind, why in self.probes.missing.items():
            board.not_measured[kind] = why
        in_window = self._docs_commits(window)
        board.commits = len(in_window)
        before_rev = next((c.sha for c in self.commits if c.date < window.since), None)
        after_rev = next((c.sha for c in self.commits if c.date <= window.until), None)
        paths = self._candidate_paths(candidates, before_rev, after_rev)
        self._prefetch_window(in_window)
        seen: set[tuple[str, str, str]] = set()
        for commit in reversed(in_window):  # oldest first: the first to improve a page gets it
            if self.history.is_ignored(commit):
                continue  # bulk reformatting commits (.git-blame-ignore-revs) earn nothing
            for change in sorted(commit.changes, key=lambda ch: ch.path):
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
        if self.history.status not in ("ok", "shallow") or not self.probes.readability:
            return []
        in_window = self._docs_commits(window)
        self._prefetch_window(in_window)
        bodies: list[str] = []
        for commit in in_window:
            if self.history.is_ignored(commit):
                continue
            for change in commit.changes:
                if self.pages.docs_path(change.path) is None or change.status[:1] == "D":
                    continue
                old_path = change.old_path or change.path
                old, new = self.pages.version(f"{commit.sha}^", old_path), self.pages.version(commit.sha, change.path)
                if old is not None and new is not None and old.source.body != new.source.body:
                    bodies += [old.source.body, new.source.body]
        return bodies

    def _docs_commits(self, window: Window) -> list[Commit]:
        """The window's commits that touch the docs folder. The history may cover the whole
        repository (pages that document code); a commit that changed only code is no part
        of a docs day."""
        prefix = self.settings.docs_prefix
        return [
            c for c in self.commits
            if c.date in window and any(ch.path.startswith(prefix) or (ch.old_path or "").startswith(prefix) for ch in c.changes)
        ]

    def _prefetch_window(self, commits: list[Commit]) -> None:
        """Every page version the window's commits need (and their CODEOWNERS files), read
        in one round trip once the revisions are listed."""
        pages: list[tuple[str, str]] = []
        specs: list[str] = []
        for commit in commits:
            for change in commit.changes:
                if self.pages.docs_path(change.path) is None:
                    continue
                pages.append((commit.sha, change.path))
                pages.append((f"{commit.sha}^", change.old_path or change.path))
            specs.extend(f"{rev}:{location}" for rev in (commit.sha, f"{commit.sha}^") for location in CODEOWNERS_LOCATIONS)
        self.pages.prefetch(pages, specs)

    def _candidate_paths(self, candidates: Iterable[str], *revs: str | None) -> list[str]:
        prefix = self.settings.docs_prefix
        paths = {prefix + p for p in candidates}
        for rev in revs:
            if rev:
                paths.update(prefix + p for p in self.pages.files_at(rev))
        return sorted(p for p in paths if self.pages.docs_path(p) is not None)

    def _improvements(self, commit: Commit, change: FileChange) -> list[Contribution]:
        status = change.status[:1]
        path = self.pages.docs_path(change.path)
        if path is None or status == "D":
            return []
        day = commit.date
        author = commit.author or "unknown"
        old_path = change.old_path or change.path
        parent = f"{commit.sha}^"
        # Cheap measures first; checklists and readability only where they can earn points.
        before = self.pages.state(parent, old_path, day, full=False)
        after = self.pages.state(commit.sha, change.path, day, full=False)
        if not after.exists:
            return []
        found: list[tuple[str, float, str]] = []
        if not before.exists:
            if status != "R":
                found.append(("new_page", 1, ""))
        else:
            # Both exist (their states say so), so both versions are known.
            old, new = self.pages.version(parent, old_path), self.pages.version(commit.sha, change.path)
            if old is None or new is None:
                return []
            if after.reviewed and (before.reviewed is None or after.reviewed > before.reviewed):
                found.append(("reviewed", 1, f"reviewed {after.reviewed.isoformat()}"))
            if before.stale and after.stale is False:
                found.append(("rescued", 1, ""))
            if not before.owners and after.owners:
                found.append(("adopted", 1, ", ".join(after.owners)))
            if _incomplete(self.pages.checklist(old, old_path, day)) and _complete(self.pages.checklist(new, change.path, day)):
                found.append(("checklist_completed", 1, ""))
            # The reading ease depends on the body alone: an unchanged body gains nothing.
            if old.source.body != new.source.body:
                old_ease, new_ease = self.pages.readability(old), self.pages.readability(new)
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
        first_commit: dict[str, Commit] = {}
        for commit in self.commits:  # newest first: the last one written is the oldest
            first_commit[commit.author] = commit
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
        return self.pages.state(item.commit, self.settings.docs_prefix + item.path, item.day, full=False).owners

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
        present = self.pages.files_at(rev)
        self.pages.prefetch((rev, path) for path in paths if self.pages.docs_path(path) in present)
        for repo_path in paths:
            docs_path = self.pages.docs_path(repo_path)
            if docs_path is None or docs_path not in present:
                continue
            # Counted, not kept: nothing asks for a page's state on these days again, and
            # two revisions' states of every page would be most of the scorer's memory.
            state = self.pages.state(rev, repo_path, day, full=False, keep=False)
            if not state.exists:
                continue
            result.pages += 1
            result.stale += bool(state.stale)
            result.ownerless += not state.owners
            if state.broken_links is not None and result.broken_links is not None:
                result.broken_links += state.broken_links
        return result


def _incomplete(checklist: tuple[int, int] | None) -> bool:
    return checklist is not None and checklist[1] > 0 and checklist[0] < checklist[1]


def _complete(checklist: tuple[int, int] | None) -> bool:
    return checklist is not None and checklist[1] > 0 and checklist[0] >= checklist[1]


def _tiebreak(name: str) -> tuple:
    # max() picks the largest: invert the name so ties go to the alphabetically first.
    return tuple(-ord(ch) for ch in name.casefold())


def _ranked(scores: Iterable[Score]) -> list[Score]:
    return sorted(scores, key=lambda s: (-s.points, s.name.casefold(), s.name))
