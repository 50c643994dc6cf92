"""docgates org and remind with reports from the web (a 127.0.0.1 server) and from an attacker:
redirects off the host refused, everything from reports escaped, payloads stable."""

from __future__ import annotations

import http.server
import json
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from org_fixtures import DAY_ONE, DAY_TWO, build_on, docgates, make_site, read_json

HOSTILE_SITE = "<script>window.__pwned=1</script>"
HOSTILE_OWNER = "@mallory](javascript:alert(1)) **boss** @everyone #1 <b>x</b>"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=2"> [click](javascript:alert(2))'


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("org-inputs")
    site = make_site(root / "payments", "Payments", "Pat Payments <pat@corp.example>")
    return build_on(site, DAY_TWO, root / "published" / "payments")


@pytest.fixture(scope="module")
def server(published):
    """Serves the published site, plus redirects: one on the host, one off it, one to file:."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(published), **kwargs)

        def log_message(self, *args):
            pass

        def do_GET(self):
            port = self.server.server_address[1]
            targets = {"/same": "/quality.json", "/off": f"http://localhost:{port}/quality.json",
                       "/file": "file:///etc/passwd"}
            if self.path in targets:
                self.send_response(302)
                self.send_header("Location", targets[self.path])
                self.end_headers()
                return
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_reports_over_http_and_redirects(server, tmp_path):
    proc = docgates("org", f"web={server}/quality.json", f"moved={server}/same", f"elsewhere={server}/off",
                    f"local-file={server}/file", f"gone={server}/nothing.json", cwd=tmp_path, day=DAY_TWO)
    assert proc.returncode == 1
    org = read_json(tmp_path / "org-site" / "org.json")
    assert {s["name"]: s["pages"] for s in org["sites"]} == {"web": 3, "moved": 3}
    assert org["sites"][0]["link"] == f"{server}/"
    reasons = {p["name"]: p["reason"] for p in org["problems"]}
    assert reasons["elsewhere"].startswith(f"redirected off its host to http://localhost:")
    assert reasons["local-file"].startswith("redirected to file:///etc/passwd; only http(s) on the same host")
    assert reasons["gone"] == "HTTP 404 File not found"


def _hostile_report(published: Path, tmp_path: Path) -> Path:
    report = read_json(published / "quality.json")
    for page in report["pages"]:
        page["owner"] = [HOSTILE_OWNER]
        page["title"] = HOSTILE_TITLE
        page["url"] = "javascript:alert(3)"
        page["findings"] = [{"rule": "links/broken", "severity": "error", "message": "<b>bad</b>", "line": 1}]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def test_hostile_report_is_escaped_in_the_portal_and_the_payloads(published, tmp_path):
    hostile = _hostile_report(published, tmp_path)
    # A name with '=' cannot be a NAME=REPORT argument; a sites file can hold any name.
    (tmp_path / "sites.yml").write_text(json.dumps([{"name": HOSTILE_SITE, "report": str(hostile), "link": "javascript:alert(4)"},
                                                    {"name": "payments", "report": str(published)}]), encoding="utf-8")
    proc = docgates("org", "--from", "sites.yml", cwd=tmp_path, day=DAY_TWO)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "org-site" / "index.html").read_text(encoding="utf-8")
    parsed = _Elements()
    parsed.feed(page)
    assert parsed.tags.count("script") == 1  # the table-sorting script, nothing from the report
    assert "img" not in parsed.tags and "b" not in parsed.tags
    assert not [h for h in parsed.hrefs if "javascript" in h.lower()]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    org = read_json(tmp_path / "org-site" / "org.json")
    assert org["sites"][0]["name"] == HOSTILE_SITE  # data stays data in JSON

    issues = docgates("remind", "--org", "docgates-org.sqlite", "--within", "400", "--format", "github-issues",
                      cwd=tmp_path, day=DAY_TWO)
    assert issues.returncode == 0, issues.stderr
    payloads = {p["owner"]: p for p in json.loads(issues.stdout)}
    body = payloads[HOSTILE_OWNER]["body"]
    assert payloads[HOSTILE_OWNER]["assignees"] == []  # not a GitHub user name
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(body)
    assert "<img" not in rendered and "<b>" not in rendered and "<script" not in rendered
    assert "javascript:" not in " ".join(_hrefs(rendered))
    assert "@everyone" not in body and "@mallory" not in body  # no mention: a word joiner follows '@'
    chat = docgates("remind", "--org", "docgates-org.sqlite", "--within", "400", cwd=tmp_path, day=DAY_TWO)
    assert "<img" not in MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(chat.stdout)


def _hrefs(html: str) -> list[str]:
    parsed = _Elements()
    parsed.feed(html)
    return parsed.hrefs


def test_remind_payloads_are_stable_and_route_to_owners(published, tmp_path):
    assert docgates("org", f"payments={published}", cwd=tmp_path, day=DAY_TWO).returncode == 0
    args = ("remind", "--org", "docgates-org.sqlite", "--format", "github-issues", "--within", "0")
    first = docgates(*args, cwd=tmp_path, day=DAY_TWO)
    second = docgates(*args, cwd=tmp_path, day=DAY_TWO)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    payloads = json.loads(first.stdout)
    # Only the guide is overdue on day two (due 2026-11-28): one issue, for its owner.
    assert [p["owner"] for p in payloads] == ["@alice"]
    alice = payloads[0]
    assert alice["assignees"] == ["alice"] and alice["labels"] == ["docs-review"]
    assert alice["title"] == "Docs due for review: @alice"
    assert alice["body"].startswith(alice["marker"] + "\n") and "Guide" in alice["body"]
    # A week later the same owner's issue has the same marker (the workflow edits it).
    later = json.loads(docgates(*args, cwd=tmp_path, day="2027-03-08").stdout)
    assert later[0]["marker"] == alice["marker"] and later[0]["body"] != alice["body"]
    # The registered team's pages are due later; a team handle is never an assignee.
    team = json.loads(docgates("remind", "--org", "docgates-org.sqlite", "--format", "github-issues",
                               "--within", "365", "--owner", "docs-team", cwd=tmp_path, day=DAY_TWO).stdout)
    assert [(p["owner"], p["assignees"]) for p in team] == [("@docs-team", [])]


def test_remind_for_one_site_uses_the_stale_digest(tmp_path):
    site = make_site(tmp_path / "payments", "Payments", "Pat Payments <pat@corp.example>")
    proc = docgates("remind", "--within", "0", cwd=site.root, day=DAY_TWO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("### \\@\u2060alice\n")
    assert "docgates review docs/guide.md" in proc.stdout
    assert "1 stale, 0 due soon" in proc.stdout
    assert DAY_ONE not in proc.stdout


class _Gate(http.server.BaseHTTPRequestHandler):
    """Answers with the report only once ``expected`` requests are in at the same time (or
    after ``hold`` seconds: a limit of one never lets the second in), and counts how many were
    ever in at once."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        with server.lock:
            server.active += 1
            server.most = max(server.most, server.active)
        if self.path == "/hang":
            server.release.wait(30)
        else:
            try:
                server.barrier.wait(timeout=server.hold)
            except threading.BrokenBarrierError:
                pass
        # Done before the answer is sent: a client that may fetch once at a time sends its next
        # request as soon as it has this one's body, which can be before this thread runs again.
        with server.lock:
            server.active -= 1
        body = server.report
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _gate_server(report: bytes, expected: int, hold: float = 3):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gate)
    httpd.daemon_threads = True
    httpd.hold = hold
    httpd.lock, httpd.active, httpd.most, httpd.report = threading.Lock(), 0, 0, report
    httpd.barrier, httpd.release = threading.Barrier(expected), threading.Event()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.mark.parametrize("per_host", [1, 2])
def test_fetches_per_host_are_limited(published, tmp_path, per_host):
    # With a limit of two, both requests come, however slowly a busy machine starts the second:
    # wait for it (a hang guard only). With a limit of one, the first holds 3 s, in which an
    # unlimited fetcher would send the second.
    httpd, url = _gate_server((published / "quality.json").read_bytes(), expected=2, hold=3 if per_host == 1 else 300)
    try:
        proc = docgates("org", f"a={url}/a.json", f"b={url}/b.json", "--per-host", str(per_host), cwd=tmp_path, day=DAY_TWO)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert proc.returncode == 0, proc.stderr
    assert httpd.most == per_host


def test_a_report_that_never_comes_is_a_timeout(published, tmp_path):
    httpd, url = _gate_server(b"{}", expected=1)
    try:
        proc = docgates("org", f"slow={url}/hang", f"local={published}", "--timeout", "0.5", cwd=tmp_path, day=DAY_TWO)
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()
    assert proc.returncode == 1
    assert "docgates org: slow: " in proc.stderr and "no answer within 0.5 s (--timeout)" in proc.stderr
    assert [s["name"] for s in read_json(tmp_path / "org-site" / "org.json")["sites"]] == ["local"]


def test_pages_behind_their_code_get_a_column(published, tmp_path):
    report = read_json(published / "quality.json")
    report["pages"][0]["code_changed"] = {"date": "2027-02-01", "commits": 2, "paths": ["src/app.py"]}
    (tmp_path / "coupled.json").write_text(json.dumps(report), encoding="utf-8")
    assert docgates("org", f"coupled={tmp_path / 'coupled.json'}", cwd=tmp_path, day=DAY_TWO).returncode == 0
    assert read_json(tmp_path / "org-site" / "org.json")["sites"][0]["behind_code"] == 1
    assert '<th scope="col" data-numeric>Behind code</th>' in (tmp_path / "org-site" / "index.html").read_text()


def test_sites_file_mistakes_name_the_line_of_the_entry(tmp_path):
    from docgates.org.sources import SourcesError, load_sites_file

    sites = tmp_path / "sites.yml"
    sites.write_text("# the org's sites\n- {name: a, report: a.json}\n- name: b\n  link: https://b.example.com/\n", encoding="utf-8")
    with pytest.raises(SourcesError, match=r"sites\.yml:3: each entry needs 'name' and 'report'"):
        load_sites_file(sites)
    sites.write_text("a: a.json\nb: [b.json]\n", encoding="utf-8")
    with pytest.raises(SourcesError, match=r"sites\.yml:2: expected 'NAME: REPORT'"):
        load_sites_file(sites)
    sites.write_text("- {name: a, report: a.json}\n- {name: b, report: [b.json\n", encoding="utf-8")
    with pytest.raises(SourcesError, match=r"sites\.yml:3: not valid YAML: .*\(the construct started on line 2\)"):
        load_sites_file(sites)
