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
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import logging
import math
import re
import socket
import sqlite3
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote, urljoin, urlsplit

from docgates import __version__
from docgates.links.external_options import ExternalOptions, parse_duration  # noqa: F401 - re-exported

log = logging.getLogger("docgates.links")

USER_AGENT = f"Mozilla/5.0 (compatible; docgates/{__version__}; link check)"
# Statuses worth asking again: the server may answer differently in a moment.
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Longest wait a server's Retry-After may impose on a build.
MAX_RETRY_AFTER = 10.0
MAX_REDIRECTS = 10  # as browsers and urllib

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# -- addresses --------------------------------------------------------------------------------
PUBLIC = "public"
PRIVATE = "private"  # loopback, RFC 1918, unique local, shared (CGNAT), and every other non-global
FORBIDDEN = "forbidden"  # link-local and cloud metadata: never fetched, whatever the options say

_FORBIDDEN_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "169.254.0.0/16",  # IPv4 link-local; AWS, GCP, Azure and OCI metadata at .169.254
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
    )
)
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and 8215):
# on a runner with NAT64, 64:ff9b::a9fe:a9fe reaches 169.254.169.254.
_NAT64_NETWORKS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def classify_address(address: IPAddress) -> str:
    """``PUBLIC``, ``PRIVATE`` or ``FORBIDDEN`` for one resolved address.

    An IPv6 address that stands for an IPv4 one (mapped, NAT64, 6to4) is judged by that IPv4
    address, since that is where a connection to it ends up.
    """
    address = _embedded_ipv4(address) or address
    if any(address in network for network in _FORBIDDEN_NETWORKS if network.version == address.version):
        return FORBIDDEN
    if address.is_global and not address.is_multicast:
        return PUBLIC
    return PRIVATE


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _NAT64_NETWORKS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


# -- verdicts and their cache -----------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    url: str
    ok: bool | None
    # What happened, for people: "HTTP 404 Not Found", "connection refused", "timed out after 5s".
    status: str
    checked_at: float
    from_cache: bool = False
    refused: bool = False  # ok is False: the address policy forbade a hop; nothing was sent there
    not_checked: bool = False  # ok is None: the pass reached its time limit first


def is_ignored(url: str, patterns: Iterable[str]) -> bool:
    """Glob patterns (``https://internal.example.com/*``) matched against the whole URL."""
    return any(fnmatchcase(url, pattern) for pattern in patterns)


_COLUMNS = ("url", "ok", "status", "checked_at")
# Clocks of two machines sharing a CI cache disagree a little; more than this is not skew.
_CLOCK_SKEW = 300.0


class _Unusable(Exception):
    """The cache file cannot be used in this run; the message says why and what to do."""


class VerdictCache:
    """A SQLite file of verdicts.

    It is only a cache, and the file may not be ours (another tool's, another docgates version's,
    damaged, or held by a concurrent build): whatever is wrong with it, this run goes on without
    it after one warning. The file is never deleted or rewritten to repair it. Rows that cannot be
    trusted (undecodable text, odd types, a check dated in the future) are misses.
    """

    # Seconds to wait for another process's lock before going on without the cache.
    LOCK_WAIT = 2.0

    def __init__(self, path: Path, lock_wait: float = LOCK_WAIT) -> None:
        self.path = path
        self.lock_wait = lock_wait
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db: sqlite3.Connection | None = None
        self._warned_rows = False
        try:
            self._db = self._open()
        except (sqlite3.Error, _Unusable) as exc:
            self._give_up(exc)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.lock_wait)
        # Text is decoded here, row by row, so one row of bad bytes is a miss, not an error.
        db.text_factory = bytes
        try:
            columns = tuple(_text(row[1]) for row in db.execute("PRAGMA table_info(verdicts)"))
            if not columns:
                if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise _Unusable("it is a SQLite database of something else")
                db.execute(
                    "CREATE TABLE verdicts (url TEXT PRIMARY KEY, ok INTEGER NOT NULL,"
                    " status TEXT NOT NULL, checked_at REAL NOT NULL)"
                )
                db.commit()
            elif columns != _COLUMNS:
                raise _Unusable(f"its verdicts table has other columns ({', '.join(columns)})")
        except BaseException:
            db.close()
            raise
        return db

    def get(self, urls: Iterable[str], now: float) -> dict[str, Verdict]:
        found: dict[str, Verdict] = {}
        if self._db is None:
            return found
        wanted = list(urls)
        ignored = 0
        try:
            for start in range(0, len(wanted), 500):  # SQLite's limit on query parameters
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT url, ok, status, checked_at FROM verdicts WHERE url IN ({marks})", chunk
                ).fetchall()
                for row in rows:
                    verdict = _verdict_from_row(row, now)
                    if verdict is None:
                        ignored += 1
                    else:
                        found[verdict.url] = verdict
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        if ignored and not self._warned_rows:
            self._warned_rows = True
            log.warning(
                "docgates/links: ignored %d cached verdicts in %s that cannot be trusted (undecodable "
                "text, odd values or a check dated in the future); those URLs are checked again",
                ignored, self.path,
            )
        return found

    def put(self, verdicts: Iterable[Verdict]) -> None:
        rows = [
            (v.url, int(bool(v.ok)), v.status, v.checked_at)
            for v in verdicts
            if v.ok is not None and not v.refused
        ]
        if rows and self._db is not None:
            try:
                self._db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.Error as exc:
                self._give_up(exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _give_up(self, exc: BaseException) -> None:
        """One warning, then no cache for the rest of this run."""
        self.close()
        if _is_busy(exc):
            reason = (
                f"another process is using it (waited {self.lock_wait:g}s); this run checks without it. "
                "Give concurrent builds their own cache folder if this happens often"
            )
        elif isinstance(exc, _Unusable):
            reason = f"{exc}; this run checks without it. Delete it, or move it away, to start a new cache"
        else:
            reason = (
                f"it cannot be read ({exc}); this run checks without it. Delete it, or move it away, "
                "to start a new cache"
            )
        log.warning("docgates/links: link cache %s not used: %s", self.path, reason)


def _is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _verdict_from_row(row: tuple, now: float) -> Verdict | None:
    """The verdict a row holds, or None when it is not one docgates could have written."""
    url, ok, status, checked_at = row
    if not isinstance(url, bytes) or not isinstance(status, bytes):
        return None
    if not isinstance(ok, int) or ok not in (0, 1):
        return None
    if isinstance(checked_at, bool) or not isinstance(checked_at, (int, float)):
        return None
    # A verdict from the future would never expire: a dead link would pass forever.
    if not math.isfinite(checked_at) or checked_at > now + _CLOCK_SKEW:
        return None
    try:
        return Verdict(url.decode("utf-8"), bool(ok), status.decode("utf-8"), float(checked_at), from_cache=True)
    except UnicodeDecodeError:
        return None


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
                target = _Target.parse(current)
                addresses = _resolve(target.host, target.port, deadline)
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
        except _BadUrl as exc:
            return False, str(exc)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return False, _describe(exc)

    def _vet(self, target: _Target, addresses: list[IPAddress], hop: int, seen_public: bool) -> bool:
        """Raises ``_Refused`` for a hop the policy forbids; returns whether the route has now
        touched a public address (after which no private one may follow)."""
        kinds = [(address, self.classify(address)) for address in addresses]
        where = _hop_description(target, hop)
        for address, kind in kinds:
            if kind == FORBIDDEN:
                raise _Refused(
                    f"{where} is at {_shown(address)}, a link-local or cloud-metadata address, which docgates "
                    "never fetches; remove the link, or list it in external_ignore"
                )
        public = [address for address, kind in kinds if kind == PUBLIC]
        private = [address for address, kind in kinds if kind != PUBLIC]
        if private and seen_public:
            raise _Refused(
                f"{where} is at the private address {_shown(private[0])}, after a public one; docgates "
                "never follows a redirect from a public address to a private one. Link to a public page, "
                "or list the link in external_ignore"
            )
        if private and public:
            raise _Refused(
                f"{where} is at both a public address ({_shown(public[0])}) and a private one ({_shown(private[0])}), "
                "so docgates fetches neither; list the link in external_ignore if you trust it"
            )
        if private and not self.options.allow_private:
            raise _Refused(
                f"{where} is at the private address {_shown(private[0])}, and external_allow_private is false; "
                "remove the link from this public site, or set external_allow_private: true"
            )
        return seen_public or bool(public)

    def _exchange(
        self, target: _Target, addresses: list[IPAddress], method: str, deadline: float
    ) -> tuple[int, str, http.client.HTTPMessage]:
        """Sends the request and reads the status and headers; the body is never needed."""
        tls = self._tls_context() if target.scheme == "https" else None
        connection = _PinnedConnection(target, addresses, deadline, tls)
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


def _hop_description(target: _Target, hop: int) -> str:
    """The subject of a refusal: "it", "its host example.com", "it redirects to '…', which"."""
    if hop == 0:
        return "it" if _is_address(target.host) else f"its host {target.host}"
    redirect = f"it redirects to '{_short(target.url)}'"
    return f"{redirect}, which" if _is_address(target.host) else f"{redirect}, whose host"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _shown(address: IPAddress) -> str:
    embedded = _embedded_ipv4(address)
    return f"{address} (that is {embedded})" if embedded else str(address)


class _BadUrl(ValueError):
    pass


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA), without brackets
    port: int
    path: str  # path and query, percent-encoded

    @classmethod
    def parse(cls, url: str) -> _Target:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise _BadUrl(f"leads to '{_short(url)}', which is not an http(s) URL")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
            host = parts.hostname or ""
            host = host if host.isascii() else host.encode("idna").decode("ascii")
        except (ValueError, UnicodeError):
            raise _BadUrl(f"'{_short(url)}' has an invalid host or port") from None
        if not host:
            raise _BadUrl(f"'{_short(url)}' has no host")
        # What a browser sends for spaces and non-ASCII characters; existing escapes are kept.
        path = quote(parts.path or "/", safe="/%!$&'()*+,;=:@~")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%!$&'()*+,;=:@~?")
        return cls(url, scheme, host, port, path)


def _resolve(host: str, port: int, deadline: float) -> list[IPAddress]:
    """The host's addresses, looked up within the deadline (the system resolver has no timeout
    of its own, so it runs in a thread that is left behind if it is slow)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    answer: list = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            answer.append(exc)

    thread = threading.Thread(target=lookup, name="docgates-dns", daemon=True)
    thread.start()
    thread.join(_seconds_left(deadline))
    if not answer:
        raise TimeoutError(f"looking up {host}")
    if isinstance(answer[0], OSError):
        raise answer[0]
    addresses: list[IPAddress] = []
    for *_, sockaddr in answer[0]:
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return addresses


def _seconds_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError()
    return left


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to addresses already vetted (a second DNS answer cannot swap in
    another), whose every read stops at one deadline: a server trickling a byte at a time
    cannot hold the request past it."""

    def __init__(
        self, target: _Target, addresses: list[IPAddress], deadline: float, tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(target.host, target.port)
        self.addresses = addresses
        self.deadline = deadline
        self.tls = tls

    def connect(self) -> None:
        sock = self._connect_any()
        if self.tls is not None:
            # The handshake as a whole is bounded by the socket timeout.
            sock.settimeout(_seconds_left(self.deadline))
            sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        self.sock = sock

    def _connect_any(self) -> socket.socket:
        error: OSError | None = None
        for address in self.addresses:
            try:
                return socket.create_connection((str(address), self.port), timeout=_seconds_left(self.deadline))
            except TimeoutError:
                raise
            except OSError as exc:
                error = exc
        assert error is not None
        raise error

    def response_class(self, sock: socket.socket, *args, **kwargs) -> http.client.HTTPResponse:  # noqa: D102
        # HTTPConnection.getresponse builds its response through this attribute.
        return http.client.HTTPResponse(_DeadlineSocket(sock, self.deadline), *args, **kwargs)


class _DeadlineSocket:
    """What ``HTTPResponse`` needs of a socket (``makefile``), with reads bounded by a deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self.sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        # A socket timeout bounds each read; the deadline bounds them all together.
        self.sock.settimeout(_seconds_left(self.deadline))
        return self.sock.recv_into(buffer)


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


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    return _short(str(reason) or type(reason).__name__)
