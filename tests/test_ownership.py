"""docgates/ownership in real builds: precedence, path mapping, registry, header, silo audit."""

from __future__ import annotations

import re
import textwrap

from markupsafe import escape

from conftest import GitRepo, Site

TEAMS = """\
"@sre-team":
  name: Site Reliability Engineering
  contact: "#sre"
  url: https://wiki.example.com/sre
"@eng-leads": {name: Engineering leads, contact: leads@example.com}
"@docs-team": {name: Docs <team>, contact: "https://chat.example.com/docs?a=1&b=2"}
"""


def owner_header(site: Site, page_dir: str) -> str:
    text = (site.root / "site" / page_dir / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<p class="docgates-owner[^"]*"[^>]*>.*?</p>', text, re.S)
    assert match, f"no owner header in {page_dir}"
    return match.group(0)


# -- precedence and CODEOWNERS path mapping ---------------------------------------------------
def test_front_matter_then_codeowners_then_folder_defaults(git_site):
    site, repo = git_site
    site.plugins({"docgates/ownership": {"defaults": {"*": "@fallback", "drafts/": "@drafts"}}})
    site.write("CODEOWNERS", """\
        /docs/               @docs-team
        /docs/runbooks/      @sre-team
        /docs/drafts/
        /docs/guide.md       @sre-team @eng-leads
    """)
    site.page("index.md", "---\nowner: '@eng-leads'\n---\n# Home\n")
    site.page("runbooks/restart.md", "# Restart\n")
    site.page("guide.md", "# Guide\n")
    site.page("drafts/idea.md", "# Idea\n")
    site.write("other/mkdocs-unrelated.md", "x")
    repo.commit("add docs")
    result = site.build()
    assert result.returncode == 0, result.output
    owners = {p["path"]: (p["owner"], p["owner_source"]) for p in result.report["pages"]}
    assert owners == {
        "index.md": (["@eng-leads"], "front-matter"),
        "runbooks/restart.md": (["@sre-team"], "codeowners"),
        "guide.md": (["@sre-team", "@eng-leads"], "codeowners"),
        # A CODEOWNERS rule without owners leaves the page to the folder defaults.
        "drafts/idea.md": (["@drafts"], "default"),
    }


def test_last_matching_codeowners_rule_wins(git_site):
    site, repo = git_site
    site.plugins("docgates/ownership")
    site.write(".github/CODEOWNERS", "/docs/runbooks/ @sre-team\n/docs/ @docs-team\n")
    site.page("runbooks/restart.md", "# Restart\n")
    result = site.build()
    assert result.page("runbooks/restart.md")["owner"] == ["@docs-team"]


def test_codeowners_patterns_are_repository_relative_when_mkdocs_yml_is_in_a_subfolder(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    site = Site(tmp_path / "repo" / "handbook")
    site.plugins("docgates/ownership")
    (repo.root / ".github").mkdir()
    (repo.root / ".github" / "CODEOWNERS").write_text(textwrap.dedent("""\
        /handbook/docs/           @docs-team
        /handbook/docs/runbooks/  @sre-team
        # Would match if pages were looked up by their docs-relative path:
        /runbooks/                @wrong
        /index.md                 @wrong
    """))
    # A CODEOWNERS next to mkdocs.yml is not where GitHub looks; it must be ignored.
    site.write("CODEOWNERS", "* @wrong\n")
    site.page("index.md", "# Home\n")
    site.page("runbooks/restart.md", "# Restart\n")
    repo.commit("add handbook")
    result = site.build()
    assert result.returncode == 0, result.output
    assert result.page("index.md")["owner"] == ["@docs-team"]
    assert result.page("runbooks/restart.md")["owner"] == ["@sre-team"]
    assert result.report["site"]["ownership"]["codeowners"] == ".github/CODEOWNERS"


def test_docs_dir_outside_the_folder_of_mkdocs_yml(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    site = Site(tmp_path / "repo" / "config")
    site.config["docs_dir"] = "../content"
    site.plugins("docgates/ownership")
    (repo.root / "CODEOWNERS").write_text("/content/ @docs-team\n/content/ops/ @sre-team\n")
    (repo.root / "content" / "ops").mkdir(parents=True)
    (repo.root / "content" / "index.md").write_text("# Home\n")
    (repo.root / "content" / "ops" / "restart.md").write_text("# Restart\n")
    result = site.build()
    assert result.returncode == 0, result.output
    assert result.page("index.md")["owner"] == ["@docs-team"]
    assert result.page("ops/restart.md")["owner"] == ["@sre-team"]


def test_explicit_codeowners_option_is_relative_to_mkdocs_yml(git_site):
    site, repo = git_site
    site.plugins({"docgates/ownership": {"codeowners": "owners/DOCS_OWNERS"}})
    site.write("CODEOWNERS", "* @ignored\n")
    site.write("owners/DOCS_OWNERS", "/docs/ @docs-team\n")
    site.page("index.md", "# Home\n")
    assert site.build().page("index.md")["owner"] == ["@docs-team"]
    site.plugins({"docgates/ownership": {"codeowners": "owners/MISSING"}})
    result = site.build()
    assert result.returncode != 0
    assert "codeowners: owners/MISSING not found" in result.output
    assert "Traceback" not in result.output


# -- findings ---------------------------------------------------------------------------------
def test_ownerless_page_fails_the_build_and_says_how_to_fix_it(git_site):
    site, repo = git_site
    site.plugins("docgates/ownership")
    site.page("index.md", "---\nowner: '@docs-team'\n---\n# Home\n")
    site.page("guide/setup.md", "# Setup\n")
    result = site.build()
    assert result.returncode == 1
    assert (
        "guide/setup.md:1: ownership/missing: no owner: add 'owner: \"@team\"' to the front matter, "
        "a CODEOWNERS rule for docs/guide/setup.md, or a folder default"
    ) in result.stderr
    assert result.rules() == ["ownership/missing"]
    assert result.report["site"]["ownership"]["unowned_pages"] == ["guide/setup.md"]
    header = owner_header(site, "guide/setup")
    assert "docgates-owner--missing" in header and "No owner" in header


def test_registry_flags_unknown_owners_at_their_line(git_site):
    site, repo = git_site
    site.write("teams.yml", TEAMS)
    site.plugins({"docgates/ownership": {"registry": "teams.yml"}})
    site.write("CODEOWNERS", "/docs/ops/ @ops-team\n")
    site.page("index.md", "---\ntitle: Home\nowner: ['@SRE-team', sre-team, '@ghost']\n---\n# Home\n")
    site.page("ops/restart.md", "# Restart\n")
    result = site.build(strict=True)
    # ownership/unknown is a warning: logged, but it fails neither the build nor --strict.
    assert result.returncode == 0, result.output
    page = result.page("index.md")
    # Handles match the registry ignoring case, and are reported as the registry spells them.
    assert page["owner"] == ["@sre-team", "sre-team", "@ghost"]
    assert [(f["rule"], f["line"], f["severity"]) for f in page["findings"]] == [
        ("ownership/unknown", 3, "warning"),
        ("ownership/unknown", 3, "warning"),
    ]
    messages = sorted(f["message"] for f in page["findings"])
    assert messages[0].startswith("owner '@ghost' is not in the team registry teams.yml; add it")
    assert messages[1].endswith("did you mean '@sre-team'?")
    [ops] = result.page("ops/restart.md")["findings"]
    assert ops["message"].startswith("owner '@ops-team' (from CODEOWNERS line 1 (/docs/ops/)) is not in")
    # Without a registry, any handle is accepted.
    site.plugins("docgates/ownership")
    assert site.build().rules() == []


def test_typo_in_a_handle_gets_a_suggestion(git_site):
    site, repo = git_site
    site.write("teams.yml", TEAMS)
    site.plugins({"docgates/ownership": {"registry": "teams.yml"}})
    site.page("index.md", "---\nowner: sre-team\n---\n# Home\n")
    [finding] = site.build().page("index.md")["findings"]
    assert finding["message"].endswith("did you mean '@sre-team'?")


def test_malformed_codeowners_lines_are_findings_with_file_and_line(git_site):
    site, repo = git_site
    site.plugins("docgates/ownership")
    site.write("CODEOWNERS", "/docs/ @docs-team\n/docs/ops/ ops team\n!/docs/x.md @a\n")
    site.page("ops/restart.md", "# Restart\n")
    result = site.build()
    assert result.returncode == 1
    assert "CODEOWNERS:2: ownership/codeowners: 'ops' is not an owner" in result.stderr
    assert "CODEOWNERS:3: ownership/codeowners: negated pattern" in result.stderr
    assert "Traceback" not in result.output
    site_findings = result.report["site"]["findings"]
    assert [(f["path"], f["line"]) for f in site_findings] == [("CODEOWNERS", 2), ("CODEOWNERS", 3)]
    # GitHub skips only the bad lines; the rule before them still applies.
    assert result.page("ops/restart.md")["owner"] == ["@docs-team"]


def test_malformed_registry_is_a_configuration_error_with_file_and_line(git_site):
    site, repo = git_site
    site.plugins({"docgates/ownership": {"registry": "teams.yml"}})
    site.page("index.md", "# Home\n")
    site.write("teams.yml", '"@a": {name: A, contact: "#a"}\n"@b":\n  name: B\n"@c": {contact: "#c", name: [C}\n')
    result = site.build()
    assert result.returncode != 0
    assert "teams.yml:4: not valid YAML" in result.output
    site.write("teams.yml", '"@a": {name: A, contact: "#a"}\n"@b":\n  name: B\n')
    result = site.build()
    assert "docgates/ownership: registry: the team registry has problems" in result.output
    assert "teams.yml:2: @b: missing 'contact'" in result.output
    assert "Traceback" not in result.output
    check = site.docgates("check")
    assert check.returncode == 2
    assert "teams.yml:2: @b: missing 'contact'" in check.stderr
    assert "Traceback" not in check.stderr


def test_missing_registry_file_names_the_option(git_site):
    site, repo = git_site
    site.plugins({"docgates/ownership": {"registry": "teams/registry.yml"}})
    site.page("index.md", "# Home\n")
    result = site.build()
    assert result.returncode != 0
    assert "docgates/ownership: registry: teams/registry.yml not found" in result.output
    assert "Traceback" not in result.output


def test_bad_option_values_are_config_errors(git_site):
    site, repo = git_site
    site.page("index.md", "# Home\n")
    for options, expected in [
        ({"defaults": {"runbooks/": 42}}, "docgates/ownership: defaults: 'runbooks/'"),
        ({"chat_url": "https://chat.example.com/"}, "chat_url: 'https://chat.example.com/' has no '{channel}'"),
        ({"severity": {"ownership/missing": "fatal"}}, "severity"),
    ]:
        site.plugins({"docgates/ownership": options})
        result = site.build()
        assert result.returncode != 0, options
        assert expected in result.output, result.output
        assert "Traceback" not in result.output


def test_missing_owner_can_be_made_a_warning(git_site):
    site, repo = git_site
    site.plugins({"docgates/ownership": {"severity": {"ownership/missing": "warning"}}})
    site.page("index.md", "# Home\n")
    result = site.build()
    assert result.returncode == 0, result.output
    assert result.page("index.md")["findings"][0]["severity"] == "warning"


# -- what readers see -------------------------------------------------------------------------
def test_header_shows_names_contact_links_and_source_escaped(git_site):
    site, repo = git_site
    site.write("teams.yml", TEAMS)
    site.plugins({"docgates/ownership": {"registry": "teams.yml", "chat_url": "https://chat.example.com/c/{channel}"}})
    site.write("CODEOWNERS", "/docs/ops/ @sre-team\n")
    site.page("index.md", "---\nowner: ['@eng-leads', '@docs-team']\n---\n# Home\n")
    site.page("ops/restart.md", "# Restart\n")
    site.page("evil.md", '---\nowner: "@x<script>alert(1)</script>\\"onmouseover=\\"x"\n---\n# Evil\n')
    result = site.build()
    assert result.returncode == 0, result.output

    home = owner_header(site, "")
    assert 'title="Owner set in this page&#39;s front matter"' in home
    assert "Owners:" in home
    assert '<a class="docgates-owner__contact docgates-owner__contact--email" href="mailto:leads@example.com">' in home
    # Registry values are escaped too (the name and a URL with '&').
    assert "Docs &lt;team&gt;" in home
    assert 'href="https://chat.example.com/docs?a=1&amp;b=2"' in home

    ops = owner_header(site, "ops/restart")
    assert 'title="Owner from CODEOWNERS line 1 (/docs/ops/)"' in ops
    assert '<a class="docgates-owner__name" href="https://wiki.example.com/sre">Site Reliability Engineering</a>' in ops
    assert 'href="https://chat.example.com/c/sre">#sre</a>' in ops

    evil = owner_header(site, "evil")
    assert "<script>" not in evil and 'onmouseover="x"' not in evil
    assert str(escape('@x<script>alert(1)</script>"onmouseover="x')) in evil
    assert "docgates-owner__team--unregistered" in evil
    css = (site.root / "site" / "assets" / "docgates" / "docgates.css").read_text()
    assert ".docgates-owner" in css


def test_channel_contact_without_chat_url_is_plain_text(git_site):
    site, repo = git_site
    site.write("teams.yml", TEAMS)
    site.plugins({"docgates/ownership": {"registry": "teams.yml"}})
    site.page("index.md", "---\nowner: '@sre-team'\n---\n# Home\n")
    assert site.build().returncode == 0
    header = owner_header(site, "")
    assert '<span class="docgates-owner__contact docgates-owner__contact--channel">#sre</span>' in header


# -- knowledge-silo audit ---------------------------------------------------------------------
def test_silo_audit_from_git_history(git_site):
    site, repo = git_site
    site.plugins({"docgates/ownership": {"defaults": {"*": "@docs-team", "ops/": "@sre-team"}}})
    site.save_config()
    ann, bob = "Ann Author <ann@example.com>", "Bob Builder <bob@example.com>"
    repo.commit("solo 1", "2026-01-01T10:00:00+00:00", ann, {"docs/solo.md": "# Solo\n"})
    repo.commit("solo 2", "2026-02-01T10:00:00+00:00", ann, {"docs/solo.md": "# Solo\n\nMore.\n"})
    repo.commit("shared 1", "2026-03-01T10:00:00+00:00", ann, {"docs/ops/shared.md": "# Shared\n"})
    repo.commit("shared 2", "2026-04-01T10:00:00+00:00", bob, {"docs/ops/shared.md": "# Shared\n\nB.\n"})
    repo.commit("shared 3", "2026-05-01T10:00:00+00:00", ann, {"docs/ops/shared.md": "# Shared\n\nA.\n"})
    site.page("new.md", "# Not committed yet\n")
    result = site.build()
    assert result.returncode == 0, result.output
    solo, shared, new = result.page("solo.md"), result.page("ops/shared.md"), result.page("new.md")
    assert solo["bus_factor_one"] is True
    assert solo["silo"] == {"authors": 1, "commits": 2, "top_author": "Ann Author", "top_author_share": 1.0}
    assert shared["bus_factor_one"] is False
    assert shared["silo"] == {"authors": 2, "commits": 3, "top_author": "Ann Author", "top_author_share": 0.667}
    assert new["bus_factor_one"] is False and new["silo"] is None
    audit = result.report["site"]["ownership"]
    assert audit["history"]["status"] == "ok"
    assert audit["bus_factor_one_pages"] == ["solo.md"]
    assert audit["owners"]["@docs-team"]["pages"] == 2
    assert audit["owners"]["@docs-team"]["bus_factor_one"] == 1
    assert audit["owners"]["@sre-team"]["pages"] == 1


def test_stale_pages_are_counted_per_owner(git_site):
    site, repo = git_site
    site.plugins("docgates/ownership", {"docgates/freshness": {"review_every": "30d"}})
    site.page("old.md", "---\nowner: '@sre-team'\nreviewed: 2025-01-01\n---\n# Old\n")
    site.page("fresh.md", "---\nowner: '@sre-team'\nreviewed: 2026-11-20\n---\n# Fresh\n")
    repo.commit("pages", "2025-01-01T10:00:00+00:00")
    result = site.build()
    assert result.page("old.md")["stale"] is True, "needs the freshness gate"
    owner = result.report["site"]["ownership"]["owners"]["@sre-team"]
    assert (owner["pages"], owner["stale"], owner["stale_pages"]) == (2, 1, ["old.md"])


def test_no_git_repository_means_no_silo_figures(site):
    site.plugins({"docgates/ownership": {"defaults": {"*": "@docs-team"}}})
    site.page("index.md", "# Home\n")
    result = site.build()
    assert result.returncode == 0, result.output
    assert result.page("index.md")["silo"] is None
    assert result.report["site"]["ownership"]["history"]["status"] != "ok"


def test_check_reports_the_same_ownership_findings(git_site):
    site, repo = git_site
    site.write("teams.yml", TEAMS)
    site.plugins({"docgates/ownership": {"registry": "teams.yml"}})
    site.page("index.md", "---\nowner: '@ghost'\n---\n# Home\n")
    site.page("orphan.md", "# Orphan\n")
    site.build()
    check = site.docgates("check")
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "index.md:2: ownership/unknown: owner '@ghost' is not in the team registry teams.yml; add it "
        "there (with name and contact) or use a registered handle",
        "orphan.md:1: ownership/missing: no owner: add 'owner: \"@team\"' to the front matter, a "
        "CODEOWNERS rule for docs/orphan.md, or a folder default in the docgates/ownership 'defaults' option",
    ]


def test_serve_watches_the_registry_and_codeowners(git_site, monkeypatch):
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    site, repo = git_site
    site.write("teams.yml", TEAMS)
    site.write(".github/CODEOWNERS", "/docs/ @sre-team\n")
    site.plugins({"docgates/ownership": {"registry": "teams.yml"}})
    site.page("index.md", "# Home\n")
    config_file = site.save_config()
    monkeypatch.chdir(site.root)
    config = load_config(str(config_file))
    config.plugins.on_startup(command="serve", dirty=False)
    config = config.plugins.on_config(config)
    config.plugins.on_files(get_files(config), config=config)

    class Server:
        watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = Server()
    config.plugins.on_serve(server, config=config, builder=lambda: None)
    config.plugins.on_shutdown()
    assert sorted(server.watched) == sorted(
        [str(site.root / "teams.yml"), str(site.root / ".github" / "CODEOWNERS")]
    )
