"""Values computed from a page's content, kept on disk by a hash of that content.

A build after a small edit (or a ``mkdocs serve`` rebuild) then recomputes only what
changed. Entries used by the latest run are kept first; the oldest unused ones go first when
the file would grow past its limit. A missing, stale or corrupt file is an empty cache, and a
cache folder that cannot be written costs speed, never the build.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .report import write_atomic


def content_key(*parts: str) -> str:
    """A short, collision-safe key for some texts (their order matters)."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


class ContentCache:
    """JSON-safe values by key, in one JSON file tagged with ``version``, at most ``limit``.

    Each value is kept as its own JSON text, decoded when asked for: a loaded cache of a big
    site is a few thousand strings, not a tree of dicts (a third of the memory). An entry that
    is not such a text is a miss.
    """

    def __init__(self, path: Path | None, version: int | str, limit: int = 5000) -> None:
        self.path = path
        self.version = version
        self.limit = limit
        self._old: dict[str, Any] = {}
        self._used: dict[str, Any] = {}
        self._dirty = False
        self.hits = 0
        self.misses = 0
        if path is not None:
            self._old = self._load(path)

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.version:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, key: str) -> Any | None:
        entry = self._used.get(key)
        if entry is None:
            entry = self._old.get(key)
        try:
            value = json.loads(entry) if isinstance(entry, str) else None
        except ValueError:
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used[key] = entry
        return value

    def miss(self, key: str) -> None:
        """Count an entry ``get`` returned that the caller could not use (and forget it)."""
        self.hits -= 1
        self.misses += 1
        self._used.pop(key, None)

    def put(self, key: str, value: Any) -> None:
        self._used[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self._dirty = True

    def close(self) -> None:
        """Save, then let go of the entries: a big site's cache need not outlive the pages."""
        self.save()
        self._old, self._used, self._dirty = {}, {}, False

    def save(self) -> None:
        if self.path is None:
            return
        stale = [key for key in self._old if key not in self._used]
        room = max(self.limit - len(self._used), 0)
        if not self._dirty and len(self._used) + len(stale) <= self.limit:
            return
        entries = dict(self._used)
        for key in stale[:room]:
            entries[key] = self._old[key]
        try:
            write_atomic(self.path, json.dumps({"version": self.version, "entries": entries}, ensure_ascii=False))
        except OSError:
            pass  # a read-only cache folder costs speed, never the build
