"""``docgates/readability``: MkDocs adapter for the readability gate."""

from __future__ import annotations

from ..core.readability import ReadabilityGate
from .base import GateConfig, GatePlugin


class ReadabilityConfig(GateConfig):
    pass


class ReadabilityPlugin(GatePlugin[ReadabilityConfig]):
    gate_class = ReadabilityGate
