"""``docgates/ownership``: MkDocs adapter for the ownership gate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig

from docgates.ownership.gate import OwnershipGate
from docgates.engines.mkdocs.base import GateConfig, GatePlugin


class OwnershipConfig(GateConfig):
    registry = c.Optional(c.Type(str))
    """Team registry: a YAML file, relative to mkdocs.yml, mapping each owner handle to
    ``name``, ``contact`` (chat channel like ``"#sre"``, email or https URL) and optional
    ``url``. When set, an owner missing from it is ``ownership/unknown``."""

    defaults = c.Type(dict, default={})
    """Fallback owners per docs folder, after front matter and CODEOWNERS, e.g.
    ``{runbooks/: "@sre-team", decisions/: ["@eng-leads"]}``. Keys are CODEOWNERS-style
    patterns relative to ``docs_dir``; ``*`` is the whole site; the last matching entry wins."""

    codeowners = c.Optional(c.Type(str))
    """Explicit CODEOWNERS file, relative to mkdocs.yml. By default the first of
    ``.github/CODEOWNERS``, ``CODEOWNERS``, ``docs/CODEOWNERS`` at the repository root."""

    chat_url = c.Optional(c.Type(str))
    """Link for chat-channel contacts, ``{channel}`` standing for the channel name without
    ``#``, e.g. ``https://chat.example.com/channels/{channel}``. Without it channels show as text."""


class OwnershipPlugin(GatePlugin[OwnershipConfig]):
    gate_class = OwnershipGate

    def gate_options(self, config: MkDocsConfig) -> dict[str, Any]:
        options = super().gate_options(config)
        config_dir = Path(config.config_file_path or ".").resolve().parent
        for key in ("registry", "codeowners"):
            value = options.get(key)
            if value:
                # Findings name the file as the user wrote it; the gate reads the resolved path.
                options[f"{key}_display"] = value
                options[key] = os.path.normpath(config_dir / value)
        return options

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        # Editing the registry or CODEOWNERS changes every page's header: rebuild on change.
        gate = self.session and next((g for g in self.session.gates if isinstance(g, OwnershipGate)), None)
        if isinstance(gate, OwnershipGate):
            for path in gate.watched_files():
                server.watch(str(path))
        return server
