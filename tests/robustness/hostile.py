"""Helpers shared by the robustness tests: a site with every docgates plugin, an HTML scan of
the parts docgates renders, and the checks every hostile run must pass."""

from __future__ import annotations

import html.parser
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conftest import Result, Site, base_env  # tests/conftest.py (tests/ is on sys.path)

ALL_PLUGINS: tuple[str, ...] = (
    "docgates/ownership",
    "docgates/freshness",
    "docgates/readability",
    "docgates/checklist",
    "docgates/links",
    "docgates/leaderboard",
    "docgates/quality",
)

# Markers that hostile inputs carry: an element and attributes that must never be parsed
# out of docgates output. Anything else the hostile text contains is only a carrier.
INJECTED_TAGS = {"x-pwn", "script", "iframe"}  # docgates draws legitimate <svg> charts
INJECTED_ATTRS = {"data-pwn", "onerror", "onload", "onclick", "onmouseover"}
# Elements whose class marks them as rendered by docgates.
DOCGATES_ROOTS = ("docgates-header", "docgates-dashboard", "docgates-leaderboard")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def new_site(root: Path, *plugins: Any) -> Site:
    site = Site(root)
    site.plugins(*(plugins or ALL_PLUGINS))
    return site


def save_raw_config(site: Site, text: str) -> None:
    (site.root / "mkdocs.yml").write_text(text, encoding="utf-8")


def has_traceback(text: str) -> bool:
    return "Traceback (most recent call last)" in text or "This is a docgates bug" in text


@dataclass
class Injection:
    """What an HTML scan of docgates' own output found."""

    roots: int = 0
    tags: list[str] = field(default_factory=list)
    attrs: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.tags or self.attrs or self.urls)


class _DocgatesScanner(html.parser.HTMLParser):
    """Walks the elements docgates renders (page header, dashboard, leaderboard) and records
    any element or attribute a hostile string could have injected."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Injection()
        self.depth = 0  # open elements inside a docgates root; 0 = outside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth == 0 and not any(root in classes for root in DOCGATES_ROOTS):
            return
        if self.depth == 0:
            self.found.roots += 1
        self._inspect(tag, attrs)
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self._inspect(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.found.text.append(data)

    def _inspect(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in INJECTED_TAGS:
            self.found.tags.append(tag)
        for name, value in attrs:
            if name in INJECTED_ATTRS:
                self.found.attrs.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and value and value.strip().lower().startswith(("javascript:", "data:", "file:")):
                self.found.urls.append(value)


class _WholeScanner(_DocgatesScanner):
    """Every element counts: for Markdown outputs that GitHub renders with inline HTML."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth = max(self.depth, 1)
        self._inspect(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        pass


def scan_markdown(text: str) -> Injection:
    """Markdown backslash escapes (``\\<``) are literal text, as GitHub renders them."""
    scanner = _WholeScanner()
    scanner.feed(re.sub(r"\\([!-/:-@\[-`{-~])", lambda m: f"&#{ord(m.group(1))};", text))
    scanner.close()
    return scanner.found


def scan_docgates_html(text: str) -> Injection:
    scanner = _DocgatesScanner()
    scanner.feed(text)
    scanner.close()
    return scanner.found


def load_json(text: str) -> Any:
    return json.loads(text)


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


PYTHON = sys.executable
ENV = base_env
