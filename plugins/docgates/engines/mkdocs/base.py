"""The shared plugin base: every docgates plugin registers its gate with one build session."""

from __future__ import annotations

from typing import Any, ClassVar

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from docgates.core.findings import RULES
from docgates.core.gate import Gate
from docgates.engines.mkdocs.session import BuildSession


class GateConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the gate off without removing it from ``mkdocs.yml``."""

    severity = c.Type(dict, default={})
    """Per-rule severity overrides for this gate's rules, e.g. ``{freshness/stale: warning}``."""


class GatePlugin(BasePlugin[GateConfig]):
    # Subclasses write ``GatePlugin[TheirConfig]``: MkDocs' BasePlugin supports that form.
    """Adapter from MkDocs events to a core ``Gate``; subclasses set ``gate_class``."""

    gate_class: ClassVar[type[Gate]]
    supports_multiple_instances = False

    def __init__(self) -> None:
        super().__init__()
        self.session: BuildSession | None = None
        self.command = "build"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def gate_options(self, config: MkDocsConfig) -> dict[str, Any]:
        """Options handed to the core gate; subclasses resolve paths against the config."""
        return {key: value for key, value in self.config.items() if key not in ("enabled", "severity")}

    # Early, so the session exists before other plugins' config handlers read it.
    @event_priority(90)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        self.session = BuildSession.for_config(config, command=self.command)
        for rule, severity in (self.config.severity or {}).items():
            if rule not in self.gate_class.rules and rule != "frontmatter/invalid":
                known = ", ".join(self.gate_class.rules) or "none"
                raise PluginError(
                    f"docgates/{self.gate_class.name}: severity: {rule!r} is not a rule of this "
                    f"plugin (its rules: {known}; all rules: {', '.join(sorted(RULES))})"
                )
            try:
                self.session.policy.set(rule, severity)
            except ValueError as exc:
                raise PluginError(f"docgates/{self.gate_class.name}: severity: {exc}") from None
        try:
            gate = self.gate_class(self.gate_options(config))
        except ValueError as exc:
            raise PluginError(f"docgates/{self.gate_class.name}: {exc}") from None
        self.session.register(gate)
        self.configure_session(self.session, config)
        return config

    def configure_session(self, session: BuildSession, config: MkDocsConfig) -> None:
        """Hand session-wide options (e.g. the quality plugin's ``baseline``) to the session."""

    # Late, so pages added by other plugins are listed too.
    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if self.session:
            return self.session.on_files(files, config)
        return files

    # Late: the page's metadata as every other plugin left it (Material's meta plugin merges
    # .meta.yml files in at 50). The source itself is read from disk, as the author wrote it.
    @event_priority(-50)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.session:
            self.session.on_page_markdown(page, markdown)
        return markdown

    # Late: gates read the final HTML, after other plugins changed it.
    @event_priority(-50)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.session:
            return self.session.on_page_content(page, html)
        return html

    # Late: every page's content exists, so cross-page gates see the whole site.
    @event_priority(-50)
    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if self.session:
            self.session.on_env(env)
            self.session.finish()
        return env

    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav):
        if self.session:
            self.session.on_page_context(page)
        return context

    # Last: the report covers everything, and failing the build must not skip other plugins.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.session:
            self.session.on_post_build()

    def on_build_error(self, *, error: Exception) -> None:
        if self.session:
            self.session.on_build_error()
