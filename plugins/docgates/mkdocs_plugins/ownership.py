"""``docgates/ownership``: MkDocs adapter for the ownership gate."""

from __future__ import annotations

from ..core.ownership import OwnershipGate
from .base import GateConfig, GatePlugin


class OwnershipConfig(GateConfig):
    pass


class OwnershipPlugin(GatePlugin[OwnershipConfig]):
    gate_class = OwnershipGate
