"""``docgates/links``: MkDocs adapter for the links gate."""

from __future__ import annotations

from ..core.links import LinksGate
from .base import GateConfig, GatePlugin


class LinksConfig(GateConfig):
    pass


class LinksPlugin(GatePlugin[LinksConfig]):
    gate_class = LinksGate
