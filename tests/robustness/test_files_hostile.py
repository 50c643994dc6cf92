"""Hostile files in a real build with every docgates plugin: bad encodings, odd line endings,
empty and huge pages, symlinks, odd file names. Each gives a clear finding or a correct
result, never a traceback; ``docgates check`` agrees with the build."""

from __future__ import annotations

import pytest

from benchmarks.big_inputs import BIG_PAGE_BYTES, big_page, many_headings

from .hostile import has_traceback, new_site, scan_docgates_html

OK_FRONT = "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n"

# label -> (docs-relative path, bytes, expected sorted rules, extra check on the page report)
SMALL: dict[str, tuple[str, bytes, list[str]]] = {
    "latin-1 bytes": ("latin1.md", b"---\nowner: '@a'\nreviewed: 2026-11-01\n---\n# Latin\n\nCaf\xe9\n", ["frontmatter/invalid"]),
    "utf-8 bom": ("bom.md", ("\ufeff" + OK_FRONT + "# Bom\n\nText.\n").encode(), []),
    "crlf line endings": ("crlf.md", (OK_FRONT + "# Crlf\n\nSee [home](index.md).\n").replace("\n", "\r\n").encode(), []),
    "bom + crlf": ("bomcrlf.md", ("\ufeff" + OK_FRONT + "# Both\n").replace("\n", "\r\n").encode(), []),
    "lone cr line endings": ("cr.md", (OK_FRONT + "# Cr\n").replace("\n", "\r").encode(), []),
    "empty file": ("empty.md", b"", ["ownership/missing"]),
    "only a bom": ("onlybom.md", "\ufeff".encode(), ["ownership/missing"]),
    "empty front matter": ("emptyfm.md", b"---\n---\n", ["ownership/missing"]),
    # The owner is written, just unreadable: one root cause, one finding.
    "nul byte in front matter": ("nul.md", b"---\nowner: '@a\x00'\n---\n# Nul\n", ["frontmatter/invalid"]),
    "nul byte in body": ("nulbody.md", (OK_FRONT + "# Nul\n\nA\x00B\n").encode(), []),
    "space in name": ("with space.md", (OK_FRONT + "# Space\n").encode(), []),
    "unicode name": ("ünïcödé ñame.md", (OK_FRONT + "# Unicode\n").encode(), []),
    "comma and colon in name": ("a, b: c.md", b"# No owner\n", ["ownership/missing"]),
    "unicode folder": ("ðîr/页面.md", (OK_FRONT + "# Page\n\n[up](../index.md)\n").encode(), []),
    "html in name": ('<x-pwn data-pwn="1">&.md', b"# Html name\n", ["ownership/missing"]),
    "newline in name": ("new\nline.md", b"# Newline name\n", ["ownership/missing"]),
}
INDEX = OK_FRONT + (
    "# Home\n\n[space](with%20space.md) [unicode](ünïcödé%20ñame.md) "
    "[raw](<ünïcödé ñame.md>) [folder](ðîr/页面.md) [odd](a,%20b:%20c.md) [outside](escape.md)\n"
)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """One site holding every small hostile file, built and checked once."""
    root = tmp_path_factory.mktemp("files")
    site = new_site(root / "project")
    site.page("index.md", INDEX, dedent=False)
    for path, raw, _ in SMALL.values():
        target = site.docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(OK_FRONT + "# Outside\n\nOutside docs.\n", encoding="utf-8")
    (site.docs / "escape.md").symlink_to(outside / "secret.md")
    (site.docs / "dangling.md").symlink_to(root / "nowhere" / "gone.md")
    build = site.build()
    check = site.docgates("check")
    github = site.docgates("check", "--format", "github")
    return site, build, check, github


@pytest.mark.parametrize("label", list(SMALL))
def test_hostile_file_gives_finding_or_correct_result(small, label, tally):
    site, build, check, _ = small
    path, _, expected = SMALL[label]
    tally.tried(f"file: {label}", traceback=has_traceback(build.output) or has_traceback(check.stderr))
    assert not has_traceback(build.output), build.output[-3000:]
    page = build.page(path)
    assert sorted(f["rule"] for f in page["findings"]) == expected, page["findings"]
    for finding in page["findings"]:
        assert finding["line"] >= 1 and finding["message"]
        # Every finding of the build is also in its log, as path:line: rule, on one line.
        shown = path.replace("\n", "\\n")
        assert f"{shown}:{finding['line']}: {finding['rule']}" in build.output


def test_file_names_are_escaped_in_the_dashboard(small, tally):
    site, *_ = small
    found = scan_docgates_html((site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8"))
    tally.tried("html in file name: dashboard", unescaped=not found.clean)
    assert found.roots and found.clean, found


def test_clean_pages_parse_owner_and_review_date(small):
    _, build, *_ = small
    for path in ("bom.md", "crlf.md", "bomcrlf.md", "with space.md", "ünïcödé ñame.md", "ðîr/页面.md", "escape.md"):
        page = build.page(path)
        assert page["owner"] == ["@a"], path
        assert page["freshness_date"] == "2026-11-01", path


def test_non_utf8_finding_names_the_line(small):
    _, build, *_ = small
    [finding] = build.page("latin1.md")["findings"]
    assert finding["line"] == 7 and "UTF-8" in finding["message"]


def test_links_to_odd_file_names_resolve(small, tally):
    _, build, *_ = small
    tally.tried("links to odd file names")
    assert build.page("index.md")["findings"] == []


def test_symlink_outside_docs_builds_as_its_target(small, tally):
    site, build, *_ = small
    tally.tried("symlink outside docs")
    assert build.page("escape.md")["findings"] == []
    assert "Outside docs." in (site.root / "site" / "escape" / "index.html").read_text(encoding="utf-8")


def test_dangling_symlink_is_a_finding_not_a_crash(small, tally):
    _, build, *_ = small
    tally.tried("dangling symlink", traceback=has_traceback(build.output))
    findings = build.page("dangling.md")["findings"]
    [invalid] = [f for f in findings if f["rule"] == "frontmatter/invalid"]
    assert "symbolic link" in invalid["message"] and "gone.md" in invalid["message"]


def test_build_and_check_agree_and_fail_cleanly(small):
    _, build, check, _ = small
    assert build.returncode == 1 and "Aborted with a BuildError" in build.output
    assert check.returncode == 1, check.stderr
    assert not has_traceback(check.stdout + check.stderr)
    built = sorted(
        f"{p['path']}:{f['line']}: {f['rule']}: {f['message']}".replace("\n", "\\n")
        for p in build.report["pages"] for f in p["findings"]
    )
    checked = sorted(line for line in check.stdout.splitlines() if line and not line.startswith("site:"))
    assert checked == built


def test_github_annotations_escape_odd_paths(small, tally):
    *_, github = small
    lines = github.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ")) for line in lines), github.stdout
    [odd] = [line for line in lines if "b%3A c.md" in line]
    tally.tried("annotation with ', :' in the path", unescaped=not odd.startswith("::error file=docs/a%2C b%3A c.md,line=1,"))
    assert odd.startswith("::error file=docs/a%2C b%3A c.md,line=1,title=ownership/missing::")


# -- big inputs ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big(tmp_path_factory):
    site = new_site(tmp_path_factory.mktemp("big") / "project")
    site.config["plugins"].remove("search")  # MkDocs' own indexing of 5 MB is not under test
    site.page("index.md", OK_FRONT + "# Home\n\nHello.\n", dedent=False)
    site.page("big.md", big_page(), dedent=False)
    site.page("headings.md", many_headings(), dedent=False)
    build = site.build()
    check = site.docgates("check")
    return site, build, check


def test_five_megabyte_page_is_checked_line_by_line(big, tally):
    # How long it takes is measured by `make bench` (its hostile-input rows), not asserted here.
    site, build, check = big
    tally.tried("5 MB page", traceback=has_traceback(build.output + check.stderr))
    assert (site.docs / "big.md").stat().st_size >= BIG_PAGE_BYTES
    assert not has_traceback(build.output), build.output[-3000:]
    rules = build.rules("big.md")
    broken = BIG_PAGE_BYTES // 2000  # big_page writes one broken link of each kind per ~1,500 bytes
    assert rules.count("links/anchor") > broken and rules.count("links/broken") > broken
    assert set(rules) == {"links/anchor", "links/broken"}
    # Each finding points at its own line, not at the top of the page.
    lines = [f["line"] for f in build.page("big.md")["findings"] if f["rule"] == "links/anchor"]
    assert len(set(lines)) == len(lines)


def test_twenty_thousand_headings(big, tally):
    _, build, check = big
    tally.tried("20,000 headings", traceback=has_traceback(build.output + check.stderr))
    page = build.page("headings.md")
    assert "links/anchor" not in build.rules("headings.md")  # the last heading's anchor exists
    readability = page["readability"] or {}
    score = readability.get("flesch_reading_ease")
    # Short, plain sentences: a score on the 0-100 scale, not an artefact of the headings.
    assert score is None or 0 <= score <= 121, readability


def test_big_check_matches_build(big):
    _, build, check = big
    assert check.returncode == 1 and not has_traceback(check.stderr)
    assert len(check.stdout.splitlines()) == sum(len(p["findings"]) for p in build.report["pages"])
