"""Browser fixtures: Debian's Chromium driven by Playwright, sites served on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import socketserver
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import pytest
import yaml

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
REPO_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason="Chromium not found at /usr/bin/chromium: install Debian's package "
        "(`apt-get install chromium`) to run the browser tests; .ci/run does this in CI"
    )
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(directory: Path) -> tuple[_Server, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@dataclass
class Watch:
    """What a page did while loading: console errors, page errors, non-local requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


def watch(page) -> Watch:
    seen = Watch()
    page.on("console", lambda msg: seen.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.page_errors.append(str(exc)))

    def route(route):
        url = route.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            seen.outside_requests.append(url)
            route.abort()

    page.route("**/*", route)
    return seen


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def page_text(front: dict, title: str, body: str) -> str:
    """A fixture page: front matter (none when ``front`` is empty), a title, a body."""
    head = "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" if front else ""
    return f"{head}# {title}\n\n{body}\n"


def build(project: Path, out: Path, config: str = "mkdocs.yml") -> None:
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from conftest import base_env

    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", config, "-d", str(out)],
        cwd=project, env=base_env(), capture_output=True, text=True, timeout=600,
    )
    assert (out / "index.html").exists(), proc.stderr[-3000:]


@pytest.fixture(scope="session")
def handbook_url(tmp_path_factory) -> Iterator[str]:
    """The bundled handbook, built once and served on a loopback port."""
    out = tmp_path_factory.mktemp("handbook") / "site"
    build(REPO_ROOT, out)
    server, url = serve(out)
    yield url
    server.shutdown()
    server.server_close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


