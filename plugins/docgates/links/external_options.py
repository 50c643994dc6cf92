"""Options of the external link check, parsed without importing the network stack.

A build with external checks off (the default) never needs sockets, TLS or SQLite, so the
links gate imports only this module until it has URLs to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: object, option: str) -> float:
    """Seconds from ``"7d"``, ``"12h"``, ``"30min"``, ``"45s"``, ``"2w"`` or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"{option}: expected a duration like 7d, 12h, 30min or 45s, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"{option}: a duration cannot be negative, got {value!r}")
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(
            f"{option}: expected a duration like 7d, 12h, 30min or 45s (units s, min, h, d, w), "
            f"got {value!r}"
        )
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass(frozen=True)
class ExternalOptions:
    timeout: float = 10.0
    concurrency: int = 8
    per_host: int = 2
    retries: int = 2
    retry_backoff: float = 1.0
    ttl_ok: float = 7 * 86400.0
    ttl_failed: float = 3600.0
    offline: bool = False
    ignore: tuple[str, ...] = ()
    # HTTP statuses that mean "the page exists, we may just not read it" (logins, bot walls).
    accept_status: frozenset[int] = frozenset({401, 403, 429})
    # Direct links to hosts on private addresses (intranet handbooks) are fetched; a public
    # site turns this off. Redirects from public to private addresses are never followed.
    allow_private: bool = True
    # Seconds the whole pass may take; URLs not reached by then are reported as not checked.
    time_limit: float = 600.0
