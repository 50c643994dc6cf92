"""The readability gate (engine-agnostic)."""

from __future__ import annotations

from .gate import Gate


class ReadabilityGate(Gate):
    name = "readability"
    rules = ("readability/hard", )
