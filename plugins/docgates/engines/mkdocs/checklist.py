"""``docgates/checklist``: MkDocs adapter for the checklist gate (definition of done)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from docgates.checklist.gate import ChecklistGate
from docgates.engines.mkdocs.base import GateConfig, GatePlugin


class ChecklistConfig(GateConfig):
    checklists = c.Optional(c.Type(str))
    """Path of a YAML file (relative to mkdocs.yml) mapping a page ``type`` to its definition
    of done. A type defined there replaces the built-in one; ``extends: <type>`` adds to it."""

    show_commands = c.Type(bool, default=True)
    """Whether banners readers see name maintainer commands (``docgates new TYPE "Title"`` on a template page). ``false`` keeps
    reader-facing text for readers; the build log and ``quality.json`` still give the fix."""

    templates_dir = c.Type(str, default="templates")
    """Folder (relative to ``docs_dir``) of the template pages, one per type (``adr.md``...),
    that ``docgates new`` copies; template pages say ``template_for: <type>``. MkDocs leaves
    ``docs/templates/`` out of the site by default; the plugin puts it back when it holds pages."""


class ChecklistPlugin(GatePlugin[ChecklistConfig]):
    gate_class = ChecklistGate

    def gate_options(self, config: MkDocsConfig) -> dict[str, Any]:
        return checklist_options(self.config, config)

    # Same priority as the base class: the session must exist before other plugins read it.
    @event_priority(90)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        config = super().on_config(config) or config
        if self.config.enabled:
            include_templates_dir(config, self.config.templates_dir)
        return config


def include_templates_dir(config: MkDocsConfig, templates_dir: str) -> None:
    """Re-include the template pages. MkDocs excludes ``/templates/`` of docs_dir by default
    (a place for theme overrides); here it holds handbook pages that readers should see."""
    folder = templates_dir.strip().strip("/")
    if folder != "templates" or not any((Path(config.docs_dir) / folder).glob("*.md")):
        return
    import pathspec

    negation = pathspec.GitIgnoreSpec.from_lines([f"!/{folder}/"])
    config.exclude_docs = config.exclude_docs + negation if config.exclude_docs else negation


def checklist_options(plugin_config: ChecklistConfig, config: MkDocsConfig) -> dict[str, Any]:
    """The gate's options with the checklists path resolved against mkdocs.yml."""
    options: dict[str, Any] = {
        "templates_dir": plugin_config.templates_dir.strip().strip("/") or "templates",
        "show_commands": plugin_config.show_commands,
    }
    if plugin_config.checklists:
        config_dir = Path(config.config_file_path or ".").resolve().parent
        path = (config_dir / plugin_config.checklists).resolve()
        if not path.is_file():
            raise PluginError(
                f"docgates/checklist: checklists: {plugin_config.checklists} is not a file "
                f"(looked for {path}); give a path relative to mkdocs.yml"
            )
        options["checklists"] = path
        # Messages name the file as the user wrote it; the gate reads the resolved path.
        options["checklists_display"] = plugin_config.checklists
    return options
