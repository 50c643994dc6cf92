"""The org database: one snapshot per site per run, with its page rows, in SQLite.

Each run is one transaction: a run that is stopped (killed, out of disk, a crash) leaves the
database as the previous run left it. The schema's version is SQLite's ``user_version``; a
database made by an older docgates is migrated step by step, one made by a newer one is refused.
A report that did not change since the site's last snapshot adds a snapshot row that shares
the earlier page rows, so an unchanged org is recorded in milliseconds per site.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from docgates.org.reports import PageRow, SiteReport

# MIGRATIONS[n] takes a database from version n to n + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (id INTEGER PRIMARY KEY, day TEXT NOT NULL);
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site TEXT NOT NULL,
        location TEXT NOT NULL,
        link TEXT NOT NULL,
        digest TEXT NOT NULL,
        generated TEXT NOT NULL,
        today TEXT NOT NULL,
        pages INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL,
        stale INTEGER NOT NULL DEFAULT 0,
        ownerless INTEGER NOT NULL DEFAULT 0,
        behind_code INTEGER NOT NULL DEFAULT 0,
        single_author INTEGER,
        open_actions INTEGER NOT NULL DEFAULT 0,
        health REAL,
        rows_of INTEGER NOT NULL
    );
    CREATE INDEX snapshots_by_site ON snapshots (site, id);
    CREATE TABLE pages (
        id INTEGER PRIMARY KEY,
        snapshot_id INTEGER NOT NULL,
        path TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        owners TEXT NOT NULL,
        stale INTEGER NOT NULL,
        due TEXT,
        days_overdue INTEGER,
        errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL,
        single_author INTEGER,
        open_actions INTEGER NOT NULL,
        behind_code INTEGER NOT NULL
    );
    CREATE INDEX pages_by_snapshot ON pages (snapshot_id);
    CREATE TABLE owners (snapshot_id INTEGER NOT NULL, owner TEXT NOT NULL, pages INTEGER NOT NULL, stale INTEGER NOT NULL);
    CREATE INDEX owners_by_snapshot ON owners (snapshot_id);
    CREATE TABLE teams (snapshot_id INTEGER NOT NULL, handle TEXT NOT NULL);
    CREATE TABLE contributions (
        snapshot_id INTEGER NOT NULL, author TEXT NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL, points INTEGER NOT NULL,
        amount REAL NOT NULL
    );
    CREATE INDEX contributions_by_snapshot ON contributions (snapshot_id, day);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """A database docgates cannot use; the message names the file and what to do."""


@dataclass(frozen=True)
class Snapshot:
    id: int
    site: str
    link: str
    generated: str
    today: str
    pages: int
    errors: int
    warnings: int
    stale: int
    ownerless: int
    behind_code: int
    single_author: int | None
    open_actions: int
    health: float | None
    rows_of: int


SNAPSHOT_COLUMNS = ("id, site, link, generated, today, pages, errors, warnings, stale, ownerless, behind_code, "
                    "single_author, open_actions, health, rows_of")


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are begun and ended here, explicitly.
            # A run that overlaps another waits for it a while rather than failing at once.
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise StoreError(f"{path}: cannot be used ({exc})") from None
            raise StoreError(f"{path}: in use by another docgates run ({exc}); try again when it has finished") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable docgates org database ({exc}); "
                             "pass another --db or move this file aside") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot be opened ({exc.strerror or exc})") from None

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: written by a newer docgates (schema {version}, this one reads "
                                 f"{SCHEMA_VERSION}); upgrade docgates")
            for step in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {step + 1}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    @contextmanager
    def run(self, day: str) -> Iterator["Run"]:
        """One run's writes: all of them, or (on any exception or a kill) none."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            run_id = self.db.execute("INSERT INTO runs (day) VALUES (?)", (day,)).lastrowid
            yield Run(self.db, run_id)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- reading ------------------------------------------------------------------------
    def site_names(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT site FROM snapshots ORDER BY site")]

    def latest(self, sites: Sequence[str]) -> list[Snapshot]:
        """The newest snapshot of each named site that has one, in the order given."""
        result = []
        for site in sites:
            row = self.db.execute(f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE site = ? ORDER BY id DESC LIMIT 1",
                                  (site,)).fetchone()
            if row:
                result.append(Snapshot(*row))
        return result

    def history(self, site: str) -> list[Snapshot]:
        return [Snapshot(*row) for row in self.db.execute(
            f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE site = ? ORDER BY id", (site,))]

    def owners(self, snapshots: Sequence[Snapshot]) -> list[tuple[str, int, int, int]]:
        """(owner, pages, stale pages, sites) over the given snapshots, most stale first."""
        with self._rows_of(snapshots) as table:
            return self.db.execute(
                f"SELECT o.owner, sum(o.pages), sum(o.stale), count(*) FROM {table} t "
                "JOIN owners o ON o.snapshot_id = t.id "
                "GROUP BY o.owner ORDER BY sum(o.stale) DESC, sum(o.pages) DESC, o.owner").fetchall()

    def worst_pages(self, snapshots: Sequence[Snapshot], limit: int = 20) -> list[tuple[Any, ...]]:
        """(site, path, url, title, owners, errors, warnings, stale, days_overdue), worst first."""
        with self._rows_of(snapshots) as table:
            return self.db.execute(
                f"SELECT t.site, p.path, p.url, p.title, p.owners, p.errors, p.warnings, p.stale, p.days_overdue "
                f"FROM pages p JOIN {table} t ON t.id = p.snapshot_id "
                "WHERE p.errors > 0 OR p.warnings > 0 OR p.stale "
                "ORDER BY p.errors DESC, p.stale DESC, coalesce(p.days_overdue, 0) DESC, p.warnings DESC, t.site, p.path "
                "LIMIT ?", (limit,)).fetchall()

    def due_pages(self, snapshots: Sequence[Snapshot], today: str, within: int = 0) -> list[tuple[Any, ...]]:
        """(site, link, path, url, title, owners, due, days overdue on ``today``) of pages due
        within ``within`` days or overdue, most overdue first."""
        with self._rows_of(snapshots) as table:
            return self.db.execute(
                "SELECT * FROM (SELECT t.site, t.link, p.path, p.url, p.title, p.owners, p.due, "
                "CAST(julianday(:today) - julianday(p.due) AS INTEGER) AS overdue "
                f"FROM pages p JOIN {table} t ON t.id = p.snapshot_id WHERE p.due IS NOT NULL) "
                "WHERE overdue >= :from ORDER BY overdue DESC, site, path",
                {"today": today, "from": -within}).fetchall()

    def indicators(self, sites: Sequence[str]) -> list[tuple[str, int, int, int, int | None, int]]:
        """Per run, over the named sites: (day, pages, stale, ownerless, single-author or None, open actions)."""
        marks = ",".join("?" * len(sites)) or "NULL"
        return self.db.execute(
            "SELECT r.day, sum(s.pages), sum(s.stale), sum(s.ownerless), "
            "CASE WHEN count(s.single_author) THEN sum(s.single_author) END, sum(s.open_actions) "
            f"FROM snapshots s JOIN runs r ON r.id = s.run_id WHERE s.site IN ({marks}) "
            "GROUP BY r.id ORDER BY r.id", list(sites)).fetchall()

    def contributions(self, snapshots: Sequence[Snapshot], since: str, until: str) -> list[tuple[str, str, int, float, str]]:
        """(author, kind, points, amount, site) of the sites' boards between the dates (inclusive)."""
        with self._rows_of(snapshots) as table:
            return self.db.execute(
                f"SELECT c.author, c.kind, c.points, c.amount, t.site FROM contributions c JOIN {table} t ON t.id = c.snapshot_id "
                "WHERE c.day BETWEEN ? AND ? ORDER BY c.author, c.day", (since, until)).fetchall()

    def teams(self, snapshots: Sequence[Snapshot]) -> set[str]:
        with self._rows_of(snapshots) as table:
            return {r[0].casefold() for r in self.db.execute(
                f"SELECT handle FROM teams WHERE snapshot_id IN (SELECT id FROM {table})")}

    @contextmanager
    def _rows_of(self, snapshots: Sequence[Snapshot]) -> Iterator[str]:
        """A temporary table (id, site, link) of the snapshots holding the given snapshots' rows."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (id INTEGER PRIMARY KEY, site TEXT, link TEXT)")
        self.db.execute("DELETE FROM temp.chosen")
        self.db.executemany("INSERT OR IGNORE INTO temp.chosen VALUES (?, ?, ?)",
                            [(s.rows_of, s.site, s.link) for s in snapshots])
        try:
            yield "temp.chosen"
        finally:
            self.db.execute("DELETE FROM temp.chosen")


class Run:
    def __init__(self, db: sqlite3.Connection, run_id: int) -> None:
        self.db = db
        self.id = run_id

    def repeat(self, site: str, location: str, link: str, digest: str) -> bool:
        """Record the site again when its report is byte for byte the last one recorded."""
        row = self.db.execute(
            f"SELECT {SNAPSHOT_COLUMNS}, digest FROM snapshots WHERE site = ? ORDER BY id DESC LIMIT 1", (site,)
        ).fetchone()
        if not row or row[-1] != digest:
            return False
        last = Snapshot(*row[:-1])
        self.db.execute(
            "INSERT INTO snapshots (run_id, site, location, link, digest, generated, today, pages, errors, warnings, "
            "stale, ownerless, behind_code, single_author, open_actions, health, rows_of) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.id, site, location, link, digest, last.generated, last.today, last.pages, last.errors, last.warnings,
             last.stale, last.ownerless, last.behind_code, last.single_author, last.open_actions, last.health, last.rows_of),
        )
        return True

    def record(self, site: str, location: str, link: str, digest: str, report: SiteReport) -> int:
        cursor = self.db.execute(
            "INSERT INTO snapshots (run_id, site, location, link, digest, generated, today, pages, errors, warnings, "
            "health, rows_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (self.id, site, location, link, digest, report.generated, report.today, report.pages, report.errors,
             report.warnings, report.health),
        )
        snapshot = cursor.lastrowid
        self.db.executemany(
            f"INSERT INTO pages (snapshot_id, {', '.join(PageRow._fields)}) VALUES ({snapshot}{', ?' * len(PageRow._fields)})",
            report.rows,
        )
        self.db.executemany("INSERT INTO teams VALUES (?, ?)", ((snapshot, h) for h in sorted(report.teams)))
        self.db.executemany(
            "INSERT INTO contributions VALUES (?, ?, ?, ?, ?, ?)",
            ((snapshot, c.author, c.day, c.kind, c.points, c.amount) for c in report.contributions),
        )
        # Owners are a JSON list per page (most pages have one); their counts per site are
        # kept here, so the org-wide figure adds up hundreds of rows a site, not its pages.
        self.db.execute(
            "INSERT INTO owners SELECT :s, o.value, count(*), sum(p.stale) "
            "FROM pages p, json_each(p.owners) o WHERE p.snapshot_id = :s GROUP BY o.value", {"s": snapshot},
        )
        # The site's figures, counted from the rows just written.
        self.db.execute(
            "UPDATE snapshots SET rows_of = id, "
            "stale = (SELECT count(*) FROM pages WHERE snapshot_id = :s AND stale), "
            "ownerless = (SELECT count(*) FROM pages WHERE snapshot_id = :s AND owners = '[]'), "
            "behind_code = (SELECT count(*) FROM pages WHERE snapshot_id = :s AND behind_code), "
            "single_author = (SELECT CASE WHEN count(single_author) THEN sum(single_author) END "
            "                 FROM pages WHERE snapshot_id = :s), "
            "open_actions = (SELECT coalesce(sum(open_actions), 0) FROM pages WHERE snapshot_id = :s) "
            "WHERE id = :s", {"s": snapshot},
        )
        return snapshot


def _statements(script: str) -> list[str]:
    # executescript() would commit the open transaction; run the statements one by one instead.
    return [s.strip() for s in script.split(";") if s.strip()]
