"""Definitions of done per page type: the built-in ones and a site's own checklists file.

The file maps a page ``type`` to its checklist (format documented in
``docgates/data/checklists.yml``, which holds the built-in definitions). A type in the site's
file replaces the built-in one; ``extends: <type>`` starts from that type and adds to it
(lists are joined, ``fields`` and ``open_tasks`` merged key by key); ``<type>: false`` removes
a built-in type. Mistakes are reported as ``file:line: what is wrong and what to write``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from docgates.core.safe_yaml import SafeYamlLoader

BUILTIN_FILE = Path(__file__).resolve().parent.parent / "data" / "checklists.yml"
TYPE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TYPE_KEYS = (
    "label", "extends", "required_fields", "required_sections", "fields", "min_words",
    "min_links", "open_tasks", "folder", "numbered", "filename", "heading",
)
# Placeholders of the ``filename`` and ``heading`` patterns that ``docgates new`` fills in.
FILENAME_FIELDS = ("slug", "number", "date")
HEADING_FIELDS = ("title", "number", "date")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
FIELD_KEYS = ("allowed", "date", "list", "page_of_type", "required_when", "default", "hint")
TASK_KEYS = ("section", "min", "max_open_days", "since_field")


class ChecklistConfigError(ValueError):
    """A checklists file that cannot be used; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class FieldRule:
    """Checks on one front matter value."""

    name: str
    allowed: tuple[str, ...] = ()
    date: bool = False
    is_list: bool = False
    page_of_type: str | None = None
    # (key, value) pairs: the field is required when any of these keys has that value.
    required_when: tuple[tuple[str, str], ...] = ()
    default: Any = None
    hint: str = ""


@dataclass(frozen=True)
class TaskRule:
    """A task list in one section: how many tasks at least, and when an open one is overdue."""

    section: str = "Action items"
    min: int = 0
    max_open_days: int | None = None
    since_field: str | None = None


@dataclass(frozen=True)
class Checklist:
    """The definition of done of one page type."""

    type: str
    label: str
    required_fields: tuple[str, ...] = ()
    # Each section is a tuple of accepted spellings; the first is the one shown and scaffolded.
    required_sections: tuple[tuple[str, ...], ...] = ()
    fields: Mapping[str, FieldRule] = field(default_factory=dict)
    min_words: int | None = None
    min_links: int | None = None
    open_tasks: TaskRule | None = None
    folder: str = ""
    # File name pattern for ``docgates new``: {slug}, {number} (next in sequence), {date}.
    filename: str = "{slug}"
    # H1 pattern for ``docgates new``: {title}, {number}, {date}.
    heading: str = "{title}"

    @property
    def section_names(self) -> list[str]:
        return [spellings[0] for spellings in self.required_sections]

    def rule_for(self, key: str) -> FieldRule:
        return self.fields.get(key) or FieldRule(key)


# -- YAML with line numbers -------------------------------------------------------------------
class _Mapping(dict):
    line: int = 0
    key_lines: dict[str, int]


class _Sequence(list):
    line: int = 0


class _LineLoader(SafeYamlLoader):
    """SafeYamlLoader whose mappings and lists remember their line (1-based)."""

    def construct_yaml_map(self, node):  # type: ignore[override]
        data = _Mapping()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) or key is None:
                data.key_lines[str(key)] = key_node.start_mark.line + 1
            if key in data:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            data[key] = self.construct_object(value_node, deep=True)

    def construct_yaml_seq(self, node):  # type: ignore[override]
        data = _Sequence()
        data.line = node.start_mark.line + 1
        yield data
        data.extend(self.construct_sequence(node, deep=True))

    def construct_yaml_timestamp(self, node):  # type: ignore[override]
        return self.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_yaml_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_yaml_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChecklistConfigError(f"{path}: no such file; check the 'checklists' option") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistConfigError(f"{path}: cannot be read ({exc}); save it as UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        context_mark = getattr(exc, "context_mark", None)
        detail = f"{context}: {problem}" if context else problem
        if context and context_mark is not None and context_mark.line + 1 != line:
            # Where the unclosed list or quote starts is where the author has to look.
            detail += f" (the construct started on line {context_mark.line + 1})"
        raise ChecklistConfigError(f"{path}:{line}: not valid YAML: {detail}") from None


# -- loading ----------------------------------------------------------------------------------
def load_checklists(path: str | Path | None = None, display: str | None = None) -> dict[str, Checklist]:
    """The built-in definitions, overridden and extended by the file at ``path`` if given.

    Errors name the file as ``display`` (the path as the user wrote it) when given."""
    try:
        return _load_checklists(path)
    except ChecklistConfigError as exc:
        if display and path is not None:
            raise ChecklistConfigError(str(exc).replace(str(path), display, 1)) from None
        raise


def _load_checklists(path: str | Path | None) -> dict[str, Checklist]:
    builtin_raw = _raw_definitions(BUILTIN_FILE, _read_yaml(BUILTIN_FILE))
    if path is None:
        return {name: _build(name, raw) for name, raw in builtin_raw.items()}
    site_file = Path(path)
    data = _read_yaml(site_file)
    if data is None:
        data = _Mapping()
    if not isinstance(data, dict):
        raise ChecklistConfigError(
            f"{site_file}:1: expected a mapping of page types to checklists, e.g. 'adr: {{required_sections: [Context]}}'"
        )
    site_raw = _raw_definitions(site_file, data)
    merged: dict[str, dict[str, Any] | None] = dict(builtin_raw)
    resolving: list[str] = []

    def resolve(name: str) -> dict[str, Any]:
        raw = site_raw[name]
        base_name = raw.get("extends")
        if base_name is None:
            return raw
        line = raw["_lines"].get("extends", raw["_line"])
        if base_name == name or base_name not in site_raw:
            base = builtin_raw.get(base_name)
            if base is None:
                known = ", ".join(sorted(set(builtin_raw) | set(site_raw)))
                raise ChecklistConfigError(
                    f"{site_file}:{line}: {name}: extends {base_name!r}, which is not a type (types: {known})"
                )
        else:
            if base_name in resolving:
                chain = " -> ".join([*resolving, base_name])
                raise ChecklistConfigError(f"{site_file}:{line}: {name}: 'extends' goes round in a circle ({chain})")
            resolving.append(base_name)
            base = resolve(base_name)
            resolving.pop()
        return _merge(base, raw)

    for name in site_raw:
        if site_raw[name] is None:
            merged.pop(name, None)
            continue
        resolving[:] = [name]
        merged[name] = resolve(name)
    return {name: _build(name, raw) for name, raw in merged.items() if raw is not None}


def _raw_definitions(path: Path, data: Mapping[Any, Any]) -> dict[str, dict[str, Any] | None]:
    """Validate the shape of every type definition; values stay plain dicts (plus lines)."""
    key_lines = getattr(data, "key_lines", {})
    result: dict[str, dict[str, Any] | None] = {}
    for name, raw in data.items():
        line = key_lines.get(str(name), 1)
        where = f"{path}:{line}"
        if not isinstance(name, str) or not TYPE_NAME.match(name):
            raise ChecklistConfigError(
                f"{where}: {name!r} is not a page type name; use lowercase letters, digits, '-' or '_' (e.g. adr)"
            )
        if raw is None or raw is False:
            result[name] = None
            continue
        if not isinstance(raw, dict):
            raise ChecklistConfigError(
                f"{where}: {name}: expected a mapping such as 'required_sections: [Context]', or false to remove the type"
            )
        result[name] = _check_definition(path, name, raw)
    return result


def _check_definition(path: Path, name: str, raw: Mapping[Any, Any]) -> dict[str, Any]:
    lines: dict[str, int] = getattr(raw, "key_lines", {})
    start = getattr(raw, "line", 1)

    def fail(key: str, message: str) -> ChecklistConfigError:
        return ChecklistConfigError(f"{path}:{lines.get(key, start)}: {name}.{key}: {message}")

    out: dict[str, Any] = {"_line": start, "_lines": dict(lines)}
    for key, value in raw.items():
        if key not in TYPE_KEYS:
            raise fail(str(key), f"unknown key; a checklist may have {', '.join(TYPE_KEYS)}")
        if key in ("label", "folder", "extends"):
            if not isinstance(value, str) or not value.strip():
                raise fail(key, "expected a text")
            value = value.strip()
            if key == "folder":
                value = value.strip("/")
                if value.startswith(".") or "\\" in value or ".." in value.split("/"):
                    raise fail(key, "expected a folder inside docs, such as decisions or learning/talks")
        elif key == "numbered":
            if not isinstance(value, bool):
                raise fail(key, "expected true or false")
        elif key in ("filename", "heading"):
            allowed = FILENAME_FIELDS if key == "filename" else HEADING_FIELDS
            example = "{number}-{slug}" if key == "filename" else "ADR {number}: {title}"
            if not isinstance(value, str) or not value.strip():
                raise fail(key, f"expected a pattern such as '{example}'")
            unknown = [p for p in _PLACEHOLDER.findall(value) if p not in allowed]
            if unknown:
                raise fail(key, f"unknown placeholder {{{unknown[0]}}}; use {', '.join('{' + a + '}' for a in allowed)}")
            if key == "filename" and ("{slug}" not in value or "/" in value or value.startswith(".")):
                raise fail(key, "expected a file name (no folder) containing {slug}, e.g. '{number}-{slug}'")
            value = value.strip().removesuffix(".md")
        elif key in ("min_words", "min_links"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise fail(key, "expected a whole number, 0 or more")
        elif key == "required_fields":
            value = _names(value, lambda m: fail(key, m), "a list of front matter keys, e.g. [status, date]")
        elif key == "required_sections":
            value = _sections(value, lambda m: fail(key, m))
        elif key == "fields":
            if not isinstance(value, dict):
                raise fail(key, "expected a mapping of front matter keys to checks, e.g. {status: {allowed: [a, b]}}")
            value = {str(k): _check_field(path, name, str(k), v, value) for k, v in value.items()}
        elif key == "open_tasks":
            value = _check_tasks(path, name, value, lines.get(key, start))
        out[key] = value
    return out


def _names(value: Any, fail, expected: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(f"expected {expected}")
    return [v.strip() for v in value]


def _sections(value: Any, fail) -> list[tuple[str, ...]]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise fail("expected a list of H2 headings, e.g. [Context, Decision]")
    sections: list[tuple[str, ...]] = []
    for entry in value:
        spellings = entry if isinstance(entry, list) else [entry]
        if not spellings or not all(isinstance(s, str) and s.strip() for s in spellings):
            raise fail(f"{entry!r} is not a heading; write the H2 text, or a list of accepted spellings")
        sections.append(tuple(s.strip().lstrip("#").strip() for s in spellings))
    return sections


def _check_field(path: Path, name: str, key: str, raw: Any, parent: Any) -> dict[str, Any]:
    line = getattr(parent, "key_lines", {}).get(key, getattr(parent, "line", 1))
    line = getattr(raw, "line", line)

    def fail(message: str) -> ChecklistConfigError:
        return ChecklistConfigError(f"{path}:{line}: {name}.fields.{key}: {message}")

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail("expected a mapping of checks, e.g. {allowed: [proposed, accepted]}")
    out: dict[str, Any] = {}
    for check, value in raw.items():
        if check not in FIELD_KEYS:
            raise fail(f"unknown check {check!r}; use {', '.join(FIELD_KEYS)}")
        if check == "allowed":
            if not isinstance(value, list) or not value or not all(isinstance(v, (str, int)) for v in value):
                raise fail("allowed: expected a list of values, e.g. [proposed, accepted]")
            value = [str(v) for v in value]
        elif check in ("date", "list"):
            if not isinstance(value, bool):
                raise fail(f"{check}: expected true or false")
        elif check == "page_of_type":
            if not isinstance(value, str) or not TYPE_NAME.match(value):
                raise fail("page_of_type: expected a page type, e.g. adr")
        elif check == "required_when":
            if not isinstance(value, dict) or not value:
                raise fail("required_when: expected a mapping such as {status: superseded}")
            value = {str(k): str(v) for k, v in value.items()}
        elif check == "hint":
            if not isinstance(value, str):
                raise fail("hint: expected a text")
        out[check] = value
    return out


def _check_tasks(path: Path, name: str, raw: Any, line: int) -> dict[str, Any]:
    def fail(message: str) -> ChecklistConfigError:
        return ChecklistConfigError(f"{path}:{getattr(raw, 'line', line)}: {name}.open_tasks: {message}")

    if not isinstance(raw, dict):
        raise fail("expected a mapping such as {section: Action items, min: 1, max_open_days: 30, since_field: incident_date}")
    for key, value in raw.items():
        if key not in TASK_KEYS:
            raise fail(f"unknown key {key!r}; use {', '.join(TASK_KEYS)}")
        if key in ("section", "since_field") and not (isinstance(value, str) and value.strip()):
            raise fail(f"{key}: expected a text")
        if key in ("min", "max_open_days") and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise fail(f"{key}: expected a whole number, 0 or more")
    if "max_open_days" in raw and "since_field" not in raw:
        raise fail("max_open_days needs since_field: the front matter date it counts from (e.g. incident_date)")
    return dict(raw)


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in extra.items():
        if key == "extends":
            continue
        old = result.get(key)
        if isinstance(old, list) and isinstance(value, list):
            result[key] = old + [v for v in value if v not in old]
        elif key == "fields" and isinstance(old, dict):
            fields = dict(old)
            for field_name, checks in value.items():
                fields[field_name] = {**fields.get(field_name, {}), **checks}
            result[key] = fields
        elif key in ("open_tasks", "_lines") and isinstance(old, dict):
            result[key] = {**old, **value}
        else:
            result[key] = value
    return result


def _build(name: str, raw: Mapping[str, Any]) -> Checklist:
    fields = {
        key: FieldRule(
            name=key,
            allowed=tuple(checks.get("allowed", ())),
            date=bool(checks.get("date", False)),
            is_list=bool(checks.get("list", False)),
            page_of_type=checks.get("page_of_type"),
            required_when=tuple(checks.get("required_when", {}).items()),
            default=checks.get("default"),
            hint=checks.get("hint", ""),
        )
        for key, checks in (raw.get("fields") or {}).items()
    }
    tasks = raw.get("open_tasks")
    return Checklist(
        type=name,
        label=raw.get("label") or name,
        required_fields=tuple(raw.get("required_fields", ())),
        required_sections=tuple(tuple(s) for s in raw.get("required_sections", ())),
        fields=fields,
        min_words=raw.get("min_words"),
        min_links=raw.get("min_links"),
        open_tasks=TaskRule(
            section=tasks.get("section", "Action items"),
            min=tasks.get("min", 0),
            max_open_days=tasks.get("max_open_days"),
            since_field=tasks.get("since_field"),
        )
        if tasks
        else None,
        folder=raw.get("folder") or name,
        filename=raw.get("filename") or ("{number}-{slug}" if raw.get("numbered") else "{slug}"),
        heading=raw.get("heading") or "{title}",
    )
