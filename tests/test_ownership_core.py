"""Ownership core without MkDocs: CODEOWNERS semantics, the registry, folder defaults, the audit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from docgates.ownership import gate as ownership
from docgates.ownership.codeowners import DefaultOwners, find_codeowners, parse_codeowners
from docgates.core.findings import SeverityPolicy
from docgates.core.frontmatter import parse_page
from docgates.core.gate import PageInput, SiteContext
from docgates.ownership.gate import OwnershipGate
from docgates.ownership.registry import RegistryError, parse_registry
from docgates.core.report import QualityReport


# -- CODEOWNERS ------------------------------------------------------------------------------
def owners_of(text: str, path: str) -> tuple[str, ...] | None:
    rule = parse_codeowners(text, "CODEOWNERS").rule_for(path)
    return rule.owners if rule else None


def test_last_matching_rule_wins_not_the_most_specific():
    text = "/docs/runbooks/ @sre-team\n/docs/ @docs-team\n"
    assert owners_of(text, "docs/runbooks/restart.md") == ("@docs-team",)
    reordered = "/docs/ @docs-team\n/docs/runbooks/ @sre-team\n"
    assert owners_of(reordered, "docs/runbooks/restart.md") == ("@sre-team",)
    assert owners_of(reordered, "docs/index.md") == ("@docs-team",)


def test_gitignore_style_patterns():
    text = "\n".join([
        "*.md @writers",
        "docs/*.md @top-level",  # anchored: only files directly in docs/
        "runbooks/ @sre-team",  # unanchored folder: any runbooks/ folder
        "/docs/**/adr-*.md @org/eng-leads lead@example.com",
    ])
    assert owners_of(text, "README.md") == ("@writers",)
    assert owners_of(text, "docs/index.md") == ("@top-level",)
    assert owners_of(text, "docs/guide/setup.md") == ("@writers",)
    assert owners_of(text, "services/x/runbooks/restart.md") == ("@sre-team",)
    assert owners_of(text, "docs/a/b/adr-0001.md") == ("@org/eng-leads", "lead@example.com")
    assert owners_of(text, "src/app.py") is None


def test_rule_without_owners_makes_files_unowned():
    text = "/docs/ @docs-team\n/docs/drafts/\n"
    assert owners_of(text, "docs/drafts/idea.md") == ()
    assert owners_of(text, "docs/guide.md") == ("@docs-team",)


def test_bad_lines_are_reported_and_skipped_like_github_does():
    text = "\n".join([
        "# comment",
        "/docs/ @docs-team",
        "/docs/ops/ sre-team",  # not an owner
        "!/docs/ops/secret.md @sec",  # negation
        "/docs/[ab]*.md @ranges",  # character class
        "/docs/guide.md @guide # ask @not-an-owner",  # inline comment
        "/docs/with\\ space.md @spaces",
    ])
    parsed = parse_codeowners(text, "CODEOWNERS")
    assert [p.line for p in parsed.problems] == [3, 4, 5]
    assert "'sre-team' is not an owner" in parsed.problems[0].message
    assert "negat" in parsed.problems[1].message
    assert all("GitHub skips this line" in p.message for p in parsed.problems)
    # The skipped line does not take effect: the earlier rule still applies.
    assert owners_of(text, "docs/ops/restart.md") == ("@docs-team",)
    assert owners_of(text, "docs/a.md") == ("@docs-team",)
    assert owners_of(text, "docs/guide.md") == ("@guide",)
    assert owners_of(text, "docs/with space.md") == ("@spaces",)


def test_codeowners_lookup_follows_githubs_order(tmp_path):
    assert find_codeowners(tmp_path) is None
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @c\n")
    assert find_codeowners(tmp_path) == tmp_path / "docs" / "CODEOWNERS"
    (tmp_path / "CODEOWNERS").write_text("* @b\n")
    assert find_codeowners(tmp_path) == tmp_path / "CODEOWNERS"
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @a\n")
    assert find_codeowners(tmp_path) == tmp_path / ".github" / "CODEOWNERS"


# -- folder defaults -------------------------------------------------------------------------
def test_defaults_are_anchored_at_docs_dir_and_last_entry_wins():
    defaults = DefaultOwners.parse({"*": "@handbook", "runbooks/": ["@sre", "@ops"], "runbooks/db/*.md": "@dba"})
    assert defaults.owners_for("index.md") == ("*", ("@handbook",))
    assert defaults.owners_for("runbooks/restart.md") == ("runbooks/", ("@sre", "@ops"))
    assert defaults.owners_for("runbooks/db/backup.md") == ("runbooks/db/*.md", ("@dba",))
    # Anchored: a nested folder of the same name is not "runbooks/".
    assert defaults.owners_for("teams/runbooks/x.md") == ("*", ("@handbook",))
    assert DefaultOwners.parse({}).owners_for("index.md") is None


@pytest.mark.parametrize("value", [["runbooks/"], {"runbooks/": ""}, {"runbooks/": [1]}, {"x/": []}])
def test_bad_defaults_name_the_option(value):
    with pytest.raises(ValueError, match="defaults"):
        DefaultOwners.parse(value)


# -- registry --------------------------------------------------------------------------------
REGISTRY = """\
"@sre-team":
  name: SRE
  contact: "#sre"
  url: https://wiki.example.com/sre
"@eng-leads": {name: Engineering leads, contact: leads@example.com}
"@web": {name: Web, contact: "https://chat.example.com/web"}
"""


def test_registry_entries_and_contact_links():
    registry = parse_registry(REGISTRY, "teams.yml")
    assert registry.handles() == ["@eng-leads", "@sre-team", "@web"]
    sre = registry.get("@SRE-Team")
    assert sre is not None and sre.handle == "@sre-team" and sre.url == "https://wiki.example.com/sre"
    assert (sre.contact_kind, sre.contact_href()) == ("channel", None)
    assert sre.contact_href("https://chat.example.com/c/{channel}") == "https://chat.example.com/c/sre"
    leads = registry.get("@eng-leads")
    assert (leads.contact_kind, leads.contact_href()) == ("email", "mailto:leads@example.com")
    assert registry.get("@web").contact_href() == "https://chat.example.com/web"
    assert registry.suggestion("sre-team") == "@sre-team"
    assert registry.suggestion("@myorg/web") == "@web"
    assert registry.suggestion("@nobody") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"@a": {name: A, contact: "#a"\n', "teams.yml:1: not valid YAML: while parsing a flow mapping"),
        ("- '@a'\n", "teams.yml:1: the registry must map team handles"),
        ("", "teams.yml:1: the registry is empty"),
        ('"@a": {name: A, contact: "#a"}\n"@b":\n  name: B\n', "teams.yml:2: @b: missing 'contact'"),
        ('"@a":\n  contact: "#a"\n', "teams.yml:1: @a: missing 'name'"),
        ('"@a": {name: A, contact: "javascript:alert(1)"}\n', "teams.yml:1: @a: contact 'javascript:alert(1)' is not"),
        ('"@a":\n  name: A\n  contact: "#a"\n  url: "javascript:x"\n', "teams.yml:4: @a: url 'javascript:x' must start"),
        ('"@a": {name: A, contact: "#a"}\n"@A": {name: A2, contact: "#a"}\n', "teams.yml:2: '@A' is listed twice (first on line 1)"),
        ('"@a": {name: A, contact: "#a"}\n"@a": {name: A2, contact: "#a"}\n', "teams.yml:2: not valid YAML: duplicate key '@a' (first on line 1"),
        ("? [a]\n: {name: A}\n", "teams.yml:1: not valid YAML: a mapping key must be a plain value"),
        ('"@a": just a string\n', "teams.yml:1: @a: expected a mapping"),
        ('"@a": {name: [A], contact: "#a"}\n', "teams.yml:1: @a: name must be a non-empty text"),
    ],
)
def test_malformed_registry_reports_file_and_line(text, expected):
    with pytest.raises(RegistryError) as info:
        parse_registry(text, "teams.yml")
    assert expected in str(info.value)


def test_every_registry_problem_is_reported_at_once():
    text = '"@a": {name: A}\n"@b": {contact: "#b"}\n"@c": {name: C, contact: "#c"}\n'
    with pytest.raises(RegistryError) as info:
        parse_registry(text, "teams.yml")
    assert [p.split(": ")[0] for p in info.value.problems] == ["teams.yml:1", "teams.yml:2"]


# -- the gate without MkDocs -----------------------------------------------------------------
class FakeHistory:
    status = "ok"
    message = ""

    def __init__(self, authors: dict[str, Counter]) -> None:
        self._authors = authors

    def authors(self, path: str) -> Counter:
        return self._authors.get(path, Counter())


@pytest.fixture
def history_of(monkeypatch):
    """Stand in for the build's git pass (``site_history.history_for``)."""

    def install(history):
        monkeypatch.setattr(ownership, "_history", lambda site: history)
        return history

    return install


def make_site(tmp_path: Path) -> SiteContext:
    site = SiteContext(
        config_dir=tmp_path,
        docs_dir=tmp_path / "docs",
        site_dir=tmp_path / "site",
        today=dt.date(2026, 11, 24),
        policy=SeverityPolicy(),
        report=QualityReport(today=dt.date(2026, 11, 24)),
        repo_root=tmp_path,
    )
    return site


def check(gate: OwnershipGate, site: SiteContext, path: str, text: str, stale: bool = False):
    page = PageInput(source=parse_page(path, text))
    report = site.report.page(path)
    gate.check_source(page, report, site)
    report.stale = stale  # what the freshness gate, which runs after ownership, sets
    return report


def test_audit_counts_pages_stale_pages_and_bus_factor_per_owner(tmp_path, history_of):
    history_of(FakeHistory({
        "docs/a.md": Counter({"Ann": 3}),
        "docs/b.md": Counter({"Ann": 2, "Bob": 1}),
        "docs/c.md": Counter({"Bob": 1, "Ann": 1}),
    }))
    site = make_site(tmp_path)
    gate = OwnershipGate({"defaults": {"*": "@docs"}})
    gate.begin(site)
    a = check(gate, site, "a.md", "---\nowner: ['@sre', '@docs']\n---\n# A\n", stale=True)
    b = check(gate, site, "b.md", "# B\n")
    c = check(gate, site, "c.md", "---\nowner: '@sre'\n---\n# C\n", stale=True)
    gate.finish(site)
    assert a.owner == ["@sre", "@docs"] and a.data["owner_source"] == "front-matter"
    assert b.owner == ["@docs"] and b.data["owner_source"] == "default"
    assert a.data["bus_factor_one"] is True
    assert a.data["silo"] == {"authors": 1, "commits": 3, "top_author": "Ann", "top_author_share": 1.0}
    assert b.data["bus_factor_one"] is False
    assert b.data["silo"]["top_author_share"] == 0.667
    # Ties go to the alphabetically first author, so the report is reproducible.
    assert c.data["silo"]["top_author"] == "Ann"
    audit = site.report.site["ownership"]
    assert audit["owners"]["@sre"]["pages"] == 2
    assert audit["owners"]["@sre"]["stale"] == 2
    assert audit["owners"]["@sre"]["stale_pages"] == ["a.md", "c.md"]
    assert audit["owners"]["@docs"]["pages"] == 2
    assert audit["owners"]["@docs"]["stale"] == 1
    assert audit["owners"]["@docs"]["bus_factor_one"] == 1
    assert audit["bus_factor_one_pages"] == ["a.md"]
    assert audit["unowned_pages"] == []


def test_audit_without_usable_history_flags_nothing(tmp_path, history_of):
    history = history_of(FakeHistory({"docs/a.md": Counter({"Ann": 3})}))
    history.status = "shallow"
    site = make_site(tmp_path)
    gate = OwnershipGate({})
    gate.begin(site)
    a = check(gate, site, "a.md", "---\nowner: '@sre'\n---\n# A\n")
    gate.finish(site)
    assert a.data["silo"] is None and a.data["bus_factor_one"] is False
    assert site.report.site["ownership"]["history"]["status"] == "shallow"


def test_registry_handles_are_matched_ignoring_case_and_reported_as_registered(tmp_path):
    (tmp_path / "teams.yml").write_text(REGISTRY)
    site = make_site(tmp_path)
    gate = OwnershipGate({"registry": str(tmp_path / "teams.yml"), "registry_display": "teams.yml"})
    gate.begin(site)
    report = check(gate, site, "a.md", "---\nowner: ['@SRE-team', '@sre-team', 'web', '@ghost']\n---\n# A\n")
    assert report.owner == ["@sre-team", "web", "@ghost"]
    messages = [f.message for f in report.findings]
    assert messages == [
        "owner 'web' is not in the team registry teams.yml; did you mean '@web'?",
        "owner '@ghost' is not in the team registry teams.yml; add it there (with name and contact) "
        "or use a registered handle",
    ]
    assert {f.line for f in report.findings} == {2}
