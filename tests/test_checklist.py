"""docgates/checklist in real builds: definitions of done per page type."""

from __future__ import annotations

import re

HEAD = "---\nowner: \"@docs\"\nreviewed: 2026-11-01\n"


def _written(pages):
    """Each page with a sentence under every empty H2: a required section needs content."""
    def fill(text):
        return re.sub(r"(?m)^(## [^\n]*\n)(?=\n*(?:## |\Z))", r"\1\nSaid.\n", text)

    return {path: fill(value) if isinstance(value, str) else (fill(value[0]), value[1]) for path, value in pages.items()}


COMPLETE = _written({
    "decisions/0001-use-x.md": HEAD + "type: adr\nstatus: accepted\ndate: 2026-10-01\n---\n"
    "# Use X\n\n## Context\n\nWhy.\n\n## Decision\n\nWhat.\n\n## Consequences\n\nSo.\n",
    "postmortems/outage.md": HEAD + "type: postmortem\nincident_date: 2026-11-01\nseverity: SEV2\n"
    "contributing_factors: [alerting, deploy-pipeline]\n---\n# Outage\n\n## Summary\n\n## Impact\n\n"
    "## Timeline\n\n## Contributing factors\n\n## Action items\n\n- [x] Fix alert routes.\n"
    "- [ ] Add a canary stage.\n- [ ] Write a runbook.\n",
    "runbooks/restart.md": HEAD + "type: runbook\n---\n# Restart\n\n## When to use\n\n## Steps\n\n"
    "## Verification\n\n## Escalation\n",
    "howto/setup.md": HEAD + "type: howto\n---\n# Set up\n\n## prerequisites\n\n## STEPS\n",
    "talks/ebpf.md": HEAD + "type: techtalk\n---\n# eBPF\n\n## Abstract\n\n## Key takeaways\n\n"
    "## Recording and slides\n",
    "plans/rust.md": HEAD + "type: learningplan\n---\n# Rust\n\n## Goals\n\n## Resources\n\n"
    "## Milestones\n\n## Sharing back\n",
})

INCOMPLETE = _written({
    # Missing: date, Decision.
    "decisions/0002-use-y.md": (HEAD + "type: adr\nstatus: proposed\n---\n# Use Y\n\n## Context\n\n"
                                "```md\n## Decision\n```\n\n## Consequences\n", 2),
    # Missing: severity, contributing_factors, Timeline, Action items (and so its tasks).
    "postmortems/incomplete.md": (HEAD + "type: postmortem\nincident_date: 2026-11-01\n---\n# Bad\n\n"
                                  "## Summary\n\n## Impact\n\n## Contributing factors\n", 5),
    "runbooks/bare.md": (HEAD + "type: runbook\n---\n# Bare\n\n## Steps\n", 3),
    "howto/bare.md": (HEAD + "type: howto\n---\n# Bare\n\nText.\n", 2),
    "talks/bare.md": (HEAD + "type: techtalk\n---\n# Bare\n\n## Abstract\n", 2),
    "plans/bare.md": (HEAD + "type: learningplan\n---\n# Bare\n\n## Goals\n\n## Milestones\n", 2),
})


def test_complete_and_incomplete_pages_of_every_builtin_type(site):
    site.plugins("docgates/checklist")
    site.page("index.md", "# Home\n")
    for path, text in COMPLETE.items():
        site.page(path, text)
    for path, (text, _) in INCOMPLETE.items():
        site.page(path, text)
    result = site.build(strict=True)
    # Incomplete pages are warnings: they are reported, the build passes.
    assert result.returncode == 0, result.output
    for path in COMPLETE:
        page = result.page(path)
        assert page["findings"] == [], path
        assert page["checklist"]["done"] == page["checklist"]["total"] > 0, path
        assert page["checklist"]["missing"] == []
        html = (site.root / "site" / path.replace(".md", "/index.html")).read_text()
        box = re.search(r'<details class="docgates-checklist[^"]*"[^>]*>', html).group(0)
        assert "docgates-checklist--complete" in box and " open" not in box
    for path, (_, missing) in INCOMPLETE.items():
        page = result.page(path)
        [finding] = page["findings"]
        assert finding["rule"] == "checklist/incomplete" and finding["severity"] == "warning"
        checklist = page["checklist"]
        assert len(checklist["missing"]) == missing, (path, checklist["missing"])
        assert checklist["done"] == checklist["total"] - missing
        # One finding lists every missing item.
        for label in checklist["missing"]:
            name = re.search(r"'([^']+)'", label).group(1)
            assert name in finding["message"], (path, name)
        html = (site.root / "site" / path.replace(".md", "/index.html")).read_text()
        box = re.search(r'<details class="docgates-checklist[^"]*"[^>]*>', html).group(0)
        assert "docgates-checklist--incomplete" in box and " open" in box
        assert html.count("docgates-checklist__item--missing") == missing
        assert f"{path}:{finding['line']}: checklist/incomplete: " in result.output
    adr = result.page("decisions/0002-use-y.md")
    assert adr["checklist"]["missing"] == ["Front matter 'date' (a date, YYYY-MM-DD)", "Section 'Decision'"]
    # The first thing to fix: the front matter (line 1) before the section after Context.
    assert adr["findings"][0]["line"] == 1
    assert adr["findings"][0]["message"] == (
        "Architecture decision record not done (3 of 5 items): line 1: add 'date:' to the front "
        "matter (a date, YYYY-MM-DD); line 9: add a '## Decision' section"
    )
    assert result.page("runbooks/bare.md")["findings"][0]["line"] == 6  # the H1: When to use goes first
    assert result.page("index.md")["checklist"] is None
    post = result.page("postmortems/outage.md")
    assert (post["actions"], post["open_actions"], post["overdue_actions"]) == (3, 2, 0)
    summary = result.report["site"]["checklist"]
    assert summary["typed_pages"] == 12 and summary["complete"] == 6
    assert summary["contributing_factors"] == {"alerting": 1, "deploy-pipeline": 1}


def test_adr_status_values_and_supersession(site):
    site.plugins("docgates/checklist")
    body = "# T\n\n## Context\n\nWhy.\n\n## Decision\n\nWhat.\n\n## Consequences\n\nSo.\n"
    adr = HEAD + "type: adr\ndate: 2026-10-01\n"
    site.page("decisions/0001-old.md", adr + "status: superseded\nsuperseded_by: 0003-new.md\n---\n" + body)
    site.page("decisions/0002-gone.md", adr + "status: superseded\nsuperseded_by: 0099-missing.md\n---\n" + body)
    site.page("decisions/0003-new.md", adr + "status: Accepted\n---\n" + body)
    site.page("decisions/0004-bad.md", adr + "status: approved\n---\n" + body)
    site.page("decisions/0005-orphan.md", adr + "status: superseded\n---\n" + body)
    site.page("decisions/0006-wrong.md", adr + "status: superseded\nsuperseded_by: ../guide.md\n---\n" + body)
    site.page("decisions/0007-docs-root.md", adr + "status: superseded\nsuperseded_by: /decisions/0003-new\n---\n" + body)
    site.page("guide.md", "# Guide\n")
    result = site.build()
    assert result.returncode == 0, result.output
    for ok in ("0001-old", "0003-new", "0007-docs-root"):
        assert result.page(f"decisions/{ok}.md")["findings"] == [], ok
    [gone] = result.page("decisions/0002-gone.md")["findings"]
    assert gone["line"] == 7 and "0099-missing.md is not a page of this site" in gone["message"]
    [bad] = result.page("decisions/0004-bad.md")["findings"]
    assert bad["line"] == 6
    assert "'approved' is not allowed; use one of proposed, accepted, rejected, deprecated, superseded" in bad["message"]
    [orphan] = result.page("decisions/0005-orphan.md")["findings"]
    assert "line 1: add 'superseded_by:' to the front matter (status is superseded)" in orphan["message"]
    [wrong] = result.page("decisions/0006-wrong.md")["findings"]
    assert "guide.md is not a adr page" in wrong["message"]


def test_action_items_overdue_after_the_incident(site):
    site.plugins("docgates/checklist")
    sections = ("# Outage\n\n## Summary\n\nS.\n\n## Impact\n\nI.\n\n## Timeline\n\nT.\n\n## Contributing factors\n\n"
                "C.\n\n## Action items\n\n")
    head = HEAD + "type: postmortem\nseverity: SEV1\ncontributing_factors: [alerting]\n"
    site.page("old.md", head + "incident_date: 2026-03-01\n---\n" + sections
              + "- [x] Done.\n- [ ] Still open.\n- [ ] Later (due 2027-01-31)\n\n## Notes\n\n- [ ] not an action\n")
    site.page("closed.md", head + "incident_date: 2026-03-01\n---\n" + sections + "- [x] Done.\n")
    site.page("none.md", head + "incident_date: 2026-11-20\n---\n" + sections + "Nothing yet.\n")
    result = site.build()
    old = result.page("old.md")
    assert (old["actions"], old["open_actions"], old["overdue_actions"]) == (3, 2, 1)
    [finding] = old["findings"]
    assert finding["line"] == 30
    assert "line 30: 1 open task is overdue in 'Action items' (\"Still open.\")" in finding["message"]
    html = (site.root / "site" / "old" / "index.html").read_text()
    assert "2 of 3 action items open, 1 overdue" in html
    assert result.page("closed.md")["findings"] == []
    assert result.page("closed.md")["open_actions"] == 0
    [empty] = result.page("none.md")["findings"]
    assert "list the action items as tasks" in empty["message"]
    assert result.report["site"]["checklist"]["open_actions"] == 2


def test_unknown_type_is_reported_and_can_fail_the_build(site):
    site.plugins({"docgates/checklist": {"severity": {"checklist/unknown-type": "error"}}})
    site.page("rfc.md", HEAD + "type: RFC\n---\n# An RFC\n")
    result = site.build()
    assert result.returncode == 1
    [finding] = result.page("rfc.md")["findings"]
    assert finding["rule"] == "checklist/unknown-type" and finding["line"] == 4
    assert "type 'rfc' has no definition of done; use one of adr, howto, learningplan, postmortem" in finding["message"]
    assert "rfc.md:4: checklist/unknown-type: " in result.output


def test_site_checklists_override_and_extend_the_builtins(site):
    site.write("config/checklists.yml", """\
        adr:
          extends: adr
          required_sections: [[Alternatives, Options considered]]
        runbook:
          required_sections: [Steps]
        rfc:
          label: Request for comments
          required_fields: [authors]
          min_words: 20
          min_links: 1
        howto: false
        """)
    site.plugins({"docgates/checklist": {"checklists": "config/checklists.yml"}})
    site.page("a.md", HEAD + "type: adr\nstatus: accepted\ndate: 2026-01-01\n---\n# A\n\n## Context\n\nC.\n\n"
              "## Decision\n\nD.\n\n## Consequences\n\nE.\n\n## Options considered\n\nO.\n")
    site.page("b.md", HEAD + "type: adr\nstatus: accepted\ndate: 2026-01-01\n---\n# B\n\n## Context\n\nC.\n\n"
              "## Decision\n\nD.\n\n## Consequences\n\nE.\n")
    site.page("run.md", HEAD + "type: runbook\n---\n# Run\n\n## Steps\n\n1. Run it.\n")
    site.page("rfc.md", HEAD + "type: rfc\nauthors: [ann]\n---\n# RFC\n\nShort text with [a link](https://x.org).\n")
    site.page("how.md", HEAD + "type: howto\n---\n# How\n")
    result = site.build()
    assert result.returncode == 0, result.output
    assert result.page("a.md")["findings"] == []
    assert result.page("b.md")["checklist"]["missing"] == ["Section 'Alternatives'"]
    assert result.page("run.md")["findings"] == []
    rfc = result.page("rfc.md")
    assert rfc["checklist"]["missing"] == ["At least 20 words", "At least 1 link to related pages"]
    assert "(the page has 5)" in rfc["findings"][0]["message"]
    assert result.rules("how.md") == ["checklist/unknown-type"]


def test_malformed_checklists_file_fails_with_file_and_line(site):
    site.write("checklists.yml", "adr:\n  required_sections: [Context\n  min_words: 3\n")
    site.plugins({"docgates/checklist": {"checklists": "checklists.yml"}})
    site.page("index.md", "# Home\n")
    result = site.build()
    assert result.returncode == 1
    assert "docgates/checklist: checklists.yml:3: not valid YAML: " in result.output
    assert "Traceback" not in result.output
    site.write("checklists.yml", "adr:\n  sections: [Context]\n")
    result = site.build()
    assert result.returncode == 1
    assert "docgates/checklist: checklists.yml:2: adr.sections: unknown key; a checklist may have label, extends" in result.output
    check = site.docgates("check")
    assert check.returncode == 2
    assert "checklists.yml:2: adr.sections: unknown key" in check.stderr
    site.plugins({"docgates/checklist": {"checklists": "nope.yml"}})
    result = site.build()
    assert result.returncode == 1
    assert "checklists: nope.yml is not a file" in result.output


def test_template_pages_are_exempt_but_must_have_every_section(site):
    site.plugins("docgates/checklist")
    site.page("templates/adr.md", HEAD + "template_for: adr\n---\n# ADR template\n\n## Context\n\n"
              "## Decision\n\n## Consequences\n")
    site.page("templates/runbook.md", HEAD + "template_for: runbook\n---\n# Runbook template\n\n## Steps\n")
    site.page("templates/rfc.md", HEAD + "template_for: rfc\n---\n# RFC template\n")
    site.page("bad.md", HEAD + "type: adr\nstatus: accepted\ndate: 2026-01-01\n---\n# Bad\n\n## Context\n")
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    template = result.page("templates/adr.md")
    assert template["findings"] == []
    assert template["checklist"]["template_for"] == "adr"
    assert "Front matter 'status' (one of proposed, accepted, rejected, deprecated, superseded)" in template["checklist"]["definition"]
    [runbook] = result.page("templates/runbook.md")["findings"]
    assert runbook["rule"] == "checklist/incomplete"
    assert "template for runbook pages lacks required sections" in runbook["message"]
    assert result.rules("templates/rfc.md") == ["checklist/unknown-type"]
    # MkDocs leaves docs/templates/ out by default; the plugin puts the template pages back.
    html = (site.root / "site" / "templates" / "adr" / "index.html").read_text()
    assert "docgates-checklist--template" in html and "docgates new adr" in html
    # An incomplete page points to its type's template.
    [finding] = result.page("bad.md")["findings"]
    assert finding["message"].endswith("see templates/adr.md")
    bad_html = (site.root / "site" / "bad" / "index.html").read_text()
    assert 'See the <a href="../templates/adr/">' in bad_html


def test_without_a_template_page_an_incomplete_page_links_to_no_template(site):
    """No docs/templates/adr.md: the box says nothing of a template (it used to say "See the
    ... template" with a link to the home page)."""
    site.plugins("docgates/checklist")
    site.page("index.md", "# Home\n")
    site.page("bad.md", HEAD + "type: adr\nstatus: accepted\ndate: 2026-01-01\n---\n# Bad\n\n## Context\n")
    result = site.build()
    assert result.returncode == 0, result.output
    assert result.page("bad.md")["checklist"]["template_url"] is None
    [finding] = result.page("bad.md")["findings"]
    assert "see templates/" not in finding["message"]
    bad_html = (site.root / "site" / "bad" / "index.html").read_text()
    assert "docgates-checklist--incomplete" in bad_html
    assert "See the" not in bad_html and "docgates-checklist__help" not in bad_html


def test_checklist_text_is_escaped(site):
    site.write("checklists.yml", "adr:\n  label: '<b>ADR</b>'\n  required_sections: ['<script>alert(1)</script>']\n")
    site.plugins({"docgates/checklist": {"checklists": "checklists.yml"}})
    site.page("a.md", HEAD + "type: adr\n---\n# A\n")
    result = site.build()
    assert result.returncode == 0, result.output
    html = (site.root / "site" / "a" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;ADR&lt;/b&gt;" in html


def test_check_reports_the_same_checklist_findings(site):
    site.plugins("docgates/checklist")
    site.page("decisions/0001-a.md", HEAD + "type: adr\nstatus: superseded\nsuperseded_by: 0002-b.md\n"
              "date: 2026-01-01\n---\n# A\n\n## Context\n")
    site.page("decisions/0002-b.md", HEAD + "type: adr\nstatus: accepted\ndate: 2026-01-01\n---\n# B\n\n"
              "## Context\n\n## Decision\n\n## Consequences\n")
    build = site.build()
    check = site.docgates("check")
    assert check.returncode == 0, check.stderr
    [finding] = build.page("decisions/0001-a.md")["findings"]
    assert f"decisions/0001-a.md:{finding['line']}: checklist/incomplete: {finding['message']}" in check.stdout


def test_supersession_resolves_in_changed_pages_mode(git_site):
    site, repo = git_site
    site.plugins("docgates/checklist").save_config()
    body = "\n## Context\n\nC.\n\n## Decision\n\nD.\n\n## Consequences\n\nE.\n"
    adr = HEAD + "type: adr\ndate: 2026-01-01\n"
    repo.commit("start", files={
        "docs/index.md": "# Home\n",
        "docs/decisions/0001-a.md": adr + "status: accepted\n---\n# A\n" + body,
        "docs/decisions/0002-b.md": adr + "status: accepted\n---\n# B\n" + body,
    })
    site.page("decisions/0001-a.md", adr + "status: superseded\nsuperseded_by: 0002-b.md\n---\n# A\n" + body)
    site.page("decisions/0003-c.md", adr + "status: superseded\nsuperseded_by: 0001-a.md\n---\n# C\n" + body)
    check = site.docgates("check", "--changed-since", "HEAD", "--format", "json")
    assert check.returncode == 0, check.stderr
    import json

    pages = {p["path"]: p for p in json.loads(check.stdout)["pages"]}
    assert "decisions/0002-b.md" not in pages
    assert pages["decisions/0001-a.md"]["findings"] == []
    # 0001-a is superseded itself, but it is an ADR page: the reference is valid.
    assert pages["decisions/0003-c.md"]["findings"] == []
