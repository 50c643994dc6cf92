"""Hostile links: paths out of docs/, file: and javascript: URLs, very long URLs. Each is
reported as links/broken, and nothing is followed or read.

The targets outside docs/ are named pipes: opening one for reading blocks until a writer
comes, so a build that read any of them would hang past the timeout instead of passing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import Result, base_env

from .hostile import has_traceback, new_site

LONG = 100_000
# label -> the link as written in the page (the page is docs/a/b/page.md)
LINKS = {
    "parent traversal to /etc/passwd": "../../../../../../../../etc/passwd",
    "parent traversal to a pipe": "../../../outside/pipe.md",
    "file url to /etc/passwd": "file:///etc/passwd",
    "file url to a pipe": "file://{outside}/pipe.md",
    "windows drive path": "C:/Windows/win.ini",
    "javascript url": "javascript:alert(document.cookie)",
    "mixed-case javascript url": "JaVaScRiPt:alert(1)",
    "javascript url with entity tab": "java&#9;script:alert(1)",
    "very long relative url": "x" * LONG + ".md",
    "very long file url": "file:///" + "y" * LONG,
}
RAW_HTML = {
    "raw html javascript href": '<a href="javascript:alert(1)">x</a>',
    "raw html file img": '<img src="file:///etc/passwd" alt="x">',
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("links")
    outside = root / "outside"
    outside.mkdir()
    os.mkfifo(outside / "pipe.md")
    site = new_site(root / "project")
    site.page("index.md", "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n# Home\n\nHello.\n", dedent=False)
    body = "".join(f"- [{label}]({href.format(outside=outside)})\n" for label, href in LINKS.items())
    body += "".join(f"\n{html}\n" for html in RAW_HTML.values())
    site.page("a/b/page.md", "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n# Links\n\n" + body, dedent=False)
    site.save_config()
    results = {}
    for name, args in {
        "build": [sys.executable, "-m", "mkdocs", "build"],
        "check": [sys.executable, "-m", "docgates", "check", "--format", "json"],
    }.items():
        try:
            proc = subprocess.run(args, cwd=site.root, env=base_env(), capture_output=True, text=True, timeout=90)
        except subprocess.TimeoutExpired:  # something opened the pipe
            pytest.fail(f"{name} hung: a link target outside docs/ was opened")
        results[name] = proc
    build = results["build"]
    return site, Result(build.returncode, build.stdout, build.stderr, site.read_report()), results["check"]


def _messages(report: dict) -> list[str]:
    [page] = [p for p in report["pages"] if p["path"] == "a/b/page.md"]
    return [f["message"] for f in page["findings"] if f["rule"] in ("links/broken", "links/scheme")]


@pytest.mark.parametrize("label", [*LINKS, *RAW_HTML])
def test_hostile_link_is_reported(built, label, tally):
    _, build, check = built
    tally.tried(f"link: {label}", traceback=has_traceback(build.output + check.stderr))
    assert not has_traceback(build.output), build.output[-2000:]
    messages = _messages(build.report)
    href = (LINKS.get(label) or RAW_HTML[label]).split("{")[0]
    needle = href[:40] if label in LINKS else ("javascript:" if "javascript" in label else "file:")
    needle = needle.replace("&#9;", "")
    assert any(needle.lower() in m.lower().replace("\t", "") for m in messages), (label, messages)


def test_every_hostile_link_is_one_finding(built):
    _, build, check = built
    assert len(_messages(build.report)) == len(LINKS) + len(RAW_HTML)
    assert check.returncode == 1
    assert _messages(__import__("json").loads(check.stdout)) == _messages(build.report)


def test_messages_stay_readable(built, tally):
    _, build, _ = built
    longest = max(len(m) for m in _messages(build.report))
    tally.tried("very long url message length", unescaped=longest > 2000)
    assert longest <= 2000, f"a {LONG}-character URL made a {longest}-character message"


def test_nothing_outside_docs_reached_the_site(built):
    site, build, _ = built
    assert "root:" not in (site.root / "site" / "quality.json").read_text(encoding="utf-8")
    copied = [p.name for p in (site.root / "site").rglob("*") if p.name in ("passwd", "pipe.md", "win.ini")]
    assert not copied
