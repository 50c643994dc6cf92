"""The built site over HTTP on a random 127.0.0.1 port, for LinkChecker to crawl.

It sends the ``LinkChecker`` response header (so LinkChecker may go faster than one request
per 0.1-0.6 s), lists no folders, and counts requests and the ones that failed on our side.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path
from typing import Any


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    server: "_SiteServer"

    def end_headers(self) -> None:
        # Lifts LinkChecker's per-host throttle for this server.
        self.send_header("LinkChecker", "docgates")
        super().end_headers()

    def send_head(self):  # noqa: ANN201 - http.server API
        self.server.count()
        return super().send_head()

    def list_directory(self, path):  # noqa: ANN001, ANN201 - http.server API
        # Like a static host: a folder without index.html is a 404, not a listing.
        self.send_error(404, "File not found")
        return None

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    requests = 0
    errors = 0

    def count(self) -> None:
        with self._lock:
            self.requests += 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints a traceback to stderr. A client that hung up is normal (LinkChecker
        # drops responses it does not need to read); anything else is counted and reported by
        # the crawl, whose findings cannot then be trusted to be complete.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            with self._lock:
                self.errors += 1

    def server_bind(self) -> None:
        self._lock = threading.Lock()
        super().server_bind()


class SiteServer:
    """The built site on ``http://127.0.0.1:<random port>/`` while the ``with`` block runs."""

    def __init__(self, site_dir: Path) -> None:
        handler = functools.partial(_SiteHandler, directory=str(site_dir))
        self._server = _SiteServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="docgates-site", daemon=True
        )

    @property
    def requests(self) -> int:
        return self._server.requests

    @property
    def errors(self) -> int:
        """Requests the server failed to answer (not counting clients that hung up)."""
        return self._server.errors

    def __enter__(self) -> "SiteServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
