"""The quality gate (engine-agnostic)."""

from __future__ import annotations

from .gate import Gate


class QualityGate(Gate):
    name = "quality"
    rules = ("config/invalid", )
