"""The folder Zensical builds: the docs MkDocs would build, plus docgates' generated pages
and stylesheet, and the child config that points Zensical at it.

Zensical takes neither a docs nor a site folder on its command line, and both must lie inside
the config file's folder; so a child config beside ``mkdocs.yml`` inherits it (``INHERIT``)
and sets them. The stage sits at a stable path under ``.cache/`` and is updated file by
file, so Zensical's cache (keyed by paths and contents) stays warm between builds. Nothing
is ever written into the docs folder.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from docgates.core.safe_yaml import SafeYamlLoader
from docgates.engines.zensical.inject import GENERATED_MARKER

STAGE_DIR = Path(".cache") / "plugin" / "docgates" / "zensical"
CHILD_CONFIG = ".docgates-zensical.yml"
# MkDocs' own front matter pattern (mkdocs/utils/meta.py): what both engines treat as YAML.
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
# Material's meta plugin reads these from the docs folder; MkDocs lists them as excluded.
META_FILE = ".meta.yml"


@dataclass
class Stage:
    config_dir: Path
    # docs-relative path -> what the stage holds there: a source file to copy, or content.
    entries: dict[str, Path | bytes] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.config_dir / STAGE_DIR

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    def add_copy(self, path: str, source: Path) -> None:
        self.entries[path] = source

    def add_content(self, path: str, content: bytes) -> None:
        self.entries[path] = content

    def sync(self) -> None:
        """Make ``docs`` hold exactly the entries, rewriting only what changed."""
        wanted = set(self.entries)
        if self.docs.is_dir():
            for current in sorted(self.docs.rglob("*"), reverse=True):
                relative = current.relative_to(self.docs).as_posix()
                if current.is_dir() and not current.is_symlink():
                    if not any(current.iterdir()):
                        current.rmdir()
                elif relative not in wanted:
                    current.unlink()
        for path, entry in self.entries.items():
            target = self.docs / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(entry, bytes):
                if not _holds(target, entry):
                    target.write_bytes(entry)
            elif not _same_copy(entry, target):
                shutil.copy2(entry, target)

    def write_child_config(self, parent: Path, site_dir: str, settings: dict[str, Any]) -> Path:
        child = self.config_dir / CHILD_CONFIG
        config = {
            "INHERIT": parent.name,
            "docs_dir": self.docs.relative_to(self.config_dir).as_posix(),
            "site_dir": site_dir,
            # The stage holds only what MkDocs would build; Zensical's default exclusion of a
            # top-level templates/ folder (docgates/checklist's templates) must not apply.
            "exclude_docs": "!/templates/\n",
            **settings,
        }
        child.write_text(
            "# Written by 'docgates build --engine zensical' for this build; safe to delete.\n"
            + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        return child


def placeholder(title: str) -> bytes:
    """A generated page's stand-in: Zensical gives it the site's frame and its nav entry,
    docgates swaps in the real body afterwards (``inject.replace_placeholder``)."""
    return f"# {title}\n\n{GENERATED_MARKER}\n".encode("utf-8")


def readable_for_zensical(raw: bytes) -> bytes:
    """A page as Zensical can read it. Zensical aborts the whole build, with a traceback, on
    front matter that is not one non-empty YAML mapping (bad YAML, a list, an empty block);
    MkDocs renders such a page as Markdown, front matter included. A leading blank line makes
    Zensical do the same, and docgates reports what is wrong, as under MkDocs."""
    text = raw.decode("utf-8", "replace").lstrip("\ufeff")
    if not text.startswith("---"):
        return text.encode("utf-8")
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.load(match.group(1), Loader=SafeYamlLoader)  # noqa: S506 - depth-limited SafeLoader
        except yaml.YAMLError:
            meta = None
        if isinstance(meta, dict) and meta:
            return text.encode("utf-8")
    return ("\n" + text).encode("utf-8")


def with_escaped_title(raw: bytes) -> bytes | None:
    """The page with its front matter ``title`` HTML-escaped, or None when it needs no
    change. Zensical prints a front matter title into the nav and ``<title>`` as HTML; under
    MkDocs docgates escapes it in ``page.meta`` (a title is text), here in the staged copy."""
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return None
    match = _FRONT_MATTER.match(text)
    if not match:
        return None
    try:
        meta = yaml.load(match.group(1), Loader=SafeYamlLoader)  # noqa: S506 - depth-limited SafeLoader
    except yaml.YAMLError:
        return None
    title = meta.get("title") if isinstance(meta, dict) else None
    if not isinstance(title, str) or html.escape(title, quote=False) == title:
        return None
    meta["title"] = html.escape(title, quote=False)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{text[match.end():]}".encode("utf-8")


def nav_config(items: Any) -> list[Any]:
    """MkDocs' navigation (after every plugin and hook changed it) as a ``nav:`` setting:
    Zensical runs no hook, so the order a hook gave the nav would be lost. Pages go by path
    alone, so Zensical takes (and escapes, or not) their titles as it always does."""
    result: list[Any] = []
    for item in items or []:
        if getattr(item, "is_section", False):
            result.append({str(item.title): nav_config(item.children)})
        elif getattr(item, "is_page", False):
            result.append(item.file.src_uri)
        elif getattr(item, "is_link", False):
            result.append({str(item.title): str(item.url)})
    return result


def _holds(target: Path, content: bytes) -> bool:
    try:
        return target.stat().st_size == len(content) and target.read_bytes() == content
    except OSError:
        return False


def _same_copy(source: Path, target: Path) -> bool:
    try:
        a, b = source.stat(), target.stat()
    except OSError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns and not os.path.islink(target)
