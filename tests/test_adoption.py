"""Adopting docgates on an existing site (issue 30): the adoption date, bulk reviews by owner,
shallow clones in CI, reader-facing banners without maintainer commands."""

from __future__ import annotations

from conftest import Site, base_env

LONG = "".join(f"Paragraph line {i} that makes the page long enough to detect renames.\n" for i in range(30))


def page(front: str = "", title: str = "Page", body: str = LONG) -> str:
    block = f"---\n{front.strip()}\n---\n" if front.strip() else ""
    return f"{block}# {title}\n\n{body}"


def test_adoption_date_starts_unreviewed_pages_green_and_a_later_change_counts(git_site):
    site, repo = git_site
    site.plugins({"docgates/freshness": {"review_every": "180d", "adopted": "2026-10-01"}}, "docgates/quality")
    site.save_config()
    repo.commit("old pages", "2025-01-10T10:00:00+00:00", files={
        "docs/index.md": page("", "Home"),
        "docs/old.md": page("", "Old"),
        "docs/reviewed.md": page("reviewed: 2025-02-01", "Reviewed long ago"),
        "docs/changed.md": page("", "Changed"),
    })
    repo.commit("edit after adoption", "2026-10-15T10:00:00+00:00", files={"docs/changed.md": page("", "Changed", LONG + "x\n")})

    result = site.build(keep_config=True)

    old = result.page("old.md")
    # Without the option this page is 500+ days overdue; adopted, its clock started 2026-10-01.
    assert (old["freshness_date"], old["due"], old["stale"]) == ("2026-10-01", "2027-03-30", False)
    assert old["freshness"]["source"] == "adopted" and old["freshness"]["last_changed"] == "2025-01-10"
    changed = result.page("changed.md")
    assert (changed["freshness_date"], changed["freshness"]["source"]) == ("2026-10-15", "git")
    # A recorded review is a review: adoption does not excuse it.
    reviewed = result.page("reviewed.md")
    assert reviewed["stale"] is True and result.returncode == 1
    assert result.report["site"]["freshness"]["adopted"] == "2026-10-01"
    dashboard = (site.root / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    assert "docgates was adopted on 2026-10-01" in dashboard
    old_html = (site.root / "site" / "old" / "index.html").read_text(encoding="utf-8")
    assert 'since docs checks began on <time datetime="2026-10-01">' in old_html


def test_adoption_date_that_is_not_a_date_is_a_configuration_error(git_site):
    site, repo = git_site
    site.page("index.md", page("", "Home"))
    site.plugins({"docgates/freshness": {"adopted": "last spring"}})
    repo.commit("pages", files={})
    result = site.build()
    assert result.returncode != 0
    assert "adopted" in result.output and "Traceback" not in result.output


def _shallow_clone(tmp_path, repo) -> Site:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    return Site(clone)


def test_a_shallow_clone_in_ci_fails_freshness_unless_the_site_chose_a_severity(git_site, tmp_path):
    site, repo = git_site
    repo.commit("one", "2026-01-10T10:00:00+00:00", files={"docs/index.md": page("", "Home")})
    repo.commit("two", "2026-02-10T10:00:00+00:00", files={"docs/other.md": page("", "Other")})

    def build(options: dict, **env: str):
        site.plugins({"docgates/freshness": options})
        repo.commit("config", "2026-03-10T10:00:00+00:00", files={"mkdocs.yml": site.save_config().read_text()})
        clone = _shallow_clone(tmp_path / str(len(list(tmp_path.iterdir()))), repo)
        return clone.build(keep_config=True, env=base_env(**env))

    laptop = build({})
    assert laptop.returncode == 0, laptop.output
    [unknown] = [f for f in laptop.report["site"]["findings"] if f["rule"] == "freshness/unknown"]
    assert unknown["severity"] == "warning"

    for variable in ("CI", "GITHUB_ACTIONS"):
        ci = build({}, **{variable: "true"})
        assert ci.returncode == 1, ci.output
        assert "freshness/unknown" in ci.output and "fetch-depth: 0" in ci.output
        assert "Traceback" not in ci.output
    # The site's own choice wins over the CI default, whichever way it is written.
    assert build({"git_unknown": "warning"}, CI="true").returncode == 0
    assert build({"severity": {"freshness/unknown": "warning"}}, CI="true").returncode == 0


def _owned_site(site: Site) -> Site:
    site.plugins("docgates/ownership", {"docgates/freshness": {"review_every": "180d", "warn_within": 14}})
    site.page("index.md", "---\nowner: '@docs'\nreviewed: 2026-11-01\n---\n# Home\n\nText.\n")
    site.page("runbooks/restart.md", "---\nowner: '@sre-team'  # keep this comment\nreviewed: 2026-01-08\n---\n# Restart\n\nText.\n")
    site.page("runbooks/backup.md", "---\nowner: '@sre-team'\nreviewed: 2026-06-02\n---\n# Backup\n\nText.\n")
    site.page("runbooks/fresh.md", "---\nowner: '@sre-team'\nreviewed: 2026-11-01\n---\n# Fresh\n\nText.\n")
    site.page("shared.md", "---\nowner: ['@platform-team', '@sre-team']\nreviewed: 2025-12-01\n---\n# Shared\n\nText.\n")
    site.page("other.md", "---\nowner: '@platform-team'\nreviewed: 2025-01-01\n---\n# Other\n\nText.\n")
    site.save_config()
    return site


def test_review_by_owner_lists_with_dry_run_then_records_each_due_page(site, tmp_path):
    _owned_site(site)
    before = {p: p.read_bytes() for p in site.docs.rglob("*.md")}

    dry = site.docgates("review", "--owner", "sre-team", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    listed = [line.split()[-2] for line in dry.stdout.splitlines() if line.startswith("  ")]
    # Stale (co-owned), stale, due in 5 days; the fresh page and other owners' pages are not listed.
    assert listed == ["docs/shared.md", "docs/runbooks/restart.md", "docs/runbooks/backup.md"]
    assert "would record a review dated 2026-11-24 on" in dry.stdout
    assert {p: p.read_bytes() for p in site.docs.rglob("*.md")} == before

    # From another folder, with -f: the pages are found from the project, not the shell.
    applied = site.run(
        *site_cmd("review", "--owner", "@sre-team", "-f", str(site.root / "mkdocs.yml")), cwd=tmp_path
    )
    assert applied.returncode == 0, applied.stderr
    restart = (site.docs / "runbooks/restart.md").read_text()
    assert restart.startswith("---\nowner: '@sre-team'  # keep this comment\nreviewed: 2026-11-24\n---\n")
    assert "reviewed: 2026-11-24" in (site.docs / "runbooks/backup.md").read_text()
    assert "reviewed: 2026-11-24" in (site.docs / "shared.md").read_text()
    for untouched in ("runbooks/fresh.md", "other.md", "index.md"):
        assert (site.docs / untouched).read_bytes() == before[site.docs / untouched]
    after = site.docgates("stale", "--owner", "@sre-team")
    assert after.stdout == "No pages are stale or due within 14 days.\n"


def test_review_by_owner_refuses_when_no_page_matches_or_paths_are_given_too(site):
    _owned_site(site)
    before = {p: p.read_bytes() for p in site.docs.rglob("*.md")}
    nobody = site.docgates("review", "--owner", "@nobdoy")
    assert nobody.returncode == 2
    assert "no page of @nobdoy is stale" in nobody.stderr and "spelling" in nobody.stderr
    both = site.docgates("review", "docs/other.md", "--owner", "@sre-team")
    assert both.returncode == 2 and "not both" in both.stderr
    assert site.docgates("review", "docs/other.md", "--dry-run").returncode == 2
    assert "Traceback" not in nobody.stderr + both.stderr
    assert {p: p.read_bytes() for p in site.docs.rglob("*.md")} == before


def site_cmd(*args: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "docgates", *args]


def test_show_commands_false_keeps_maintainer_commands_out_of_banners_but_in_the_log(git_site):
    site, repo = git_site
    repo.commit("pages", "2025-01-10T10:00:00+00:00", files={
        "docs/index.md": page("reviewed: 2025-01-10\ndocuments: [src/**]", "Home"),
        "docs/templates/adr.md": "---\ntemplate_for: adr\n---\n# ADR template\n\n## Context\n\nWhy.\n",
        "src/app.py": "x = 1\n",
    })
    repo.commit("code", "2025-06-01T10:00:00+00:00", files={"src/app.py": "x = 2\n"})

    def build(show: bool):
        site.plugins({"docgates/freshness": {"show_commands": show}}, {"docgates/checklist": {"show_commands": show}})
        return site.build()

    shown = build(True)
    html = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    template = (site.root / "site" / "templates" / "adr" / "index.html").read_text(encoding="utf-8")
    # The control: by default the banners tell a maintainer what to run.
    assert "docgates review docs/index.md" in html and "docgates new adr" in template
    assert 'class="docgates-freshness docgates-stale"' in html and "docgates-code-changed" in html

    hidden = build(False)
    html = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    template = (site.root / "site" / "templates" / "adr" / "index.html").read_text(encoding="utf-8")
    assert "docgates review" not in html and "docgates new" not in template
    # Readers still see that the page is overdue and behind its code, and who owns what.
    assert 'class="docgates-freshness docgates-stale"' in html and "docgates-code-changed" in html
    assert "This page may be out of date." in html
    messages = [f["message"] for f in hidden.page("index.md")["findings"]]
    assert {f["rule"] for f in hidden.page("index.md")["findings"]} >= {"freshness/stale", "freshness/code-changed"}
    assert all("'docgates review docs/index.md'" in m for m in messages if m.startswith("review overdue"))
    assert "then run 'docgates review docs/index.md'" in hidden.output
    assert hidden.returncode == shown.returncode == 1


def test_baselined_findings_follow_a_pure_rename_in_check_changed_since_and_the_build(git_site):
    site, repo = git_site
    site.plugins("docgates/ownership", "docgates/freshness", "docgates/links")
    site.save_config()
    # Stale (a command naming the page in its message), unowned, and a broken link: debt.
    guide = page("reviewed: 2025-01-01", "Guide", LONG + "See [gone](missing.md).\n")
    repo.commit("pages", "2025-01-10T10:00:00+00:00", files={
        "docs/index.md": page("owner: '@docs'\nreviewed: 2026-11-01", "Home"),
        "docs/old/guide.md": guide,
    })
    assert site.docgates("baseline").returncode == 0
    base = repo.commit("baseline", "2026-11-01T10:00:00+00:00")
    assert site.docgates("check").returncode == 0

    repo.git("mv", "docs/old", "docs/new")
    repo.commit("move the guide", "2026-11-20T10:00:00+00:00")

    check = site.docgates("check", "--format", "json")
    assert check.returncode == 0, check.stdout + check.stderr
    changed = site.docgates("check", "--changed-since", base)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    build = site.build(keep_config=True)
    assert build.returncode == 0, build.output
    findings = build.page("new/guide.md")["findings"]
    assert {f["rule"] for f in findings} == {"freshness/stale", "ownership/missing", "links/broken"}
    assert all(f["baselined"] for f in findings)
    assert build.report["site"]["baseline"]["fixed"] == 0

    # A new defect on the renamed page is still new.
    repo.commit("new defect", "2026-11-21T10:00:00+00:00", files={
        "docs/new/guide.md": guide + "And [another](nowhere.md).\n",
    })
    again = site.docgates("check")
    assert again.returncode == 1 and "nowhere.md" in again.stdout + again.stderr
