"""One SQLite cache file, used so that it costs a build speed, never the build.

Every failure to open, read or write the file becomes a miss with one message naming the file
(damaged files are moved aside, locked ones left alone). ``ContentCache`` keeps its entries
through it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, TypeVar

log = logging.getLogger("docgates.cache")

T = TypeVar("T")

# Longest wait for another process's lock on a cache file (seconds). Another build's save
# holds one for milliseconds; a lock held longer belongs to something that keeps it (a tool
# with the file open, a stuck build), and no build should wait for that.
LOCK_WAIT = 0.2

# What using a cache file may raise: SQLite's errors, OSError from the folder, and
# UnicodeDecodeError, which sqlite3 raises instead of its own error when a damaged schema
# puts bytes that are not UTF-8 into SQLite's error message.
CACHE_ERRORS = (sqlite3.Error, OSError, UnicodeError)

DAMAGED, LOCKED, UNUSABLE = "damaged", "locked", "unusable"

# (file or folder, kind) said in this process: one problem is one message, however many
# objects use the file (the leaderboard opens its boards twice) and however many ``mkdocs
# serve`` rebuilds meet it. At most three entries per cache file.
_said: set[tuple[str, str]] = set()


class CacheFile:
    """One SQLite cache file, used so that it can cost a build speed, never the build, and
    never another process's file.

    ``run(job)`` is the whole protocol for a caller that opens the file per use::

        cache = CacheFile(site.cache_dir / "verdicts.sqlite")
        rows = cache.run(lambda db: db.execute("SELECT url, ok FROM verdicts").fetchall()) or []
        cache.run(lambda db: db.executemany("INSERT OR REPLACE ...", rows), write=True)

    (a writing job creates its tables itself: ``CREATE TABLE IF NOT EXISTS``). A caller that
    keeps a connection for many reads gets it from ``connect`` and hands what those reads
    raise (``CACHE_ERRORS``) to ``failed``, after closing it.

    Every failure is a miss, said once per file through the build's log, at INFO level: a
    cache never fails a build, ``--strict`` included, since its state says nothing about the
    docs (and a CI cache restored damaged on every run would fail every strict build).
    - Damaged (SQLite finds it corrupt or not a database): moved aside to
      ``<name>.corrupt-<time>-<pid>`` (with its journal) if it is still the file that failed;
      the next write starts a new one. Nothing is ever deleted.
    - Locked by another process for longer than ``LOCK_WAIT``: left alone, neither read nor
      written by this object; later opens in this process try it without waiting.
    - Anything else (read-only, a folder in the way, disk full): left alone by this object.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        # Set once the file is known unusable: this object neither reads nor writes it again.
        self.given_up = False
        self._identity: tuple[int, int] | None = None

    def run(self, job: Callable[[sqlite3.Connection], T], write: bool = False) -> T | None:
        """``job(db)``'s result, or None when the file cannot be used (said once). With
        ``write``, the job runs in one transaction, on a new file if this one is damaged."""
        for _ in range(2):
            db = None
            try:
                db = self._connect(write)
                if db is None:
                    return None
                if write:
                    db.execute("BEGIN IMMEDIATE")
                result = job(db)
                if write:
                    db.execute("COMMIT")
                return result
            except CACHE_ERRORS as error:
                close_quietly(db)  # before failed(): a damaged file is moved with no connection open
                if self.failed(error) != DAMAGED or not write or self.given_up:
                    return None
            finally:
                close_quietly(db)  # rolls back what a failed job wrote
        return None

    def connect(self, write: bool = False) -> sqlite3.Connection | None:
        """A connection to a file whose schema could be read, or None: nothing to read (a
        missing file, silently) or a file that cannot be used (said once). Reading never
        creates, locks or rewrites the file, but lets SQLite roll back a save another process
        was stopped in."""
        try:
            return self._connect(write)
        except CACHE_ERRORS as error:
            self.failed(error)
            return None

    def failed(self, error: BaseException) -> str:
        """Act on ``error`` (one of ``CACHE_ERRORS``, raised with every connection to the file
        now closed) and say so once; DAMAGED, LOCKED or UNUSABLE."""
        kind = failure_kind(error)
        reason = _printable(error)
        if kind == DAMAGED:
            aside = self._set_aside()
            if aside is not None:  # a new event each time: always said
                log.info(
                    "%s: damaged cache (%s), moved aside to %s; this build recomputes what it held "
                    "and starts a new one (delete the moved file, or keep it for a bug report)",
                    self.path, reason, aside.name,
                )
                return kind
            message = f"damaged cache ({reason}); this build goes on without it and leaves it in place (it changed meanwhile, or cannot be moved)"
        elif kind == LOCKED:
            message = "cache locked by another process; this build neither reads nor writes it, which costs only speed"
        else:
            message = f"cannot use this cache ({reason}); this build goes on without it. Let docgates write the file and its folder to keep its results"
        self.given_up = True
        _say_once(self.path, kind, message)
        return kind

    def _connect(self, write: bool) -> sqlite3.Connection | None:
        if self.given_up:
            return None
        if write:
            if not self._make_folder():
                return None
        elif not self.path.is_file():
            return None
        db = self._open(write)
        try:
            self._identity = _identity(self.path)  # the file SQLite opened
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError as error:
                if write or error.sqlite_errorcode != sqlite3.SQLITE_READONLY_ROLLBACK:
                    raise
                # A build stopped mid-save left a journal; SQLite rolls it back on a read-write open.
                close_quietly(db)
                db = self._open(write=True)
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            close_quietly(db)
            raise
        return db

    def _open(self, write: bool) -> sqlite3.Connection:
        wait = 0 if (str(self.path), LOCKED) in _said else LOCK_WAIT
        target = str(self.path) if write else f"{self.path.resolve().as_uri()}?mode=ro"
        # isolation_level=None: ``run`` begins and ends the transactions, nothing else does.
        return sqlite3.connect(target, uri=not write, timeout=wait, isolation_level=None, check_same_thread=False)

    def _make_folder(self) -> bool:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.given_up = True
            _say_once(
                folder, UNUSABLE,
                f"cannot create the cache folder ({_printable(error)}); builds go on without docgates' "
                "caches, recomputing everything. Make it a writable folder to keep their results",
            )
            return False
        return True

    def _set_aside(self) -> Path | None:
        """Move the damaged file (and its journal) out of the way; None when it is no longer the
        file that failed (another process moved or replaced it) or cannot be moved."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{os.getpid()}")
        try:
            if self._identity is None or _identity(self.path) != self._identity:
                return None
            os.rename(self.path, aside)
        except OSError:
            return None
        journal = self.path.with_name(self.path.name + "-journal")
        try:
            # A journal left beside the next file would be rolled back into it.
            if journal.is_file():
                os.rename(journal, aside.with_name(aside.name + "-journal"))
        except OSError:
            pass  # then SQLite finds no database for it and leaves it be: only a stray file
        return aside


def failure_kind(error: BaseException) -> str:
    """DAMAGED, LOCKED or UNUSABLE: what an error raised by a cache file says about it."""
    if isinstance(error, UnicodeError):
        return DAMAGED
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return UNUSABLE
    primary = code & 0xFF
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DAMAGED
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LOCKED
    return UNUSABLE


def _say_once(path: Path, kind: str, message: str) -> None:
    if (str(path), kind) not in _said:
        _said.add((str(path), kind))
        log.info("%s: %s", path, message)


def _printable(error: BaseException) -> str:
    if isinstance(error, UnicodeError):
        return "its schema is not valid text"
    text = str(error) or type(error).__name__
    # SQLite quotes names from the file in its messages; a damaged name must not reach a terminal.
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def close_quietly(db: sqlite3.Connection | None) -> None:
    if db is not None:
        try:
            db.close()
        except sqlite3.Error:
            pass
