"""One checklists file's type definitions, checked key by key before anything is built, so
every mistake is one ``file:line: type.key: what is wrong and what to write`` message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from docgates.checklist.model import (
    FIELD_KEYS, FILENAME_FIELDS, HEADING_FIELDS, TASK_KEYS, TYPE_KEYS, TYPE_NAME, ChecklistConfigError,
)

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def raw_definitions(path: Path, data: Mapping[Any, Any]) -> dict[str, dict[str, Any] | None]:
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
