"""Scaffolding a new page of a type from its template page (``docgates new``).

The template page (``docs/templates/adr.md``, front matter ``template_for: adr``) is a
normal page of the handbook, so teams edit it as docs. The new page gets:

- front matter: ``owner``, ``reviewed`` (today), ``type``, the template's other keys (e.g.
  ``review_every``), then every field of the checklist with its default, or empty with a
  hint comment for the author to fill in;
- the template's body with its H1 replaced by the title, without the parts marked
  ``<!-- template-only -->`` ... ``<!-- /template-only -->``, plus any required section the
  template lacks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from .checklist_config import Checklist
from .frontmatter import PageSource
from .markdown_outline import heading_key, outline

# A template-only block, with the blank lines after it (so no gap is left behind).
TEMPLATE_ONLY = re.compile(
    r"^[ \t]*<!--\s*template-only\s*-->.*?<!--\s*/template-only\s*-->[ \t]*(?:\n[ \t]*)*(?:\n|$)",
    re.DOTALL | re.MULTILINE,
)
# Template keys that describe the template page itself, not the pages made from it.
_OWN_KEYS = ("owner", "reviewed", "type", "template_for", "title")
_SLUG_MAX = 60


class ScaffoldError(Exception):
    """The page cannot be created; the message says why and what to do."""


class PageExists(ScaffoldError):
    """The target already exists: ``docgates new`` never overwrites."""


@dataclass(frozen=True)
class NewPage:
    path: Path
    text: str
    # Fields the author still has to fill in.
    to_fill: tuple[str, ...]


def slugify(title: str) -> str:
    """``"Use Postgres for the billing DB!"`` -> ``use-postgres-for-the-billing-db``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > _SLUG_MAX:
        slug = slug[:_SLUG_MAX].rsplit("-", 1)[0] or slug[:_SLUG_MAX]
    return slug


@dataclass(frozen=True)
class Target:
    path: Path
    # Values of the placeholders: slug, date, and number when the type is numbered.
    values: dict[str, str]


def target_path(docs_dir: Path, checklist: Checklist, title: str, today: dt.date) -> Target:
    """Where the page goes: ``<folder>/<filename>.md`` (ADRs: ``decisions/NNNN-slug.md``)."""
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"the title {title!r} has no letters or digits to name the file after")
    folder = docs_dir / checklist.folder
    values = {"slug": slug, "date": today.isoformat()}
    if "{number}" in checklist.filename or "{number}" in checklist.heading:
        values["number"] = _next_number(folder, checklist.filename, slug)
    path = folder / (fill(checklist.filename, values) + ".md")
    if path.exists():
        raise PageExists(f"{path} already exists; not overwriting it (choose another title)")
    return Target(path, values)


def fill(pattern: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        pattern = pattern.replace("{" + key + "}", value)
    return pattern


def _next_number(folder: Path, pattern: str, slug: str) -> str:
    """One more than the highest number among the folder's pages named like ``pattern``."""
    regex = re.escape(pattern + ".md")
    for key, part in (("number", r"(?P<number>\d+)"), ("slug", r"(?P<slug>.+?)"), ("date", r"\d{4}-\d{2}-\d{2}")):
        regex = regex.replace(re.escape("{" + key + "}"), part, 1)
    shape = re.compile(f"^{regex}$")
    highest, width = 0, 4
    for existing in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        match = shape.match(existing.name)
        if not match or match.groupdict().get("number") is None:
            continue
        highest = max(highest, int(match.group("number")))
        width = max(width, len(match.group("number")))
        if match.groupdict().get("slug") == slug:
            raise PageExists(f"{existing} already has that title; not creating a second one (choose another title)")
    return f"{highest + 1:0{width}d}"


def render_page(
    checklist: Checklist,
    title: str,
    owners: Sequence[str],
    today: dt.date,
    template: PageSource | None = None,
    values: dict[str, str] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The new page's text, and the checklist fields left for the author to fill in."""
    lines = ["---"]
    if owners:
        lines.append(_yaml_line("owner", owners[0] if len(owners) == 1 else list(owners)))
    lines.append(_yaml_line("reviewed", today))
    template_meta = dict(template.meta) if template is not None else {}
    for key, value in template_meta.items():
        if key not in _OWN_KEYS and key not in checklist.fields and key not in checklist.required_fields:
            lines.append(_yaml_line(key, value))
    lines.append(_yaml_line("type", checklist.type))
    to_fill: list[str] = []
    names = list(checklist.required_fields)
    names += [key for key, rule in checklist.fields.items() if key not in names and rule.default is not None]
    for key in names:
        rule = checklist.rule_for(key)
        value = template_meta.get(key, rule.default)
        if value == "today":
            value = today
        if value in (None, "", []):
            to_fill.append(key)
            lines.append(f"{key}:" + (f"  # {rule.hint}" if rule.hint else ""))
        else:
            lines.append(_yaml_line(key, value))
    lines.append("---")
    heading = fill(checklist.heading, {**(values or {}), "title": " ".join(title.split())})
    body = _body(checklist, heading, template)
    return "\n".join(lines) + "\n" + body, tuple(to_fill)


def create_page(path: Path, text: str) -> None:
    """Write a new file; never replaces one (even one created a moment ago)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise PageExists(f"{path} already exists; not overwriting it (choose another title)") from None


def _body(checklist: Checklist, title: str, template: PageSource | None) -> str:
    text = template.body if template is not None else ""
    text = TEMPLATE_ONLY.sub("", text).lstrip("\n")
    heading = f"# {title}"
    page_outline = outline(text)
    lines = text.splitlines()
    if page_outline.h1 is not None:
        index = page_outline.h1.line - 1
        # A setext H1 is two lines (text, then ===).
        end = index + 2 if index + 1 < len(lines) and set(lines[index + 1].strip()) == {"="} else index + 1
        lines[index:end] = [heading]
    else:
        lines[:0] = [heading, ""]
    present = {h.key for h in page_outline.sections}
    for spellings in checklist.required_sections:
        if not any(heading_key(name) in present for name in spellings):
            while lines and not lines[-1].strip():
                lines.pop()
            lines += ["", f"## {spellings[0]}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _yaml_line(key: str, value: Any) -> str:
    """One front matter line in the style of the handbook (dates bare, handles in double quotes)."""
    if isinstance(value, dt.date):
        return f"{key}: {value.isoformat()}"
    if isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value):
        return f"{key}: [{', '.join(_scalar(v) for v in value)}]"
    if isinstance(value, (str, int, float, bool)):
        return f"{key}: {_scalar(value)}"
    dumped = yaml.safe_dump({key: value}, default_flow_style=False, allow_unicode=True, sort_keys=False, width=1000)
    return dumped.rstrip("\n")


def _scalar(value: Any) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1000).removesuffix("...\n").strip()
    if isinstance(value, str) and dumped != value:
        # Needs quoting (e.g. "@team", "yes", "1.0"): JSON strings are valid YAML.
        return json.dumps(value, ensure_ascii=False)
    return dumped
