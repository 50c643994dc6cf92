"""Values computed from a page's content, kept on disk by a hash of that content.

A build after a small edit (or a ``mkdocs serve`` rebuild) then recomputes only what
changed. Entries used by the latest run are kept first; the oldest unused ones go first when
the file would grow past its limit.

A cache costs a build speed, never the build: every file is used through ``CacheFile``, which
turns any failure to open, read or write it into a miss with one message naming the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

log = logging.getLogger("docgates.cache")

T = TypeVar("T")

# Memory SQLite may keep for the pages of one cache file (KiB): entries are read once per run.
PAGE_CACHE_KIB = 256

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


def content_key(*parts: str) -> str:
    """A short, collision-safe key for some texts (their order matters)."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def code_digest(*names: str) -> str:
    """A digest of some of this package's modules (``"charts.py"``), for the version of a cache
    whose entries that code computed: editing the code, or upgrading docgates, empties it."""
    digest = hashlib.blake2b(digest_size=16)
    for name in names:
        try:
            digest.update((Path(__file__).resolve().parents[1] / name).read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def to_json(value: Any) -> str:
    """A value as the JSON text an entry holds."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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
                _close(db)  # before failed(): a damaged file is moved with no connection open
                if self.failed(error) != DAMAGED or not write or self.given_up:
                    return None
            finally:
                _close(db)  # rolls back what a failed job wrote
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
                _close(db)
                db = self._open(write=True)
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            _close(db)
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


def _close(db: sqlite3.Connection | None) -> None:
    if db is not None:
        try:
            db.close()
        except sqlite3.Error:
            pass


class ContentCache:
    """JSON-safe values by key, in one SQLite file tagged with ``version``, at most ``limit``.

    Each entry is read from the file when asked for, so a big site's cache is never in memory
    as a whole: a JSON file read up front kept ~3 MiB per 2,000 pages alive for the whole
    build. What a run adds is written in one transaction by ``save``. An entry that is not
    JSON text is a miss; a file of another version is an empty cache, replaced on ``save``.
    """

    def __init__(self, path: Path | None, version: int | str, limit: int = 5000, read_ahead: bool = False) -> None:
        self.path = path
        self.file = CacheFile(path) if path is not None else None
        self.version = str(version)
        self.limit = limit
        self._db: sqlite3.Connection | None = None
        self._opened = False
        # Entries put in this run (JSON text), written by save().
        self._new: dict[str, str] = {}
        # Keys read or put in this run: the entries kept first when the file is trimmed.
        self._used: set[str] = set()
        # Entries read ahead (read_ahead=True), each dropped once asked for.
        self._ahead: dict[str, bytes] = {}
        self.hits = 0
        self.misses = 0
        if read_ahead:
            self._read_ahead()

    # -- reading ------------------------------------------------------------------------
    def get(self, key: str) -> Any | None:
        entry = self._new.get(key)
        if entry is None:
            entry = self._read(key)
        try:
            # Bytes from the file: a damaged entry that is not UTF-8 is a miss like bad JSON.
            value = json.loads(entry) if isinstance(entry, (str, bytes)) else None
        except ValueError:
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used.add(key)
        return value

    def miss(self, key: str) -> None:
        """Count an entry ``get`` returned that the caller could not use (and forget it)."""
        self.hits -= 1
        self.misses += 1
        self._used.discard(key)
        self._new.pop(key, None)

    def _read_ahead(self) -> None:
        """Read ahead, in one query, the entries the latest run that wrote the file used: a run
        over the whole site asks for nearly all of them, and one query costs less than one per
        page (2,000 point reads: ~0.18 s inside a build). Each is dropped once asked for, and
        the rest on ``close``, so they never all stay for the build; a key not read ahead is
        looked up as before."""
        self._ahead = self._query(lambda db: dict(db.execute(
            "SELECT key, CAST(value AS BLOB) FROM entries WHERE run = (SELECT max(run) FROM entries)"
        ))) or {}

    def _read(self, key: str) -> bytes | None:
        entry = self._ahead.pop(key, None)
        if entry is not None:
            return entry
        row = self._query(lambda db: db.execute("SELECT CAST(value AS BLOB) FROM entries WHERE key = ?", (key,)).fetchone())
        return row[0] if row else None

    def _query(self, read: Callable[[sqlite3.Connection], T]) -> T | None:
        """``read(db)`` on the file; None when it has no usable file, or its reading fails (the
        file then answers nothing more this run)."""
        db = self._reader()
        if db is None:
            return None
        try:
            return read(db)
        except CACHE_ERRORS as error:
            self._close_db(opened=True)
            if self.file is not None:  # always: a reader comes from it
                self.file.failed(error)
            return None

    def _reader(self) -> sqlite3.Connection | None:
        """The file, opened read-only on first use; None when missing, unusable or stale."""
        if self._opened:
            return self._db
        self._opened = True
        db = self.file.connect() if self.file is not None else None
        if db is None:
            return None
        self._db = db
        self._query(lambda db: db.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}"))
        current = self._query(lambda db: _prepared(db) == self.version)
        if not current:
            self._close_db(opened=True)
        return self._db

    # -- writing ------------------------------------------------------------------------
    def put(self, key: str, value: Any) -> None:
        self.put_json(key, to_json(value))

    def put_json(self, key: str, text: str) -> None:
        """``put`` for a value that is JSON text already (``to_json``)."""
        self._new[key] = text
        self._used.add(key)

    def close(self) -> None:
        """Save, then let go of the file and of this run's entries."""
        self.save()
        self._close_db()
        self._new, self._used, self._ahead = {}, set(), {}

    def save(self) -> None:
        """Write this run's new entries (nothing to write, nothing written), then trim the
        file to ``limit``: entries this run used stay; of the rest, the least recently used go.
        A file that cannot be written costs the next run speed, never this one its build."""
        if self.file is None or not self._new:
            return
        self._close_db()
        self.file.run(self._write, write=True)
        self._new = {}

    def _write(self, db: sqlite3.Connection) -> None:
        db.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        if _prepared(db) != self.version:
            # Another version's entries, or another layout: start over (only ours to drop).
            db.execute("DROP TABLE IF EXISTS entries")
            db.execute("DROP TABLE IF EXISTS meta")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, run INTEGER NOT NULL)")
            db.execute("INSERT INTO meta VALUES ('version', ?)", (self.version,))
        run = db.execute("SELECT coalesce(max(run), 0) + 1 FROM entries").fetchone()[0]
        db.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
            ((key, value, run) for key, value in self._new.items()),
        )
        db.executemany("UPDATE entries SET run = ? WHERE key = ?", ((run, key) for key in self._used))
        extra = db.execute("SELECT count(*) FROM entries").fetchone()[0] - max(self.limit, len(self._used))
        if extra > 0:
            db.execute(
                "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY run, rowid LIMIT ?)",
                (extra,),
            )

    def _close_db(self, opened: bool = False) -> None:
        """Close the reading connection; with ``opened``, later reads find nothing this run."""
        _close(self._db)
        self._db, self._opened = None, opened

    def stored(self) -> int:
        """How many entries the file holds (0 when there is no usable file)."""
        return self._query(lambda db: db.execute("SELECT count(*) FROM entries").fetchone()[0]) or 0


def _prepared(db: sqlite3.Connection) -> str | None:
    """The version a cache file's entries are for; None for a file without our tables (new,
    emptied, or of another layout)."""
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"meta", "entries"} <= tables:
        return None
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode != sqlite3.SQLITE_ERROR:
            raise
        return None  # a meta table of another layout
    return row[0] if row else None
