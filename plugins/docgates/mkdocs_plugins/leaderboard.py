"""``docgates/leaderboard``: MkDocs adapter for the leaderboard gate."""

from __future__ import annotations

from ..core.leaderboard import LeaderboardGate
from .base import GateConfig, GatePlugin


class LeaderboardConfig(GateConfig):
    pass


class LeaderboardPlugin(GatePlugin[LeaderboardConfig]):
    gate_class = LeaderboardGate
