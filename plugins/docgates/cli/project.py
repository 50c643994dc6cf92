"""A docs project inside its git repository, as ``check --changed-since`` and
``suggest-documents`` see it: where the config, the docs and the repository are, which files
affect every page, and which pages there are. Read from mkdocs.yml alone, without MkDocs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from docgates.cli.main import UsageError
from docgates.core.repo import find_repo_root
from docgates.ownership.codeowners import CODEOWNERS_LOCATIONS

PAGE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


@dataclass
class Project:
    config_path: Path
    config_dir: Path
    docs_dir: Path
    repo_root: Path
    docs_repo_path: str
    site_wide_inputs: set[str]
    config: dict  # mkdocs.yml as read (INHERIT followed), once

    @classmethod
    def load(cls, config_file: str | None) -> "Project":
        from docgates.engines.mkdocs.headless import ProjectError, find_config

        try:
            config_path = find_config(config_file).resolve()
        except ProjectError as exc:
            raise UsageError(str(exc)) from None
        config_dir = config_path.parent
        raw = read_config(config_path)
        docs_dir = (config_dir / str(raw.get("docs_dir") or "docs")).resolve()
        repo_root = find_repo_root(config_dir)
        if repo_root is None:
            raise UsageError(
                f"{config_path.parent}: not inside a git repository; --changed-since compares git "
                "revisions, so run it in a clone (or run 'docgates check' without it)"
            )
        repo_root = repo_root.resolve()
        try:
            docs_repo_path = docs_dir.relative_to(repo_root).as_posix()
        except ValueError:
            raise UsageError(f"{docs_dir}: docs_dir is outside the repository {repo_root}") from None
        inputs = {_repo_relative(config_path, repo_root)}
        inputs.update(CODEOWNERS_LOCATIONS)
        inputs.update(_plugin_option_files(raw, config_dir, repo_root))
        inputs.discard("")
        return cls(config_path, config_dir, docs_dir, repo_root, docs_repo_path, inputs, raw)

    def is_code(self, repo_path: str) -> bool:
        """Outside the docs and no site-wide input: something a page may document."""
        return self.docs_relative(repo_path) is None and repo_path not in self.site_wide_inputs

    def docs_relative(self, repo_path: str) -> str | None:
        prefix = "" if self.docs_repo_path in ("", ".") else self.docs_repo_path + "/"
        if repo_path.startswith(prefix):
            return repo_path[len(prefix) :]
        return None

    def pages(self) -> list[str]:
        """Every Markdown page under docs_dir (dot-folders skipped, as MkDocs does)."""
        result: list[str] = []
        root = str(self.docs_dir)
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            relative = os.path.relpath(folder, root)
            for name in names:
                if name.endswith(PAGE_SUFFIXES) and not name.startswith("."):
                    path = name if relative == "." else f"{relative}/{name}"
                    result.append(path.replace(os.sep, "/"))
        return result

    def freshness_option(self, name: str) -> object:
        """The freshness plugin's option ``name`` as written in the config (None when unset)."""
        for entry in self.config.get("plugins") or []:
            if isinstance(entry, dict) and isinstance(entry.get("docgates/freshness"), dict):
                return entry["docgates/freshness"].get(name)
        return None


def read_config(config_path: Path) -> dict:
    from docgates.engines.mkdocs.config_file import ConfigFileError, read_config_file

    try:
        return read_config_file(config_path)
    except ConfigFileError as exc:
        raise UsageError(str(exc)) from None


def _plugin_option_files(raw: dict, config_dir: Path, repo_root: Path) -> set[str]:
    """Files named by docgates plugin options (team registry, checklists...)."""
    found: set[str] = set()
    for entry in raw.get("plugins") or []:
        if not isinstance(entry, dict):
            continue
        for name, options in entry.items():
            if not str(name).startswith("docgates/") or not isinstance(options, dict):
                continue
            for value in options.values():
                if isinstance(value, str) and value.strip() and "\n" not in value:
                    candidate = config_dir / value
                    if candidate.is_file():
                        found.add(_repo_relative(candidate.resolve(), repo_root))
    return found


def _repo_relative(path: Path, repo_root: Path) -> str:
    try:
        return path.relative_to(repo_root).as_posix()
    except ValueError:
        return ""
