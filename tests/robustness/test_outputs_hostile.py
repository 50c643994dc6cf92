"""Page file names, owners, front matter values and link targets that carry Markdown, HTML,
mentions, terminal escapes and workflow commands, through every output a CI run shows:
``docgates check`` (text and ``--format github`` with its step summary), ``docgates stale``
(text and markdown) and the ``mkdocs build`` log.

The step summary is rendered with a CommonMark parser with GFM tables (markdown-it-py) and
must yield no link, image, mention or HTML from data; every line printed must be inert for a
terminal and for the GitHub Actions runner (actions/runner ActionCommand.cs: ``::name::`` at
the start of a line after white space, ``##[name]`` anywhere)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import GitRepo, base_env
from test_github_output import parse, render_gfm

from .hostile import PYTHON, dump_yaml, has_traceback, new_site

# A fork's pull request can add this file: every '/' makes a folder, the rest is one name.
FILE = "[Click to approve](https:/evil.example) ![t](https:/evil.example/x.png) @octocat.md"
MARKDOWN = (
    "[Click to approve](https://evil.example) ![t](https://evil.example/x.png) @octocat #1 "
    "<img src=x onerror=alert(1)> | `c` *e* _u_ www.evil.example"
)
OSC8_LINK = "\x1b]8;;https://evil.example\x1b\\click here\x1b]8;;\x1b\\"
CLEAR_SCREEN = "\x1b[2J"
COMMANDS = "::stop-commands::pwned\n##[add-mask]docgates %0A\r::error::forged"
OWNERS = [
    f"@octocat {MARKDOWN}",
    f"@team{OSC8_LINK}{CLEAR_SCREEN}\u202eevil",
    f"@line\n{COMMANDS}",
    # Wherever MkDocs wraps this in its log (with --color and a known width), a command begins.
    "@wrap " + " ".join(["::stop-commands::wrapped"] * 12),
]
# YAML's own escapes (\e is ESC), so the file itself stays printable.
BAD_DATE = r"\e]8;;https://evil.example\e\\click\e]8;;\e\\ \e[2J \x9b2J"

# Raw bytes a terminal acts on: C0 (line ends aside) and C1 controls, DEL, bidi controls.
TERMINAL_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9]")  # GitHub links '@' right before a name
REFERENCE = re.compile(r"(?<![\w#])#\d")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("outputs") / "project"
    site = new_site(
        root,
        {"docgates/ownership": {"registry": "teams.yml"}},
        "docgates/freshness",
        "docgates/links",
        "docgates/quality",
    )
    site.write("teams.yml", dump_yaml({"@docs": {"name": "Docs", "contact": "#docs"}}), dedent=False)
    title = f"Title {MARKDOWN} {OSC8_LINK}{CLEAR_SCREEN}"
    front = dump_yaml({"title": title, "owner": OWNERS, "reviewed": "2020-01-01"})
    target = MARKDOWN.replace("<", "").replace(">", "")
    GitRepo(root).commit(f"Add {MARKDOWN}\n\n{COMMANDS}", files={
        "mkdocs.yml": dump_yaml(site.config),
        "docs/index.md": f"---\nowner: '@docs'\nreviewed: 2026-11-01\n---\n# Home\n\n[evil](<{FILE}>)\n",
        f"docs/{FILE}": f"---\n{front}---\n# Page\n\n[gone](<missing {target}.md>)\n",
        "docs/bad.md": f'---\nowner: "@docs"\nreviewed: "{BAD_DATE}"\n---\n# Bad\n',
    })
    summary = root.parent / "step-summary.md"
    runs = {
        "mkdocs build": site.build(),
        # Colours (MkDocs' own escapes) and lines wrapped at 80 columns, as in a CI log.
        "mkdocs build --color": site.run(PYTHON, "-m", "mkdocs", "--color", "build", env=base_env(COLUMNS="80")),
        "check github": site.docgates("check", "--format", "github", env=base_env(GITHUB_STEP_SUMMARY=str(summary))),
        "check text": site.docgates("check"),
        "check json": site.docgates("check", "--format", "json"),
        "stale text": site.docgates("stale"),
        "stale markdown": site.docgates("stale", "--format", "markdown"),
    }
    return runs, summary.read_text(encoding="utf-8")


def _visible(text: str) -> str:
    """The terminal escapes in the hostile text as docgates shows them: the test's oracle."""
    for char in "\x1b\x9b\u202e":
        text = text.replace(char, ascii(char)[1:-1])
    return text


def test_every_run_finishes_without_a_traceback(project, tally):
    runs, _ = project
    for label, run in runs.items():
        tally.tried(f"outputs: {label}", traceback=has_traceback(run.stderr))
        assert not has_traceback(run.stdout + run.stderr), (label, run.stderr[-2000:])
        assert run.returncode in (0, 1), (label, run.stderr[-2000:])


def test_step_summary_renders_no_link_image_mention_or_html(project, tally):
    _, summary = project
    rendered = render_gfm(summary)
    rows = summary.count("\n| error |") + summary.count("\n| warning |")
    ours = ["<code>", "</code>"] * 2 * rows  # the location and rule cells
    tally.tried(
        "outputs: step summary",
        unescaped=bool(rendered.links or rendered.images or rendered.html != ours or MENTION.search(rendered.text)),
    )
    assert rows == 7, summary
    assert rendered.links == [] and rendered.images == [], summary
    assert rendered.html == ours, rendered.html
    assert not MENTION.search(rendered.text) and not REFERENCE.search(rendered.text), rendered.text
    # The data is shown as the text it is, not dropped.
    shown = rendered.text.replace("\u2060", "")
    assert f"docs/{FILE}:" in shown
    assert MARKDOWN in shown


def test_step_summary_keeps_the_table_shape(project):
    _, summary = project
    # A '|' or a line break in data is escaped: the header and each finding, four cells each.
    assert render_gfm(summary).cells_per_row == [4] * 8


def test_annotations_are_one_command_per_finding(project, tally):
    runs, _ = project
    lines = runs["check github"].stdout.splitlines()
    report = json.loads(runs["check json"].stdout)
    expected = sorted(
        (f"docs/{page['path']}", f["line"], f["rule"], _visible(f["message"]))
        for page in report["pages"]
        for f in page["findings"]
    )
    annotations = []
    for line in lines:
        _, props, message = parse(line)
        annotations.append((props["file"], int(props["line"]), props["title"], message))
    tally.tried("outputs: annotations", unescaped=sorted(annotations) != expected)
    assert len(lines) == len(expected) == 7
    # The runner gets back every message as it was, line breaks included; only what acts on a
    # terminal is shown as an escape.
    assert sorted(annotations) == expected


OUTPUTS = ("mkdocs build", "check github", "check text", "stale text", "stale markdown")


@pytest.mark.parametrize("label", [*OUTPUTS, "mkdocs build --color"])
def test_no_line_is_a_workflow_command_from_data(project, label, tally):
    run = project[0][label]
    forged = []
    for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        for line in text.splitlines():
            ours = label == "check github" and stream == "stdout" and line.startswith(("::error ", "::warning "))
            if (line.lstrip().startswith("::") and not ours) or ("##[" in line and not ours):
                forged.append((stream, line))
    tally.tried(f"outputs: workflow commands in {label}", unescaped=bool(forged))
    assert not forged, forged


@pytest.mark.parametrize("label", OUTPUTS)
def test_terminal_escapes_are_printed_visibly(project, label, tally):
    run = project[0][label]
    raw = TERMINAL_CONTROLS.findall(run.stdout + run.stderr)
    tally.tried(f"outputs: terminal controls in {label}", unescaped=bool(raw))
    assert not raw, (label, raw)
    shown = render_gfm(run.stdout).text if label == "stale markdown" else run.stdout + run.stderr
    assert "\\x1b]8;;https://evil.example" in shown, label


def test_stale_markdown_links_only_to_the_page(project, tally):
    runs, _ = project
    rendered = render_gfm(runs["stale markdown"].stdout)
    page_url = "http://127.0.0.1/%5BClick%20to%20approve%5D%28https%3A/evil.example%29"
    foreign = [href for href in rendered.links if not href.startswith(page_url)]
    tally.tried("outputs: stale markdown", unescaped=bool(foreign or rendered.images or MENTION.search(rendered.text)))
    # The page is listed once, under all its owners together (issue 30: not once per co-owner).
    assert len(rendered.links) == 1 and not foreign, rendered.links
    assert rendered.images == [] and set(rendered.html) == {"<code>", "</code>"}
    assert not MENTION.search(rendered.text), rendered.text


# MkDocs names this folder in its own warning ("Excluding ... because it conflicts with ...").
FOLDER = "x\n::stop-commands::pwned\n##[add-mask]docgates"


def test_mkdocs_warnings_cannot_stop_our_annotations(tmp_path, tally):
    site = new_site(tmp_path / "project", "docgates/quality", "docgates/freshness")
    site.page("index.md", "---\nreviewed: 2026-11-01\n---\n# Home\n")
    site.page(f"{FOLDER}/README.md", "# Readme\n")
    site.page(f"{FOLDER}/index.md", "---\nreviewed: someday\n---\n# Index\n")
    proc = site.docgates("check", "--format", "github")
    stderr = proc.stderr.splitlines()
    forged = [line for line in stderr if line.lstrip().startswith("::") or "##[" in line]
    tally.tried("outputs: MkDocs warning with a workflow command", unescaped=bool(forged))
    assert proc.returncode == 1 and not has_traceback(proc.stderr), proc.stderr
    # MkDocs' warning, on one line: the folder's line breaks and '##[' are shown as escapes.
    assert any(line.startswith("Excluding 'x\\n::stop-commands::pwned\\n##\\x5badd-mask]") for line in stderr), stderr
    assert not forged, forged
    # Our annotation follows, whole: the runner reads the folder back from file=.
    [(kind, props, _)] = [parse(line) for line in proc.stdout.splitlines()]
    assert kind == "error" and props["file"] == f"docs/{FOLDER}/index.md"


@pytest.mark.parametrize("kind", ["a directory", "under a file"])
def test_unwritable_step_summary_is_one_line_and_keeps_the_exit_code(tmp_path, kind, tally):
    site = new_site(tmp_path / "project", "docgates/quality", "docgates/freshness")
    site.page("index.md", "---\nreviewed: someday\n---\n# Home\n")
    (tmp_path / "file").write_text("", encoding="utf-8")
    target = tmp_path / "summary-dir" if kind == "a directory" else tmp_path / "file" / "summary.md"
    if kind == "a directory":
        target.mkdir()
    proc = site.docgates("check", "--format", "github", env=base_env(GITHUB_STEP_SUMMARY=str(target)))
    tally.tried(f"outputs: GITHUB_STEP_SUMMARY {kind}", traceback=has_traceback(proc.stderr))
    assert proc.returncode == 1, proc.stderr  # the frontmatter/invalid error, as without the summary
    assert not has_traceback(proc.stderr)
    assert parse(proc.stdout.splitlines()[0])[1]["title"] == "frontmatter/invalid"
    [message] = [line for line in proc.stderr.splitlines() if "GITHUB_STEP_SUMMARY" in line]
    assert f"GITHUB_STEP_SUMMARY={target}" in message and "writable file" in message
