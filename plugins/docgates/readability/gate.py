"""The readability gate (engine-agnostic): scores, a badge for readers, what to fix.

Each page's prose (``prose.py``) is scored with Flesch Reading Ease and Flesch-Kincaid
grade (``readability_scoring.py``); a page harder than its thresholds gets one
``readability/hard`` finding that names its hardest sentences with their source lines.
Thresholds come from plugin options: a default, overridden per folder (gitignore-style
patterns) and then per page ``type``.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Mapping

from docgates.readability.cmudict import CorpusMissing
from docgates.core.findings import Finding
from docgates.core.path_patterns import GitIgnoreSpec, PatternError
from docgates.core.gate import Gate, GateError, PageInput, SiteContext
from docgates.readability.scoring import (
    KEPT_SENTENCES, Analysis, Scorer, analyse_html, textstat_language,
)
from docgates.readability.cache import ScoreCache, cache_key
from docgates.core.report import PageReport
from docgates.readability.worker import ScoringWorker, WorkerShare

RULE = "readability/hard"
log = logging.getLogger("docgates.readability")

THRESHOLD_KEYS = ("min_ease", "max_grade")
DEFAULT_THRESHOLDS: dict[str, float | None] = {"min_ease": 30.0, "max_grade": 14.0}
# Flesch's own bands, named for readers.
EASE_LABELS = (
    (90.0, "Very easy"), (80.0, "Easy"), (70.0, "Fairly easy"), (60.0, "Standard"),
    (50.0, "Fairly hard"), (30.0, "Hard"), (-math.inf, "Very hard"),
)
ADVICE = "split long sentences and prefer short, everyday words"
# Pages to score before a worker process pays off: a rebuild after one edit scores in-process,
# where NLTK's dictionary, once loaded (~1 s, ~80 MiB), stays for the next rebuild; a cold
# build of a big site scores on a spare core, where loading it overlaps the rendering.
WORKER_AFTER = 16


def ease_label(score: float) -> str:
    return next(label for floor, label in EASE_LABELS if score >= floor)


@dataclass(frozen=True)
class Thresholds:
    """The limits one page is held to, and which option entries they came from."""

    min_ease: float | None
    max_grade: float | None
    sources: tuple[str, ...] = ("default",)

    def problems(self, ease: float, grade: float) -> list[str]:
        found = []
        if self.min_ease is not None and ease < self.min_ease:
            found.append(f"Flesch Reading Ease {ease:g} ({ease_label(ease)}) is below {self.min_ease:g}")
        if self.max_grade is not None and grade > self.max_grade:
            found.append(f"grade level {grade:g} is above {self.max_grade:g}")
        return found


class ThresholdPolicy:
    """``thresholds`` option: ``{default: {...}, folders: {pattern: {...}}, types: {type: {...}}}``.

    Each entry may set ``min_ease`` (lowest Flesch Reading Ease) and ``max_grade`` (highest
    Flesch-Kincaid grade); ``null`` turns a limit off. A page gets the default, then every
    matching folder entry in the order written (later ones win), then its type's entry.
    """

    def __init__(self, raw: Any) -> None:
        raw = {} if raw is None else raw
        _require_mapping(raw, "thresholds")
        unknown = sorted(set(raw) - {"default", "folders", "types"})
        if unknown:
            raise ValueError(
                f"thresholds: unknown key {unknown[0]!r}; use 'default', 'folders' and 'types', e.g. "
                "{default: {min_ease: 30}, folders: {'runbooks/**': {min_ease: 50}}, types: {adr: {max_grade: 16}}}"
            )
        self.default = {**DEFAULT_THRESHOLDS, **_limits(raw.get("default"), "thresholds.default")}
        self.folders: list[tuple[str, GitIgnoreSpec, dict[str, float | None]]] = []
        folders = raw.get("folders") or {}
        _require_mapping(folders, "thresholds.folders")
        for pattern, limits in folders.items():
            where = f"thresholds.folders[{pattern!r}]"
            self.folders.append((str(pattern), _pattern(pattern, where), _limits(limits, where)))
        types = raw.get("types") or {}
        _require_mapping(types, "thresholds.types")
        self.types = {str(name): _limits(limits, f"thresholds.types.{name}") for name, limits in types.items()}

    def for_page(self, path: str, page_type: str | None) -> Thresholds:
        limits = dict(self.default)
        sources = ["default"]
        for pattern, spec, folder_limits in self.folders:
            if spec.matches(path):
                limits.update(folder_limits)
                sources.append(f"folders[{pattern!r}]")
        if page_type and page_type in self.types:
            limits.update(self.types[page_type])
            sources.append(f"types.{page_type}")
        return Thresholds(limits["min_ease"], limits["max_grade"], tuple(sources))


def _require_mapping(value: Any, where: str) -> None:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(value).__name__} {value!r}")


def _limits(value: Any, where: str) -> dict[str, float | None]:
    if value is None:
        return {}
    _require_mapping(value, where)
    limits: dict[str, float | None] = {}
    for key, limit in value.items():
        if key not in THRESHOLD_KEYS:
            raise ValueError(f"{where}: unknown key {key!r}; the limits are {', '.join(THRESHOLD_KEYS)}")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float))):
            raise ValueError(f"{where}.{key}: expected a number or null, got {limit!r}")
        limits[key] = None if limit is None else float(limit)
    return limits


def _pattern(pattern: Any, where: str) -> GitIgnoreSpec:
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"{where}: a folder pattern must be non-empty text like 'runbooks/**'")
    return _spec([pattern], where)


def _spec(patterns: list[str], where: str) -> GitIgnoreSpec:
    try:
        return GitIgnoreSpec(patterns)
    except PatternError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _positive_int(options: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{key}: expected a whole number from {low} to {high}, got {value!r}")
    return value


class ReadabilityGate(Gate):
    name = "readability"
    rules = (RULE,)
    partial = "docgates/readability.html"
    stylesheet = "readability.css"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.min_words = _positive_int(self.options, "min_words", 100, 0, 1_000_000)
        self.words_per_minute = _positive_int(self.options, "words_per_minute", 200, 1, 10_000)
        self.hardest = _positive_int(self.options, "hardest", 3, 0, KEPT_SENTENCES)
        self.thresholds = ThresholdPolicy(self.options.get("thresholds"))
        exclude = self.options.get("exclude") or []
        if isinstance(exclude, str) or not all(isinstance(p, str) for p in exclude):
            raise ValueError(f"exclude: expected a list of patterns like 'changelog.md', got {exclude!r}")
        self.exclude = _spec(exclude, "exclude") if exclude else None
        self.use_cache = bool(self.options.get("cache", True))
        self.language: str | None = None
        self.site_language = "en"
        self.scorer: Scorer | None = None
        self.cache = ScoreCache(None)
        self.counts = {"scored": 0, "skipped": 0, "hard": 0}
        self.use_worker = bool(self.options.get("worker", True))
        # The build's scoring worker, held from ``begin`` to ``finish`` (None: score in-process).
        self.workers: WorkerShare | None = None
        self.sending = False  # pages go to the worker as they come
        self.pending: deque[_Pending] = deque()
        self.scored_in_worker = 0

    # -- hooks ----------------------------------------------------------------------------
    def begin(self, site: SiteContext) -> None:
        self.site_language = str(self.options.get("language") or site.language or "en")
        self.language = textstat_language(self.site_language)
        self.counts = {"scored": 0, "skipped": 0, "hard": 0}
        self.pending = deque()
        self.scored_in_worker = 0
        if self.language is None:
            log.info(
                "docgates/readability: textstat has no readability formula for the site language "
                "%r; pages are not scored", self.site_language,
            )
            return
        self.scorer = Scorer(self.language)
        try:
            # Up front, so a missing dictionary is one clear message, not a failure per page.
            self.scorer.require_data()
        except CorpusMissing as exc:
            raise GateError(str(exc)) from None
        path = site.cache_dir / "readability.sqlite" if self.use_cache else None
        self.cache = ScoreCache(path, read_ahead=site.complete)
        self.sending = False
        self.workers = None
        if self.use_worker:
            self.workers = WorkerShare.of(site.shared, self.language)
            self.workers.hold()
            if not site.complete:
                # A check of the pages a writer just changed: their scores are seldom in the
                # cache, and textstat's first score loads NLTK's dictionary (~1 s). Started
                # now, the worker loads it while the pages are read and rendered.
                self.sending = self.workers.start()

    def check_rendered(self, page: PageInput, report: PageReport, site: SiteContext) -> None:
        self._record_answered(site)
        if page.html is None:
            return
        skipped = self._skip_reason(page)
        if skipped:
            report.readability = _skipped(skipped, language=self.site_language)
            self.counts["skipped"] += 1
            return
        key, cached = self._cached(page)
        if cached is not None:
            self._record(page, report, site, cached)
            return
        # Scored later: by the worker process when enough pages need it (its answers are
        # recorded as they come in, the rest in finish), so the build does not wait for
        # textstat page after page.
        pending = _Pending(page, report, key)
        self.pending.append(pending)
        if self.sending:
            pending.future = self._submit(pending)
        elif self.workers is not None and len(self.pending) == WORKER_AFTER:
            self.sending = True
            for waiting in self.pending:
                waiting.future = self._submit(waiting)

    def _record(self, page: PageInput, report: PageReport, site: SiteContext, analysis: Analysis) -> None:
        """The page's readability in the report, and a finding when it is too hard."""
        if not analysis.scored:
            report.readability = _skipped(
                "too-short", words=analysis.words, min_words=self.min_words, language=self.site_language
            )
            self.counts["skipped"] += 1
            return
        thresholds = self.thresholds.for_page(page.path, page.source.type)
        ease, grade = analysis.flesch_reading_ease, analysis.grade
        assert ease is not None and grade is not None
        problems = thresholds.problems(ease, grade)
        hardest = (analysis.hardest or [])[: self.hardest]
        report.readability = {
            "flesch_reading_ease": ease,
            "grade": grade,
            "label": ease_label(ease),
            "words": analysis.words,
            "sentences": analysis.sentences,
            "reading_time_minutes": max(1, math.ceil(analysis.words / self.words_per_minute)),
            "language": self.site_language,
            "min_ease": thresholds.min_ease,
            "max_grade": thresholds.max_grade,
            "thresholds_from": list(thresholds.sources),
            "hard": bool(problems),
            "hardest": hardest,
            "skipped": None,
        }
        self.counts["scored"] += 1
        if problems:
            self.counts["hard"] += 1
            # Name the sentences that pull the page down: those harder than the page overall.
            named = [s for s in hardest if s["grade"] > grade] or hardest[:1]
            site.add(self._finding(page, site, problems, thresholds, named))

    def _submit(self, pending: _Pending) -> Any:
        assert self.workers is not None
        source = pending.page.source
        return self.workers.submit(pending.page.html or "", source.body, source.body_line, self.min_words)

    def _record_answered(self, site: SiteContext) -> None:
        """Record the worker's answers that are in, oldest first, as the pages go by: as with a
        warm cache, the answers do not pile up until ``finish``."""
        pending = self.pending
        while pending and pending[0].future is not None and pending[0].future.done():
            self._record_pending(pending.popleft(), site)

    def _record_pending(self, pending: _Pending, site: SiteContext) -> None:
        future, pending.future = pending.future, None
        scored = ScoringWorker.result(future)
        if scored:
            analysis = Analysis.from_json(scored)
            self.cache.put_json(pending.key, scored)
            self.scored_in_worker += 1
        else:
            source = pending.page.source
            analysis = analyse_html(self.scorer, pending.page.html or "", source.body, source.body_line, self.min_words)
            self.cache.put(pending.key, analysis)
        self._record(pending.page, pending.report, site, analysis)

    def _score_pending(self, site: SiteContext) -> None:
        if self.workers is not None:
            self.workers.let_go()
            # Wait for the last answers with the worker ended (unless the leaderboard still
            # holds it), so its memory is gone before they become report entries and cache
            # rows here: the two never add up.
            self.workers.close()
            self.workers = None
            # A page read after this (a link target 'docgates check' reads late, not reported)
            # has no worker to go to.
            self.sending = False
        while self.pending:
            self._record_pending(self.pending.popleft(), site)
        if self.scored_in_worker:
            log.debug("docgates/readability: %d pages scored in a worker process", self.scored_in_worker)

    def finish(self, site: SiteContext) -> None:
        self._score_pending(site)
        self.cache.close()
        eases = [
            page.readability["flesch_reading_ease"]
            for page in site.report.pages.values()
            if page.readability and page.readability.get("flesch_reading_ease") is not None
        ]
        site.report.site["readability"] = {
            "language": self.site_language,
            "pages_scored": self.counts["scored"],
            "pages_skipped": self.counts["skipped"],
            "pages_hard": self.counts["hard"],
            "average_ease": round(sum(eases) / len(eases), 1) if eases else None,
            "min_words": self.min_words,
        }
        log.debug(
            "docgates/readability: %d pages scored (%d from the cache, %d rescored), %d skipped",
            self.counts["scored"], self.cache.hits, self.cache.misses, self.counts["skipped"],
        )

    # -- helpers --------------------------------------------------------------------------
    def _skip_reason(self, page: PageInput) -> str | None:
        if self.scorer is None:
            return "language"
        if self.exclude is not None and self.exclude.matches(page.path):
            return "excluded"
        return None

    def _cached(self, page: PageInput) -> tuple[str, Analysis | None]:
        """The page's cache key, and its analysis when the cache has a usable one."""
        assert self.scorer is not None and page.html is not None
        source = page.source
        key = cache_key(self.scorer.language, page.html_key, source.body, source.body_line)
        cached = self.cache.get(key)
        # A short page's entry has no scores; a lower min_words since then means score it now.
        if cached is not None and (cached.scored or cached.words < self.min_words):
            return key, cached
        return key, None

    def _finding(
        self,
        page: PageInput,
        site: SiteContext,
        problems: list[str],
        thresholds: Thresholds,
        hardest: list[dict[str, Any]],
    ) -> Finding:
        limits_from = " + ".join(thresholds.sources)
        message = f"hard to read: {' and '.join(problems)} (thresholds: {limits_from})"
        if hardest:
            quoted = "; ".join(
                f"{'line ' + str(s['line']) if s.get('line') else 'a sentence'}: \"{s['text']}\" "
                f"({s['words']} words, grade {s['grade']:g})"
                for s in hardest
            )
            message += f". Hardest sentences — {quoted}"
        message += f". To fix: {ADVICE}."
        line = next((s["line"] for s in hardest if s.get("line")), page.source.body_line)
        # The fingerprint ignores scores and sentences, so a baselined page stays baselined
        # while it is being improved.
        return site.finding(RULE, page.path, line, message, fingerprint_text="page is hard to read")


@dataclass
class _Pending:
    """A page whose prose is being scored (``future`` set when it went to the worker)."""

    page: PageInput
    report: PageReport
    key: str
    future: Any = None


def _skipped(reason: str, **extra: Any) -> dict[str, Any]:
    """A page that is not scored keeps the contract's keys, with null scores."""
    return {"flesch_reading_ease": None, "grade": None, "skipped": reason, **extra}
