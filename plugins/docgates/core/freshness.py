"""The freshness gate (engine-agnostic)."""

from __future__ import annotations

from .gate import Gate


class FreshnessGate(Gate):
    name = "freshness"
    rules = ("freshness/stale", "freshness/unknown", )
