"""Reading ease of a page body as plain Markdown renders it: how docs-day scoring judges
old page versions, in the build or in the scoring worker (the very same code in both).

Old versions are only in git, never rendered by MkDocs: plain Markdown is close enough to
compare a page with itself before and after one commit.
"""

from __future__ import annotations

from typing import Any

from docgates.readability.prose import Prose, extract_prose
from docgates.readability.scoring import Analysis, Scorer

# Bump when the rendering below or the prose extraction changes, so cached scores are not
# reused (2: link-only list items and paragraphs are not prose).
VERSION = 2
EXTENSIONS = ("tables", "attr_list", "md_in_html", "def_list")
# Pages shorter than this have no meaningful reading ease (the readability gate's default min_words).
MIN_WORDS = 100


class EaseScorer(Scorer):
    """The gate's scorer without the hardest sentences: docs-day needs the ease only."""

    def _hardest(self, prose: Prose, locator: Any) -> list[dict[str, Any]]:
        return []


class MarkdownEase:
    """One renderer and one scorer for a language, made on first use."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._scorer: EaseScorer | None = None
        self._renderer: Any = None

    def analyse(self, body: str) -> Analysis:
        if self._scorer is None:
            import markdown

            self._scorer = EaseScorer(self.language)
            self._renderer = markdown.Markdown(extensions=list(EXTENSIONS))
        html = self._renderer.reset().convert(body)
        return self._scorer.analyse(extract_prose(html), MIN_WORDS)
