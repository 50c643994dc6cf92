"""Values computed from a page's content, kept on disk by a hash of that content.

A build after a small edit (or a ``mkdocs serve`` rebuild) then recomputes only what
changed. Entries used by the latest run are kept first; the oldest unused ones go first when
the file would grow past its limit.

A cache costs a build speed, never the build: every file is used through
``cache_file.CacheFile``, which turns any failure to open, read or write it into a miss with one
message naming the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any, Callable, TypeVar

from docgates.core.cache_file import CACHE_ERRORS, CacheFile, close_quietly

T = TypeVar("T")

# Memory SQLite may keep for the pages of one cache file (KiB): entries are read once per run.
PAGE_CACHE_KIB = 256


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
        close_quietly(self._db)
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
