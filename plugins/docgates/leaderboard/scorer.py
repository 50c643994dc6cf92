"""Who improved which page in a docs-day window, with points, awards and site health.

Each commit of the window is compared page by page with its parent (``pages.PageJudge``),
giving signed steps that ``ledger.py`` sums per person, page and kind: a person earns the
net improvement over the window. Mechanical bulk commits earn nothing (``bulk.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from docgates.core.git_history import Commit, FileChange, GitHistory
from docgates.core.gitblobs import BlobReader
from docgates.leaderboard.bulk import mechanical
from docgates.leaderboard.docsday import AWARDS, KINDS, ScoringSettings
from docgates.leaderboard.ledger import Ledger, Step, earned
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
        board = Leaderboard(window=window, points=dict(self.settings.points), bulk_pages=self.settings.bulk_pages)
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
        if before_rev is not None and any(self._moves_files(c) for c in in_window):
            # ``_links_elsewhere`` reads pages the window did not touch: in the same round trip.
            present = self.pages.files_at(before_rev)
            self.pages.prefetch((before_rev, path) for path in paths if self.pages.docs_path(path) in present)
        ledger = Ledger()
        for commit in reversed(in_window):  # oldest first
            if self.history.is_ignored(commit):
                continue  # bulk reformatting commits (.git-blame-ignore-revs) earn nothing
            flagged = mechanical(commit, self.pages, self.settings.bulk_pages)
            scripted: set[str] = set()
            if flagged is not None:
                board.flagged.append(flagged[0])
                scripted = flagged[1]
            steps = [item for change in sorted(commit.changes, key=lambda ch: ch.path) for item in self._steps(commit, change)]
            for path, step in steps + self._links_elsewhere(commit):
                # A mechanical commit's small edits earn nothing; what they broke still counts.
                if path not in scripted or step.amount < 0:
                    ledger.add(commit, path, step)
        people = earned(ledger.contributions(self.settings.points), lambda item: [item.author])
        board.contributions = [item for _, item in people]
        board.people = self._people(people)
        board.teams = _scores(earned(board.contributions, self._team_names))
        board.awards = self._awards(board.people)
        board.before = self.health(before_rev, window.since - dt.timedelta(days=1), paths)
        board.after = self.health(after_rev, window.until, paths)
        self.probes.save()
        return board

    def bodies_to_score(self, window: Window) -> list[str]:
        """The page bodies whose reading ease ``score(window)`` will ask for: both versions
        of every change in the window that edits a page's body (``_steps``)."""
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
        return [c for c in self.commits if c.date in window and any(self._in_docs(ch) for ch in c.changes)]

    def _in_docs(self, change: FileChange) -> bool:
        """Whether ``change`` touches the docs folder, before or after a move."""
        prefix = self.settings.docs_prefix
        return change.path.startswith(prefix) or (change.old_path or "").startswith(prefix)

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

    def _steps(self, commit: Commit, change: FileChange) -> list[tuple[str, Step]]:
        """What ``change`` did to its page, as signed steps (``ledger.py``), with the page's
        docs path after the commit."""
        status = change.status[:1]
        path = self.pages.docs_path(change.path)
        if path is None:
            return []
        if status == "D":
            return [(path, Step("new_page", -1))]
        day = commit.date
        old_path = change.old_path or change.path
        parent = f"{commit.sha}^"
        # Cheap measures first; checklists and readability only where they can earn points.
        before = self.pages.state(parent, old_path, day, full=False)
        after = self.pages.state(commit.sha, change.path, day, full=False)
        if not after.exists:
            return []
        if not before.exists:
            return [] if status == "R" else [(path, Step("new_page", 1))]
        # Both exist (their states say so), so both versions are known.
        old, new = self.pages.version(parent, old_path), self.pages.version(commit.sha, change.path)
        if old is None or new is None:
            return []
        steps: list[Step] = []
        if _later(after.reviewed, before.reviewed):
            steps.append(Step("reviewed", 1, f"reviewed {after.reviewed.isoformat()}"))
            # A rescue is a review: a stale page that an edit made fresh by git's date alone
            # was not read by anyone.
            if before.stale and after.stale is False:
                steps.append(Step("rescued", 1))
        elif _later(before.reviewed, after.reviewed):
            steps.append(Step("reviewed", -1, "review date taken back"))
        if before.stale is False and after.stale:
            steps.append(Step("rescued", -1, "made stale"))
        if bool(before.owners) != bool(after.owners):
            steps.append(Step("adopted", 1, ", ".join(after.owners)) if after.owners else Step("adopted", -1, "owner removed"))
        was, now = self.pages.checklist(old, old_path, day), self.pages.checklist(new, change.path, day)
        if _incomplete(was) and _complete(now):
            steps.append(Step("checklist_completed", 1))
        elif _complete(was) and _incomplete(now):
            steps.append(Step("checklist_completed", -1, "checklist no longer complete"))
        # The reading ease depends on the body alone: an unchanged body gains nothing.
        if old.source.body != new.source.body:
            old_ease, new_ease = self.pages.readability(old), self.pages.readability(new)
            if old_ease is not None and new_ease is not None:
                steps.append(Step("readability_gained", new_ease - old_ease))
        if before.broken_links is not None and after.broken_links is not None:
            steps.append(Step("links_fixed", before.broken_links - after.broken_links))
        return [(path, step) for step in steps]

    def _moves_files(self, commit: Commit) -> bool:
        """Whether ``commit`` adds, deletes or moves a file of the docs folder (a link target)."""
        return any(change.status[:1] in ("A", "C", "D", "R") and self._in_docs(change) for change in commit.changes)

    def _links_elsewhere(self, commit: Commit) -> list[tuple[str, Step]]:
        """Links ``commit`` broke or fixed in pages it did not touch, by adding, deleting or
        moving the files they point to: moving a page breaks the links to it, and that
        counts against whoever moved it as much as fixing them counts for whoever does."""
        if not self.probes.broken_links or not self._moves_files(commit):
            return []
        prefix, parent = self.settings.docs_prefix, f"{commit.sha}^"
        touched = {path for change in commit.changes for path in (change.path, change.old_path) if path}
        # Only a page linking to a file that came or went can change (changed files count too:
        # a page it touched is judged by ``_steps``).
        came_or_went = {path[len(prefix) :] for path in touched if path.startswith(prefix)}
        before = self.pages.files_at(parent)
        steps: list[tuple[str, Step]] = []
        for docs_path in self.pages.files_at(commit.sha):
            repo_path = prefix + docs_path
            if repo_path in touched or docs_path not in before or self.pages.docs_path(repo_path) is None:
                continue
            version = self.pages.version(commit.sha, repo_path)  # untouched: the parent's too
            if version is None:
                continue
            names = self.pages.link_files(version, repo_path)
            if names is not None and names.isdisjoint(came_or_went):
                continue
            was = self.pages.broken_links(version, repo_path, parent)
            now = self.pages.broken_links(version, repo_path, commit.sha)
            if was is not None and now is not None and was != now:
                steps.append((docs_path, Step("links_fixed", was - now)))
        return steps

    def _people(self, earned_by: list[tuple[str, Contribution]]) -> list[Score]:
        people = _scores(earned_by)
        first_commit: dict[str, Commit] = {}
        for commit in self.commits:  # newest first: the last one written is the oldest
            first_commit[commit.author] = commit
        for score in people:
            first = first_commit.get(score.name)
            score.first_contribution = first is not None and first.sha in score.commits
        return people

    def _team_names(self, item: Contribution) -> list[str]:
        return self.settings.current_owners.get(item.path) or self._owners_after(item) or ["(no owner)"]

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


def _later(date: dt.date | None, than: dt.date | None) -> bool:
    return date is not None and (than is None or date > than)


def _scores(earned_by: Iterable[tuple[str, Contribution]]) -> list[Score]:
    scores: dict[str, Score] = {}
    for name, item in earned_by:
        scores.setdefault(name, Score(name)).add(item)
    return _ranked(scores.values())


def _tiebreak(name: str) -> tuple:
    # max() picks the largest: invert the name so ties go to the alphabetically first.
    return tuple(-ord(ch) for ch in name.casefold())


def _ranked(scores: Iterable[Score]) -> list[Score]:
    return sorted(scores, key=lambda s: (-s.points, s.name.casefold(), s.name))
