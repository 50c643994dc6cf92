"""Hostile external links: the check must not probe the build machine's network, must not hang
on a slow server, and must survive a cache file it did not write.

Every server here listens on loopback and records each request it gets. The checker's address
policy is tested two ways: the pure classification on real addresses given as literals (no
lookups, no connections), and whole checks where the documented ``classify`` parameter declares
127.0.0.2 a public host and 127.0.0.3 a cloud-metadata one, so a refused hop is a server that
must record no hit.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socketserver
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from conftest import base_env
from docgates.links.addresses import FORBIDDEN, PRIVATE, PUBLIC, classify_address
from docgates.links.external import ExternalChecker
from docgates.links.external_options import ExternalOptions
from docgates.links.verdicts import Verdict, VerdictCache

from .hostile import has_traceback

HANG_GUARD = 60  # seconds; far beyond any bounded check here, so only a hang trips it
PLAYS_PUBLIC = ipaddress.ip_address("127.0.0.2")
PLAYS_METADATA = ipaddress.ip_address("127.0.0.3")


def stage_classify(address):
    """Loopback addresses playing the parts of a public host and a metadata service."""
    return {PLAYS_PUBLIC: PUBLIC, PLAYS_METADATA: FORBIDDEN}.get(address) or classify_address(address)


class _Recorder(socketserver.StreamRequestHandler):
    """Answers from ``server.routes``: path -> (status, headers), or "trickle" for a server that
    sends its status line one byte per ``server.trickle_every`` seconds, without end."""

    server: "RecordingServer"

    def handle(self) -> None:
        request_line = self.rfile.readline(65537).decode("latin-1").split()
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass
        if len(request_line) < 2:
            return
        method, path = request_line[0], request_line[1]
        with self.server.lock:
            self.server.hits[(method, path)] += 1
        route = self.server.routes.get(path, (404, {}))
        if route == "trickle":
            self._trickle()
            return
        status, headers = route
        lines = [f"HTTP/1.1 {status} Status", "Content-Length: 0", "Connection: close"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def _trickle(self) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 10_000:
            if self.server.stop.wait(self.server.trickle_every):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client gave up: what the test wants
                return


class RecordingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _Recorder)
        self.lock = threading.Lock()
        self.hits: Counter[tuple[str, str]] = Counter()
        self.routes: dict[str, object] = {}
        self.stop = threading.Event()
        self.trickle_every = 1.0
        self.base = f"http://{host}:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def total(self) -> int:
        return sum(self.hits.values())


@pytest.fixture
def servers():
    """Three servers: on 127.0.0.1 (private), 127.0.0.2 (plays public), 127.0.0.3 (plays metadata)."""
    started = {}
    for name, host in (("private", "127.0.0.1"), ("public", "127.0.0.2"), ("metadata", "127.0.0.3")):
        server = RecordingServer(host)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started[name] = server
    yield started
    for server in started.values():
        server.stop.set()
        server.shutdown()
        server.server_close()


def check(urls, classify=stage_classify, **options) -> tuple[dict[str, Verdict], ExternalChecker]:
    """One check in a thread, so that a hang fails the test instead of holding the run."""
    options = {"timeout": 5.0, "retries": 2, "retry_backoff": 0.01, **options}
    checker = ExternalChecker(ExternalOptions(**options), classify=classify)
    result: dict[str, Verdict] = {}
    thread = threading.Thread(target=lambda: result.update(checker.check(urls)), daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert not thread.is_alive(), "the external check hung"
    return result, checker


# -- the address policy -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", FORBIDDEN),  # AWS, GCP, Azure metadata
        ("169.254.0.1", FORBIDDEN),
        ("fd00:ec2::254", FORBIDDEN),  # AWS metadata over IPv6
        ("fe80::1", FORBIDDEN),
        ("fe80::1%eth0", FORBIDDEN),
        ("100.100.100.200", FORBIDDEN),  # Alibaba Cloud metadata
        # IPv6 spellings that end at an IPv4 metadata address.
        ("::ffff:169.254.169.254", FORBIDDEN),
        ("64:ff9b::a9fe:a9fe", FORBIDDEN),
        ("2002:a9fe:a9fe::1", FORBIDDEN),
        ("10.0.0.1", PRIVATE),
        ("172.16.5.4", PRIVATE),
        ("192.168.1.1", PRIVATE),
        ("127.0.0.1", PRIVATE),
        ("::1", PRIVATE),
        ("::ffff:127.0.0.1", PRIVATE),
        ("fd12:3456::1", PRIVATE),
        ("100.64.0.1", PRIVATE),
        ("0.0.0.0", PRIVATE),
        ("224.0.0.1", PRIVATE),
        ("8.8.8.8", PUBLIC),
        ("2606:4700::1111", PUBLIC),
        ("::ffff:8.8.8.8", PUBLIC),
    ],
)
def test_addresses_are_classified_by_where_a_connection_ends(address, kind):
    assert classify_address(ipaddress.ip_address(address)) == kind


def test_a_redirect_from_a_public_host_to_a_private_one_is_never_followed(servers):
    public, private = servers["public"], servers["private"]
    target = private.url("/latest/meta-data/iam/security-credentials/")
    public.routes["/docs"] = (302, {"Location": target})
    verdicts, checker = check([public.url("/docs")])
    verdict = verdicts[public.url("/docs")]
    assert (verdict.ok, verdict.refused) == (False, True)
    assert "private address 127.0.0.1" in verdict.status and target in verdict.status
    assert private.total() == 0
    # Refused at once: no GET after the HEAD, no retries.
    assert public.hits == Counter({("HEAD", "/docs"): 1})
    assert (checker.summary.refused, checker.summary.failed) == (1, 0)


def test_a_route_that_touched_a_public_host_stays_public(servers):
    public, private = servers["public"], servers["private"]
    private.routes["/start"] = (301, {"Location": public.url("/bounce")})
    public.routes["/bounce"] = (301, {"Location": private.url("/inner")})
    verdicts, _ = check([private.url("/start")])
    assert verdicts[private.url("/start")].refused
    assert private.hits == Counter({("HEAD", "/start"): 1})  # /inner never asked


def test_metadata_addresses_are_never_fetched_directly_or_by_redirect(servers):
    public, metadata = servers["public"], servers["metadata"]
    public.routes["/docs"] = (307, {"Location": metadata.url("/computeMetadata/v1/")})
    verdicts, _ = check([public.url("/docs"), metadata.url("/latest/meta-data/")], allow_private=True)
    for url in (public.url("/docs"), metadata.url("/latest/meta-data/")):
        assert verdicts[url].refused and "cloud-metadata" in verdicts[url].status
    assert metadata.total() == 0


def test_direct_private_links_are_checked_unless_the_site_forbids_them(servers):
    private = servers["private"]
    private.routes["/wiki"] = (200, {})
    allowed, _ = check([private.url("/wiki")])
    assert allowed[private.url("/wiki")].ok is True and private.total() == 1

    forbidden, checker = check([private.url("/wiki")], allow_private=False)
    verdict = forbidden[private.url("/wiki")]
    assert verdict.refused and "external_allow_private" in verdict.status
    assert private.total() == 1  # nothing more was sent
    assert checker.summary.refused == 1


def test_refused_verdicts_are_never_cached(servers, tmp_path):
    public, private = servers["public"], servers["private"]
    public.routes["/docs"] = (302, {"Location": private.url("/x")})
    cache = VerdictCache(tmp_path / "links.sqlite")
    ExternalChecker(ExternalOptions(retries=0), cache, classify=stage_classify).check([public.url("/docs")])
    cache.close()
    with sqlite3.connect(tmp_path / "links.sqlite") as db:
        assert db.execute("SELECT count(*) FROM verdicts").fetchone() == (0,)


# -- time ---------------------------------------------------------------------------------------
def test_the_timeout_bounds_a_server_that_trickles_its_headers(servers):
    slow = servers["private"]
    slow.routes["/slow"] = "trickle"  # a byte a second: every single read is quick
    verdicts, _ = check([slow.url("/slow")], timeout=2.0, retries=0)
    assert verdicts[slow.url("/slow")].ok is False
    assert verdicts[slow.url("/slow")].status == "timed out after 2s"


def test_urls_not_reached_before_the_time_limit_are_not_checked(servers):
    slow = servers["private"]
    slow.routes.update({f"/slow/{i}": "trickle" for i in range(4)})
    urls = [slow.url(f"/slow/{i}") for i in range(4)]
    verdicts, checker = check(urls, timeout=30.0, retries=2, concurrency=1, time_limit=1.0)
    assert all(v.ok is None and v.not_checked for v in verdicts.values())
    assert all(v.status.startswith("not checked: the time limit") for v in verdicts.values())
    assert (checker.summary.not_checked, checker.summary.failed, checker.summary.unknown) == (4, 0, 0)
    assert slow.total() <= 1  # at most the first URL was reached; the limit cut it short


# -- in a build ---------------------------------------------------------------------------------
def _build(site, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    site.save_config()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", *args],
            cwd=site.root, env=base_env(), capture_output=True, text=True, timeout=HANG_GUARD,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the build hung on a slow external link")
    report = json.loads((site.root / "site" / "quality.json").read_text(encoding="utf-8"))
    return proc, report


def _findings(report: dict, path: str) -> list[tuple[int, str, str]]:
    page = next(p for p in report["pages"] if p["path"] == path)
    return [(f["line"], f["rule"], f["severity"]) for f in page["findings"]]


def test_build_reports_a_refused_link_under_its_own_configurable_rule(site, servers):
    private = servers["private"]
    private.routes["/wiki"] = (200, {})
    site.page("index.md", f"# Home\n\nSee [the wiki]({private.url('/wiki')}).\n")
    site.plugins({"docgates/links": {"external": True, "external_allow_private": False, "retries": 0}})
    proc, report = _build(site)
    assert proc.returncode == 1 and not has_traceback(proc.stderr)
    assert _findings(report, "index.md") == [(3, "links/refused", "error")]
    assert f"index.md:3: links/refused: external link '{private.url('/wiki')}' was not fetched" in proc.stderr
    assert report["site"]["links"]["external_check"]["refused"] == 1
    assert private.total() == 0

    site.plugins({"docgates/links": {
        "external": True, "external_allow_private": False, "severity": {"links/refused": "warning"},
    }})
    proc, report = _build(site)
    assert proc.returncode == 0, proc.stderr
    assert _findings(report, "index.md") == [(3, "links/refused", "warning")]
    assert private.total() == 0


def test_build_stops_at_the_time_limit_and_says_what_was_not_checked(site, servers):
    slow = servers["private"]
    slow.routes.update({"/slow/a": "trickle", "/slow/b": "trickle"})
    site.page("index.md", f"# Home\n\n[a]({slow.url('/slow/a')}) and [b]({slow.url('/slow/b')})\n")
    site.plugins({"docgates/links": {
        "external": True, "timeout": 30, "retries": 0, "concurrency": 1, "external_time_limit": "1s",
    }})
    proc, report = _build(site, "--strict")
    assert not has_traceback(proc.stderr)
    assert proc.stderr.count("were not checked") == 1
    assert "2 external URLs were not checked: the external check reached its time limit" in proc.stderr
    assert proc.returncode == 1  # a warning: --strict does not let it pass
    assert _findings(report, "index.md") == []  # neither failed...
    summary = report["site"]["links"]["external_check"]
    assert (summary["not_checked"], summary["failed"], summary["checked"]) == (2, 0, 0)  # ...nor passed


# -- the verdict cache ----------------------------------------------------------------------------
def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_cache_with_other_columns_is_skipped_untouched(tmp_path, servers, caplog):
    servers["private"].routes["/ok"] = (200, {})
    path = tmp_path / "links.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE verdicts (url TEXT, verdict TEXT, etag BLOB)")
        db.execute("INSERT INTO verdicts VALUES (?, 'good', x'00')", (servers["private"].url("/ok"),))
    db.close()
    before = path.read_bytes()
    cache = VerdictCache(path)
    checker = ExternalChecker(ExternalOptions(), cache)
    checker.check([servers["private"].url("/ok")])
    cache.close()
    assert servers["private"].total() == 1 and checker.summary.cached == 0
    assert path.read_bytes() == before
    [warning] = _warnings(caplog)
    assert "other columns (url, verdict, etag)" in warning


def test_cached_rows_docgates_could_not_have_written_are_misses(tmp_path, servers, caplog):
    private = servers["private"]
    private.routes.update({"/future": (404, {}), "/bytes": (200, {}), "/odd": (200, {}), "/good": (200, {})})
    path = tmp_path / "links.sqlite"
    VerdictCache(path).close()
    now = 1_900_000_000.0
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO verdicts VALUES (?, ?, ?, ?)", [
            (private.url("/future"), 1, "HTTP 200 OK", now + 10 * 365 * 86400),  # would pass forever
            (private.url("/odd"), "yes", "HTTP 200 OK", "yesterday"),
            (private.url("/good"), 1, "HTTP 200 OK", now - 60),
        ])
        # Text that is not UTF-8, as another program may have stored it.
        db.execute(
            "INSERT INTO verdicts VALUES (?, 1, CAST(? AS TEXT), ?)",
            (private.url("/bytes"), b"HTTP 200 \xff\xfe", now - 60),
        )
    db.close()
    cache = VerdictCache(path)
    checker = ExternalChecker(ExternalOptions(retries=0), cache, clock=lambda: now)
    verdicts = checker.check([private.url(p) for p in ("/future", "/bytes", "/odd", "/good")])
    cache.close()
    assert verdicts[private.url("/future")].ok is False  # fetched again: the link is dead
    assert not verdicts[private.url("/bytes")].from_cache and not verdicts[private.url("/odd")].from_cache
    assert verdicts[private.url("/good")].from_cache
    assert sum(count for (_, p), count in private.hits.items() if p == "/good") == 0
    [warning] = _warnings(caplog)
    assert "ignored 3 cached verdicts" in warning
    # The dead link's verdict now carries the time it was really checked.
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT ok, checked_at FROM verdicts WHERE url = ?", (private.url("/future"),)).fetchone()
    db.close()
    assert row == (0, now)


def test_a_locked_cache_is_skipped_after_a_short_wait_and_kept(tmp_path, servers, caplog):
    private = servers["private"]
    private.routes["/ok"] = (200, {})
    path = tmp_path / "links.sqlite"
    cache = VerdictCache(path)
    cache.put([Verdict(private.url("/kept"), True, "HTTP 200 OK", 1.0)])
    cache.close()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another build in the middle of writing
    try:
        cache = VerdictCache(path, lock_wait=0.2)
        verdicts = ExternalChecker(ExternalOptions(), cache).check([private.url("/ok")])
        cache.close()
    finally:
        holder.rollback()
        holder.close()
    assert verdicts[private.url("/ok")].ok is True
    [warning] = _warnings(caplog)
    assert "another process is using it" in warning
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT url FROM verdicts").fetchall() == [(private.url("/kept"),)]
    db.close()


def test_a_build_goes_on_without_a_cache_another_process_holds(site, servers):
    private = servers["private"]
    private.routes["/ok"] = (200, {})
    site.page("index.md", f"# Home\n\n[ok]({private.url('/ok')})\n")
    site.plugins({"docgates/links": {"external": True}})
    path = Path(site.root / ".cache" / "plugin" / "docgates" / "external-links.sqlite")
    path.parent.mkdir(parents=True)
    VerdictCache(path).close()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        proc, report = _build(site)
    finally:
        holder.rollback()
        holder.close()
    assert proc.returncode == 0 and not has_traceback(proc.stderr), proc.stderr
    assert proc.stderr.count("another process is using it") == 1
    assert path.is_file() and private.total() == 1
    assert report["site"]["links"]["external_check"]["checked"] == 1
