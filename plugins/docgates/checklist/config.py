"""Definitions of done per page type: the built-in ones and a site's own checklists file.

The file maps a page ``type`` to its checklist (format documented in
``docgates/data/checklists.yml``, which holds the built-in definitions). A type in the site's
file replaces the built-in one; ``extends: <type>`` starts from that type and adds to it
(lists are joined, ``fields`` and ``open_tasks`` merged key by key); ``<type>: false`` removes
a built-in type. Mistakes are reported as ``file:line: what is wrong and what to write``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from docgates.checklist.definitions import raw_definitions
from docgates.checklist.model import Checklist, ChecklistConfigError, FieldRule, TaskRule
from docgates.core.safe_yaml import LineDict, YamlFileError, load_with_lines

BUILTIN_FILE = Path(__file__).resolve().parent.parent / "data" / "checklists.yml"


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChecklistConfigError(f"{path}: no such file; check the 'checklists' option") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistConfigError(f"{path}: cannot be read ({exc}); save it as UTF-8 text") from None
    try:
        return load_with_lines(text, str(path))
    except YamlFileError as exc:
        raise ChecklistConfigError(str(exc)) from None


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
    builtin_raw = raw_definitions(BUILTIN_FILE, _read_yaml(BUILTIN_FILE))
    if path is None:
        return {name: _build(name, raw) for name, raw in builtin_raw.items()}
    site_file = Path(path)
    data = _read_yaml(site_file)
    if data is None:
        data = LineDict()
    if not isinstance(data, dict):
        raise ChecklistConfigError(
            f"{site_file}:1: expected a mapping of page types to checklists, e.g. 'adr: {{required_sections: [Context]}}'"
        )
    site_raw = raw_definitions(site_file, data)
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
