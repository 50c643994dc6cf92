"""The leaderboard gate (engine-agnostic)."""

from __future__ import annotations

from .gate import Gate


class LeaderboardGate(Gate):
    name = "leaderboard"
    rules = ()
