"""``docgates/quality``: MkDocs adapter for the quality gate."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from docgates.core.baseline import DEFAULT_FILE as DEFAULT_BASELINE_FILE
from docgates.dashboard.gate import QualityGate
from docgates.engines.mkdocs.base import GateConfig, GatePlugin
from docgates.engines.mkdocs.session import BuildSession


class QualityConfig(GateConfig):
    dashboard = c.Type((str, bool), default="quality.md")
    """Docs-relative path of the generated quality dashboard (default ``quality.md``, served
    at ``quality/``; ``quality/`` means ``quality/index.md``); ``false`` builds no dashboard."""

    nav = c.Type(bool, default=True)
    """With an explicit ``nav`` in mkdocs.yml that does not name the page, add it at the end of
    the menu; ``false`` leaves it out of the menu (it is still built)."""

    onboarding = c.Type(list, default=["onboarding*", "*/onboarding*", "**/onboarding/**"])
    """Path patterns (fnmatch, docs-relative) of the onboarding pages whose freshness the
    dashboard shows; pages with ``onboarding: true`` or an ``onboarding`` tag count too."""

    cache = c.Type(bool, default=True)
    """Keep the dashboard's charts under ``.cache/plugin/docgates/`` by what they show, so a
    rebuild whose figures did not move reuses them instead of drawing them again."""

    baseline = c.Type((str, bool), default=DEFAULT_BASELINE_FILE)
    """Committed file of accepted findings (relative to mkdocs.yml), written by
    ``docgates baseline``; the build and ``docgates check`` fail only on findings not in it.
    ``false`` turns the baseline off. A missing file means no finding is accepted."""


class QualityPlugin(GatePlugin[QualityConfig]):
    gate_class = QualityGate

    def configure_session(self, session: BuildSession, config: MkDocsConfig) -> None:
        option = self.config.baseline
        if option is False:
            session.baseline_file = None
            return
        name = DEFAULT_BASELINE_FILE if option is True else str(option).strip()
        if not name:
            raise PluginError("docgates/quality: baseline: give a file name, or false to turn it off")
        config_dir = Path(config.config_file_path or ".").resolve().parent
        session.baseline_file = (config_dir / name).resolve()
