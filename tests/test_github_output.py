"""``--format github``: workflow annotations with GitHub's escaping, and the step summary;
the escaping of data for each place docgates prints it (outputs.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from markdown_it import MarkdownIt

from docgates.core.findings import Finding
from docgates.core.outputs import (
    annotation_data,
    format_markdown_table,
    github_annotation,
    github_step_summary,
    markdown_text,
    terminal_text,
)

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


# GitHub renders a step summary as GFM: CommonMark with tables and strikethrough, inline HTML.
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass
class Rendered:
    """What a Markdown text becomes: the links, images and raw HTML a reader would get."""

    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    cells_per_row: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def render_gfm(markdown: str) -> Rendered:
    rendered = Rendered()

    def walk(tokens) -> None:
        for token in tokens:
            if token.type == "link_open":
                rendered.links.append(str(token.attrs.get("href")))
            elif token.type == "image":
                rendered.images.append(str(token.attrs.get("src")))
            elif token.type in ("html_inline", "html_block"):
                rendered.html.append(token.content)
            elif token.type == "tr_open":
                rendered.cells_per_row.append(0)
            elif token.type in ("th_open", "td_open"):
                rendered.cells_per_row[-1] += 1
            elif token.type in ("text", "code_inline"):
                rendered.texts.append(token.content)
            walk(token.children or [])

    walk(GFM.parse(markdown))
    return rendered


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


HOSTILE = (
    "[Click to approve](https:/evil.example) ![t](https://evil.example/x.png) @octocat #12 "
    "<img src=x onerror=alert(1)> &#64;octo &amp; `code` *em* _u_ ~~s~~ $x$ | pipe \\| "
    "https://evil.example www.evil.example a@evil.example <https://evil.example>\n- 1. # > next"
)


def test_summary_table_renders_data_as_text():
    finding = Finding("links/broken", "error", f"a {HOSTILE}.md", 3, HOSTILE)
    table = format_markdown_table([finding], "docs/")
    rendered = render_gfm(table)
    assert rendered.cells_per_row == [4, 4]  # no '|' from data adds a column
    assert rendered.links == [] and rendered.images == []
    assert rendered.html == ["<code>", "</code>", "<code>", "</code>"]  # ours, around location and rule
    text = rendered.text.replace("\u2060", "")
    assert HOSTILE.replace("\n", " ") in text and f"docs/a {HOSTILE.replace(chr(10), ' ')}.md:3" in text
    # GitHub links '@name' and '#12' in the rendered text; a word joiner sits between.
    assert "@\u2060octocat" in rendered.text and "#\u206012" in rendered.text and "@\u2060evil" in rendered.text
    summary = github_step_summary([finding] * 2, "docgates: 1 pages, 2 errors, 0 warnings", ["1 baselined"])
    assert summary.startswith("## docgates\n")
    assert "- 1 baselined" in summary
    many = format_markdown_table([finding] * 5, limit=2)
    assert many.count("| error |") == 2 and "3 more" in many


@pytest.mark.parametrize("text", ["- item", "+ item", "1. item", "2) item", "# heading", "> quote", "--- rule"])
def test_markdown_text_cannot_start_a_block(text):
    rendered = GFM.parse(f"- {markdown_text(text)}\n")
    assert [t.type for t in rendered] == [
        "bullet_list_open", "list_item_open", "paragraph_open", "inline", "paragraph_close",
        "list_item_close", "bullet_list_close",
    ]
    assert render_gfm(f"- {markdown_text(text)}").text.replace("\u2060", "") == text


def test_markdown_text_leaves_no_gfm_autolink_trigger():
    # GFM's autolink extension (cmark-gfm autolink.c) starts at an unescaped ':' before '//'
    # and at 'www.'; markdown-it has no such rule to test against, so check its triggers.
    escaped = markdown_text("see https://evil.example, ftp://x and WWW.evil.example")
    assert not re.search(r"(?<!\\)://|(?i:www)(?<!\\)\.", escaped), escaped
    assert render_gfm(escaped).text == "see https://evil.example, ftp://x and WWW.evil.example"


def test_terminal_text_shows_controls_and_no_workflow_command():
    hostile = "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x1b[2J\x9b2J\r\nnext\u202eevil\x00"
    assert terminal_text(hostile) == (
        "\\x1b]8;;https://evil.example\\x1b\\link\\x1b]8;;\\x1b\\\\x1b[2J\\x9b2J\\r\\nnext\\u202eevil\\x00"
    )
    # The runner trims leading white space before looking for '::', and finds '##[' anywhere;
    # MkDocs wraps a log line at white space when it knows the terminal's width.
    assert terminal_text(" \u00a0::stop-commands::x") == " \u00a0\\x3a:stop-commands::x"
    assert terminal_text("owner @a ::stop-commands::x") == "owner @a \\x3a:stop-commands::x"
    assert terminal_text("a ##[add-mask]b") == "a ##\\x5badd-mask]b"
    assert terminal_text("owner @team: it's 50%, see a::b") == "owner @team: it's 50%, see a::b"


def test_annotation_data_keeps_line_breaks_for_the_runner_and_shows_other_controls():
    assert annotation_data("a\r\nb\x1b[2J%") == "a%0D%0Ab\\x1b[2J%25"


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


def test_summary_lines_agree_in_number():
    import datetime as dt

    from docgates.core.baseline import BaselineOutcome
    from docgates.core.findings import SeverityPolicy
    from docgates.core.outputs import summary_line
    from docgates.core.report import QualityReport

    report = QualityReport(today=dt.date(2026, 11, 24))
    finding = SeverityPolicy().finding("links/broken", "a.md", 3, "link 'x.md' leads nowhere")
    report.add(finding)
    assert summary_line(report, [finding]) == "docgates: 1 page, 1 error, 0 warnings"
    one = BaselineOutcome(file=".docgates-baseline.json", new=[], baselined=[finding], recorded=2, fixed=1)
    assert one.describe() == (
        "1 baselined finding remains (not failing; recorded in .docgates-baseline.json); "
        "1 recorded finding is fixed, run 'docgates baseline' to drop them"
    )
