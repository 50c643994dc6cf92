"""``docgates new TYPE "Title"``: pages scaffolded from the handbook's template pages."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import REPO_ROOT, TODAY
from docgates.checklist.scaffold import slugify

HANDBOOK_TEMPLATES = REPO_ROOT / "docs" / "templates"


def handbook_site(site, *plugins):
    """A site with the handbook's real template pages and a CODEOWNERS file."""
    shutil.copytree(HANDBOOK_TEMPLATES, site.docs / "templates")
    # The templates link to handbook pages outside templates/: stand-ins keep links valid.
    for template in HANDBOOK_TEMPLATES.glob("*.md"):
        for target in re.findall(r"\]\(\.\./([^)#]+\.md)", template.read_text()):
            if not (site.docs / target).exists():
                site.page(target, "---\nowner: \"@x\"\nreviewed: 2026-11-01\n---\n# Stand-in\n")
    site.write("CODEOWNERS", "* @handbook-team\n/docs/decisions/ @eng-leads\n/docs/postmortems/ @sre-team\n")
    site.page("index.md", "---\nowner: \"@handbook-team\"\nreviewed: 2026-11-01\n---\n# Home\n")
    site.plugins(*(plugins or ("docgates/checklist", "docgates/ownership", "docgates/freshness")))
    site.save_config()
    return site


def test_new_adr_is_numbered_complete_and_builds_green(site):
    handbook_site(site)
    site.page("decisions/0007-earlier.md", "---\nowner: \"@x\"\nreviewed: 2026-11-01\ntype: adr\nstatus: accepted\n"
              "date: 2026-01-01\n---\n# Earlier\n\n## Context\n\n## Decision\n\n## Consequences\n")
    result = site.docgates("new", "adr", "Use Postgres for Billing!")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "docs/decisions/0008-use-postgres-for-billing.md\n"
    text = (site.docs / "decisions" / "0008-use-postgres-for-billing.md").read_text()
    assert text.startswith(
        "---\nowner: \"@eng-leads\"\nreviewed: 2026-11-24\ntype: adr\nstatus: proposed\ndate: 2026-11-24\n---\n"
        "# ADR 0008: Use Postgres for Billing!\n\n"
    )
    # The template's advice for authors stays on the template page.
    assert "template-only" not in text and "How to use this template" not in text
    for section in ("## Context", "## Decision", "## Consequences"):
        assert f"\n{section}\n" in text
    build = site.build(strict=True)
    assert build.returncode == 0, build.output
    page = build.page("decisions/0008-use-postgres-for-billing.md")
    assert page["findings"] == []
    assert page["checklist"]["missing"] == [] and page["checklist"]["total"] == 5
    assert page["owner"] == ["@eng-leads"]


def test_new_postmortem_asks_for_the_fields_only_a_person_knows(site):
    handbook_site(site)
    result = site.docgates("new", "postmortem", "Login outage", "--owner", "@sre-team", "--owner", "@platform-team")
    assert result.returncode == 0, result.stderr
    path = site.root / result.stdout.strip()
    assert path == site.docs / "postmortems" / f"{TODAY}-login-outage.md"
    text = path.read_text()
    assert 'owner: ["@sre-team", "@platform-team"]\n' in text
    assert f"incident_date: {TODAY}\n" in text
    assert "severity:  # how bad it was" in text
    assert "fill in the front matter: severity, contributing_factors" in result.stderr
    assert "- [ ] " in text  # the template's action items
    build = site.build(strict=True)
    assert build.returncode == 0, build.output
    page = build.page(f"postmortems/{TODAY}-login-outage.md")
    assert [f["rule"] for f in page["findings"]] == ["checklist/incomplete"]
    assert page["checklist"]["missing"] == [
        "Front matter 'severity'", "Front matter 'contributing_factors' (a list)",
    ]
    assert page["actions"] == 2


def test_new_never_overwrites(site):
    handbook_site(site)
    first = site.docgates("new", "runbook", "Restart the queue")
    assert first.returncode == 0, first.stderr
    path = site.root / first.stdout.strip()
    path.write_text("my edits\n")
    again = site.docgates("new", "runbook", "Restart the queue")
    assert again.returncode == 1
    assert "already exists; not overwriting it" in again.stderr
    assert again.stdout == ""
    assert path.read_text() == "my edits\n"
    adr = site.docgates("new", "adr", "Same title")
    assert adr.returncode == 0
    twice = site.docgates("new", "adr", "Same title")
    assert twice.returncode == 1
    assert "0001-same-title.md already has that title" in twice.stderr
    assert sorted(p.name for p in (site.docs / "decisions").iterdir()) == ["0001-same-title.md"]


def test_new_without_a_template_page_scaffolds_the_sites_sections(site):
    site.write("checklists.yml", "howto:\n  extends: howto\n  required_sections: [Troubleshooting]\n  folder: guides\n")
    site.plugins({"docgates/checklist": {"checklists": "checklists.yml"}})
    site.page("index.md", "# Home\n")
    site.save_config()
    result = site.docgates("new", "howto", "Set up VPN", "--owner", "@it")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "docs/guides/set-up-vpn.md\n"
    assert "no template page" in result.stderr
    text = (site.docs / "guides" / "set-up-vpn.md").read_text()
    assert text == (
        "---\nowner: \"@it\"\nreviewed: 2026-11-24\ntype: howto\n---\n# Set up VPN\n\n"
        "## Prerequisites\n\n## Steps\n\n## Troubleshooting\n"
    )
    # Headings alone are not done: each section asks to be written (a warning, as configured).
    build = site.build()
    assert build.returncode == 0, build.output
    assert build.page("guides/set-up-vpn.md")["checklist"]["missing"] == [
        "Section 'Prerequisites'", "Section 'Steps'", "Section 'Troubleshooting'",
    ]
    assert "line 10: write the 'Steps' section: it has a heading and nothing under it" in build.output


def test_new_adr_continues_the_sites_own_decision_records(site):
    handbook_site(site)
    record = "---\ntype: adr\nstatus: accepted\ndate: 2026-01-01\n---\n# {}\n\n## Context\n\nC.\n"
    # An adopted site's records: numbered files in a folder that says what they are, one of
    # them without front matter, and one page of type adr elsewhere.
    site.page("decision-log/doc/adr/0001-record-architecture-decisions.md", "# 1. Record architecture decisions\n")
    site.page("decision-log/doc/adr/0002-use-markdown.md", record.format("2. Use Markdown"))
    site.page("decision-log/doc/adr/0012-adopt-docgates.md", record.format("12. Adopt docgates"))
    site.page("team/why-we-chose-go.md", record.format("Why Go"))
    site.page("runbooks/0001-restart.md", "# Not a record\n")
    result = site.docgates("new", "adr", "Move queues to Kafka")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "docs/decision-log/doc/adr/0013-move-queues-to-kafka.md\n"
    assert "pages are in docs/decision-log/doc/adr, so the page goes there (number 0013)" in result.stderr
    text = (site.docs / "decision-log" / "doc" / "adr" / "0013-move-queues-to-kafka.md").read_text()
    assert "# ADR 0013: Move queues to Kafka\n" in text
    assert not (site.docs / "decisions").exists()

    # Once the configured folder holds records, it wins again.
    site.page("decisions/0001-first.md", record.format("First"))
    again = site.docgates("new", "adr", "Another one")
    assert again.stdout == "docs/decisions/0002-another-one.md\n"
    assert "so the page goes there" not in again.stderr


def test_new_usage_errors(site):
    handbook_site(site)
    unknown = site.docgates("new", "rfc", "Title")
    assert unknown.returncode == 2
    assert "unknown page type 'rfc'; known types: adr, howto, learningplan, postmortem, runbook, techtalk" in unknown.stderr
    empty = site.docgates("new", "adr", "!!!")
    assert empty.returncode == 2 and "no letters or digits" in empty.stderr
    site.write("mkdocs.yml", "site_name: X\nplugins:\n  - docgates/checklist:\n      checklists: missing.yml\n", dedent=False)
    bad = site.docgates("new", "adr", "Title")
    assert bad.returncode == 2 and "checklists: missing.yml is not a file" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_every_handbook_template_scaffolds_a_page_that_builds(site):
    handbook_site(site, "docgates/checklist")
    created = []
    for page_type in ("adr", "postmortem", "runbook", "howto", "techtalk", "learningplan"):
        result = site.docgates("new", page_type, f"A {page_type} page", "--owner", "@team")
        assert result.returncode == 0, result.stderr
        created.append(result.stdout.strip().removeprefix("docs/"))
    assert created[2:] == [
        "runbooks/a-runbook-page.md", "howto/a-howto-page.md",
        "learning/talks/a-techtalk-page.md", "learning/plans/a-learningplan-page.md",
    ]
    build = site.build(strict=True)
    assert build.returncode == 0, build.output
    for path in created:
        checklist = build.page(path)["checklist"]
        assert all(label.startswith("Front matter") for label in checklist["missing"]), (path, checklist)


def test_new_names_a_page_after_a_title_in_any_script(site):
    handbook_site(site)
    result = site.docgates("new", "adr", "日本語のタイトル")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "docs/decisions/0001-日本語のタイトル.md\n"
    text = (site.docs / "decisions" / "0001-日本語のタイトル.md").read_text(encoding="utf-8")
    assert "\n# ADR 0001: 日本語のタイトル\n" in text
    build = site.build(strict=True)
    assert build.returncode == 0, build.output
    assert build.page("decisions/0001-日本語のタイトル.md")["owner"] == ["@eng-leads"]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("日本語のタイトル", "日本語のタイトル"),
        ("デザイン レビュー", "デザイン-レビュー"),  # the voicing marks stay on their kana
        ("हिन्दी शीर्षक", "हिन्दी-शीर्षक"),  # vowel signs and virama stay
        ("Ünïcödé straße", "unicode-straße"),  # Latin accents go, as before; ß is a letter
        ("København", "københavn"),
        ("ＦＵＬＬ　ｗｉｄｔｈ", "full-width"),
        ("İstanbul", "istanbul"),
        ("Café — 2nd draft!", "cafe-2nd-draft"),
        ("🚀 ✨", ""),  # no letters or digits: refused by docgates new
    ],
)
def test_slug_keeps_letters_of_every_script(title, slug):
    assert slugify(title) == slug


def test_slug_of_a_long_title_fits_a_file_name():
    slug = slugify("𐌰𐌱𐌲 " * 40)  # four bytes a letter
    assert slug and not slug.endswith("-")
    assert len(slug.encode("utf-8")) <= 200
