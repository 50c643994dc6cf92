"""``docgates/checklist``: MkDocs adapter for the checklist gate."""

from __future__ import annotations

from ..core.checklist import ChecklistGate
from .base import GateConfig, GatePlugin


class ChecklistConfig(GateConfig):
    pass


class ChecklistPlugin(GatePlugin[ChecklistConfig]):
    gate_class = ChecklistGate
