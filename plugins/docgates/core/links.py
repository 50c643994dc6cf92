"""The links gate (engine-agnostic)."""

from __future__ import annotations

from .gate import Gate


class LinksGate(Gate):
    name = "links"
    rules = ("links/broken", "links/anchor", "links/external", )
