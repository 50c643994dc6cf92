"""External links: concurrent, per-host limited, retried, cached, offline - on 127.0.0.1 only."""

from __future__ import annotations

import http.server
import socket
import threading
from collections import Counter

import pytest

from docgates.links.external import ExternalChecker
from docgates.links.external_options import ExternalOptions, parse_duration
from docgates.links.verdicts import VerdictCache
from docgates.links.gate import LinksGate

# Generous for a local answer on a slow, shared machine; /slow holds its answer longer still.
FAST = dict(timeout=2.0, retries=1, retry_backoff=0.01)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "LocalServer"
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        server = self.server
        path = self.path.split("?")[0]
        with server.lock:
            server.hits[(self.command, path)] += 1
            server.active += 1
            server.max_active = max(server.max_active, server.active)
        counted = True
        try:
            if path == "/slow":
                server.release.wait(10)  # longer than any client timeout in these tests
            elif path.startswith("/busy"):
                # Hold the request until more would overlap, so a missing limit shows.
                server.release.wait(0.5)
            status, headers = {
                "/ok": (200, {}),
                "/moved": (301, {"Location": "/ok"}),
                "/moved-gone": (301, {"Location": "/gone"}),
                "/gone": (404, {}),
                "/error": (500, {}),
                "/no-head": (405 if head else 200, {}),
                "/login": (403, {}),
                "/limited": (429, {"Retry-After": "0"}),
            }.get(path, (200, {}) if path.startswith("/busy") else (404, {}))
            # Done before answering: once the client has the answer it may start its next
            # request, which must not find this one still counted as active.
            with server.lock:
                server.active -= 1
            counted = False
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            if not head:
                self.wfile.write(b"ok")
        finally:
            if counted:
                with server.lock:
                    server.active -= 1

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class LocalServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.hits: Counter[tuple[str, str]] = Counter()
        self.active = 0
        self.max_active = 0
        self.release = threading.Event()
        self.base = f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests(self, path: str) -> int:
        return sum(count for (method, p), count in self.hits.items() if p == path)


@pytest.fixture
def server():
    srv = LocalServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing"


def test_each_kind_of_answer_gets_the_right_verdict(server, refused_url, tmp_path):
    checker = ExternalChecker(ExternalOptions(**FAST), VerdictCache(tmp_path / "c.sqlite"))
    urls = {p: server.url(p) for p in ("/ok", "/moved", "/moved-gone", "/gone", "/error", "/slow", "/no-head", "/login", "/limited")}
    verdicts = checker.check([*urls.values(), refused_url])
    got = {path: (verdicts[url].ok, verdicts[url].status) for path, url in urls.items()}
    assert got["/ok"] == (True, "HTTP 200 OK")
    assert got["/moved"] == (True, "HTTP 200 OK")  # a redirect to a good page is good
    assert got["/moved-gone"] == (False, "HTTP 404 Not Found")
    assert got["/gone"] == (False, "HTTP 404 Not Found")
    assert got["/error"] == (False, "HTTP 500 Internal Server Error")
    assert got["/slow"] == (False, "timed out after 2s")
    assert got["/no-head"] == (True, "HTTP 200 OK")  # HEAD refused, GET works
    assert got["/login"][0] is True  # exists, we may just not read it
    assert got["/limited"][0] is None  # rate-limited: no verdict, never a failure
    assert verdicts[refused_url].ok is False and verdicts[refused_url].status == "connection refused"
    # 404 is final (asked with HEAD, then GET); 500 is asked again once.
    assert server.requests("/gone") == 4  # twice directly, twice through /moved-gone
    assert server.requests("/error") == 4
    assert checker.summary.failed == 5 and checker.summary.unknown == 1


def test_requests_to_one_host_are_limited(server):
    options = ExternalOptions(**FAST, concurrency=8, per_host=2)
    urls = [server.url(f"/busy/{i}") for i in range(8)]
    verdicts = ExternalChecker(options).check(urls)
    assert all(v.ok for v in verdicts.values())
    assert server.max_active == 2


def test_cache_keeps_good_and_failed_verdicts_for_their_own_time(server, tmp_path):
    path = tmp_path / "cache.sqlite"
    urls = [server.url("/ok"), server.url("/gone")]
    ExternalChecker(ExternalOptions(**FAST), VerdictCache(path)).check(urls)
    assert (server.requests("/ok"), server.requests("/gone")) == (1, 2)

    # Both still fresh: nothing is fetched again.
    again = ExternalChecker(ExternalOptions(**FAST), VerdictCache(path))
    verdicts = again.check(urls)
    assert verdicts[server.url("/gone")].from_cache and verdicts[server.url("/gone")].ok is False
    assert (server.requests("/ok"), server.requests("/gone")) == (1, 2)
    assert again.summary.cached == 2 and again.summary.checked == 0

    # Failed verdicts expire first: only the failing URL is asked again.
    ExternalChecker(ExternalOptions(**FAST, ttl_failed=0), VerdictCache(path)).check(urls)
    assert (server.requests("/ok"), server.requests("/gone")) == (1, 4)
    ExternalChecker(ExternalOptions(**FAST, ttl_ok=0), VerdictCache(path)).check(urls)
    assert (server.requests("/ok"), server.requests("/gone")) == (2, 4)


def test_offline_mode_uses_only_the_cache(server, tmp_path):
    path = tmp_path / "cache.sqlite"
    ExternalChecker(ExternalOptions(**FAST), VerdictCache(path)).check([server.url("/gone")])
    before = sum(server.hits.values())
    offline = ExternalChecker(ExternalOptions(**FAST, offline=True, ttl_failed=0), VerdictCache(path))
    verdicts = offline.check([server.url("/gone"), server.url("/ok")])
    assert sum(server.hits.values()) == before
    assert verdicts[server.url("/gone")].ok is False  # cached, whatever its age
    assert verdicts[server.url("/ok")].ok is None  # never checked: skipped, not failed
    assert offline.summary.unknown == 1


def test_ignored_urls_are_never_fetched(server):
    checker = ExternalChecker(ExternalOptions(**FAST, ignore=(server.base + "/gone*",)))
    verdicts = checker.check([server.url("/gone"), server.url("/ok")])
    assert list(verdicts) == [server.url("/ok")]
    assert server.requests("/gone") == 0 and checker.summary.ignored == 1


def test_a_damaged_cache_file_is_left_alone_and_the_check_runs_without_it(tmp_path, server, caplog):
    # It may not be ours: docgates never deletes or rewrites a file it did not create.
    path = tmp_path / "cache.sqlite"
    content = b"this is not a database\xff" * 100
    path.write_bytes(content)
    cache = VerdictCache(path)
    verdicts = ExternalChecker(ExternalOptions(**FAST), cache).check([server.url("/ok")])
    cache.close()
    assert verdicts[server.url("/ok")].ok is True and server.requests("/ok") == 1
    assert path.read_bytes() == content
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert f"link cache {path} not used" in warning and "Delete it" in warning


def test_time_limit_and_private_addresses_are_options():
    gate = LinksGate({"external_time_limit": "2min", "external_allow_private": False})
    assert (gate.external_options.time_limit, gate.external_options.allow_private) == (120.0, False)
    assert LinksGate({}).external_options.time_limit == 600.0
    with pytest.raises(ValueError, match="external_time_limit: expected a positive number"):
        LinksGate({"external_time_limit": "0s"})
    with pytest.raises(ValueError, match="external_time_limit: expected a duration"):
        LinksGate({"external_time_limit": "soon"})


def test_durations():
    assert parse_duration("7d", "x") == 7 * 86400
    assert parse_duration("30min", "x") == 1800
    assert parse_duration(45, "x") == 45
    with pytest.raises(ValueError, match="30min"):
        parse_duration("3m", "cache_ttl_ok")


# -- in the build ---------------------------------------------------------------------------
def test_build_reports_failed_external_links_and_reuses_the_cache_offline(site, server):
    options = {"external": True, "timeout": 2, "retries": 0, "external_ignore": [server.base + "/ignored/*"]}
    site.plugins({"docgates/links": options})
    site.page(
        "index.md",
        f"# Home\n\n[ok]({server.url('/ok')}) [moved]({server.url('/moved')})\n\n"
        f"[gone]({server.url('/gone')}#part) and ![img]({server.url('/error')})\n\n"
        f"<a href=\"{server.url('/gone')}\">raw</a> [skip]({server.url('/ignored/x')})\n\n"
        f"```\n{server.url('/in-code')}\n```\n",
    )
    result = site.build()
    assert result.returncode == 1, result.output
    found = [(f["line"], f["rule"], f["message"]) for f in result.page("index.md")["findings"]]
    assert [(line, rule) for line, rule, _ in found] == [
        (5, "links/external"), (5, "links/external"), (7, "links/external"),
    ]
    assert "failed: HTTP 404 Not Found" in found[0][2] or "failed: HTTP 404 Not Found" in found[1][2]
    assert server.requests("/ignored/x") == 0 and server.requests("/in-code") == 0
    summary = result.report["site"]["links"]["external_check"]
    assert summary["checked"] == 4 and summary["ignored"] == 1
    assert (site.root / ".cache" / "plugin" / "docgates" / "external-links.sqlite").is_file()

    # Offline, with the server gone: the same verdicts, from the cache.
    server.shutdown()
    site.plugins({"docgates/links": dict(options, external_offline=True)})
    offline = site.build()
    assert [(f["line"], f["rule"]) for f in offline.page("index.md")["findings"]] == [
        (line, rule) for line, rule, _ in found
    ]
    assert "(cached verdict)" in offline.page("index.md")["findings"][0]["message"]
    assert offline.report["site"]["links"]["external_check"]["cached"] == 4


def test_external_links_are_not_fetched_unless_asked(site, server):
    site.plugins("docgates/links")
    site.page("index.md", f"# Home\n\n[gone]({server.url('/gone')})\n")
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    assert sum(server.hits.values()) == 0


def test_bad_cache_dir_does_not_break_the_build(site, server):
    site.plugins({"docgates/links": {"external": True, "timeout": 2}})
    site.page("index.md", f"# Home\n\n[ok]({server.url('/ok')})\n")
    site.root.mkdir(parents=True, exist_ok=True)
    (site.root / ".cache").write_text("not a folder")
    result = site.build()
    assert result.returncode == 0, result.output
    assert "cannot use the link cache" in result.output
    assert server.requests("/ok") == 1
