"""``--format github``: workflow annotations with GitHub's escaping, and the step summary."""

from __future__ import annotations

import re

from docgates.core.findings import Finding
from docgates.core.outputs import format_markdown_table, github_annotation, github_step_summary

# How the Actions runner reads a workflow command (actions/runner ActionCommand.cs): the
# command name, properties split on ',' and '=', the message after the second '::'.
COMMAND = re.compile(r"^::(?P<kind>[a-z]+) (?P<props>[^:]*)::(?P<message>.*)$")


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return (
        text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    )


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    props = {}
    for item in match["props"].split(","):
        key, _, value = item.partition("=")
        props[key] = unescape_property(value)
    return match["kind"], props, unescape_data(match["message"])


def test_annotation_has_the_contract_shape():
    finding = Finding("links/broken", "error", "guide/setup.md", 12, "link to 'gone.md': no such page")
    assert github_annotation(finding, "docs/") == (
        "::error file=docs/guide/setup.md,line=12,title=links/broken::link to 'gone.md': no such page"
    )
    warning = Finding("readability/hard", "warning", "a.md", 1, "hard")
    assert github_annotation(warning).startswith("::warning file=a.md,line=1,title=readability/hard::")


def test_escaping_follows_githubs_rules_and_round_trips():
    nasty_path = "odd, name: 100%.md"
    message = "50% done:\r\nline two, with a comma :: and colons"
    finding = Finding("checklist/incomplete", "warning", nasty_path, 7, message)
    line = github_annotation(finding, "docs/")
    # One physical line: a raw newline would end the command early.
    assert "\n" not in line and "\r" not in line
    assert "file=docs/odd%2C name%3A 100%25.md," in line
    # Data escapes only %, CR, LF; ':' and ',' stay readable in the message.
    assert line.endswith("::50%25 done:%0D%0Aline two, with a comma :: and colons")
    kind, props, text = parse(line)
    assert kind == "warning"
    assert props == {"file": "docs/" + nasty_path, "line": "7", "title": "checklist/incomplete"}
    assert text == message


def test_site_finding_has_no_file():
    finding = Finding("config/invalid", "error", "", 0, "bad option")
    assert github_annotation(finding) == "::error title=config/invalid::bad option"


def test_summary_table_escapes_markdown_and_html():
    finding = Finding("links/broken", "error", "a.md", 3, "bad | pipe <script>x</script> `code`\nnext")
    table = format_markdown_table([finding], "docs/")
    row = table.splitlines()[2]
    assert row.count(" | ") == 3  # the pipe in the message does not add a column
    assert "\\|" in row and "<script>" not in row and "&lt;script&gt;" in row
    assert "`" not in row
    summary = github_step_summary([finding] * 2, "docgates: 1 pages, 2 errors, 0 warnings", ["1 baselined"])
    assert summary.startswith("## docgates\n")
    assert "- 1 baselined" in summary
    many = format_markdown_table([finding] * 5, limit=2)
    assert many.count("| error |") == 2 and "3 more" in many


BAD = "---\nreviewed: someday, maybe\n---\n# Page\n"


def test_check_prints_annotations_and_writes_the_step_summary(site, tmp_path):
    site.plugins({"docgates/quality": {"severity": {"frontmatter/invalid": "warning"}}})
    site.page("index.md", "# Home\n")
    site.page("guide/bad.md", BAD)
    summary_file = tmp_path / "summary.md"
    summary_file.write_text("earlier step\n", encoding="utf-8")
    from conftest import base_env

    proc = site.docgates("check", "--format", "github", env=base_env(GITHUB_STEP_SUMMARY=str(summary_file)))
    assert proc.returncode == 0, proc.stderr  # warnings do not fail
    [line] = proc.stdout.splitlines()
    kind, props, message = parse(line)
    assert kind == "warning"
    # Repository-relative path: the project is the repository root here, docs/ is inside it.
    assert props == {"file": "docs/guide/bad.md", "line": "2", "title": "frontmatter/invalid"}
    assert "someday, maybe" in message
    summary = summary_file.read_text(encoding="utf-8")
    assert summary.startswith("earlier step\n## docgates\n")  # appended, never overwritten
    assert "| warning | <code>docs/guide/bad.md:2</code> | <code>frontmatter/invalid</code> |" in summary


def test_without_step_summary_nothing_is_written(site, tmp_path):
    site.plugins("docgates/quality")
    site.page("index.md", BAD)
    proc = site.docgates("check", "--format", "github")
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error file=docs/index.md,line=2,title=frontmatter/invalid::")
    assert not list(tmp_path.glob("**/summary.md"))
