"""External-link verdicts and the SQLite file that keeps them between builds."""

from __future__ import annotations

import logging
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

log = logging.getLogger("docgates.links")


@dataclass(frozen=True)
class Verdict:
    url: str
    ok: bool | None
    # What happened, for people: "HTTP 404 Not Found", "connection refused", "timed out after 5s".
    status: str
    checked_at: float
    from_cache: bool = False
    refused: bool = False  # ok is False: the address policy forbade a hop; nothing was sent there
    not_checked: bool = False  # ok is None: the pass reached its time limit first



_COLUMNS = ("url", "ok", "status", "checked_at")
# Clocks of two machines sharing a CI cache disagree a little; more than this is not skew.
_CLOCK_SKEW = 300.0


class _Unusable(Exception):
    """The cache file cannot be used in this run; the message says why and what to do."""


class VerdictCache:
    """A SQLite file of verdicts.

    It is only a cache, and the file may not be ours (another tool's, another docgates version's,
    damaged, or held by a concurrent build): whatever is wrong with it, this run goes on without
    it after one warning. The file is never deleted or rewritten to repair it. Rows that cannot be
    trusted (undecodable text, odd types, a check dated in the future) are misses.
    """

    # Seconds to wait for another process's lock before going on without the cache.
    LOCK_WAIT = 2.0

    def __init__(self, path: Path, lock_wait: float = LOCK_WAIT) -> None:
        self.path = path
        self.lock_wait = lock_wait
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db: sqlite3.Connection | None = None
        self._warned_rows = False
        try:
            self._db = self._open()
        except (sqlite3.Error, _Unusable) as exc:
            self._give_up(exc)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.lock_wait)
        # Text is decoded here, row by row, so one row of bad bytes is a miss, not an error.
        db.text_factory = bytes
        try:
            columns = tuple(_text(row[1]) for row in db.execute("PRAGMA table_info(verdicts)"))
            if not columns:
                if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise _Unusable("it is a SQLite database of something else")
                db.execute(
                    "CREATE TABLE verdicts (url TEXT PRIMARY KEY, ok INTEGER NOT NULL,"
                    " status TEXT NOT NULL, checked_at REAL NOT NULL)"
                )
                db.commit()
            elif columns != _COLUMNS:
                raise _Unusable(f"its verdicts table has other columns ({', '.join(columns)})")
        except BaseException:
            db.close()
            raise
        return db

    def get(self, urls: Iterable[str], now: float) -> dict[str, Verdict]:
        found: dict[str, Verdict] = {}
        if self._db is None:
            return found
        wanted = list(urls)
        ignored = 0
        try:
            for start in range(0, len(wanted), 500):  # SQLite's limit on query parameters
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT url, ok, status, checked_at FROM verdicts WHERE url IN ({marks})", chunk
                ).fetchall()
                for row in rows:
                    verdict = _verdict_from_row(row, now)
                    if verdict is None:
                        ignored += 1
                    else:
                        found[verdict.url] = verdict
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        if ignored and not self._warned_rows:
            self._warned_rows = True
            log.warning(
                "docgates/links: ignored %d cached verdicts in %s that cannot be trusted (undecodable "
                "text, odd values or a check dated in the future); those URLs are checked again",
                ignored, self.path,
            )
        return found

    def put(self, verdicts: Iterable[Verdict]) -> None:
        rows = [
            (v.url, int(bool(v.ok)), v.status, v.checked_at)
            for v in verdicts
            if v.ok is not None and not v.refused
        ]
        if rows and self._db is not None:
            try:
                self._db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.Error as exc:
                self._give_up(exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _give_up(self, exc: BaseException) -> None:
        """One warning, then no cache for the rest of this run."""
        self.close()
        if _is_busy(exc):
            reason = (
                f"another process is using it (waited {self.lock_wait:g}s); this run checks without it. "
                "Give concurrent builds their own cache folder if this happens often"
            )
        elif isinstance(exc, _Unusable):
            reason = f"{exc}; this run checks without it. Delete it, or move it away, to start a new cache"
        else:
            reason = (
                f"it cannot be read ({exc}); this run checks without it. Delete it, or move it away, "
                "to start a new cache"
            )
        log.warning("docgates/links: link cache %s not used: %s", self.path, reason)


def _is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _verdict_from_row(row: tuple, now: float) -> Verdict | None:
    """The verdict a row holds, or None when it is not one docgates could have written."""
    url, ok, status, checked_at = row
    if not isinstance(url, bytes) or not isinstance(status, bytes):
        return None
    if not isinstance(ok, int) or ok not in (0, 1):
        return None
    if isinstance(checked_at, bool) or not isinstance(checked_at, (int, float)):
        return None
    # A verdict from the future would never expire: a dead link would pass forever.
    if not math.isfinite(checked_at) or checked_at > now + _CLOCK_SKEW:
        return None
    try:
        return Verdict(url.decode("utf-8"), bool(ok), status.decode("utf-8"), float(checked_at), from_cache=True)
    except UnicodeDecodeError:
        return None

