"""Options of the external link check, parsed without importing the network stack.

A build with external checks off (the default) never needs sockets, TLS or SQLite, so the
links gate imports only this module until it has URLs to check.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Mapping

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

    @classmethod
    def from_plugin_options(cls, opts: Mapping[str, Any]) -> ExternalOptions:
        """The external check's options from the links plugin's, each checked; ``ValueError``
        names the option and what it expects."""
        # DOCGATES_OFFLINE=1 lets CI and laptops without network use only cached verdicts.
        offline = bool(opts.get("external_offline", False)) or os.environ.get("DOCGATES_OFFLINE", "") in ("1", "true", "yes")
        return cls(
            timeout=_positive(opts.get("timeout", 10), "timeout"),
            concurrency=int(_positive(opts.get("concurrency", 8), "concurrency")),
            per_host=int(_positive(opts.get("per_host", 2), "per_host")),
            retries=int(_non_negative(opts.get("retries", 2), "retries")),
            retry_backoff=_non_negative(opts.get("retry_backoff", 1.0), "retry_backoff"),
            ttl_ok=parse_duration(opts.get("cache_ttl_ok", "7d"), "cache_ttl_ok"),
            ttl_failed=parse_duration(opts.get("cache_ttl_failed", "1h"), "cache_ttl_failed"),
            offline=offline,
            ignore=glob_patterns(opts.get("external_ignore"), "external_ignore"),
            allow_private=bool(opts.get("external_allow_private", True)),
            time_limit=_positive(
                parse_duration(opts.get("external_time_limit", "10min"), "external_time_limit"), "external_time_limit"
            ),
        )


def glob_patterns(value: Any, option: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{option}: expected a list of glob patterns, e.g. ['https://intranet.example.com/*'], got {value!r}")
    return tuple(value)


def _positive(value: Any, option: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{option}: expected a positive number, got {value!r}")
    return float(value)


def _non_negative(value: Any, option: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{option}: expected a number >= 0, got {value!r}")
    return float(value)
