"""Where the org's reports come from: ``NAME=REPORT`` pairs or a sites file, read from disk or
fetched over http(s) concurrently.

A fetch never follows a redirect to another host or to a scheme other than http(s) (a site's
report is published with the site; a hop elsewhere is a misconfiguration or an attack), never
reads more than the size cap, and never waits longer than the timeout. Reports are handed to
the caller in the order the sites were listed, with only a few fetched ahead, so memory holds a
bounded number of reports however many sites there are.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from docgates import __version__
from docgates.core.safe_yaml import LineDict, LineList, YamlFileError, load_with_lines

REPORT_NAME = "quality.json"
DEFAULT_MAX_BYTES = 64 << 20
DEFAULT_TIMEOUT = 20.0
DEFAULT_PER_HOST = 4
WORKERS = 16


class SourcesError(ValueError):
    """A site list or ``NAME=REPORT`` argument that cannot be used (a usage error)."""


@dataclass(frozen=True)
class Source:
    name: str
    location: str
    # Where the site's readers go (its home page); "" when not known.
    link: str = ""

    @property
    def is_url(self) -> bool:
        return self.location.lower().startswith(("http://", "https://"))


@dataclass
class Fetched:
    source: Source
    body: bytes | None = None
    error: str | None = None


def parse_pair(text: str) -> Source:
    name, sep, location = text.partition("=")
    if not sep or not name.strip() or not location.strip():
        raise SourcesError(f"{text!r}: expected NAME=REPORT (a quality.json, a built site folder or an http(s) URL)")
    return Source(name.strip(), location.strip(), _default_link(location.strip()))


def load_sites_file(path: Path) -> list[Source]:
    """Sites from a YAML list (``- {name: payments, report: https://...}``), a YAML mapping
    (``payments: https://...``) or a CSV file with a ``name,report`` header. An optional
    ``link`` (YAML) or third column (CSV) is the site's home page for the portal."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot be read ({_reason(exc)})") from None
    base = path.parent
    if path.suffix.lower() == ".csv":
        return _from_csv(text, path, base)
    try:
        root = load_with_lines(text, str(path))
    except YamlFileError as exc:
        raise SourcesError(str(exc)) from None
    if root is None:
        raise SourcesError(f"{path}:1: no sites listed; add lines such as '- {{name: payments, report: https://docs.example.com/payments/quality.json}}'")
    sources: list[Source] = []
    if isinstance(root, LineDict):
        for key, value in root.items():
            line = root.key_lines[str(key)]
            if isinstance(value, (dict, list)):
                raise SourcesError(f"{path}:{line}: expected 'NAME: REPORT'")
            sources.append(_source(str(key), "" if value is None else str(value), "", base, f"{path}:{line}"))
    elif isinstance(root, LineList):
        for line, entry in zip(root.item_lines, root):
            if not isinstance(entry, dict) or not entry.get("name") or not (entry.get("report") or entry.get("url")):
                raise SourcesError(f"{path}:{line}: each entry needs 'name' and 'report' (a quality.json, a site folder or an http(s) URL)")
            report = entry.get("report") or entry["url"]
            sources.append(_source(str(entry["name"]), str(report), str(entry.get("link") or ""), base, f"{path}:{line}"))
    else:
        raise SourcesError(f"{path}:1: expected a list of sites or a mapping of name to report")
    return _unique(sources, path)


def _from_csv(text: str, path: Path, base: Path) -> list[Source]:
    rows = list(csv.reader(io.StringIO(text)))
    sources = []
    for number, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.casefold() for c in cells[:2]] == ["name", "report"]:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise SourcesError(f"{path}:{number}: expected 'name,report[,link]'")
        sources.append(_source(cells[0], cells[1], cells[2] if len(cells) > 2 else "", base, f"{path}:{number}"))
    return _unique(sources, path)


def _source(name: str, location: str, link: str, base: Path, where: str) -> Source:
    name, location = name.strip(), location.strip()
    if not name or not location:
        raise SourcesError(f"{where}: a site needs a name and a report")
    if not location.lower().startswith(("http://", "https://")) and "://" in location:
        raise SourcesError(f"{where}: {location!r}: only a path or an http(s) URL can be read")
    if "://" not in location:
        location = str((base / location).resolve()) if not os.path.isabs(location) else location
    return Source(name, location, link.strip() or _default_link(location))


def _unique(sources: list[Source], path: Path) -> list[Source]:
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise SourcesError(f"{path}: site {source.name!r} is listed twice; give each site its own name")
        seen.add(source.name)
    return sources


def _default_link(location: str) -> str:
    """A published site's home page: the folder its quality.json is in."""
    if location.lower().startswith(("http://", "https://")):
        return location.rsplit("/", 1)[0] + "/" if location.endswith(".json") else location.rstrip("/") + "/"
    return ""


# -- reading ------------------------------------------------------------------------------
class _Refused(Exception):
    pass


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if new.scheme.lower() not in ("http", "https"):
            raise _Refused(f"redirected to a {new.scheme or 'relative'}: address ({newurl}); only http(s) is followed")
        if (new.hostname, new.port) != (old.hostname, old.port):
            raise _Refused(f"redirected off its host to {newurl}; publish quality.json with the site or list the final address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameHostRedirects)


class Fetcher:
    def __init__(self, timeout: float = DEFAULT_TIMEOUT, per_host: int = DEFAULT_PER_HOST,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.per_host = per_host
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def read(self, source: Source) -> Fetched:
        try:
            body = self._url(source.location) if source.is_url else self._file(source.location)
        except _Refused as exc:
            return Fetched(source, error=str(exc))
        except (OSError, ValueError, urllib.error.URLError) as exc:
            return Fetched(source, error=_reason(exc))
        return Fetched(source, body=body)

    def _file(self, location: str) -> bytes:
        path = Path(location)
        if path.is_dir():
            path = path / REPORT_NAME
            if not path.exists():
                raise _Refused(f"no {REPORT_NAME} in this folder; build the site with the docgates/quality plugin")
        if not path.exists():
            raise _Refused("no such file; build the site first (mkdocs build) or fix the path")
        if path.stat().st_size > self.max_bytes:
            raise _Refused(self._too_big())
        with path.open("rb") as handle:
            return self._capped(handle)

    def _url(self, url: str) -> bytes:
        host = urllib.parse.urlsplit(url).netloc.lower()
        with self._lock:
            gate = self._hosts.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with gate:
            request = urllib.request.Request(url, headers={"User-Agent": f"docgates/{__version__} (org view)",
                                                           "Accept": "application/json"})
            try:
                with _OPENER.open(request, timeout=self.timeout) as response:
                    length = response.headers.get("Content-Length")
                    if length and length.isdigit() and int(length) > self.max_bytes:
                        raise _Refused(self._too_big())
                    return self._capped(response)
            except urllib.error.HTTPError as exc:
                if 300 <= exc.code < 400 and exc.headers.get("Location"):
                    # urllib itself refuses a redirect to a scheme other than http, https, ftp.
                    raise _Refused(f"redirected to {exc.headers['Location']}; only http(s) on the same host is followed") from None
                raise _Refused(f"HTTP {exc.code} {exc.reason}") from None
            except urllib.error.URLError as exc:
                if not isinstance(exc.reason, TimeoutError):
                    raise
                raise _Refused(f"no answer within {self.timeout:g} s (--timeout)") from None
            except TimeoutError:
                raise _Refused(f"no answer within {self.timeout:g} s (--timeout)") from None

    def _capped(self, handle) -> bytes:
        data = handle.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise _Refused(self._too_big())
        return data

    def _too_big(self) -> str:
        return f"larger than the --max-size limit ({self.max_bytes:,} bytes); raise it if the report is that big"

    def read_all(self, sources: Iterable[Source], ahead: int = WORKERS) -> Iterator[Fetched]:
        """Each source's report in the listed order, at most ``ahead`` read before they are used."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="docgates-org") as pool:
            pending: deque[concurrent.futures.Future[Fetched]] = deque()
            for source in sources:
                pending.append(pool.submit(self.read, source))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        return f"cannot connect: {getattr(reason, 'strerror', None) or reason}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 (byte {exc.start})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
