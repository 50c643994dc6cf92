"""What a checklist is: the definition of done of one page type, the keys a checklists file
may use, and the error a file that cannot be used raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

TYPE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TYPE_KEYS = (
    "label", "extends", "required_fields", "required_sections", "fields", "min_words",
    "min_links", "open_tasks", "folder", "numbered", "filename", "heading",
)
# Placeholders of the ``filename`` and ``heading`` patterns that ``docgates new`` fills in.
FILENAME_FIELDS = ("slug", "number", "date")
HEADING_FIELDS = ("title", "number", "date")
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
