"""Which pages document code a change touched, for ``check --changed-since``.

A page's ``documents`` patterns come from where the freshness gate takes them: front matter,
else the nearest ``.meta.yml`` that declares them, else the freshness option's last matching
folder glob. Only files that mention ``documents`` at a line start are parsed, so a site whose
pages document no code pays one short read per page.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

import yaml

from docgates.cli.project import Project
from docgates.core.code_patterns import CodePatterns, PatternListError, head_declares_documents, parse_patterns
from docgates.core.frontmatter import parse_page
from docgates.core.safe_yaml import SafeYamlLoader


def documented_pages(project: Project) -> dict[str, list[str]]:
    """Each page's ``documents`` patterns, by docs-relative page path."""
    from docgates.freshness.options import FolderDocuments

    try:
        folder = FolderDocuments(project.freshness_option("documents"))
    except ValueError:
        folder = FolderDocuments(None)  # the full check reports the bad option
    result: dict[str, list[str]] = {}
    meta_cache: dict[str, list[str] | None] = {}
    for page in sorted(project.pages()):
        patterns: list[str] | None = None
        path = project.docs_dir / page
        if head_declares_documents(str(path), front_matter=True):
            try:
                source = parse_page(page, path.read_bytes())
            except OSError:
                continue
            if "documents" in source.meta:
                if source.documents:
                    result[page] = source.documents
                continue  # a bad value: the full check reports it
        patterns = _meta_documents(project.docs_dir, posixpath.dirname(page), meta_cache)
        if patterns is None:
            patterns = folder.match(page)
        if patterns:
            result[page] = patterns
    return result


def _meta_documents(docs_dir: Path, folder: str, cache: dict[str, list[str] | None]) -> list[str] | None:
    """``documents`` of the nearest ``.meta.yml`` (Material's meta plugin) at or above ``folder``
    ([] when that file's value is unusable, None when no file declares it)."""
    if folder not in cache:
        found: list[str] | None = None
        meta = docs_dir / folder / ".meta.yml"
        if head_declares_documents(str(meta), front_matter=False):
            try:
                data = yaml.load(meta.read_text(encoding="utf-8-sig"), Loader=SafeYamlLoader)  # noqa: S506
                found = parse_patterns(data["documents"]) if isinstance(data, dict) and "documents" in data else None
            except PatternListError:
                found = []  # declared, but unusable: the full check reports it; no outer value
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                found = None
        if found is None and folder:
            found = _meta_documents(docs_dir, posixpath.dirname(folder), cache)
        cache[folder] = found
    return cache[folder]


def pages_behind_change(
    documented: dict[str, list[str]], code: list[str], changed_pages: set[str]
) -> dict[str, list[str]]:
    """Pages (not changed themselves) whose patterns match changed code, with those files."""
    files = sorted(set(code))
    result: dict[str, list[str]] = {}
    compiled: dict[tuple[str, ...], list[str]] = {}
    for page, patterns in documented.items():
        if page in changed_pages:
            continue
        key = tuple(patterns)
        if key not in compiled:
            compiled[key] = CodePatterns(patterns).select(files)
        if compiled[key]:
            result[page] = compiled[key]
    return result
