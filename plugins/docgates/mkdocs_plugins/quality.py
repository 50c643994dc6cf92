"""``docgates/quality``: MkDocs adapter for the quality gate."""

from __future__ import annotations

from ..core.quality import QualityGate
from .base import GateConfig, GatePlugin


class QualityConfig(GateConfig):
    pass


class QualityPlugin(GatePlugin[QualityConfig]):
    gate_class = QualityGate
