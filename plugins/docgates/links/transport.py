"""One HTTP(S) request to addresses already vetted, bounded by one deadline.

``Target.parse`` reads a URL as a request needs it; ``resolve_host`` looks a host up within the
deadline; ``PinnedConnection`` connects only to the vetted addresses (a second DNS answer
cannot swap in another) and stops every read at the deadline (a server trickling a byte at a
time cannot hold a build).
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from docgates.links.addresses import IPAddress


def short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class BadUrl(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA), without brackets
    port: int
    path: str  # path and query, percent-encoded

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise BadUrl(f"leads to '{short(url)}', which is not an http(s) URL")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
            host = parts.hostname or ""
            host = host if host.isascii() else host.encode("idna").decode("ascii")
        except (ValueError, UnicodeError):
            raise BadUrl(f"'{short(url)}' has an invalid host or port") from None
        if not host:
            raise BadUrl(f"'{short(url)}' has no host")
        # What a browser sends for spaces and non-ASCII characters; existing escapes are kept.
        path = quote(parts.path or "/", safe="/%!$&'()*+,;=:@~")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%!$&'()*+,;=:@~?")
        return cls(url, scheme, host, port, path)



def resolve_host(host: str, port: int, deadline: float) -> list[IPAddress]:
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
    thread.join(seconds_left(deadline))
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


def seconds_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError()
    return left



class PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to addresses already vetted (a second DNS answer cannot swap in
    another), whose every read stops at one deadline: a server trickling a byte at a time
    cannot hold the request past it."""

    def __init__(
        self, target: Target, addresses: list[IPAddress], deadline: float, tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(target.host, target.port)
        self.addresses = addresses
        self.deadline = deadline
        self.tls = tls

    def connect(self) -> None:
        sock = self._connect_any()
        if self.tls is not None:
            # The handshake as a whole is bounded by the socket timeout.
            sock.settimeout(seconds_left(self.deadline))
            sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        self.sock = sock

    def _connect_any(self) -> socket.socket:
        error: OSError | None = None
        for address in self.addresses:
            try:
                return socket.create_connection((str(address), self.port), timeout=seconds_left(self.deadline))
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
        self.sock.settimeout(seconds_left(self.deadline))
        return self.sock.recv_into(buffer)

