"""The measures docs-day scoring applies to old versions of a page, from the gates' own code.

Each probe judges a page's source the way its gate does. A measure the site cannot take (no
readability scorer for its language, a checklist file the checklist gate rejects) leaves its
probe empty, and the leaderboard shows that kind as "not measured" instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Container, Iterable

from docgates.checklist.config import load_checklists
from docgates.checklist.evaluate import evaluate
from docgates.checklist.model import ChecklistConfigError
from docgates.core.content_cache import ContentCache, code_digest, content_key
from docgates.core.frontmatter import PageSource
from docgates.core.markdown_outline import link_targets, outline
from docgates.links.resolve import docs_path, file_candidates, split_link
from docgates.ownership.codeowners import parse_codeowners
from docgates.readability import cmudict as cmudict_corpus

ChecklistProbe = Callable[[PageSource, dt.date], "tuple[int, int] | None"]
ReadabilityProbe = Callable[[PageSource], "float | None"]
# (page, files of the docs folder at the revision: anything answering `in`) -> broken links
LinksProbe = Callable[[PageSource, "Container[str]"], "int | None"]
# CODEOWNERS text -> (repository path -> owners)
CodeownersProbe = Callable[[str], Callable[[str], "list[str]"]]


@dataclass
class Probes:
    checklist: ChecklistProbe | None = None
    readability: ReadabilityProbe | None = None
    broken_links: LinksProbe | None = None
    codeowners: CodeownersProbe | None = None
    # Page body -> its internal link targets; with ``resolve_links`` and ``count_broken`` it
    # gives what ``broken_links`` gives, in parts a caller can keep per content.
    link_targets: Callable[[str], "list[str]"] | None = None
    # improvement kind -> why it is not measured
    missing: dict[str, str] = field(default_factory=dict)

    def save(self) -> None:
        """Keep what is worth keeping for the next run (reading ease, link targets)."""
        for probe in (self.readability, self.link_targets):
            save = getattr(probe, "save", None)
            if save is not None:
                save()

    def close(self) -> None:
        """End the worker process the readability probe may have started (``save`` does too)."""
        close = getattr(self.readability, "close", None)
        if close is not None:
            close()


def load_probes(options: dict[str, Any] | None = None) -> Probes:
    """The probes for this site; ``options``: ``checklists`` (definitions file), ``language``,
    ``cache_file`` (where readability scores are kept between runs; None: not kept)."""
    options = options or {}
    probes = Probes()
    probes.codeowners = _codeowners_probe()
    probes.checklist = _checklist_probe(options)
    if probes.checklist is None:
        probes.missing["checklist_completed"] = "the checklist gate's core offers no page evaluation"
    probes.readability = _readability_probe(str(options.get("language") or "en"), options.get("cache_file"))
    if probes.readability is None:
        probes.missing["readability_gained"] = "no readability scorer for this language, or its dictionary is not installed"
    probes.broken_links = _count_broken_links
    cache_file = options.get("cache_file")
    probes.link_targets = CachedLinkTargets(Path(cache_file).with_name(LINKS_CACHE_FILE) if cache_file else None)
    return probes


def probes_key(options: dict[str, Any] | None = None) -> str:
    """What, besides docgates' own code, decides which probes exist and what they answer
    (``load_probes``' options): the checklist definitions file, the language, the libraries
    the readability probe renders and scores with, and whether the pronouncing dictionary is
    installed. Cheap: a warm leaderboard comes from its cache by this key, and building the
    probes themselves (definitions, dictionary, scores) costs more than the rest of it."""
    options = options or {}
    parts = [f"language={options.get('language') or 'en'}", f"checklists={_file_digest(options.get('checklists'))}"]
    for module in ("markdown", "yaml", "textstat"):
        parts.append(f"{module}={_library_version(module)}")
    parts.append(f"cmudict={_corpus_installed()}")
    return "\n".join(parts)


def _file_digest(path: Any) -> str:
    if path in (None, ""):
        return "none"
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return "unreadable"  # the checklist probe is missing then, and says why


def _library_version(module: str) -> str:
    """The installed version of a library, without importing it (textstat pulls in NLTK
    and Pyphen): the size and modification time of its entry file stand for it. The same
    answer whether or not another gate imported it already, so a key does not flip."""
    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return "none"
        stat = os.stat(origin)
    except (ImportError, ValueError, OSError):
        return "none"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _codeowners_probe() -> CodeownersProbe:
    def resolver(text: str) -> Callable[[str], list[str]]:
        parsed = parse_codeowners(text, "CODEOWNERS")

        def owners(repo_path: str) -> list[str]:
            rule = parsed.rule_for(repo_path)
            return list(rule.owners) if rule else []

        return owners

    return resolver


def _checklist_probe(options: dict[str, Any]) -> ChecklistProbe | None:
    try:
        checklists = load_checklists(options.get("checklists"))
    except (ChecklistConfigError, OSError):  # the checklist gate reports a broken file itself
        return None

    def probe(source: PageSource, day: dt.date) -> tuple[int, int] | None:
        checklist = checklists.get(source.type or "") if source.front_matter_valid else None
        if checklist is None:
            return None
        try:
            result = evaluate(checklist, source, outline(source.body, source.body_line), day)
        except Exception:  # an old version the checklist cannot judge earns nothing
            return None
        return (result.done, len(result.items)) if result.items else None

    return probe


class CachedReadability:
    """Flesch reading ease of a page's body, as plain Markdown renders it (``markdown_ease``);
    None when the body is too short to score or cannot be read.

    Scores are kept by content in ``cache_file`` (the readability gate's cache format),
    because the first score of a run loads the syllable table (most of a second) and a warm
    build should not pay for it. ``prefetch`` scores what the cache lacks in a worker process
    while the build goes on: the build then never loads textstat and its dictionary (about
    9 MiB that would stay until the end of a big site's build).
    """

    # Old versions scored before a worker process pays off (it takes ~0.3 s to start).
    WORKER_AFTER = 16

    def __init__(self, textstat_name: str, cache_file: Path | None = None) -> None:
        from docgates.readability.cache import ScoreCache

        self.language = textstat_name
        self.cache = ScoreCache(cache_file)
        self._ease: Any = None
        self._worker: Any = None
        self._futures: dict[str, Any] = {}  # cache key -> the worker's answer, to come
        self.scored = 0  # pages scored in this run (not from the cache)
        self.scored_in_worker = 0

    def __call__(self, source: PageSource) -> float | None:
        key = self._key(source.body)
        cached = self.cache.get(key)
        if cached is not None:
            return cached.flesch_reading_ease
        analysis = self._from_worker(key)
        if analysis is None:
            try:
                analysis = self._analyse(source.body)
            except Exception:  # a page the scorer cannot read earns nothing
                return None
            self.cache.put(key, analysis)
        return analysis.flesch_reading_ease

    def _key(self, body: str) -> str:
        from docgates.readability.markdown_ease import VERSION
        from docgates.readability.cache import cache_key

        # The HTML is a function of the body here (one fixed renderer), so the renderer's
        # name stands in for it in the key.
        return cache_key(self.language, f"docsday-markdown-v{VERSION}", body, 0)

    def prefetch(self, bodies: Iterable[str], shared: dict[str, Any] | None = None) -> None:
        """Send the bodies the cache has no score for to a worker process, when there are
        enough of them and a spare core; their scores are then waiting when asked for. In a
        build, ``shared`` (the site's shared values) holds the build's one scoring worker,
        which the readability gate's pages may use too; alone, the probe starts its own."""
        from docgates.readability.worker import WorkerShare

        missing: dict[str, str] = {}
        for body in bodies:
            key = self._key(body)
            if key not in missing and key not in self._futures and self.cache.get(key) is None:
                missing[key] = body
        if len(missing) < self.WORKER_AFTER:
            return
        workers = WorkerShare.of(shared if shared is not None else {}, self.language)
        workers.hold()
        for key, body in missing.items():
            future = workers.submit_markdown(body)
            if future is None:
                break  # no worker: scored in-process when asked for
            self._futures[key] = future
        workers.let_go()
        self._worker = workers if workers.worker is not None else None

    def _from_worker(self, key: str) -> Any:
        from docgates.readability.scoring import Analysis
        from docgates.readability.worker import ScoringWorker

        scored = ScoringWorker.result(self._futures.pop(key, None))
        if not scored:
            return None
        self.scored += 1
        self.scored_in_worker += 1
        self.cache.put_json(key, scored)
        return Analysis.from_json(scored)

    def _analyse(self, body: str) -> Any:
        from docgates.readability.markdown_ease import MarkdownEase

        if self._ease is None:
            self._ease = MarkdownEase(self.language)
        self.scored += 1
        return self._ease.analyse(body)

    def close(self) -> None:
        """End the worker (if one was started) and forget what it was asked."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        self._futures = {}

    def save(self) -> None:
        self.close()
        self.cache.save()


def _readability_probe(language: str = "en", cache_file: Path | None = None) -> CachedReadability | None:
    from docgates.readability.scoring import textstat_language

    textstat_name = textstat_language(language)
    if textstat_name is None:
        return None
    if textstat_name.startswith("en") and not _corpus_installed():
        return None  # no pronouncing dictionary: the readability gate says what to run
    return CachedReadability(textstat_name, cache_file)


def _corpus_installed() -> bool:
    """What ``Scorer.require_data`` checks, without importing textstat before a page needs
    scoring: a warm cache may answer every page."""
    try:
        cmudict_corpus.require_corpus()
    except Exception:
        return False
    return True


def _count_broken_links(source: PageSource, files: Container[str]) -> int | None:
    return count_broken(resolve_links(link_targets(source.body), source.path), files)


# Next to the readability scores' file: the link targets of page bodies (``CachedLinkTargets``).
LINKS_CACHE_FILE = "leaderboard-links.sqlite"


class CachedLinkTargets:
    """``link_targets`` of a page body, kept by content in ``cache_file`` between runs.

    A board computed after a new commit judges every page at two revisions again, yet few
    bodies changed: scanning them all for links was half of that work. The file is read on
    the first scan only, so a board that comes whole from its own cache never opens it.
    """

    # Entries are a few links each; a large site's pages over many runs fit.
    LIMIT = 20000

    def __init__(self, cache_file: Path | None = None) -> None:
        self.cache_file = cache_file
        self._cache: Any = None
        self.scanned = 0  # bodies scanned in this run (not from the cache)

    def __call__(self, body: str) -> list[str]:
        cache = self._open()
        key = content_key(body)
        found = cache.get(key)
        if isinstance(found, list) and all(isinstance(target, str) for target in found):
            return found
        if found is not None:
            cache.miss(key)
        self.scanned += 1
        targets = link_targets(body)
        cache.put(key, targets)
        return targets

    def _open(self) -> Any:
        if self._cache is None:
            # Scanned by this module's code and the outline's: either one changed, none is kept.
            self._cache = ContentCache(self.cache_file, code_digest("leaderboard/probes.py", "core/markdown_outline.py"), self.LIMIT)
        return self._cache

    def save(self) -> None:
        if self._cache is not None:
            self._cache.save()


def resolve_links(targets: list[str], page_path: str) -> list[str]:
    """Docs-relative paths of the checked links among ``targets`` of the page ``page_path``."""
    folder = posixpath.dirname(page_path)
    resolved = (link_path(target, folder) for target in targets)
    return [target for target in resolved if target is not None]


def count_broken(resolved: list[str], files: Container[str]) -> int:
    """How many of the ``resolve_links`` paths name no file of ``files``."""
    return sum(1 for target in resolved if not _exists(target, files))


def link_path(target: str, folder: str) -> str | None:
    """Docs-relative path a relative link points to; None for links that are not checked
    (absolute links depend on where the site is served)."""
    split = split_link(target)
    if split is None or not split[0] or split[0].startswith("/"):
        return None
    return docs_path(split[0], folder)


def _exists(target: str, files: Container[str]) -> bool:
    return any(candidate in files for candidate in file_candidates(target))
