"""A full-site crawl with LinkChecker, mapped back to source pages.

LinkChecker runs as a subprocess against the built site, which we serve over HTTP on a random
127.0.0.1 port (its local-file mode reports false anchor errors on directory URLs). What we
measured and handle here:

- As root it switches its effective user to ``nobody``. Nothing it needs is a file it opens
  after that: the site comes over HTTP from our process, the CSV goes to an inherited stdout
  descriptor, and the config file is read before the switch.
- It waits 0.1-0.6 s between requests to a host unless the server sends a ``LinkChecker``
  response header and ``maxrequestspersecond`` is raised; our server sends the header.
- It reports each failing URL once, from whichever page it met it on first; we find every
  other page that links to it by scanning the built pages that mention it.
- It closes a response it does not need to read; the server takes that quietly.

Anchors are checked here, not by LinkChecker's ``[AnchorCheck]`` plugin: the built pages are
on disk, so every ``#fragment`` link of every page is looked up in the ids of the page it
leads to. That gives the same answer however busy the machine is (the plugin checks a
fragment only when a page's content download finished, and says nothing otherwise), and
LinkChecker fetches each page once instead of once per distinct ``#fragment`` URL.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urljoin, urlsplit

from docgates.core.findings import Finding, SeverityPolicy
from docgates.core.report import QualityReport
from docgates.links.scan import SourceLocator, scan_html
from docgates.links.site_server import SiteServer

class LinkcheckError(Exception):
    """LinkChecker could not run, or its output could not be read; the message says why."""


# -- running LinkChecker ------------------------------------------------------------------
@dataclass
class CrawlOptions:
    external: bool = False
    anchors: bool = True
    threads: int = 10
    timeout: int = 30
    progress_every: float = 5.0


@dataclass
class Crawl:
    rows: list[dict[str, str]]
    base_url: str
    seconds: float
    requests: int
    returncode: int
    # Requests our own server could not answer: the crawl may have missed what lies behind them.
    server_errors: int = 0
    # What ``alongside`` returned.
    alongside: Any = None


def find_linkchecker() -> str:
    """The ``linkchecker`` next to this Python (a virtualenv), else the one on PATH."""
    beside = Path(sys.executable).parent / "linkchecker"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("linkchecker")
    if not found:
        raise LinkcheckError(
            "LinkChecker is not installed; install it with: pip install 'docgates[linkcheck]'"
        )
    return found


def linkchecker_config(options: CrawlOptions) -> str:
    lines = [
        "[checking]",
        f"threads={max(1, options.threads)}",
        f"timeout={max(1, options.timeout)}",
        # Our loopback server can take it; without this LinkChecker sleeps between requests.
        "maxrequestspersecond=1000",
        "robotstxt=0",
        "[filtering]",
        f"checkextern={int(options.external)}",
        "[output]",
        "status=0",
        "warnings=1",
    ]
    return "\n".join(lines) + "\n"


def crawl(
    site_dir: Path,
    options: CrawlOptions,
    progress: Callable[[str], None] | None = None,
    executable: str | None = None,
    alongside: Callable[[str], Any] | None = None,
) -> Crawl:
    """Serve ``site_dir``, crawl it from its home page, return LinkChecker's CSV rows.

    ``alongside(base_url)`` runs in a thread while LinkChecker crawls (which is another
    process, so the two share no lock): work on the site's files, such as the anchors, then
    costs no time of its own on a machine with a second core."""
    command = executable or find_linkchecker()
    with (
        tempfile.TemporaryDirectory(prefix="docgates-linkcheck-") as work,
        SiteServer(site_dir) as server,
        ThreadPoolExecutor(max_workers=1) as beside,
    ):
        side = beside.submit(alongside, server.base_url) if alongside else None
        config = Path(work) / "linkcheckerrc"
        config.write_text(linkchecker_config(options), encoding="utf-8")
        out_path, err_path = Path(work) / "out.csv", Path(work) / "err.txt"
        env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
        # LinkChecker's own XDG files (cookies, failures log) go nowhere persistent.
        env.update(XDG_CONFIG_HOME=work, XDG_DATA_HOME=work)
        started = time.monotonic()
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                [command, "-f", str(config), "-o", "csv/utf-8", "--no-status", server.base_url],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
            )
            try:
                while True:
                    try:
                        proc.wait(timeout=options.progress_every)
                        break
                    except subprocess.TimeoutExpired:
                        if progress:
                            elapsed = time.monotonic() - started
                            progress(f"{server.requests} URLs fetched in {elapsed:.0f} s, still crawling...")
            except BaseException:
                proc.kill()
                proc.wait()
                raise
        seconds = time.monotonic() - started
        output = out_path.read_text(encoding="utf-8", errors="replace")
        errors = err_path.read_text(encoding="utf-8", errors="replace")
        if proc.returncode not in (0, 1):
            tail = "\n".join(errors.strip().splitlines()[-8:])
            raise LinkcheckError(f"LinkChecker failed (exit status {proc.returncode}):\n{tail}")
        rows = parse_csv(output)
        return Crawl(
            rows, server.base_url, seconds, server.requests, proc.returncode, server.errors, side.result() if side else None
        )


def parse_csv(text: str) -> list[dict[str, str]]:
    """LinkChecker's CSV (semicolon-separated, ``#`` comment lines) as dicts by column."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("urlname;")), None)
    if start is None:
        return []
    # Comments are "# ..." lines; a row may itself start with "#" (a same-page anchor link).
    body = "\n".join(line for line in lines[start:] if line and not line.startswith("# "))
    reader = csv.DictReader(io.StringIO(body), delimiter=";", quotechar='"')
    if not reader.fieldnames or "urlname" not in reader.fieldnames or "parentname" not in reader.fieldnames:
        raise LinkcheckError(f"unexpected LinkChecker CSV header: {reader.fieldnames!r}")
    return [dict(row) for row in reader]


# -- mapping failures back to pages -------------------------------------------------------
@dataclass(frozen=True)
class Failure:
    """One failing URL as LinkChecker saw it (``url`` absolute, fragment included)."""

    url: str
    kind: str  # "broken", "anchor" or "external"
    detail: str


@dataclass
class SiteMap:
    """URL <-> source page, from ``quality.json``; where sources are, if known."""

    base_url: str
    url_to_path: dict[str, str] = field(default_factory=dict)
    path_to_url: dict[str, str] = field(default_factory=dict)
    docs_dir: Path | None = None

    @classmethod
    def from_report(cls, report: QualityReport | None, base_url: str, docs_dir: Path | None) -> "SiteMap":
        site = cls(base_url, docs_dir=docs_dir)
        for path, page in (report.pages.items() if report else ()):
            site.url_to_path[_key(unquote(page.url))] = path
            site.path_to_url[path] = page.url
        return site

    def local(self, url: str) -> str | None:
        """The site-relative path of a URL on our server, else None."""
        if not url.startswith(self.base_url):
            return None
        return unquote(urlsplit(url).path).lstrip("/")

    def page_of(self, url: str) -> str | None:
        local = self.local(url)
        return None if local is None else self.url_to_path.get(_key(local))


def unfinished(rows: list[dict[str, str]], base_url: str) -> list[str]:
    """Pages of the site LinkChecker fetched but could not read to the end (a dropped
    connection, a timeout while downloading): the links on them went unchecked."""
    return sorted(
        {
            row.get("url") or ""
            for row in rows
            if (row.get("url") or "").startswith(base_url) and "could not get content" in (row.get("warningstring") or "")
        }
    )


def classify(rows: list[dict[str, str]], base_url: str) -> tuple[list[Failure], dict[str, set[str]]]:
    """Failures, and for each failing URL the parent pages LinkChecker named with the link
    text it found there (``{url: {"parent\\x1fhref"}}``)."""
    failures: dict[str, Failure] = {}
    parents: dict[str, set[str]] = {}
    for row in rows:
        url = row.get("url") or row.get("urlname") or ""
        valid = (row.get("valid") or "").strip().lower() == "true"
        warnings = row.get("warningstring") or ""
        internal = url.startswith(base_url)
        if not valid:
            detail = (row.get("result") or row.get("infostring") or "failed").strip()
            kind = "broken" if internal else "external"
        else:
            continue  # other warnings (redirects, empty content) are not broken links
        failures.setdefault(url, Failure(url, kind, detail))
        parent = row.get("parentname") or ""
        if parent:
            parents.setdefault(url, set()).add(f"{parent}\x1f{row.get('urlname') or ''}")
    return list(failures.values()), parents


def missing_anchors(site_dir: Path, base_url: str) -> tuple[list[Failure], dict[str, set[str]]]:
    """Links of the built pages to a ``#fragment`` their target page has no id for, as
    ``classify`` gives LinkChecker's failures: the failures, and their parent pages.

    Every HTML file of the site is read once; a link to another site, to a file that is not
    HTML or to a page that does not exist is not an anchor question (LinkChecker reports a
    missing page).
    """
    root = site_dir.resolve()
    scans: dict[Path, Any] = {}
    # Most links are the navigation's, the same few hundred targets on every page.
    targets: dict[str, Path | None] = {}

    def scan_of(html_file: Path) -> Any:
        if html_file not in scans:
            scans[html_file] = scan_html(html_file.read_text(encoding="utf-8", errors="replace"))
        return scans[html_file]

    failures: dict[str, Failure] = {}
    parents: dict[str, set[str]] = {}
    base_path = urlsplit(base_url).path
    for html_file in sorted(root.rglob("*.html")):
        relative = html_file.relative_to(root).as_posix()
        page_url = urljoin(base_url, relative[: -len("index.html")] if relative.endswith("index.html") else relative)
        for link in scan_of(html_file).links:
            target_url = urljoin(page_url, link.url)
            parts = urlsplit(target_url)
            if not parts.fragment or not target_url.startswith(base_url):
                continue
            local = parts.path[len(base_path):]
            if local not in targets:
                targets[local] = _html_file(root, local)
            target = targets[local]
            if target is None or target.suffix != ".html" or unquote(parts.fragment) in scan_of(target).ids:
                continue
            failures.setdefault(target_url, Failure(target_url, "anchor", "no such anchor"))
            parents.setdefault(target_url, set()).add(f"{page_url}\x1f{link.url}")
    return list(failures.values()), parents


def linking_pages(site_dir: Path, site: SiteMap, failing: set[str]) -> dict[str, set[tuple[str, str]]]:
    """``{failing url: {(page path, href as written in its HTML)}}`` over every built page.

    Only pages whose HTML mentions a failing URL's last path segment or fragment are parsed.
    """
    needles = {_needle(url) for url in failing}
    found: dict[str, set[tuple[str, str]]] = {}
    for path, url in site.path_to_url.items():
        html_file = _html_file(site_dir, url)
        if html_file is None:
            continue
        text = html_file.read_text(encoding="utf-8", errors="replace")
        if not any(needle in text for needle in needles):
            continue
        page_url = urljoin(site.base_url, url)
        for link in scan_html(text).links:
            absolute = urljoin(page_url, link.url)
            if absolute in failing:
                found.setdefault(absolute, set()).add((path, link.url))
    return found


def findings_for(
    failures: list[Failure],
    parents: dict[str, set[str]],
    linked_from: dict[str, set[tuple[str, str]]],
    site: SiteMap,
    policy: SeverityPolicy,
) -> list[Finding]:
    rules = {"broken": "links/broken", "anchor": "links/anchor", "external": "links/external"}
    locators: dict[str, SourceLocator | None] = {}
    results: list[Finding] = []
    for failure in sorted(failures, key=lambda f: f.url):
        rule = rules[failure.kind]
        target = site.local(failure.url)
        shown_target = failure.url if target is None else "/" + target
        places = set(linked_from.get(failure.url, set()))
        elsewhere: set[tuple[str, str]] = set()  # (page URL, href) of pages with no source
        for entry in parents.get(failure.url, ()):
            parent, _, href = entry.partition("\x1f")
            path = site.page_of(parent)
            if path is None:
                shown = site.local(parent)
                elsewhere.add(("/" + shown if shown is not None else parent, href))
            elif not any(p == path for p, _ in places):
                places.add((path, href))
        for page_url, href in sorted(elsewhere):
            message = f"{page_url}: link '{href}' leads to {shown_target}: {failure.detail} (LinkChecker)"
            results.append(policy.finding(rule, "", 0, message, f"{rule} {page_url} {href}"))
        for path, href in sorted(places):
            if path not in locators:
                locators[path] = _locator(site.docs_dir, path)
            locator = locators[path]
            line = locator.find(href) if locator else None
            # Not in the Markdown: the theme, mkdocs.yml (nav, copyright, extra) or a plugin
            # put the link on the page.
            elsewhere_note = " (not in this page's Markdown: the theme, mkdocs.yml or a plugin adds it)" if locator and line is None else ""
            if failure.kind == "anchor":
                fragment = urlsplit(failure.url).fragment
                message = (
                    f"link '{href}' leads to {shown_target}#{fragment}, but that page has no such "
                    "anchor; link to an id the page has"
                )
            else:
                message = f"link '{href}' leads to {shown_target}: {failure.detail} (LinkChecker)"
            results.append(policy.finding(rule, path, line or 1, message + elsewhere_note, f"{rule} {href}"))
    return sorted(results, key=lambda f: (f.path, f.line, f.rule, f.message))


def _locator(docs_dir: Path | None, path: str) -> SourceLocator | None:
    if docs_dir is None:
        return None
    source = (docs_dir / path).resolve()
    try:
        source.relative_to(docs_dir.resolve())
        return SourceLocator(source.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, OSError):
        return None


def _html_file(site_dir: Path, url: str) -> Path | None:
    local = unquote(url).lstrip("/")
    candidate = site_dir / local
    if not local or local.endswith("/"):
        candidate = candidate / "index.html"
    try:
        candidate.resolve().relative_to(site_dir.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


def _needle(url: str) -> str:
    parts = urlsplit(url)
    if parts.fragment:
        return parts.fragment
    segment = posixpath.basename(parts.path.rstrip("/"))
    return segment or url


def _key(path: str) -> str:
    key = path.strip("/")
    if key == "index.html" or key.endswith("/index.html"):
        key = key[: -len("index.html")].rstrip("/")
    return key
