"""The checklist gate (engine-agnostic)."""

from __future__ import annotations

from .gate import Gate


class ChecklistGate(Gate):
    name = "checklist"
    rules = ("checklist/incomplete", "checklist/unknown-type", )
