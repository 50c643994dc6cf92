"""Script and markup from every data source of the docs-day leaderboard and the quality
dashboard: git author names and subjects, post-mortem factors and action items, checklist
labels from the site's checklists file, team registry fields, ``chat_url``, page file names
with quotes and angle brackets, and chart labels inside the SVG.

One real site carries all of them; an HTML parser walks what docgates renders and fails on
any element, event attribute or script URL a hostile string could have injected, and the
hostile text must come out as text, escaped exactly once."""

from __future__ import annotations

import html.parser
import json
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
import pytest

from conftest import GitRepo
from docgates.dashboard import charts
from docgates.dashboard.inputs import DashboardInput
from docgates.dashboard.page import render
from docgates.leaderboard.model import Contribution, Leaderboard, Score
from docgates.leaderboard.render import render_html
from docgates.leaderboard.window import Window

from .hostile import INJECTED_ATTRS, INJECTED_TAGS, _DocgatesScanner, dump_yaml, has_traceback, new_site, scan_markdown
from .test_escaping_hostile import AUTHOR, PAYLOAD

TEMPLATES = Path(__file__).resolve().parents[2] / "plugins" / "docgates" / "templates"

# Each breaks out of a different context: element text, an attribute value, an SVG <title>,
# CDATA, a comment; the last is a script address shown as text.
PAYLOADS = (
    PAYLOAD,
    '"><img src=x onerror=alert(1)>',
    "</title><script>alert(1)</script>",
    "]]><x-pwn data-pwn=1><!--",
    "javascript:alert(1)",
)
FACTOR = f"factor {PAYLOADS[1]}"
ACTION = f"Patch {PAYLOADS[2]} & \"now\""
SECTION = "Lessons <x-pwn data-pwn=1> & 'q'"
LABEL = f"Post-mortem {PAYLOAD}"
OWNER = "@evil\"<x-pwn data-pwn=1>&'"
# File names with quotes, angle brackets and a scheme; MkDocs turns them into URLs.
ODD_NAME = "we\"ird <x-pwn data-pwn=1>'s.md"
SCHEME_NAME = "javascript:alert(1).md"
SUBJECT = f"Rescue {PAYLOAD}\n\nBody <script>alert(2)</script>\n::error::forged"
# Git drops '<', '>' and newlines from names: quotes, '&' and a script address remain.
SECOND_AUTHOR = "Mallory \"onclick=alert(1)\" javascript:alert(1) & 'x' Jr"

REGISTRY = {OWNER: {"name": f"Evil {PAYLOAD}", "contact": "#evil&chan", "url": "https://example.com/t?a=1&b=2"}}
CHECKLISTS = {
    "postmortem": {"extends": "postmortem", "label": LABEL, "required_sections": [SECTION]},
}

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class _StrictScanner(_DocgatesScanner):
    """As the shared scanner, plus any ``on*`` attribute and any URL attribute (SVG's
    ``xlink:href`` too) whose scheme, read as a browser reads it, is not a navigation."""

    def _inspect(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in INJECTED_TAGS:
            self.found.tags.append(tag)
        for name, value in attrs:
            if name in INJECTED_ATTRS or name.startswith("on"):
                self.found.attrs.append(f"{tag}[{name}]")
            if name in URL_ATTRS and value and urlsplit(value).scheme.lower() not in SAFE_SCHEMES:
                self.found.urls.append(value)


def scan(text: str):
    scanner = _StrictScanner()
    scanner.feed(text)
    scanner.close()
    return scanner.found


def _whole(text: str):
    """Every element counts (a lone SVG, a rendered partial)."""
    return scan(f'<div class="docgates-dashboard">{text}</div>')


def _postmortem(title: str) -> str:
    meta = dump_yaml({
        "title": title, "type": "postmortem", "owner": OWNER, "reviewed": "2026-11-01", "incident_date": "2026-01-01",
        "severity": "SEV2", "contributing_factors": [FACTOR, PAYLOAD],
    })
    sections = "".join(f"## {name}\n\nText.\n\n" for name in ("Summary", "Impact", "Timeline", "Contributing factors"))
    return (f"---\n{meta}---\n{sections}## Action items\n\n"
            f"- [ ] {ACTION} due 2026-02-01\n- [x] Done {PAYLOADS[3]}\n")


def _files(root: Path) -> dict[str, bytes]:
    """The user's files: everything but the build's output, its cache and git's own."""
    skip = {"site", ".cache", ".git"}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not skip & set(p.relative_to(root).parts)
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated") / "project"
    site = new_site(root)
    repo = GitRepo(root)
    site.config["plugins"] = [
        "search",
        {"docgates/ownership": {"registry": "teams.yml", "chat_url": "https://chat.example.com/c/{channel}"}},
        "docgates/freshness",
        "docgates/readability",
        {"docgates/checklist": {"checklists": "checklists.yml"}},
        "docgates/links",
        {"docgates/leaderboard": {"since": "2026-11-01"}},
        "docgates/quality",
    ]
    old = dump_yaml({"reviewed": "2025-01-01"})
    repo.commit("start", date="2026-01-01T10:00:00+00:00", author=f"{AUTHOR} <ann@example.com>", files={
        "mkdocs.yml": dump_yaml(site.config),
        "teams.yml": dump_yaml(REGISTRY),
        "checklists.yml": dump_yaml(CHECKLISTS),
        "docs/index.md": f"---\nowner: '@x'\nreviewed: 2026-11-01\n---\n# Home\n\n[odd]({quote(ODD_NAME)})\n",
        f"docs/{ODD_NAME}": f"---\n{old}---\nNo title here.\n\n[gone](missing.md)\n",
        "docs/pm/one.md": _postmortem(f"Outage {PAYLOAD}"),
    })
    # In the window: the odd page rescued, adopted by the hostile owner and its link fixed;
    # a new post-mortem and a page whose file name is a script address.
    fixed = dump_yaml({"reviewed": "2026-11-10", "owner": OWNER})
    repo.commit(SUBJECT, date="2026-11-10T10:00:00+00:00", author=f"{AUTHOR} <ann@example.com>", files={
        f"docs/{ODD_NAME}": f"---\n{fixed}---\nNo title here.\n\n[home](index.md)\n",
    })
    repo.commit(f"Add {PAYLOADS[2]}", date="2026-11-12T10:00:00+00:00", author=f"{SECOND_AUTHOR} <m@example.com>", files={
        "docs/pm/two.md": _postmortem(f"Outage two {PAYLOADS[1]}"),
        f"docs/{SCHEME_NAME}": "---\nreviewed: 2026-11-12\n---\n# Scheme\n\nText.\n",
    })
    before = _files(root)
    build = site.build(keep_config=True)
    return site, build, before


def _page(site, url_path: str) -> str:
    return (site.root / "site" / url_path / "index.html").read_text(encoding="utf-8")


PAGES = ["quality", "leaderboard", "pm/one", "pm/two", "we\"ird <x-pwn data-pwn=1>'s"]


@pytest.mark.parametrize("where", PAGES)
def test_no_markup_from_data_in_generated_pages(built, where, tally):
    site, build, _ = built
    found = scan(_page(site, where))
    tally.tried(f"generated pages: {where}", traceback=has_traceback(build.output), unescaped=not found.clean)
    assert not has_traceback(build.output), build.output[-3000:]
    assert found.roots >= 1, f"no docgates markup on {where}/"
    assert found.clean, found


def test_build_changes_no_byte_of_the_users_files(built, tally):
    site, _, before = built
    after = _files(site.root)
    tally.tried("generated pages: user files after the build", changed=after != before)
    assert after == before


def _text(site, where: str) -> str:
    return " ".join(scan(_page(site, where)).text)


def test_dashboard_shows_hostile_text_as_text(built, tally):
    site, build, _ = built
    text = _text(site, "quality")
    tally.tried("generated pages: front matter title on the dashboard", changed=f"Outage {PAYLOAD}" not in text)
    assert build.page("pm/one.md")["checklist"]["type"] == "postmortem"
    assert FACTOR.casefold() in text  # repeated contributing factors, casefolded
    assert PAYLOAD.casefold() in text
    assert f"Section '{SECTION}'" in text  # the checklist's missing section
    assert OWNER in text
    assert f"Outage {PAYLOAD}" in text  # a front matter title, "&amp;" and all


def test_leaderboard_shows_hostile_text_as_text(built):
    site, build, _ = built
    board = build.report["site"]["leaderboard"]
    assert {p["name"] for p in board["people"]} == {AUTHOR, SECOND_AUTHOR}
    kinds = {(c["path"], c["kind"]) for c in board["contributions"]}
    assert {(ODD_NAME, "rescued"), (ODD_NAME, "adopted"), (ODD_NAME, "links_fixed"), ("pm/two.md", "new_page")} <= kinds
    text = _text(site, "leaderboard")
    assert AUTHOR in text and SECOND_AUTHOR in text
    assert OWNER in text  # the owning team, and the adopted page's detail
    assert ODD_NAME in text


def test_page_links_from_odd_file_names_stay_relative(built):
    """Links to pages named with quotes, brackets or a scheme: relative and percent-encoded."""
    site, *_ = built
    expected = {f"../{quote(name[:-3])}/" for name in (ODD_NAME, SCHEME_NAME)}
    for where in ("quality", "leaderboard"):
        hrefs = {href for _, href in _attrs(_page(site, where), "href")}
        assert expected <= hrefs, (where, sorted(hrefs))


class _AttrCollector(html.parser.HTMLParser):
    def __init__(self, wanted: str) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend((tag, value) for name, value in attrs if name == self.wanted and value is not None)


def _attrs(text: str, wanted: str) -> list[tuple[str, str]]:
    collector = _AttrCollector(wanted)
    collector.feed(text)
    collector.close()
    return collector.found


def test_leaderboard_cli_outputs_escape_hostile_text(built, tally):
    site, *_ = built
    markdown = site.docgates("leaderboard", "--since", "2026-11-01", "--format", "markdown")
    as_json = site.docgates("leaderboard", "--since", "2026-11-01", "--format", "json")
    found = scan_markdown(markdown.stdout)
    tally.tried("generated pages: leaderboard markdown", traceback=has_traceback(markdown.stderr), unescaped=not found.clean)
    tally.tried("generated pages: leaderboard json", traceback=has_traceback(as_json.stderr))
    assert markdown.returncode == 0 and not has_traceback(markdown.stderr), markdown.stderr[-2000:]
    assert found.clean, (found, markdown.stdout)
    assert {p["name"] for p in json.loads(as_json.stdout)["people"]} == {AUTHOR, SECOND_AUTHOR}


# -- the charts ---------------------------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
def test_chart_labels_and_titles_are_escaped_in_the_svg(payload, tally):
    drawn = {
        "bar": charts.bar_chart("b", f"T {payload}", [payload, "b"], [1, 2], f"X {payload}"),
        "horizontal": charts.horizontal_bar_chart("h", f"T {payload}", [payload], [3]),
        "pie": charts.pie_chart("p", f"T {payload}", [(payload, 1), ("other", 2)]),
    }
    for kind, svg in drawn.items():
        found = _whole(svg)
        tally.tried(f"generated pages: {kind} chart, {payload[:20]}", unescaped=not found.clean)
        assert found.clean, (kind, found)
        assert svg.count("<svg") == 1 and svg.rstrip().endswith("</svg>"), kind
        text = " ".join(found.text)
        assert payload in text and f"T {payload}" in text, (kind, text[:500])


# -- hrefs that are not page links ---------------------------------------------------------
SCRIPT_URLS = ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
               "data:text/html,<script>alert(1)</script>", "vbscript:x", "a:b")


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_generated_pages_never_link_a_script_url(url, tally):
    """Whatever URL a page is given, only a relative or http(s) one becomes an href."""
    board = Leaderboard(window=Window.from_options(docs_day="2026-11-12"), commits=1)
    item = Contribution("new_page", AUTHOR, "a.md", "0" * 40, board.window.since, 3)
    board.people = [Score(AUTHOR)]
    board.people[0].add(item)
    board.contributions = [item]
    leaderboard = render_html(board, lambda path: url)
    report = {"pages": [{"path": "a.md", "title": "A", "findings": [{"rule": "links/broken"}]}]}
    dashboard = render(DashboardInput(report=report, page_urls={"a.md": url}, here="", gates=("links",)))
    for name, text in (("leaderboard", leaderboard), ("dashboard", dashboard)):
        found = scan(text)
        tally.tried(f"generated pages: {name} href {url!r}", unescaped=not found.clean)
        assert found.clean, (name, found)
    assert "a.md" in scan(leaderboard).text and "A" in scan(dashboard).text  # the link texts, unlinked


def _owner_header(owner: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)))
    view = {"ownership": {"source": "front matter", "missing": False, "owners": [owner]}}
    return env.get_template("docgates/owner.html").render(page={"meta": {"docgates": {"view": view}}})


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_owner_header_never_links_a_script_url(url, tally):
    """The registry refuses such addresses; the header would not link them either."""
    owner = {"handle": "@a", "name": f"Team {PAYLOAD}", "url": url, "contact": url,
             "contact_kind": "url", "contact_href": url, "registered": True}
    text = f'<div class="docgates-header">{_owner_header(owner)}</div>'
    found = scan(text)
    tally.tried(f"generated pages: owner header href {url!r}", unescaped=not found.clean)
    assert found.clean, found
    assert f"Team {PAYLOAD}" in " ".join(found.text)


def test_owner_header_links_web_and_mail_addresses():
    owner = {"handle": "@a", "name": "A", "url": "https://example.com/a?x=1&y=2", "contact": "a@example.com",
             "contact_kind": "email", "contact_href": "mailto:a@example.com", "registered": True}
    assert _attrs(_owner_header(owner), "href") == [("a", "https://example.com/a?x=1&y=2"), ("a", "mailto:a@example.com")]


@pytest.mark.parametrize("field, value", [
    ("url", "javascript:alert(1)"), ("url", "data:text/html,<script>alert(1)</script>"),
    ("contact", "javascript:alert(1)//@x.io"), ("contact", "data:text/html,x"),
])
def test_registry_with_a_script_url_is_refused_by_file_and_line(tmp_path, field, value, tally):
    site = new_site(tmp_path / "project", {"docgates/ownership": {"registry": "teams.yml"}}, "docgates/quality")
    entry = {"name": "Team", "contact": "#team", field: value}
    site.write("teams.yml", dump_yaml({"@team": entry}), dedent=False)
    site.page("index.md", "---\nowner: '@team'\n---\n# Home\n")
    result = site.build()
    pages = list((site.root / "site").rglob("*.html")) if (site.root / "site").exists() else []
    leaked = [p for p in pages if scan(p.read_text(encoding="utf-8")).urls]
    tally.tried(f"generated pages: registry {field} {value[:20]!r}", traceback=has_traceback(result.output),
                unescaped=bool(leaked))
    assert result.returncode != 0 and not has_traceback(result.output), result.output[-2000:]
    line = 3 if field == "contact" else 4  # name on line 2, contact on 3, url on 4
    assert f"teams.yml:{line}:" in result.output and value.split(",")[0] in result.output, result.output[-2000:]
    assert not leaked


@pytest.mark.parametrize("chat_url", [
    "javascript:alert('{channel}')", "data:text/html,{channel}", 'https://chat.example.com/{channel}" onmouseover="x',
])
def test_chat_url_that_is_not_a_web_address_is_refused(tmp_path, chat_url, tally):
    site = new_site(tmp_path / "project", {"docgates/ownership": {"chat_url": chat_url}}, "docgates/quality")
    site.page("index.md", "# Home\n")
    result = site.build()
    tally.tried(f"generated pages: chat_url {chat_url!r}", traceback=has_traceback(result.output))
    assert result.returncode != 0 and not has_traceback(result.output), result.output[-2000:]
    assert "chat_url:" in result.output and "https://" in result.output
