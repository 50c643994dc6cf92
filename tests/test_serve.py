"""``mkdocs serve``, the writer's loop: a real server on 127.0.0.1, pages edited while it runs."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import base_env

FRESH = """\
---
owner: "@docs"
reviewed: {reviewed}
---
# Guide

Read the [home page](index.md){extra}.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _broken_links(dashboard: str) -> int | None:
    """The dashboard's count of links/broken findings (its table of link rules)."""
    row = re.search(r"<td>links/broken</td>\s*<td>[^<]*</td>\s*<td data-sort=\"(\d+)\">", dashboard)
    return int(row.group(1)) if row else None


def _wait_for(url: str, predicate, server: subprocess.Popen, what: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mkdocs serve exited ({server.returncode}) while waiting for {what}")
        body = _get(url)
        if body is not None and predicate(body):
            return body
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}; last answer: {(body or '')[:500]}")


@pytest.fixture
def served(git_site):
    site, repo = git_site
    site.plugins("docgates/freshness", "docgates/links", "docgates/quality")
    site.page("index.md", '---\nowner: "@docs"\nreviewed: 2026-11-01\n---\n# Home\n\nWelcome.\n')
    site.page("guide.md", FRESH.format(reviewed="2026-11-01", extra=""))
    site.save_config()
    repo.commit("Start the docs", date="2026-11-01T10:00:00+00:00")
    port = _free_port()
    # A file, not a pipe: a pipe nobody reads would stall the server once it filled.
    log = site.root.parent / "serve.log"
    with log.open("w", encoding="utf-8") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=site.root, env=base_env(), stdout=handle, stderr=subprocess.STDOUT,
        )
    try:
        yield site, f"http://127.0.0.1:{port}", server, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_serve_rebuilds_the_header_and_dashboard_as_pages_are_edited_and_never_stops(served):
    site, base, server, log = served
    page = _wait_for(f"{base}/guide/", lambda b: "docgates-header" in b, server, "the first build")
    assert '<time datetime="2026-11-01">' in page
    assert "docgates-stale" not in page

    # An overdue review and a broken link: findings a build would fail on; serve keeps serving.
    site.page("guide.md", FRESH.format(reviewed="2025-01-02", extra=" and the [missing page](gone.md)"))
    page = _wait_for(f"{base}/guide/", lambda b: "docgates-stale" in b, server, "the stale banner")
    assert '<time datetime="2025-01-02">' in page
    _wait_for(f"{base}/quality/", lambda b: _broken_links(b) == 1, server, "the broken link on the dashboard")

    # Reviewed and fixed: the next rebuild shows it, from the same process.
    site.page("guide.md", FRESH.format(reviewed="2026-11-20", extra=""))
    page = _wait_for(f"{base}/guide/", lambda b: '<time datetime="2026-11-20">' in b, server, "the new review date")
    assert "docgates-stale" not in page
    _wait_for(f"{base}/quality/", lambda b: _broken_links(b) == 0, server, "the dashboard without the broken link")

    assert server.poll() is None, "mkdocs serve stopped"
    server.terminate()
    server.wait(timeout=60)
    output = log.read_text(encoding="utf-8")
    assert "Traceback" not in output, output
    # The writer is told, in the server's log, what a build would fail on.
    assert "guide.md" in output and "freshness/stale" in output, output
