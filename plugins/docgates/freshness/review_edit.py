"""Setting ``reviewed`` in a page's text, touching nothing else.

The edit is byte-exact: the one line holding ``reviewed`` changes (or one line is added, or a
front matter block is added to a page without one); comments, key order, quoting, line
endings, a BOM and a missing trailing newline all stay. Every edit is checked by parsing the
result again. ``review`` writes the result to the page file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import yaml

from docgates.core.frontmatter import parse_page, split_front_matter
from docgates.core.safe_yaml import SafeYamlLoader

BOM = "\ufeff"


class ReviewError(Exception):
    """The page cannot be updated safely; the message says why and what to do."""


@dataclass(frozen=True)
class ReviewEdit:
    """The new text and what happened: ``updated``, ``added``, ``created`` (a new front
    matter block) or ``unchanged``."""

    text: str
    action: str
    previous: str | None = None


def set_reviewed(text: str, date: dt.date, path: str = "page") -> ReviewEdit:
    """Return ``text`` with ``reviewed: <date>`` set; raise ``ReviewError`` when the front
    matter is invalid or the edit cannot be made without touching other lines."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom):]
    value = date.isoformat()
    source = parse_page(path, body)
    if not source.front_matter_valid:
        problems = "; ".join(f"line {f.line}: {f.message}" for f in source.findings) or "invalid front matter"
        raise ReviewError(f"{path}: front matter is invalid ({problems}); fix it first, the page was not changed")
    if not source.has_front_matter:
        newline = _newline_of(body)
        block = f"---{newline}reviewed: {value}{newline}---{newline}"
        edit = ReviewEdit(bom + block + body, "created")
    else:
        edit = _edit_block(body, value, path)
        edit = ReviewEdit(bom + edit.text, edit.action, edit.previous)
    if edit.action != "unchanged":
        _verify(text, edit, date, path)
    return edit


def _edit_block(text: str, value: str, path: str) -> ReviewEdit:
    lines = text.splitlines(keepends=True)
    yaml_text, _, body_line = split_front_matter(text)
    assert yaml_text is not None
    close_index = body_line - 2  # index of the closing '---' line
    node = yaml.compose(yaml_text, Loader=SafeYamlLoader) if yaml_text.strip() else None
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise ReviewError(f"{path}: front matter is not a mapping of keys; the page was not changed")
    for key_node, value_node in node.value if node is not None else ():
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "reviewed":
            return _replace_value(lines, key_node, value_node, value, path)
    # No `reviewed` yet: one new line before the closing '---', indented like the other keys.
    indent = " " * (node.value[0][0].start_mark.column if node is not None and node.value else 0)
    if node is not None and node.flow_style:
        raise ReviewError(
            f"{path}: front matter is a flow mapping ({{...}}); add 'reviewed: {value}' by hand"
        )
    newline = _line_ending(lines[0]) or _newline_of(text)
    new_lines = lines[:close_index] + [f"{indent}reviewed: {value}{newline}"] + lines[close_index:]
    return ReviewEdit("".join(new_lines), "added")


def _replace_value(
    lines: list[str], key_node: yaml.Node, value_node: yaml.Node, value: str, path: str
) -> ReviewEdit:
    # Marks count from the YAML text, which starts on file line 2 (index 1).
    start, end = value_node.start_mark, value_node.end_mark
    key_line = key_node.start_mark.line + 1
    if not isinstance(value_node, yaml.ScalarNode) or value_node.style in ("|", ">"):
        raise ReviewError(
            f"{path}:{key_line + 1}: 'reviewed' is not a single date; set it to a date by hand "
            "(reviewed: YYYY-MM-DD)"
        )
    line = lines[key_line]
    if value_node.value == "" and value_node.style is None:
        # `reviewed:` with no value: YAML places the empty node anywhere after the colon.
        colon = line.index(":", key_node.end_mark.column) + 1
        new_line = line[:colon] + " " + value + line[colon:]
        lines = lines[:key_line] + [new_line] + lines[key_line + 1 :]
        return ReviewEdit("".join(lines), "updated", "")
    if start.line != end.line or start.line + 1 != key_line:
        raise ReviewError(
            f"{path}:{key_line + 1}: 'reviewed' is written over several lines; put "
            "'reviewed: YYYY-MM-DD' on one line"
        )
    quote = value_node.style if value_node.style in ("'", '"') else ""
    old_value = line[start.column:end.column]
    new_line = line[: start.column] + f"{quote}{value}{quote}" + line[end.column :]
    if new_line == line:
        return ReviewEdit("".join(lines), "unchanged", value_node.value)
    lines = lines[:key_line] + [new_line] + lines[key_line + 1 :]
    return ReviewEdit("".join(lines), "updated", old_value.strip("'\""))


def _verify(original: str, edit: ReviewEdit, date: dt.date, path: str) -> None:
    """Belt and braces: the result parses, says ``reviewed: date``, keeps every other key,
    and differs from the original in exactly one line (or one added block)."""
    before = parse_page(path, original.lstrip(BOM))
    after = parse_page(path, edit.text.lstrip(BOM))
    other_before = {k: v for k, v in before.meta.items() if k != "reviewed"}
    other_after = {k: v for k, v in after.meta.items() if k != "reviewed"}
    ok = after.front_matter_valid and after.reviewed == date and other_before == other_after
    old_lines = original.splitlines(keepends=True)
    new_lines = edit.text.splitlines(keepends=True)
    if edit.action == "updated":
        ok = ok and len(old_lines) == len(new_lines) and sum(a != b for a, b in zip(old_lines, new_lines)) == 1
    elif edit.action == "added":
        ok = ok and len(new_lines) == len(old_lines) + 1 and _one_inserted(old_lines, new_lines)
    else:
        ok = ok and edit.text.endswith(original.lstrip(BOM)) and after.body == before.body
    if not ok:
        raise ReviewError(
            f"{path}: could not set 'reviewed' without changing other lines; add "
            f"'reviewed: {date.isoformat()}' to the front matter by hand"
        )


def _one_inserted(old: list[str], new: list[str]) -> bool:
    for index, line in enumerate(old):
        if new[index] != line:
            return new[index + 1 :] == old[index:]
    return True


def _line_ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""


def _newline_of(text: str) -> str:
    """The file's own line ending (CRLF when its first line ends so), else LF."""
    index = text.find("\n")
    return "\r\n" if index > 0 and text[index - 1] == "\r" else "\n"
