"""The checklist core without MkDocs: outlines, the checklists file, evaluation."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from docgates.checklist.evaluate import evaluate  # noqa: E402
from docgates.checklist.config import load_checklists  # noqa: E402
from docgates.checklist.model import ChecklistConfigError  # noqa: E402
from docgates.core.frontmatter import parse_page  # noqa: E402
from docgates.core.markdown_outline import outline  # noqa: E402
from docgates.checklist.scaffold import render_page, slugify, target_path  # noqa: E402

TODAY = dt.date(2026, 11, 24)


def test_outline_skips_code_fences_and_comments():
    body = textwrap.dedent("""\
        # Title

        ## Context {#ctx}

        ```markdown
        ## Decision
        - [ ] not a task
        ```

        <!--
        ## Consequences
        - [x] not a task either
        -->

        1. list
            ~~~
            ## Steps
            ~~~

        Alternatives
        ------------

        - [x] done task
        * [ ] open task, due 2026-12-01
        """)
    result = outline(body, first_line=5)
    assert [(h.level, h.text, h.line) for h in result.headings] == [
        (1, "Title", 5), (2, "Context", 7), (2, "Alternatives", 24),
    ]
    assert [(t.done, t.line, t.section) for t in result.tasks] == [(True, 27, "Alternatives"), (False, 28, "Alternatives")]
    assert result.tasks[1].due == "2026-12-01"


def test_outline_counts_prose_words_and_internal_links():
    body = textwrap.dedent("""\
        # Title

        See [the runbook](../runbooks/x.md), [docs](https://example.com) and [here](#top).
        `[not](a-link.md)` ![image](pic.png) <https://example.org>

        [ref]: other.md
        """)
    result = outline(body)
    assert [link.target for link in result.links] == ["../runbooks/x.md", "https://example.com", "#top", "https://example.org", "other.md"]
    assert sum(link.internal for link in result.links) == 2
    # "See the runbook, docs and here": not the heading, code, image or link targets.
    assert result.words == 6


def test_builtin_checklists_have_the_agreed_items():
    checklists = load_checklists()
    assert set(checklists) == {"adr", "postmortem", "runbook", "howto", "techtalk", "learningplan"}
    assert checklists["adr"].section_names == ["Context", "Decision", "Consequences"]
    assert checklists["adr"].fields["status"].allowed == ("proposed", "accepted", "rejected", "deprecated", "superseded")
    assert checklists["postmortem"].required_fields == ("incident_date", "severity", "contributing_factors")
    assert checklists["runbook"].section_names == ["When to use", "Steps", "Verification", "Escalation"]
    assert checklists["learningplan"].section_names == ["Goals", "Resources", "Milestones", "Sharing back"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "checklists.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_site_file_replaces_extends_and_removes_types(tmp_path):
    path = write(tmp_path, """\
        adr:
          extends: adr
          required_sections: [Alternatives considered]
          fields:
            status: {allowed: [draft, final]}
        runbook:
          required_sections: [Steps]
        rfc:
          extends: adr
          min_words: 100
          folder: rfcs
        howto: false
        """)
    checklists = load_checklists(path)
    assert checklists["adr"].section_names == ["Context", "Decision", "Consequences", "Alternatives considered"]
    assert checklists["adr"].fields["status"].allowed == ("draft", "final")
    assert checklists["adr"].fields["status"].default == "proposed"  # merged key by key
    assert checklists["runbook"].section_names == ["Steps"]
    assert checklists["rfc"].section_names[-1] == "Alternatives considered"
    assert (checklists["rfc"].min_words, checklists["rfc"].folder) == (100, "rfcs")
    assert "howto" not in checklists


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("adr:\n  required_sections: [Context\n", ":3: not valid YAML"),
        ("adr:\n  required_section: [Context]\n", ":2: adr.required_section: unknown key"),
        ("adr:\n  fields:\n    status:\n      allowd: [a]\n", ":4: adr.fields.status: unknown check 'allowd'"),
        ("adr:\n  min_words: lots\n", ":2: adr.min_words: expected a whole number"),
        ("Bad Type:\n  required_sections: [A]\n", ":1: 'Bad Type' is not a page type name"),
        ("rfc:\n  extends: nope\n", ":2: rfc: extends 'nope', which is not a type"),
        ("a:\n  extends: b\nb:\n  extends: a\n", "goes round in a circle"),
        ("adr: [Context]\n", ":1: adr: expected a mapping"),
        ("postmortem:\n  open_tasks: {max_open_days: 30}\n", "max_open_days needs since_field"),
        ("adr:\n  filename: '{title}'\n", ":2: adr.filename: unknown placeholder {title}"),
        ("- adr\n", ":1: expected a mapping of page types"),
    ],
)
def test_bad_checklists_file_names_file_and_line(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ChecklistConfigError) as caught:
        load_checklists(path)
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def page(text: str):
    source = parse_page("p.md", textwrap.dedent(text))
    return source, outline(source.body, source.body_line)


def test_missing_items_point_at_the_line_to_fix():
    checklist = load_checklists()["adr"]
    source, page_outline = page("""\
        ---
        type: adr
        status: approved
        ---
        # Title

        ## context

        Why.

        ## Consequences

        So.
        """)
    result = evaluate(checklist, source, page_outline, TODAY)
    missing = {item.label: (item.line, item.todo) for item in result.missing}
    assert missing["Front matter 'status' (one of proposed, accepted, rejected, deprecated, superseded)"][0] == 3
    assert "'approved' is not allowed" in missing[next(k for k in missing if "status" in k)][1]
    assert missing["Front matter 'date' (a date, YYYY-MM-DD)"][0] == 1
    # Decision is missing: fix it after the section it follows ("context", any case).
    assert missing["Section 'Decision'"] == (7, "add a '## Decision' section")
    assert (result.done, len(result.items)) == (2, 5)


def test_open_tasks_overdue_after_the_incident_unless_due_later():
    checklist = load_checklists()["postmortem"]
    source, page_outline = page("""\
        ---
        type: postmortem
        incident_date: 2026-06-01
        severity: SEV2
        contributing_factors: [alerting]
        ---
        # Outage
        ## Summary
        ## Impact
        ## Timeline
        ## Contributing factors
        A bad deploy.
        ## Action items
        - [x] Fix the alert.
        - [ ] Add a canary (due 2027-01-10)
        - [ ] Write the runbook
        ## Other
        - [ ] Not an action item
        """)
    result = evaluate(checklist, source, page_outline, TODAY)
    assert result.actions == {"actions": 3, "open_actions": 2, "overdue_actions": 1}
    # A heading with a sub-heading or nothing under it is not a written section.
    assert [item.todo for item in result.missing[:3]] == [
        f"write the '{name}' section: it has a heading and nothing under it" for name in ("Summary", "Impact", "Timeline")
    ]
    [overdue] = result.missing[3:]
    assert overdue.line == 16 and "Write the runbook" in overdue.todo


def test_template_pages_are_checked_for_sections_only():
    checklist = load_checklists()["adr"]
    source, page_outline = page("---\ntemplate_for: adr\n---\n# ADR template\n## Context\n## Decision\n")
    result = evaluate(checklist, source, page_outline, TODAY, template=True)
    assert [item.label for item in result.missing] == ["Section 'Consequences'"]


def test_slug_and_numbering(tmp_path):
    assert slugify("Use Postgres — for Billing!") == "use-postgres-for-billing"
    assert slugify("Ünïcödé straße") == "unicode-straße"  # ß is a letter (was dropped)
    assert slugify("!!!") == ""
    checklist = load_checklists()["adr"]
    (tmp_path / "decisions").mkdir()
    (tmp_path / "decisions" / "0009-old.md").write_text("x")
    (tmp_path / "decisions" / "index.md").write_text("x")
    target = target_path(tmp_path, checklist, "New one", TODAY)
    assert target.path == tmp_path / "decisions" / "0010-new-one.md"
    text, to_fill = render_page(checklist, "New one", ["@eng-leads"], TODAY, None, target.values)
    assert text.startswith('---\nowner: "@eng-leads"\nreviewed: 2026-11-24\ntype: adr\nstatus: proposed\ndate: 2026-11-24\n---\n# ADR 0010: New one\n')
    assert "## Context" in text and "## Consequences" in text
    assert to_fill == ()


def test_outline_stays_linear_on_hostile_lines():
    import time

    body = "[" * 50000 + "\n" + "[a](" * 20000 + "\n" + "<" * 50000 + "\n" + "# " + " " * 50000 + "x\n"
    started = time.process_time()
    result = outline(body)
    # Quadratic regexes take minutes here; linear ones well under a second.
    assert time.process_time() - started < 5
    assert result.links == []


def test_a_required_section_needs_content_not_just_a_heading():
    checklist = load_checklists()["adr"]
    source, page_outline = page("""\
        ---
        type: adr
        status: accepted
        date: 2026-01-01
        ---
        # Use X

        ## Context

        <!-- Why is a decision needed? -->

        ### Forces

        ## Decision

        ```yaml
        database: postgres
        ```

        ## Consequences

        - Backups change.
        """)
    result = evaluate(checklist, source, page_outline, TODAY)
    assert [(item.label, item.line, item.todo) for item in result.missing] == [
        ("Section 'Context'", 8, "write the 'Context' section: it has a heading and nothing under it"),
    ]
    # A template's sections are only headings to copy.
    template, template_outline = page("---\ntemplate_for: adr\n---\n# T\n## Context\n## Decision\n## Consequences\n")
    assert evaluate(checklist, template, template_outline, TODAY, template=True).missing == []
