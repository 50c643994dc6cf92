"""The readability scores of page contents, kept between runs.

Scores depend only on the page (its HTML and Markdown) and the language, so they are
cached on disk by a hash of those: ``mkdocs serve`` rebuilds, and builds after a small
edit, rescore only the pages that changed. Thresholds are applied after the cache, so
changing them in ``mkdocs.yml`` needs no rescoring.
"""

from __future__ import annotations

import functools
from pathlib import Path

from docgates.core.content_cache import ContentCache, content_key
from docgates.readability.scoring import SCORING_VERSION, Analysis


def cache_key(language: str, html_key: str, body: str, body_line: int) -> str:
    """The key of a page's scores: its HTML (by ``content_key``), Markdown body and language."""
    return content_key(f"v{SCORING_VERSION}", _textstat_version(), language, str(body_line), html_key, body)


@functools.cache  # reading package metadata costs milliseconds; once per process is enough
def _textstat_version() -> str:
    from importlib.metadata import version

    try:
        return version("textstat")
    except Exception:  # an unusual install without metadata still scores, just caches less
        return "unknown"


class ScoreCache(ContentCache):
    """Analyses by content hash (see ``content_cache``); an entry that does not read back as
    an analysis is a miss."""

    def __init__(self, path: Path | None, limit: int = 5000, read_ahead: bool = False) -> None:
        super().__init__(path, version=SCORING_VERSION, limit=limit, read_ahead=read_ahead)

    def get(self, key: str) -> Analysis | None:  # type: ignore[override]
        entry = super().get(key)
        if entry is None:
            return None
        try:
            return Analysis.from_dict(entry)
        except (AttributeError, KeyError, TypeError, ValueError):
            self.miss(key)
            return None

    def put(self, key: str, analysis: Analysis) -> None:  # type: ignore[override]
        self.put_json(key, analysis.to_json())
