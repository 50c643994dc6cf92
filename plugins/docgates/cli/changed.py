"""Which pages a change touched (``--changed-since``)."""

from __future__ import annotations

from .main import UsageError


def changed_pages(config_file: str | None, ref: str) -> set[str]:
    raise UsageError("--changed-since is not implemented yet")
