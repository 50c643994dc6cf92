"""Checking external URLs: concurrent, polite per host, retried, cached in SQLite, and safe to
run on a CI machine.

A verdict is one URL's outcome: ``ok`` True (reachable), False (broken or refused) or None
(could not tell: rate-limited, offline and not cached, or not reached before the time limit;
never reported as a failure and never cached). Good and failed verdicts are cached with
separate lifetimes, so a flaky failure is re-checked soon while a good link is not fetched on
every build. Offline mode answers from the cache only.

A build must not become a way to reach the runner's own network. Every hop of a request, the
link itself and each redirect, is resolved first and its addresses classified
(``classify_address``): link-local and cloud-metadata addresses are never fetched, a redirect
from a public address to a private one is never followed, and direct links to private
addresses (intranet hosts) are fetched only while ``allow_private`` holds. The connection goes
to the address that was checked, so a second DNS answer cannot swap in another one.

Time is bounded twice: ``timeout`` covers one whole request (name lookup, connect, TLS, every
byte of the answer's headers), and ``time_limit`` covers the whole pass; URLs not reached by
then are "not checked", neither passed nor failed.

The parts live beside this module: ``addresses`` (the classification), ``transport`` (one
pinned, deadline-bound request) and ``verdicts`` (the verdict and its SQLite cache).
"""

from __future__ import annotations

import http.client
import logging
import math
import re
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from docgates import __version__
from docgates.links.addresses import FORBIDDEN, PUBLIC, IPAddress, classify_address, is_address, shown
from docgates.links.external_options import ExternalOptions
from docgates.links.transport import BadUrl, PinnedConnection, Target, resolve_host, short
from docgates.links.verdicts import Verdict, VerdictCache


log = logging.getLogger("docgates.links")

USER_AGENT = f"Mozilla/5.0 (compatible; docgates/{__version__}; link check)"
# Statuses worth asking again: the server may answer differently in a moment.
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Longest wait a server's Retry-After may impose on a build.
MAX_RETRY_AFTER = 10.0
MAX_REDIRECTS = 10  # as browsers and urllib


def is_ignored(url: str, patterns: Iterable[str]) -> bool:
    """Glob patterns (``https://internal.example.com/*``) matched against the whole URL."""
    return any(fnmatchcase(url, pattern) for pattern in patterns)


# -- checking ---------------------------------------------------------------------------------
@dataclass
class CheckSummary:
    checked: int = 0  # fetched over the network in this run
    cached: int = 0  # answered from the cache
    failed: int = 0
    refused: int = 0  # not fetched: the address policy forbade a hop
    unknown: int = 0  # no verdict: offline and not cached, or rate-limited
    not_checked: int = 0  # not reached before the time limit
    ignored: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class _Refused(Exception):
    """A hop the address policy forbids; nothing was sent to it."""


class _OutOfTime(Exception):
    """The pass's time limit ran out, not the request's own timeout."""


class _HttpStatus(Exception):
    def __init__(self, code: int, reason: str, retry_after: float | None) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason
        self.retry_after = retry_after


class ExternalChecker:
    """Checks a set of URLs; ``check`` returns one verdict per URL that is not ignored.

    ``classify`` sorts a resolved address into ``PUBLIC``, ``PRIVATE`` or ``FORBIDDEN``; the
    default, ``classify_address``, is the real-world one. Another function changes what counts
    as public, e.g. so that a test on one machine can play a public host on ``127.0.0.2``.
    ``fetch(url, timeout)`` replaces the network entirely; it returns ``(ok, status)``.
    """

    def __init__(
        self,
        options: ExternalOptions,
        cache: VerdictCache | None = None,
        fetch: Callable[[str, float], tuple[bool | None, str]] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        classify: Callable[[IPAddress], str] = classify_address,
    ) -> None:
        self.options = options
        self.cache = cache
        self.fetch = fetch or self._fetch
        self.clock = clock
        self.sleep = sleep
        self.classify = classify
        self.summary = CheckSummary()
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self._pass_deadline = math.inf  # time.monotonic() value

    def check(self, urls: Iterable[str]) -> dict[str, Verdict]:
        wanted = sorted(set(urls))
        verdicts: dict[str, Verdict] = {}
        to_fetch: list[str] = []
        kept = [u for u in wanted if not is_ignored(u, self.options.ignore)]
        self.summary.ignored += len(wanted) - len(kept)
        now = self.clock()
        cached = self.cache.get(kept, now) if self.cache else {}
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
            self._pass_deadline = time.monotonic() + self.options.time_limit
            workers = max(1, min(self.options.concurrency, len(to_fetch)))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgates-links") as pool:
                for verdict in pool.map(self._check_one, to_fetch):
                    verdicts[verdict.url] = verdict
            self.summary.checked += sum(not verdicts[u].not_checked for u in to_fetch)
            if self.cache:
                self.cache.put(verdicts[u] for u in to_fetch)
        for verdict in verdicts.values():
            self.summary.failed += verdict.ok is False and not verdict.refused
            self.summary.refused += verdict.refused
            self.summary.not_checked += verdict.not_checked
            self.summary.unknown += verdict.ok is None and not verdict.not_checked
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

    def _time_left(self) -> float:
        return self._pass_deadline - time.monotonic()

    def _check_one(self, url: str) -> Verdict:
        ok: bool | None = None
        status = ""
        for attempt in range(self.options.retries + 1):
            with self._slot(url):
                if self._time_left() <= 0:
                    return self._not_checked(url, status)
                try:
                    ok, status, retry_after = self._attempt(url)
                except _Refused as exc:
                    return Verdict(url, False, str(exc), self.clock(), refused=True)
                except _OutOfTime:
                    return self._not_checked(url, status)
            if ok is not False or not _retryable(status) or attempt == self.options.retries:
                break
            delay = self.options.retry_backoff * (2**attempt)
            if retry_after is not None:
                delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
            if delay >= self._time_left():
                return self._not_checked(url, status)
            self.sleep(delay)
        if ok is False and status.startswith("HTTP 429"):
            ok, status = None, status + " (rate-limited; try again later)"
        return Verdict(url, ok, status, self.clock())

    def _not_checked(self, url: str, last_status: str) -> Verdict:
        status = "not checked: the time limit of the external check was reached"
        if last_status:
            status += f" (last try: {last_status})"
        return Verdict(url, None, status, self.clock(), not_checked=True)

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
        """One request, following redirects hop by hop; every hop's addresses are vetted
        before anything is sent to them. Raises ``_HttpStatus`` for an error status."""
        deadline = min(time.monotonic() + timeout, self._pass_deadline)
        cut_short = deadline == self._pass_deadline
        current = url
        seen_public = False
        try:
            for hop in range(MAX_REDIRECTS + 1):
                target = Target.parse(current)
                addresses = resolve_host(target.host, target.port, deadline)
                seen_public = self._vet(target, addresses, hop, seen_public)
                code, reason, headers = self._exchange(target, addresses, method, deadline)
                location = headers.get("Location")
                if code in _REDIRECT_STATUSES and location:
                    current = urljoin(current, location.strip())
                    continue
                if 200 <= code < 300:
                    return True, f"HTTP {code} {reason}".rstrip()
                raise _HttpStatus(code, reason, _retry_after(headers.get("Retry-After")))
            return False, f"more than {MAX_REDIRECTS} redirects"
        except (TimeoutError, socket.timeout):
            if cut_short:
                raise _OutOfTime() from None
            return False, f"timed out after {timeout:g}s"
        except BadUrl as exc:
            return False, str(exc)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return False, _describe(exc)

    def _vet(self, target: Target, addresses: list[IPAddress], hop: int, seen_public: bool) -> bool:
        """Raises ``_Refused`` for a hop the policy forbids; returns whether the route has now
        touched a public address (after which no private one may follow)."""
        kinds = [(address, self.classify(address)) for address in addresses]
        where = _hop_description(target, hop)
        for address, kind in kinds:
            if kind == FORBIDDEN:
                raise _Refused(
                    f"{where} is at {shown(address)}, a link-local or cloud-metadata address, which docgates "
                    "never fetches; remove the link, or list it in external_ignore"
                )
        public = [address for address, kind in kinds if kind == PUBLIC]
        private = [address for address, kind in kinds if kind != PUBLIC]
        if private and seen_public:
            raise _Refused(
                f"{where} is at the private address {shown(private[0])}, after a public one; docgates "
                "never follows a redirect from a public address to a private one. Link to a public page, "
                "or list the link in external_ignore"
            )
        if private and public:
            raise _Refused(
                f"{where} is at both a public address ({shown(public[0])}) and a private one ({shown(private[0])}), "
                "so docgates fetches neither; list the link in external_ignore if you trust it"
            )
        if private and not self.options.allow_private:
            raise _Refused(
                f"{where} is at the private address {shown(private[0])}, and external_allow_private is false; "
                "remove the link from this public site, or set external_allow_private: true"
            )
        return seen_public or bool(public)

    def _exchange(
        self, target: Target, addresses: list[IPAddress], method: str, deadline: float
    ) -> tuple[int, str, http.client.HTTPMessage]:
        """Sends the request and reads the status and headers; the body is never needed."""
        tls = self._tls_context() if target.scheme == "https" else None
        connection = PinnedConnection(target, addresses, deadline, tls)
        try:
            connection.request(method, target.path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            response = connection.getresponse()
            return response.status, response.reason or "", response.headers
        finally:
            connection.close()

    def _tls_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return self._tls


def _hop_description(target: Target, hop: int) -> str:
    """The subject of a refusal: "it", "its host example.com", "it redirects to '…', which"."""
    if hop == 0:
        return "it" if is_address(target.host) else f"its host {target.host}"
    redirect = f"it redirects to '{short(target.url)}'"
    return f"{redirect}, which" if is_address(target.host) else f"{redirect}, whose host"



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


def _describe(reason: BaseException) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "host name not found"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid: {reason.verify_message or reason}"
    if isinstance(reason, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    return short(str(reason) or type(reason).__name__)


# -- the links gate's external pass ---------------------------------------------------------
def check_with_cache(
    urls: Iterable[str], options: ExternalOptions, cache_path: Path
) -> tuple[dict[str, Verdict], dict[str, int | bool]]:
    """The links gate's external pass: verdicts for ``urls`` through the verdict cache at
    ``cache_path`` (checked without it when it cannot be opened), and the pass's summary for
    quality.json; what was not checked or has no verdict is logged."""
    try:
        cache = VerdictCache(cache_path)
    except OSError as exc:
        log.warning("docgates/links: cannot use the link cache %s (%s); checking without it", cache_path, exc)
        cache = None
    checker = ExternalChecker(options, cache)
    urls = list(urls)
    try:
        if not options.offline:
            log.info("docgates/links: checking %d external URLs", len(urls))
        verdicts = checker.check(urls)
    finally:
        if cache is not None:
            cache.close()
    summary: dict[str, int | bool] = checker.summary.to_dict()
    summary["offline"] = options.offline
    if summary["not_checked"]:
        log.warning(
            "docgates/links: %d external URLs were not checked: the external check reached its time "
            "limit (external_time_limit: %gs); they neither passed nor failed. Raise "
            "external_time_limit, or lower timeout or retries",
            summary["not_checked"], options.time_limit,
        )
    if summary["unknown"]:
        log.info(
            "docgates/links: %d external URLs have no verdict (%s)",
            summary["unknown"],
            "offline and not cached" if options.offline else "rate-limited",
        )
    return verdicts, summary
