"""The user reference in docs/writing-docs/ names every option, rule and flag the code has.

No builds: these tests read the config classes, RULES, the built-in checklists and the CLI
parser, and look for each name in the Markdown, so a new option cannot ship undocumented.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import base

from conftest import REPO_ROOT
from docgates.cli.main import build_parser
from docgates.checklist import model as checklist_model
from docgates.checklist.config import load_checklists
from docgates.core.findings import RULES
from docgates.engines.mkdocs.base import GateConfig, GatePlugin
from docgates.engines.mkdocs.checklist import ChecklistPlugin
from docgates.engines.mkdocs.freshness import FreshnessPlugin
from docgates.engines.mkdocs.leaderboard import LeaderboardPlugin
from docgates.engines.mkdocs.links import LinksPlugin
from docgates.engines.mkdocs.ownership import OwnershipPlugin
from docgates.engines.mkdocs.quality import QualityPlugin
from docgates.engines.mkdocs.readability import ReadabilityPlugin

REFERENCE = REPO_ROOT / "docs" / "writing-docs"
PLUGINS: tuple[type[GatePlugin], ...] = (
    OwnershipPlugin, FreshnessPlugin, ChecklistPlugin, ReadabilityPlugin, LinksPlugin,
    LeaderboardPlugin, QualityPlugin,
)


def _page(name: str) -> str:
    return (REFERENCE / name).read_text(encoding="utf-8")


def _sections(text: str) -> dict[str, str]:
    """H2 title -> the section's text up to the next H2."""
    parts = re.split(r"^## +(.+?)\s*$", text, flags=re.M)
    return {title: body for title, body in zip(parts[1::2], parts[2::2])}


def _options(config_class: type[base.Config]) -> list[str]:
    return [name for name, _ in config_class._schema]


def _config_class(plugin: type[GatePlugin]) -> type[base.Config]:
    return plugin.config_class


def _plugin_name(plugin: type[GatePlugin]) -> str:
    return f"docgates/{plugin.gate_class.name}"


def _gate_section(plugin: type[GatePlugin]) -> str:
    """The gates.md section whose "**Plugin:**" line names this plugin."""
    marker = f"**Plugin:** `{_plugin_name(plugin)}`"
    found = [body for body in _sections(_page("gates.md")).values() if marker in body]
    assert len(found) == 1, f"gates.md needs exactly one section with {marker!r}"
    return found[0]


def test_every_plugin_of_the_package_is_covered():
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    registered = set(re.findall(r'^"(docgates/[a-z]+)" *=', text, flags=re.M))
    assert registered == {_plugin_name(p) for p in PLUGINS}


def test_every_option_of_every_gate_is_in_gates_md():
    # Options every plugin shares are documented once, in their own section.
    common = _sections(_page("gates.md"))["Options of every gate"]
    for option in _options(GateConfig):
        assert f"| `{option}` |" in common, f"gates.md: shared option {option!r} is not in the table"
    shared = set(_options(GateConfig))
    for plugin in PLUGINS:
        section = _gate_section(plugin)
        config_class = _config_class(plugin)
        assert issubclass(config_class, GateConfig)
        for option in _options(config_class):
            if option in shared:
                continue
            assert f"| `{option}` |" in section, (
                f"gates.md: option {option!r} of {_plugin_name(plugin)} has no row in its section"
            )


def test_every_gate_section_names_the_gates_rules():
    for plugin in PLUGINS:
        section = _gate_section(plugin)
        for rule in plugin.gate_class.rules:
            assert f"`{rule}`" in section, f"gates.md: {_plugin_name(plugin)} section does not name {rule}"


def test_every_rule_has_a_heading_with_its_anchor_in_rules_md():
    text = _page("rules.md")
    for rule in RULES:
        anchor = rule.replace("/", "-")
        heading = f"### {rule} {{#{anchor}}}"
        assert re.search(rf"^{re.escape(heading)}\s*$", text, flags=re.M), f"rules.md: no heading {heading!r}"


def test_rules_table_gives_each_rules_default_severity():
    text = _page("rules.md")
    rows = dict(re.findall(r"^\| \[`([a-z-]+/[a-z-]+)`\]\(#[a-z-]+\) \| (error|warning) \|", text, flags=re.M))
    assert rows == dict(RULES)
    headings = set(re.findall(r"^### ([a-z-]+/[a-z-]+) ", text, flags=re.M))
    assert headings == set(RULES), "rules.md documents a rule the code does not have"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return dict(actions[0].choices)


def _long_flags(parser: argparse.ArgumentParser) -> list[str]:
    return [
        option for action in parser._actions for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]


def test_every_command_and_long_flag_is_in_command_line_md():
    text = _page("command-line.md")
    sections = re.split(r"^### +", text, flags=re.M)
    by_command = {body.split(None, 1)[0]: body for body in sections[1:]}
    commands = _subcommands()
    assert commands, "the docgates parser has no subcommands"
    for flag in _long_flags(build_parser()):
        assert f"docgates {flag}" in text, f"command-line.md: {flag!r} of docgates is not mentioned"
    for name, parser in commands.items():
        assert f"| `docgates {name}" in text, f"command-line.md: {name!r} is not in the commands table"
        assert name in by_command, f"command-line.md: no '### {name}' section"
        for flag in _long_flags(parser):
            assert re.search(rf"`{re.escape(flag)}\b", by_command[name]), (
                f"command-line.md: flag {flag} of 'docgates {name}' is not in its section"
            )


def test_every_checklist_key_is_in_page_types_md():
    text = _page("page-types.md")
    for key in (*checklist_model.TYPE_KEYS, *checklist_model.FIELD_KEYS, *checklist_model.TASK_KEYS):
        assert f"| `{key}` |" in text, f"page-types.md: checklist key {key!r} has no row"
    for page_type in load_checklists():
        assert f"| `{page_type}` |" in text, f"page-types.md: built-in type {page_type!r} is not in the table"


@pytest.mark.parametrize("path", sorted(p.name for p in REFERENCE.glob("*.md")))
def test_reference_pages_link_only_to_existing_docs(path):
    """Cheap guard between builds: relative .md links in the reference resolve to a file or a
    generated page (quality.md, leaderboard.md)."""
    generated = {"quality.md", "leaderboard.md"}
    docs = REPO_ROOT / "docs"
    for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", _page(path)):
        resolved = (REFERENCE / target).resolve()
        relative = resolved.relative_to(docs.resolve()).as_posix()
        assert resolved.is_file() or relative in generated, f"{path}: link to {target} leads nowhere"


def test_a_command_imports_only_its_own_module():
    """``docgates check`` parses its arguments without importing the other commands (the
    crawl's HTTP server and LinkChecker glue, the org database), which cost it a tenth of a
    changed-pages check; each command still parses its own flags."""
    probe = (
        "import sys\n"
        "from docgates.cli.main import build_parser\n"
        "args = build_parser('check').parse_args(['check', '--changed-since', 'main'])\n"
        "print(args.changed_since, sorted(m for m in sys.modules if m.startswith('docgates.cli.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.startswith("main ")
    assert "'docgates.cli.check'" in out
    for other in ("linkcheck", "org", "review", "serve", "build"):
        assert f"'docgates.cli.{other}'" not in out
