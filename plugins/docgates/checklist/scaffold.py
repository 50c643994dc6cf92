"""Scaffolding a new page of a type from its template page (``docgates new``).

The template page (``docs/templates/adr.md``, front matter ``template_for: adr``) is a
normal page of the handbook, so teams edit it as docs. The new page gets:

- front matter: ``owner``, ``reviewed`` (today), ``type``, the template's other keys (e.g.
  ``review_every``), then every field of the checklist with its default, or empty with a
  hint comment for the author to fill in;
- the template's body with its H1 replaced by the title, without the parts marked
  ``<!-- template-only -->`` ... ``<!-- /template-only -->``, plus any required section the
  template lacks.

It reads and writes only inside the docs folder: a folder or template that is a symbolic
link leading out of it, or a template that is not a regular file, is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from docgates.checklist.model import Checklist
from docgates.core.frontmatter import PageSource
from docgates.core.markdown_outline import heading_key, outline
from docgates.core.user_paths import display_path, leads_outside

# A template-only block, with the blank lines after it (so no gap is left behind).
TEMPLATE_ONLY = re.compile(
    r"^[ \t]*<!--\s*template-only\s*-->.*?<!--\s*/template-only\s*-->[ \t]*(?:\n[ \t]*)*(?:\n|$)",
    re.DOTALL | re.MULTILINE,
)
# Template keys that describe the template page itself, not the pages made from it.
_OWN_KEYS = ("owner", "reviewed", "type", "template_for", "title")
_SLUG_MAX = 60
# A file name is at most 255 bytes: room for the type's pattern ({date}-, {number}-) and .md.
_SLUG_MAX_BYTES = 200


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
    """``"Use Postgres for the billing DB!"`` -> ``use-postgres-for-the-billing-db``,
    ``"日本語のタイトル"`` -> ``日本語のタイトル``.

    Letters and digits of every script are kept, not transliterated: transliteration guesses
    the language (a library reads Japanese kanji as Chinese), and MkDocs serves Unicode file
    names as percent-encoded URLs. Only accents are dropped from Latin letters (``é`` -> ``e``),
    so the titles that made ASCII names before still make the same names.
    """
    text = _without_latin_accents(unicodedata.normalize("NFKC", title).lower())
    kept = "".join(char if unicodedata.category(char)[0] in "LMN" else "-" for char in text)
    slug = re.sub(r"-{2,}", "-", kept).strip("-")
    if len(slug) > _SLUG_MAX or len(slug.encode("utf-8")) > _SLUG_MAX_BYTES:
        cut = slug[:_SLUG_MAX]
        while len(cut.encode("utf-8")) > _SLUG_MAX_BYTES:
            cut = cut[:-1]
        slug = (cut.rsplit("-", 1)[0] or cut).strip("-")
    return slug


def _without_latin_accents(text: str) -> str:
    """Drop combining marks that follow an ASCII letter; marks that belong to other scripts
    (the voicing mark of デ, Devanagari vowel signs) stay."""
    kept: list[str] = []
    after_ascii = False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if not after_ascii:
                kept.append(char)
            continue
        after_ascii = char.isascii()
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


@dataclass(frozen=True)
class Target:
    path: Path
    # Values of the placeholders: slug, date, and number when the type is numbered.
    values: dict[str, str]
    # The docs-relative folder of the site's existing pages of the type, when the page goes
    # there rather than to the type's configured folder.
    found_in: str | None = None


def target_path(
    docs_dir: Path, checklist: Checklist, title: str, today: dt.date, skip: str = "templates"
) -> Target:
    """Where the page goes: ``<folder>/<filename>.md`` (ADRs: ``decisions/NNNN-slug.md``).

    The folder is the type's ``folder`` when pages of the type are there or nowhere; else the
    folder that holds most of them (an adopted site keeps its ADRs in ``doc/adr/``), so the
    numbering continues where the records are. ``skip`` is the templates folder."""
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"the title {title!r} has no letters or digits to name the file after")
    folder = folder_inside(docs_dir, checklist.folder)
    found_in = None
    records = record_folders(docs_dir, checklist, skip)
    if records and checklist.folder.strip("/") not in records:
        found_in = max(records, key=lambda name: (records[name], -len(name), name))
        folder = folder_inside(docs_dir, found_in)
    values = {"slug": slug, "date": today.isoformat()}
    if "{number}" in checklist.filename or "{number}" in checklist.heading:
        values["number"] = _next_number(folder, checklist.filename, slug)
    path = folder / (fill(checklist.filename, values) + ".md")
    if os.path.lexists(path):
        raise PageExists(f"{display_path(path)} already exists; not overwriting it (choose another title)")
    return Target(path, values, found_in)


# Reading this much of a page finds its front matter ``type``; a record's is near the top.
_HEAD_BYTES = 4096
_NUMBERED_NAME = re.compile(r"^\d{3,}-.+\.md$")


def record_folders(docs_dir: Path, checklist: Checklist, skip: str = "templates") -> dict[str, int]:
    """``{docs-relative folder: pages}`` of the site's existing pages of this type: those whose
    front matter says ``type: <type>``, and, for a numbered type, files named like
    ``0001-title.md`` in a folder whose name says what they are (``adr/``, ``decisions/``)."""
    type_line = re.compile(rf"(?m)^type:[ \t]*[\"']?{re.escape(checklist.type)}[\"']?[ \t]*(?:#.*)?$", re.IGNORECASE)
    numbered = "{number}" in checklist.filename
    # Folder names that say "these are records of this type": the type, and long words of its
    # label ("Architecture decision record": architecture, decision, record).
    words = {checklist.type.casefold()} | {w for w in re.findall(r"[\w-]+", checklist.label.casefold()) if len(w) >= 6}
    root = Path(os.path.realpath(docs_dir))
    found: dict[str, int] = {}
    for current, folders, files in os.walk(root):
        relative = Path(current).relative_to(root).as_posix()
        relative = "" if relative == "." else relative
        if relative == skip.strip("/"):
            folders[:] = []
            continue
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        named = numbered and any(w in part.casefold() for part in relative.split("/") for w in words if part)
        for name in files:
            if not name.endswith(".md"):
                continue
            if (named and _NUMBERED_NAME.match(name)) or _declares_type(Path(current) / name, type_line):
                found[relative] = found.get(relative, 0) + 1
    return found


def _declares_type(path: Path, type_line: re.Pattern[str]) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    if not head.startswith("---"):
        return False
    end = head.find("\n---", 3)
    return bool(type_line.search(head[: end if end != -1 else len(head)]))


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
            raise PageExists(
                f"{display_path(existing)} already has that title; not creating a second one (choose another title)"
            )
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


def create_page(path: Path, text: str, docs_dir: Path) -> None:
    """Write a new file inside ``docs_dir``; never replaces one (even one created a moment
    ago), never follows a symbolic link out of ``docs_dir``, leaves no half-written file."""
    root = Path(os.path.realpath(docs_dir))
    folder_inside(root, path.parent.relative_to(root).as_posix())
    path.parent.mkdir(parents=True, exist_ok=True)
    folder_inside(root, path.parent.relative_to(root).as_posix())  # no link swapped in meanwhile
    try:
        # O_EXCL also refuses a symbolic link (even a dangling one) in the page's place.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        raise PageExists(f"{display_path(path)} already exists; not overwriting it (choose another title)") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def folder_inside(docs_dir: Path, relative: str) -> Path:
    """``docs_dir/relative``, refused when it is, or would be created through, a symbolic link
    leading out of the docs folder, or is not a folder."""
    root = Path(os.path.realpath(docs_dir))
    if Path(relative).is_absolute() or ".." in Path(relative).parts:
        raise ScaffoldError(f"the folder {relative!r} is not inside the docs folder; use a folder such as decisions")
    folder = root / relative
    existing = folder
    while not os.path.lexists(existing):  # the deepest part that exists decides where new folders go
        existing = existing.parent
    real = _resolved_inside(
        existing, root, display_path(existing),
        "docgates new writes only inside the docs folder: make it a real folder there (or point the "
        "link inside docs); nothing was created",
    )
    if not real.is_dir():
        raise ScaffoldError(f"{display_path(existing)} is not a folder; move it away to create pages under it")
    return folder


def _resolved_inside(path: Path, root: Path, shown: str, advice: str) -> Path:
    """``path`` with every link resolved; ``ScaffoldError`` (``shown``, how it leads out, then
    ``advice``) when that lies outside the real docs folder ``root``."""
    real = Path(os.path.realpath(path))
    outside = leads_outside(path, real, root)
    if outside:
        raise ScaffoldError(f"{shown} {outside}; {advice}")
    return real


def read_template(docs_dir: Path, relative: str) -> bytes | None:
    """The template page's bytes; None when there is none. Refused (``ScaffoldError``) when
    it leads out of the docs folder or is not a regular file (a FIFO would hang the read)."""
    root = Path(os.path.realpath(docs_dir))
    path = root / relative
    if Path(relative).is_absolute() or ".." in Path(relative).parts:
        raise ScaffoldError(f"the template {relative!r} is not inside the docs folder; keep templates in docs/templates")
    if not os.path.lexists(path):
        return None
    real = _resolved_inside(
        path, root, f"the template {display_path(path)}",
        "docgates new copies only templates inside the docs folder: make it a real file there",
    )
    if not os.path.exists(real):
        return None
    not_regular = ScaffoldError(f"the template {display_path(path)} is not a regular file; make it a Markdown page")
    try:
        # Look before opening: opening a device can act, and a FIFO would block.
        if not stat.S_ISREG(os.stat(real).st_mode):
            raise not_regular
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ScaffoldError(f"the template {display_path(path)} cannot be read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise not_regular
        return handle.read()


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
