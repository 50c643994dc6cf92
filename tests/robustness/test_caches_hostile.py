"""Hostile cache files under ``.cache/plugin/docgates/``: damaged, truncated, locked by another
process, read-only, a folder in the way, two builds at once. Each build passes with the report
a clean build writes and at most one message per file, never a traceback; no file is deleted,
and a file another process holds keeps every byte."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from docgates.core.cache_file import CacheFile
from docgates.core.content_cache import ContentCache

from conftest import GitRepo, Result, Site, base_env

from .hostile import ALL_PLUGINS, has_traceback

CACHE = Path(".cache/plugin/docgates")
# Every content cache a build with every plugin writes (the links gate's external verdicts
# are cached only when external URLs are checked).
CACHE_FILES = (
    "charts.sqlite",
    "leaderboard-boards.sqlite",
    "leaderboard-links.sqlite",
    "leaderboard.sqlite",
    "link-scan.sqlite",
    "readability.sqlite",
)
# Long enough to be scored for readability (100 words).
PROSE = "Plain words make a page easy to read for everyone who comes here. " * 9
HANG_GUARD = 120  # seconds; a build takes one or two


def _page(title: str, link: str, prose: str = PROSE) -> str:
    return f"---\nowner: \"@docs\"\nreviewed: 2026-11-01\n---\n# {title}\n\nSee [{link}]({link}.md). {prose}\n"


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> tuple[Site, dict[str, Any]]:
    """A project with every plugin and a docs day in git, built once: every cache is written."""
    site = Site(tmp_path_factory.mktemp("caches") / "project")
    repo = GitRepo(site.root)
    site.plugins(*(p for p in ALL_PLUGINS if p != "docgates/leaderboard"), {"docgates/leaderboard": {"since": "2026-11-01"}})
    site.save_config()
    repo.commit("start", "2026-01-05T10:00:00+00:00", files={
        ".gitignore": "site/\nsite-*/\n.cache/\n",
        "docs/index.md": _page("Home", "guide"),
        "docs/guide.md": _page("Guide", "index"),
    })
    repo.commit("docs day", "2026-11-12T10:00:00+00:00", author="Olga <olga@corp.example>", files={
        "docs/guide.md": _page("Guide", "index", PROSE + "One more plain line."),
    })
    clean = _build(site)
    assert clean.returncode == 0, clean.output
    assert sorted(p.name for p in (site.root / CACHE).iterdir()) == list(CACHE_FILES)
    return site, _comparable(clean.report)


@pytest.fixture
def project(warm, tmp_path) -> tuple[Site, dict[str, Any]]:
    """A copy of the warm project, caches included, for one test to damage."""
    template, clean = warm
    site = Site(tmp_path / "project")
    shutil.copytree(template.root, site.root, symlinks=True, dirs_exist_ok=True)
    site.config = template.config
    return site, clean


def _build(site: Site, *args: str, site_dir: str = "site") -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", site_dir, *args],
        cwd=site.root, env=base_env(), capture_output=True, text=True, timeout=HANG_GUARD,
    )
    report = site.root / site_dir / "quality.json"
    return Result(proc.returncode, proc.stdout, proc.stderr, json.loads(report.read_text()) if report.exists() else None)


def _comparable(report: dict[str, Any] | None) -> dict[str, Any]:
    assert report is not None
    return {key: value for key, value in report.items() if key != "generated"}


def _naming(output: str, path: Path) -> list[str]:
    return [line for line in output.splitlines() if f"{path}:" in line]


def _naming_any(output: str, site: Site) -> list[str]:
    return [line for name in CACHE_FILES for line in _naming(output, site.root / CACHE / name)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _entries(path: Path) -> int:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
        count = db.execute("SELECT count(*) FROM entries").fetchone()[0]
    db.close()
    return count


# -- damaged files ----------------------------------------------------------------------------
def _garble_schema_name(data: bytes) -> bytes:
    # The name of the entries table in its sqlite_schema record, as a torn write leaves it: not
    # UTF-8, so sqlite3 raised UnicodeDecodeError instead of DatabaseError.
    at = data.index(b"tableentriesentries") + len(b"table")
    return data[:at] + b"\xff\xfe\xc3\x28" + data[at + 4:]


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "schema name not utf-8": _garble_schema_name,
    "page header bytes 100-199 garbled": lambda data: data[:100] + b"\xff" * 100 + data[200:],
    "truncated to 10 bytes": lambda data: data[:10],
    "truncated to 3000 bytes": lambda data: data[:3000],
    "not sqlite at all": lambda data: b"\x00{not json",
}


@pytest.mark.parametrize("label", DAMAGES)
def test_damaged_caches_are_moved_aside_and_the_build_passes(project, label, tally):
    site, clean = project
    damaged = {}
    for name in CACHE_FILES:
        path = site.root / CACHE / name
        path.write_bytes(DAMAGES[label](path.read_bytes()))
        damaged[name] = path.read_bytes()
    result = _build(site, "--strict")  # a cache's state says nothing about the docs
    tally.tried(f"cache: {label}", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert not has_traceback(result.output)
    assert _comparable(result.report) == clean
    for name in CACHE_FILES:
        path = site.root / CACHE / name
        (line,) = _naming(result.output, path)
        (aside,) = path.parent.glob(f"{name}.corrupt-*")
        assert "damaged cache" in line and f"moved aside to {aside.name}" in line
        assert aside.read_bytes() == damaged[name]  # kept as it was, for a bug report
        assert _entries(path) > 0  # a new cache, written by this build
    again = _build(site)
    assert _comparable(again.report) == clean
    assert not _naming_any(again.output, site)


def test_an_emptied_cache_is_an_empty_cache_and_refilled(project, tally):
    site, clean = project
    for name in CACHE_FILES:
        (site.root / CACHE / name).write_bytes(b"")
    result = _build(site)
    tally.tried("cache: truncated to 0 bytes", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert _comparable(result.report) == clean
    # An empty file is an empty SQLite database, not a damaged one: nothing to say or move.
    assert not _naming_any(result.output, site) and not list((site.root / CACHE).glob("*.corrupt-*"))
    assert all(_entries(site.root / CACHE / name) > 0 for name in CACHE_FILES)


def test_entries_that_are_not_text_are_misses(project, tally):
    site, clean = project
    for name in CACHE_FILES:
        with sqlite3.connect(site.root / CACHE / name) as db:
            db.execute("UPDATE entries SET value = CAST(x'ff5b315d' AS TEXT)")  # not UTF-8
        db.close()
    result = _build(site)
    tally.tried("cache: entries not utf-8", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert _comparable(result.report) == clean
    assert not _naming_any(result.output, site)  # SQLite cannot tell: each entry is a miss, silently
    assert not list((site.root / CACHE).glob("*.corrupt-*"))


def test_a_save_stopped_midway_is_rolled_back_and_the_cache_used(project, tally):
    site, clean = project
    path = site.root / CACHE / "readability.sqlite"
    before = _entries(path)
    # A build killed while saving: its journal is left beside the file.
    subprocess.run([sys.executable, "-c", (
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size = 1')\n"
        "db.execute('BEGIN')\n"
        "db.execute(\"INSERT INTO entries SELECT hex(randomblob(20)), 'null', 0 FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) SELECT i FROM n)\")\n"
        "os._exit(0)\n"
    ), str(path)], check=True, timeout=HANG_GUARD)
    assert path.with_name(path.name + "-journal").is_file()
    result = _build(site, "-v")
    tally.tried("cache: hot journal", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert _comparable(result.report) == clean
    assert not _naming(result.output, path)
    assert "2 pages scored (2 from the cache, 0 rescored)" in result.output
    assert _entries(path) == before


# -- another process --------------------------------------------------------------------------
HOLD = """
import sqlite3, sys
held = []
for path in sys.argv[1:]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    held.append(db)
print("held", flush=True)
sys.stdin.read()
"""


def test_caches_locked_by_another_process_are_skipped_and_left_alone(project, tally):
    site, clean = project
    paths = [site.root / CACHE / name for name in CACHE_FILES]
    digests = {path: _digest(path) for path in paths}
    # Another process: a read of the file here would drop this process's own POSIX locks.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, *map(str, paths)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = _build(site)
    finally:
        holder.communicate(timeout=HANG_GUARD)
    tally.tried("cache: locked by another process", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert _comparable(result.report) == clean
    for path in paths:
        (line,) = _naming(result.output, path)
        assert "locked by another process" in line
        assert _digest(path) == digests[path]
    assert not list((site.root / CACHE).glob("*.corrupt-*"))


def test_two_builds_at_once_both_pass_with_the_same_report(project, tally):
    site, clean = project
    shutil.rmtree(site.root / CACHE)  # both write every cache
    builds = [
        subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "-d", name], cwd=site.root, env=base_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("site-a", "site-b")
    ]
    outputs = [build.communicate(timeout=HANG_GUARD) for build in builds]
    text = "".join(out + err for out, err in outputs)
    tally.tried("cache: two builds at once", traceback=has_traceback(text))
    assert [build.returncode for build in builds] == [0, 0], text
    reports = [json.loads((site.root / name / "quality.json").read_text()) for name in ("site-a", "site-b")]
    assert _comparable(reports[0]) == _comparable(reports[1]) == clean
    assert "damaged" not in text
    after = _build(site, "-v")
    assert "2 pages scored (2 from the cache, 0 rescored)" in after.output
    assert not _naming_any(after.output, site)


# -- cannot be written (tests run as root, who may write any file: other ways in) --------------
def test_read_only_caches_are_read_and_never_written(project, tally):
    site, clean = project
    paths = [site.root / CACHE / name for name in CACHE_FILES]
    for path in paths:
        # Write version 3 in the header: SQLite opens such a file read-only, as it does a file
        # without write permission, whoever runs it.
        data = bytearray(path.read_bytes())
        data[18] = 3
        path.write_bytes(bytes(data))
    digests = {path: _digest(path) for path in paths}
    site.page("index.md", _page("Home", "guide", PROSE + "An edit to score."), dedent=False)
    result = _build(site, "-v")
    tally.tried("cache: read-only", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert "2 pages scored (1 from the cache, 1 rescored)" in result.output
    for path in paths:
        assert len(_naming(result.output, path)) <= 1
        assert _digest(path) == digests[path]
    for name in ("readability.sqlite", "link-scan.sqlite"):  # those the edited page adds to
        (line,) = _naming(result.output, site.root / CACHE / name)
        assert "cannot use this cache (attempt to write a readonly database)" in line


def test_a_folder_where_a_cache_file_goes_is_left_alone(project, tally):
    site, clean = project
    for name in CACHE_FILES:
        path = site.root / CACHE / name
        path.unlink()
        (path / "keep.txt").parent.mkdir()
        (path / "keep.txt").write_text("someone else's")
    result = _build(site)
    tally.tried("cache: folder in the way", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert _comparable(result.report) == clean
    for name in CACHE_FILES:
        path = site.root / CACHE / name
        (line,) = _naming(result.output, path)
        assert "cannot use this cache (unable to open database file)" in line
        assert (path / "keep.txt").read_text() == "someone else's"


def test_a_file_where_the_cache_folder_goes_is_one_message(project, tally):
    site, clean = project
    folder = site.root / CACHE
    shutil.rmtree(folder)
    folder.write_text("someone else's")
    result = _build(site)
    tally.tried("cache: file in place of the cache folder", traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output
    assert _comparable(result.report) == clean
    (line,) = _naming(result.output, folder)
    assert "cannot create the cache folder" in line
    assert folder.read_text() == "someone else's"


# -- in process: the file that failed is the only one ever moved -------------------------------
def test_a_damaged_file_replaced_meanwhile_is_left_alone(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    cache = ContentCache(path, version=1)
    for key in range(200):
        cache.put(str(key), {"text": "x" * 100})
    cache.close()
    with sqlite3.connect(path) as db:
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size] = 0xFF  # not a page type: the schema reads, the entries do not
    path.write_bytes(bytes(data))
    theirs = tmp_path / "theirs.sqlite"
    with sqlite3.connect(theirs) as db:
        db.execute("CREATE TABLE t (v)")
    db.close()
    kept = theirs.read_bytes()

    def replaced_then_read(db: sqlite3.Connection) -> int:
        theirs.replace(path)  # another process's new file takes the name while this one reads
        return db.execute("SELECT sum(length(value)) FROM entries").fetchone()[0]

    with caplog.at_level(logging.INFO, logger="docgates.cache"):
        assert CacheFile(path).run(replaced_then_read) is None
    assert path.read_bytes() == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.sqlite"]
    (record,) = caplog.records
    assert record.getMessage().startswith(f"{path}: damaged cache (database disk image is malformed)")
    assert "leaves it in place" in record.getMessage()


def test_a_write_over_a_damaged_file_moves_it_aside_and_starts_a_new_one(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"\x00{not json")
    cache = CacheFile(path)
    with caplog.at_level(logging.INFO, logger="docgates.cache"):
        cache.run(lambda db: db.execute("CREATE TABLE t (v)"), write=True)
    (aside,) = tmp_path.glob("cache.sqlite.corrupt-*")
    assert aside.read_bytes() == b"\x00{not json"
    assert CacheFile(path).run(lambda db: db.execute("SELECT count(*) FROM t").fetchone()) == (0,)
    (record,) = caplog.records
    assert f"damaged cache (file is not a database), moved aside to {aside.name}" in record.getMessage()
