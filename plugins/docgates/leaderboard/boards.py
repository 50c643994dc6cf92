"""Boards computed by earlier runs, kept in the site's cache folder by everything they depend
on, so a build whose history and settings did not change reads no page from git."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

from docgates.core.content_cache import ContentCache
from docgates.core.git_history import GitHistory
from docgates.leaderboard.docsday import ScoringSettings, nothing_excluded
from docgates.leaderboard.model import Contribution, Leaderboard
from docgates.leaderboard.probes import probes_key
from docgates.leaderboard.window import Window

# Bump when a cached board (``result_key``, ``Leaderboard.to_cache``) must not be reused.
# 2: the generic cache form (the window as one value). 3: net scores, flagged commits.
# 4: due dates by the freshness gate's clock (adopted, intervals).
VERSION = 4
# A few windows or option sets (a build and a serve, two docs days) without thrashing.
BOARDS_KEPT = 4


def result_key(window: Window, settings: ScoringSettings, history: GitHistory) -> str | None:
    """A key for the board ``Scorer.score`` computes, that changes whenever the board can;
    None when the settings hold what no key can see (an ``exclude`` function).

    Git names objects by their content, so the commit ids in the history stand for every
    page version, listing and CODEOWNERS file the scoring reads. The parsed history adds
    what ids do not say (mailmapped names, ignored commits, the renames git found), and it
    is the whole history: a later commit that deletes a page changes that page's past. The
    day of the build is not in the key: staleness is judged on the window's days. Neither
    are the current owners (team credits): a cached board keeps those it used, to compare.
    """
    if settings.exclude is not nothing_excluded:
        return None
    return _digest([
        f"v{VERSION}",
        code_key(),
        window.since.isoformat(),
        window.until.isoformat(),
        settings.docs_prefix,
        settings.clock.key(),
        repr(sorted(settings.points.items())),
        repr(tuple(settings.awards)),
        str(settings.bulk_pages),
        repr(sorted(settings.excluded)),
        probes_key(settings.probe_options()),
        history_key(history),
    ])


def history_key(history: GitHistory) -> str:
    """One digest of everything ``Scorer`` reads from the parsed history."""
    lines = [f"{history.status}\0{history.message}"]
    for commit in history.commits:
        # The author date is in the commit id; so is its UTC day (``Commit.date``).
        lines.append(f"{commit.sha}\0{commit.author}\0{history.is_ignored(commit)}")
        lines.extend(
            f"{change.status}\0{change.path}\0{change.old_path}\0{change.similarity}"
            for change in commit.changes
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


class BoardCache:
    """Computed boards by ``result_key``, each with the current owners it credited teams by.

    Those owners come from the working tree (CODEOWNERS, front matter), not from git, so the
    key cannot hold them: a board is reused only while the pages it credits have the owners
    it used. A missing or corrupt file is an empty cache; one that cannot be written costs
    speed, never the build.
    """

    def __init__(self, path: Path) -> None:
        self.cache = ContentCache(path, VERSION, limit=BOARDS_KEPT)

    def has(self, key: str) -> bool:
        """Whether a board is kept under ``key`` (whatever owners it credited)."""
        return self.cache.get(key) is not None

    def get(self, key: str, current_owners: Mapping[str, list[str]]) -> Leaderboard | None:
        entry = self.cache.get(key)
        if entry is None:
            return None
        try:
            used = entry["owners"]
            if not isinstance(used, dict) or _owners_of(used, current_owners) != used:
                raise ValueError("the owners changed")
            return Leaderboard.from_cache(entry["board"])
        except (KeyError, TypeError, ValueError, AttributeError):
            self.cache.miss(key)
            return None

    def put(self, key: str, board: Leaderboard, current_owners: Mapping[str, list[str]]) -> None:
        used = _owners_of(_credited_pages(board.contributions), current_owners)
        self.cache.put(key, {"owners": used, "board": board.to_cache()})
        self.cache.save()


def _credited_pages(contributions: list[Contribution]) -> list[str]:
    return sorted({item.path for item in contributions})


def _owners_of(paths: Any, current_owners: Mapping[str, list[str]]) -> dict[str, list[str]]:
    # As the scorer reads them: no current owner means the owners after the commit (from git).
    return {path: list(current_owners.get(path) or []) for path in paths}
