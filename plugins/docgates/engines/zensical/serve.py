"""``docgates serve --engine zensical``: build, serve the site on a local address, rebuild
when a source changes. ``zensical serve`` itself would show pages without docgates' headers
(it runs no code of ours), so the loop is docgates' own: a poll of the project's files
(no watcher dependency) and a plain static server."""

from __future__ import annotations

import functools
import http.server
import os
import socketserver
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from docgates.engines import BuildRequest, EngineError
from docgates.engines.zensical.stage import CHILD_CONFIG, STAGE_DIR

POLL_SECONDS = 1.0


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


def serve_site(request: BuildRequest, build: Callable[[BuildRequest], int]) -> int:
    config_dir = request.config_file.parent
    site_dir = config_dir / STAGE_DIR / "serve-site"
    request = BuildRequest(request.engine, request.config_file, site_dir, request.dev_addr)
    host, _, port = (request.dev_addr or "127.0.0.1:8000").rpartition(":")
    _build_once(request, build)
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    try:
        server = _Server((host or "127.0.0.1", int(port)), handler)
    except (OSError, ValueError) as exc:
        raise EngineError(f"cannot serve on {request.dev_addr or '127.0.0.1:8000'}: {exc}; pass another -a IP:PORT") from None
    print(f"docgates: serving on http://{host or '127.0.0.1'}:{server.server_address[1]}/ (Ctrl+C stops)", file=sys.stderr)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen = _snapshot(config_dir)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = _snapshot(config_dir)
            if now != seen:
                seen = now
                print("docgates: a file changed; rebuilding", file=sys.stderr)
                _build_once(request, build)
    except KeyboardInterrupt:
        return 0
    finally:
        server.shutdown()


def _build_once(request: BuildRequest, build: Callable[[BuildRequest], int]) -> None:
    try:
        build(request)
    except EngineError as exc:
        # The writer fixes it and saves; the loop goes on.
        print(f"docgates serve: {exc}", file=sys.stderr)


def _snapshot(config_dir: Path) -> dict[str, int]:
    """Modification times of the project's files, minus what builds write."""
    skip = {".cache", ".git", "site"}
    times: dict[str, int] = {}
    for folder, dirs, files in os.walk(config_dir):
        dirs[:] = [d for d in dirs if d not in skip] if folder == str(config_dir) else dirs
        for name in files:
            if name == CHILD_CONFIG:
                continue
            path = os.path.join(folder, name)
            try:
                times[path] = os.stat(path).st_mtime_ns
            except OSError:
                pass
    return times
