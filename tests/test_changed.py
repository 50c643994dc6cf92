"""``docgates check --changed-since REF``: exactly the pages a branch touched, plus the pages
whose links it broke by removing or renaming files."""

from __future__ import annotations

import json

import pytest

from docgates.cli.changed import compute_changes
from docgates.cli.linking_pages import find_pages_linking_to, resolves_to

PLUGINS = ("docgates/quality", "docgates/links")
GOOD = "---\nreviewed: 2026-11-01\n---\n# {title}\n\nSome text.\n"
BAD = "---\nreviewed: someday\n---\n# {title}\n\nSome text.\n"


@pytest.fixture
def branched(git_site):
    """A repository with a ``main`` branch and a ``feature`` branch checked out.

    The feature branch modifies one page (adding a defect and dropping a heading another page
    deep-links to), adds one, deletes one and renames one; main gains a change of its own after
    the branch was cut.
    """
    site, repo = git_site
    site.plugins(*PLUGINS)
    site.save_config()
    repo.commit(
        "Initial pages",
        date="2026-01-10T10:00:00+00:00",
        files={
            "docs/index.md": "# Home\n\nStart with [setup](guide/setup.md) or the [old page](old.md).\n",
            "docs/guide/setup.md": GOOD.format(title="Setup") + "\n## Install\n\nSteps.\n",
            "docs/deep.md": "# Deep\n\nSee [how to install](guide/setup.md#install).\n",
            "docs/shallow.md": "# Shallow\n\nSee [setup](guide/setup.md).\n",
            "docs/old.md": GOOD.format(title="Old"),
            "docs/moved.md": GOOD.format(title="Moved") + "\n## Intro\n\nMore words here.\n",
            "docs/ref.md": "# Ref\n\nSee [the intro](moved.md#intro).\n",
            "docs/debt.md": BAD.format(title="Debt"),
            "docs/prose.md": "# Prose\n\nThe old ways and the moved cheese; no links to them.\n",
            "docs/main-only.md": GOOD.format(title="Main only"),
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(
        "Feature work",
        date="2026-02-01T10:00:00+00:00",
        files={
            "docs/guide/setup.md": BAD.format(title="Setup"),
            "docs/new.md": GOOD.format(title="New"),
            "docs/old.md": None,
        },
    )
    repo.git("mv", "docs/moved.md", "docs/renamed.md")
    repo.commit("Rename", date="2026-02-02T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.commit("Main moves on", date="2026-02-03T10:00:00+00:00", files={"docs/main-only.md": BAD.format(title="M")})
    repo.git("checkout", "-q", "feature")
    return site, repo


def checked(site, *args: str) -> tuple[int, dict, str]:
    proc = site.docgates("check", "--changed-since", "main", "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_change_set_is_what_the_branch_touched(branched):
    site, _ = branched
    changes = compute_changes(str(site.root / "mkdocs.yml"), "main")
    assert changes.changed == {"guide/setup.md", "new.md", "renamed.md"}
    assert changes.removed == {"old.md", "moved.md"}
    # Pages that link to a removed or renamed-away page; prose merely naming them is not a link.
    assert changes.linking_to_removed == {"index.md", "ref.md"}
    # setup.md lost its "Install" heading: deep.md links to #install, shallow.md has no anchor.
    assert changes.anchors_changed == {"guide/setup.md"}
    assert changes.linking_to_changed_anchors == {"deep.md"}
    # main-only.md changed on main after the branch was cut: merge-base semantics leave it out.
    assert "main-only.md" not in changes.pages
    assert "debt.md" not in changes.pages and "prose.md" not in changes.pages


def test_check_reports_only_touched_pages_and_broken_inbound_links(branched):
    site, _ = branched
    status, report, stderr = checked(site)
    assert status == 1
    assert [p["path"] for p in report["pages"]] == [
        "deep.md", "guide/setup.md", "index.md", "new.md", "ref.md", "renamed.md"
    ]
    rules = {p["path"]: sorted(f["rule"] for f in p["findings"]) for p in report["pages"]}
    assert rules["guide/setup.md"] == ["frontmatter/invalid"]
    assert rules["new.md"] == [] and rules["renamed.md"] == []
    # Untouched debt elsewhere (debt.md) is not reported.
    assert "debt.md" not in rules
    assert (
        "6 pages to check since main: 3 changed, 2 linking to 2 removed or renamed files, "
        "1 linking to headings changed on 1 pages"
    ) in stderr


def test_inbound_links_to_removed_pages_are_reported(branched):
    # Needs the links gate (docgates/links): removing old.md breaks index.md's link to it, and
    # renaming moved.md breaks ref.md's link, though neither page was touched.
    site, _ = branched
    _, report, _ = checked(site)
    broken = {(p["path"], f["rule"]) for p in report["pages"] for f in p["findings"]}
    assert ("index.md", "links/broken") in broken
    assert ("ref.md", "links/broken") in broken
    assert ("deep.md", "links/anchor") in broken


def test_same_findings_as_a_full_build_for_those_pages(branched):
    site, _ = branched
    _, report, _ = checked(site)
    build = site.build(keep_config=True)
    assert build.returncode == 1
    for page in report["pages"]:
        full = build.page(page["path"])["findings"]
        assert page["findings"] == full, page["path"]


def test_working_tree_changes_count(branched):
    site, _ = branched
    site.page("prose.md", "# Prose\n\nEdited but not committed.\n")
    site.page("draft.md", BAD.format(title="Draft"))  # untracked
    changes = compute_changes(str(site.root / "mkdocs.yml"), "main")
    assert {"prose.md", "draft.md"} <= changes.changed
    # The pre-commit form: only what differs from the last commit.
    changes = compute_changes(str(site.root / "mkdocs.yml"), "HEAD")
    assert changes.changed == {"prose.md", "draft.md"}
    assert changes.removed == set()


def test_a_review_date_change_does_not_widen_the_check(branched):
    site, _ = branched
    text = (site.docs / "renamed.md").read_text().replace("2026-11-01", "2026-11-20")
    site.page("renamed.md", text)
    changes = compute_changes(str(site.root / "mkdocs.yml"), "HEAD")
    assert changes.changed == {"renamed.md"}
    assert changes.anchors_changed == set()
    assert changes.pages == {"renamed.md"}


def test_a_changed_config_checks_every_page(branched):
    site, repo = branched
    site.config["site_name"] = "Renamed site"
    site.save_config()
    changes = compute_changes(str(site.root / "mkdocs.yml"), "main")
    assert changes.everything and changes.site_wide == ["mkdocs.yml"]
    status, report, stderr = checked(site)
    assert "debt.md" in [p["path"] for p in report["pages"]]
    assert "affects every page" in stderr


def test_unknown_ref_is_a_usage_error(branched):
    site, _ = branched
    proc = site.docgates("check", "--changed-since", "origin/nope")
    assert proc.returncode == 2
    assert "'origin/nope' is not a known git revision" in proc.stderr
    assert "fetch-depth: 0" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_outside_a_repository_is_a_usage_error(site):
    site.plugins(*PLUGINS).page("index.md", GOOD.format(title="Home"))
    proc = site.docgates("check", "--changed-since", "main")
    assert proc.returncode == 2
    assert "not inside a git repository" in proc.stderr


def test_first_commit_compares_with_nothing(git_site):
    site, repo = git_site
    site.plugins(*PLUGINS).save_config()
    site.page("index.md", GOOD.format(title="Home"))
    repo.git("add", "-A")
    changes = compute_changes(str(site.root / "mkdocs.yml"), "HEAD")
    assert changes.everything  # mkdocs.yml itself is new
    assert changes.pages == {"index.md"}


@pytest.mark.parametrize(
    ("page", "target", "expected"),
    [
        ("guide/a.md", "../old.md", True),
        ("guide/a.md", "../old.md#part", True),
        ("a.md", "old.md?x=1", True),
        ("a.md", "/old.md", True),
        ("guide/a.md", "../../old/", True),  # URL-style, relative to the page's URL guide/a/
        ("a.md", "old/", True),
        ("a.md", "sub/", True),  # a removed sub/index.md
        ("sub/page.md", "./", True),
        ("sub/page.md", "index.md", True),
        ("a.md", "my%20page.md", True),
        ("a.md", "older.md", False),
        ("a.md", "https://example.com/old.md", False),
        ("a.md", "#old", False),
        ("a.md", "../../../old.md", False),
    ],
)
def test_link_resolution(page, target, expected):
    assert resolves_to(page, target, {"old.md", "sub/index.md", "my page.md"}) is expected


def _pages_linking_to(docs, pages: dict[str, str], removed: set[str]) -> set[str]:
    for path, text in pages.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    return find_pages_linking_to(docs, removed, set(pages))


def test_scan_finds_reference_and_html_links_only_where_they_point(tmp_path):
    pages = {
        "ref.md": "Text [x][1]\n\n[1]: assets/logo.png\n",
        "html.md": '<a href="sub/">sub</a>\n',
        "sub/near.md": "Back [up](./)\n",
        "mention.md": "The logo.png file and the sub folder.\n",
    }
    found = _pages_linking_to(tmp_path, pages, {"assets/logo.png", "sub/index.md"})
    assert found == {"ref.md", "html.md", "sub/near.md"}


def test_nothing_changed_answers_at_once(branched):
    site, _ = branched
    proc = site.docgates("check", "--changed-since", "HEAD", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["pages"] == []
    assert "0 pages to check since HEAD" in proc.stderr


def test_a_deletion_alone_checks_the_pages_linking_to_it(branched):
    # What a pre-commit hook sees when a commit only deletes a page.
    site, repo = branched
    repo.git("rm", "-q", "docs/guide/setup.md")
    proc = site.docgates("check", "--changed-since", "HEAD")
    assert proc.returncode == 1
    assert "0 changed, 3 linking to 1 removed or renamed files" in proc.stderr
    assert "index.md:3: links/broken" in proc.stdout


def test_scan_finds_images_badges_and_heading_links_but_not_code(tmp_path):
    # The links gate judges every address of the rendered page: an image, a link around a
    # badge image and a link in a heading all break when their target goes; code does not.
    pages = {
        "image.md": "![logo](assets/logo.png)\n",
        "badge.md": "[![build](assets/badge.svg)](old.md)\n",
        "heading.md": "## See [the old page](old.md)\n",
        "code.md": "```\n[old](old.md) ![logo](assets/logo.png)\n```\n",
    }
    found = _pages_linking_to(tmp_path, pages, {"assets/logo.png", "old.md"})
    assert found == {"image.md", "badge.md", "heading.md"}


def test_a_changed_page_mkdocs_cannot_read_is_a_finding_in_the_check(git_site):
    """A check of a few pages reads only those: a changed page that is not UTF-8 is still
    reported with its line, not a traceback, and the pages that did not change are not read."""
    site, repo = git_site
    site.plugins(*PLUGINS)
    site.save_config()
    # A page nobody changed that cannot be read either: not this check's business.
    (site.docs / "old.md").write_bytes(b"# Old\n\nna\xefve\n")
    repo.commit("Pages", date="2026-01-10T10:00:00+00:00", files={"docs/index.md": GOOD.format(title="Home")})
    (site.docs / "latin1.md").write_bytes(b"---\nreviewed: 2026-11-01\n---\n# Latin\n\nCaf\xe9\n")
    proc = site.docgates("check", "--changed-since", "HEAD", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert [p["path"] for p in report["pages"]] == ["latin1.md"]
    [finding] = report["pages"][0]["findings"]
    assert finding["rule"] == "frontmatter/invalid" and "not valid UTF-8" in finding["message"]
    assert finding["line"] == 6


def test_a_check_that_reads_a_linked_page_late_scores_and_reports_the_changed_page(git_site):
    """The links gate reads an unchanged page at the end of the check, to see the anchor a
    changed page links to; by then the readability gate has let its worker go."""
    site, repo = git_site
    site.plugins("docgates/readability", "docgates/links")
    site.save_config()
    prose = "We write short sentences. Each one says a single thing. Readers like that. " * 20
    repo.commit("Pages", date="2026-01-10T10:00:00+00:00", files={
        "docs/index.md": f"# Home\n\n{prose}\n",
        "docs/other.md": f"# Other\n\n## Install\n\n{prose}\n",
    })
    (site.docs / "index.md").write_text(f"# Home\n\n{prose}\n\nSee [install](other.md#install) and [nothing](other.md#nothing).\n")
    proc = site.docgates("check", "--changed-since", "HEAD", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    [page] = report["pages"]
    assert page["path"] == "index.md"
    assert page["readability"]["words"] > 200 and page["readability"]["flesch_reading_ease"] > 60
    assert [(f["rule"], f["line"]) for f in page["findings"]] == [("links/anchor", 5)]
