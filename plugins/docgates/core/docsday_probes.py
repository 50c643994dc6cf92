"""The measures docs-day scoring applies to old versions of a page, from the gates' own core.

Each probe judges a page's source the way its gate does. A gate whose core offers no such
measure leaves its probe empty, and the leaderboard shows that kind as "not measured"
instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from .frontmatter import PageSource

ChecklistProbe = Callable[[PageSource, dt.date], "tuple[int, int] | None"]
ReadabilityProbe = Callable[[PageSource], "float | None"]
LinksProbe = Callable[[PageSource, "set[str]"], "int | None"]
# CODEOWNERS text -> (repository path -> owners)
CodeownersProbe = Callable[[str], Callable[[str], "list[str]"]]


@dataclass
class Probes:
    checklist: ChecklistProbe | None = None
    readability: ReadabilityProbe | None = None
    broken_links: LinksProbe | None = None
    codeowners: CodeownersProbe | None = None
    # improvement kind -> why it is not measured
    missing: dict[str, str] = field(default_factory=dict)


def load_probes(options: dict[str, Any] | None = None) -> Probes:
    """The probes for this site; ``options``: ``checklists`` (definitions file), ``language``."""
    options = options or {}
    probes = Probes()
    probes.codeowners = _codeowners_probe()
    probes.checklist = _checklist_probe(options)
    if probes.checklist is None:
        probes.missing["checklist_completed"] = "the checklist gate's core offers no page evaluation"
    probes.readability = _readability_probe(str(options.get("language") or "en"))
    if probes.readability is None:
        probes.missing["readability_gained"] = "no readability scorer for this language, or its dictionary is not installed"
    probes.broken_links = _links_probe()
    if probes.broken_links is None:
        probes.missing["links_fixed"] = "no core link scanner is available"
    return probes


def _codeowners_probe() -> CodeownersProbe | None:
    try:
        from .codeowners import parse_codeowners
    except ImportError:
        return None

    def resolver(text: str) -> Callable[[str], list[str]]:
        parsed = parse_codeowners(text, "CODEOWNERS")

        def owners(repo_path: str) -> list[str]:
            rule = parsed.rule_for(repo_path)
            return list(rule.owners) if rule else []

        return owners

    return resolver


def _checklist_probe(options: dict[str, Any]) -> ChecklistProbe | None:
    try:
        from .checklist import evaluate
        from .checklist_config import load_checklists
        from .markdown_outline import outline
    except ImportError:
        return None
    try:
        checklists = load_checklists(options.get("checklists"))
    except Exception:  # the checklist gate reports a broken definitions file itself
        return None

    def probe(source: PageSource, day: dt.date) -> tuple[int, int] | None:
        checklist = checklists.get(source.type or "") if source.front_matter_valid else None
        if checklist is None:
            return None
        try:
            result = evaluate(checklist, source, outline(source.body, source.body_line), day)
        except Exception:  # an old version the checklist cannot judge earns nothing
            return None
        done, total = _done_total(result)
        return (done, total) if total else None

    return probe


def _done_total(result: Any) -> tuple[int, int]:
    if hasattr(result, "items") and hasattr(result, "done") and isinstance(result.items, list):
        return int(result.done), len(result.items)
    if isinstance(result, dict):
        return int(result.get("done", 0)), int(result.get("total", 0))
    if isinstance(result, tuple):
        return int(result[0]), int(result[1])
    return int(getattr(result, "done", 0)), int(getattr(result, "total", 0))


def _readability_probe(language: str = "en") -> ReadabilityProbe | None:
    try:
        import markdown

        from .readability_scoring import Scorer, analyse_html, textstat_language
    except ImportError:
        return None
    textstat_name = textstat_language(language)
    if textstat_name is None:
        return None
    scorer = Scorer(textstat_name)
    try:
        scorer.require_data()
    except Exception:  # no pronouncing dictionary: the readability gate says what to run
        return None
    # Old versions are only in git, never rendered by MkDocs: plain Markdown is close enough
    # to compare a page with itself before and after one commit.
    renderer = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html", "def_list"])

    def probe(source: PageSource) -> float | None:
        try:
            html = renderer.reset().convert(source.body)
            analysis = analyse_html(scorer, html, source.body, source.body_line, MIN_WORDS)
        except Exception:  # a page the scorer cannot read earns nothing
            return None
        return analysis.flesch_reading_ease

    return probe


# Pages shorter than this have no meaningful reading ease (the readability gate's default min_words).
MIN_WORDS = 100


def _links_probe() -> LinksProbe | None:
    try:
        from .markdown_outline import outline
    except ImportError:
        return None

    def probe(source: PageSource, files: set[str]) -> int | None:
        folder = posixpath.dirname(source.path)
        broken = 0
        for link in outline(source.body, source.body_line).links:
            if not link.internal:
                continue
            target = link_path(link.target, folder)
            if target is not None and not _exists(target, files):
                broken += 1
        return broken

    return probe


def link_path(target: str, folder: str) -> str | None:
    """Docs-relative path a relative link points to; None for links that are not checked."""
    path = unquote(urlsplit(target).path)
    if not path or path.startswith("/"):
        return None  # absolute links depend on where the site is served
    joined = posixpath.normpath(posixpath.join(folder, path))
    if joined.startswith("../") or joined == "..":
        return None  # outside the docs folder: not the site's to judge
    return joined + ("/" if path.endswith("/") else "")


def _exists(target: str, files: set[str]) -> bool:
    if target.endswith("/") or target == ".":
        folder = target.rstrip("/").removeprefix(".")
        prefix = f"{folder}/" if folder else ""
        return any(f"{prefix}{name}" in files for name in ("index.md", "README.md"))
    return target in files or f"{target}/index.md" in files or f"{target}.md" in files
