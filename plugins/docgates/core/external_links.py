"""Checking external URLs: concurrent, polite per host, retried, and cached in SQLite.

A verdict is one URL's outcome: ``ok`` True (reachable), False (broken) or None (could not
tell, e.g. rate-limited; never reported and never cached). Good and failed verdicts are
cached with separate lifetimes, so a flaky failure is re-checked soon while a good link is
not fetched on every build. Offline mode answers from the cache only.
"""

from __future__ import annotations

import http.client
import re
import socket
import sqlite3
import ssl
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

from .. import __version__
from .external_options import ExternalOptions, parse_duration  # noqa: F401 - re-exported

USER_AGENT = f"Mozilla/5.0 (compatible; docgates/{__version__}; link check)"
# Statuses worth asking again: the server may answer differently in a moment.
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Longest wait a server's Retry-After may impose on a build.
MAX_RETRY_AFTER = 10.0


@dataclass(frozen=True)
class Verdict:
    url: str
    ok: bool | None
    # What happened, for people: "HTTP 404 Not Found", "connection refused", "timed out after 5s".
    status: str
    checked_at: float
    from_cache: bool = False


def is_ignored(url: str, patterns: Iterable[str]) -> bool:
    """Glob patterns (``https://internal.example.com/*``) matched against the whole URL."""
    return any(fnmatchcase(url, pattern) for pattern in patterns)


class VerdictCache:
    """A SQLite file of verdicts; a damaged file is replaced, it is only a cache."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(
            "CREATE TABLE IF NOT EXISTS verdicts ("
            " url TEXT PRIMARY KEY, ok INTEGER NOT NULL, status TEXT NOT NULL, checked_at REAL NOT NULL)"
        )
        db.commit()
        return db

    def get(self, urls: Iterable[str]) -> dict[str, Verdict]:
        found: dict[str, Verdict] = {}
        wanted = list(urls)
        for start in range(0, len(wanted), 500):  # SQLite's limit on query parameters
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT url, ok, status, checked_at FROM verdicts WHERE url IN ({marks})", chunk
            )
            for url, ok, status, checked_at in rows:
                found[url] = Verdict(url, bool(ok), status, checked_at, from_cache=True)
        return found

    def put(self, verdicts: Iterable[Verdict]) -> None:
        rows = [(v.url, int(bool(v.ok)), v.status, v.checked_at) for v in verdicts if v.ok is not None]
        if rows:
            self._db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        self._db.close()


@dataclass
class CheckSummary:
    checked: int = 0  # fetched over the network in this run
    cached: int = 0  # answered from the cache
    failed: int = 0
    unknown: int = 0  # no verdict: offline and not cached, or rate-limited
    ignored: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class ExternalChecker:
    """Checks a set of URLs; ``check`` returns one verdict per URL that is not ignored."""

    def __init__(
        self,
        options: ExternalOptions,
        cache: VerdictCache | None = None,
        fetch: Callable[[str, float], tuple[bool | None, str]] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self.cache = cache
        self.fetch = fetch or self._fetch
        self.clock = clock
        self.sleep = sleep
        self.summary = CheckSummary()
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._opener = urllib.request.build_opener(_QuietRedirects())

    def check(self, urls: Iterable[str]) -> dict[str, Verdict]:
        wanted = sorted(set(urls))
        verdicts: dict[str, Verdict] = {}
        to_fetch: list[str] = []
        kept = [u for u in wanted if not is_ignored(u, self.options.ignore)]
        self.summary.ignored += len(wanted) - len(kept)
        cached = self.cache.get(kept) if self.cache else {}
        now = self.clock()
        for url in kept:
            verdict = cached.get(url)
            if verdict is not None and (self.options.offline or self._fresh(verdict, now)):
                verdicts[url] = verdict
                self.summary.cached += 1
            elif self.options.offline:
                verdicts[url] = Verdict(url, None, "not in the cache (offline mode)", now)
            else:
                to_fetch.append(url)
        if to_fetch:
            workers = max(1, min(self.options.concurrency, len(to_fetch)))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgates-links") as pool:
                for verdict in pool.map(self._check_one, to_fetch):
                    verdicts[verdict.url] = verdict
            self.summary.checked += len(to_fetch)
            if self.cache:
                self.cache.put(verdicts[u] for u in to_fetch)
        self.summary.failed += sum(v.ok is False for v in verdicts.values())
        self.summary.unknown += sum(v.ok is None for v in verdicts.values())
        return verdicts

    def _fresh(self, verdict: Verdict, now: float) -> bool:
        ttl = self.options.ttl_ok if verdict.ok else self.options.ttl_failed
        return now - verdict.checked_at < ttl

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            if host not in self._host_slots:
                self._host_slots[host] = threading.BoundedSemaphore(max(1, self.options.per_host))
            return self._host_slots[host]

    def _check_one(self, url: str) -> Verdict:
        ok: bool | None = None
        status = ""
        for attempt in range(self.options.retries + 1):
            with self._slot(url):
                ok, status, retry_after = self._attempt(url)
            if ok is not False or not _retryable(status) or attempt == self.options.retries:
                break
            delay = self.options.retry_backoff * (2**attempt)
            if retry_after is not None:
                delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
            self.sleep(delay)
        if ok is False and status.startswith("HTTP 429"):
            ok, status = None, status + " (rate-limited; try again later)"
        return Verdict(url, ok, status, self.clock())

    def _attempt(self, url: str) -> tuple[bool | None, str, float | None]:
        try:
            ok, status = self.fetch(url, self.options.timeout)
            return ok, status, None
        except _HttpStatus as exc:
            if exc.code in self.options.accept_status and exc.code != 429:
                return True, f"HTTP {exc.code} {exc.reason} (accepted)", None
            return False, f"HTTP {exc.code} {exc.reason}".rstrip(), exc.retry_after

    def _fetch(self, url: str, timeout: float) -> tuple[bool | None, str]:
        """HEAD first (cheap); many servers mishandle HEAD, so a failed HEAD is asked again
        with GET before the URL is called broken."""
        try:
            return self._request(url, "HEAD", timeout)
        except _HttpStatus:
            return self._request(url, "GET", timeout)

    def _request(self, url: str, method: str, timeout: float) -> tuple[bool | None, str]:
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        try:
            with self._opener.open(request, timeout=timeout) as response:
                code = response.status
                return True, f"HTTP {code} {response.reason}".rstrip()
        except urllib.error.HTTPError as exc:
            retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            raise _HttpStatus(exc.code, str(exc.reason or ""), retry_after) from None
        except urllib.error.URLError as exc:
            return False, _describe(exc.reason, timeout)
        except (TimeoutError, socket.timeout):
            return False, f"timed out after {timeout:g}s"
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return False, _describe(exc, timeout)


class _HttpStatus(Exception):
    def __init__(self, code: int, reason: str, retry_after: float | None) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason
        self.retry_after = retry_after


class _QuietRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects (a moved page is still reachable), keeping HEAD a HEAD."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib API
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        return new


def _retryable(status: str) -> bool:
    match = re.match(r"HTTP (\d{3})", status)
    if match:
        return int(match.group(1)) in _RETRY_STATUSES
    # Network trouble (timeouts, resets, refused connections) may be passing.
    return True


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def _describe(reason: object, timeout: float) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"timed out after {timeout:g}s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "host name not found"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid: {reason.verify_message or reason}"
    if isinstance(reason, ConnectionResetError):
        return "connection reset by the server"
    text = str(reason) or type(reason).__name__
    return text if len(text) < 160 else text[:157] + "..."
