"""The ownership gate (engine-agnostic)."""

from __future__ import annotations

from .gate import Gate


class OwnershipGate(Gate):
    name = "ownership"
    rules = ("ownership/missing", "ownership/unknown", )
