"""The shared plugin base: every docgates plugin registers its gate with one build session."""

from __future__ import annotations

import logging
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
from docgates.engines.mkdocs.session import BuildSession, forward_core_logs

log = logging.getLogger("mkdocs.plugins.docgates")


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
        # The lead forwards MkDocs' events to the session; the other docgates plugins only
        # register their gates, so each event reaches the session once.
        self.lead = False
        self.command = "build"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def gate_options(self, config: MkDocsConfig) -> dict[str, Any]:
        """Options handed to the core gate; subclasses resolve paths against the config."""
        # ``nav`` places a generated page in MkDocs' menu: the adapter's business, not the gate's.
        return {key: value for key, value in self.config.items() if key not in ("enabled", "severity", "nav")}

    # Early, so the session exists before other plugins' config handlers read it.
    @event_priority(90)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        self.session, self.lead = session_for(config, self)
        if self.lead and not any(name == "search" or name.endswith("/search") for name in config.plugins):
            log.info(
                "mkdocs.yml's plugins list has no search plugin, so the site has no search box: "
                "a plugins list replaces MkDocs' default one (search). Add '- search' under plugins "
                "to keep it, or ignore this if the site means to have none."
            )
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
        if self.config.get("nav", True) is False:
            self.session.off_nav.update(gate.generated_pages())
        self.configure_session(self.session, config)
        return config

    def configure_session(self, session: BuildSession, config: MkDocsConfig) -> None:
        """Hand session-wide options (e.g. the quality plugin's ``baseline``) to the session."""

    # Every docgates plugin has registered its gate; MkDocs lists the files next.
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.lead:
            self.session.start()

    # Late, so pages added by other plugins are listed too.
    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if self.lead:
            return self.session.on_files(files, config)
        return files

    # Late: the page's metadata as every other plugin left it (Material's meta plugin merges
    # .meta.yml files in at 50). The source itself is read from disk, as the author wrote it.
    @event_priority(-50)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.lead:
            self.session.on_page_markdown(page)
        return markdown

    # Late: gates read the final HTML, after other plugins changed it.
    @event_priority(-50)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.lead:
            return self.session.on_page_content(page, html)
        return html

    # Late: every page's content exists, so cross-page gates see the whole site.
    @event_priority(-50)
    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if self.lead:
            self.session.on_env(env)
        return env

    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav):
        if self.lead:
            self.session.on_page_context(page)
        return context

    # Last: the report covers everything, and failing the build must not skip other plugins.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.lead:
            self.session.on_post_build()

    def on_build_error(self, *, error: Exception) -> None:
        if self.lead:
            self.session.on_build_error()

    def on_shutdown(self) -> None:
        if self.lead:
            forward_core_logs(False)


def session_for(config: MkDocsConfig, plugin: GatePlugin) -> tuple[BuildSession, bool]:
    """The build's one session, kept by the first docgates plugin that asks for it (the lead),
    and whether ``plugin`` is that lead. A new config (each ``mkdocs serve`` rebuild loads one)
    has new plugin objects, so nothing carries over from the last build."""
    for other in config.plugins.values():
        if isinstance(other, GatePlugin) and other.lead and other.session is not None and other.session.config is config:
            return other.session, other is plugin
    return BuildSession(config, command=plugin.command), True


def session_of(config: MkDocsConfig) -> BuildSession | None:
    """The session of a config whose plugins have run ``on_config``; None without docgates."""
    for plugin in config.plugins.values():
        if isinstance(plugin, GatePlugin) and plugin.lead:
            return plugin.session
    return None
