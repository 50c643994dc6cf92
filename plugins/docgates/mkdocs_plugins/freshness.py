"""``docgates/freshness``: MkDocs adapter for the freshness gate."""

from __future__ import annotations

from ..core.freshness import FreshnessGate
from .base import GateConfig, GatePlugin


class FreshnessConfig(GateConfig):
    pass


class FreshnessPlugin(GatePlugin[FreshnessConfig]):
    gate_class = FreshnessGate
