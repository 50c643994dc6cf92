"""YAML a user writes, read safely: front matter and ``.meta.yml`` files
(``load_with_key_lines``), and the configuration files: the team registry, the checklists file
and the org view's sites file (``load_with_lines``, every mapping and list with its lines).

Every loader here has a nesting limit (PyYAML recurses once per level, so a file nested
thousands deep would end in a RecursionError instead of a message with its line). The strict
loader of front matter also refuses aliases outright (an alias "bomb" cannot expand) and
duplicate keys, and remembers the line of each top-level key; object tags are refused by
PyYAML's safe constructor.
"""

from __future__ import annotations

import itertools
from typing import Any

import yaml

# Far deeper than any front matter or configuration file needs. PyYAML's pure-Python composer
# and constructor recurse once per level, so a file nested thousands deep would otherwise end
# in a RecursionError instead of a message with its line.
MAX_YAML_DEPTH = 100


class DepthLimitedComposer:
    """Composer mixin: lists and mappings nested deeper than ``MAX_YAML_DEPTH`` are a
    ``yaml.composer.ComposerError`` marked at the line where the level too many opens."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self._depth >= MAX_YAML_DEPTH and self.check_event(yaml.CollectionStartEvent):  # type: ignore[attr-defined]
            raise yaml.composer.ComposerError(
                None,
                None,
                f"lists and mappings are nested more than {MAX_YAML_DEPTH} levels deep; flatten them",
                self.peek_event().start_mark,  # type: ignore[attr-defined]
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class SafeYamlLoader(DepthLimitedComposer, yaml.SafeLoader):
    """``yaml.SafeLoader`` with the nesting limit: the loader of every YAML file a user writes
    (front matter, the team registry, the checklists file), so none can crash a build."""


class _Strict:
    """What both loaders refuse or keep: duplicate keys, unhashable keys, parsed timestamps."""

    def construct_yaml_timestamp(self, node):  # type: ignore[no-untyped-def]
        # Kept as text: PyYAML raises a bare ValueError for 2026-13-45, and the date checks
        # below give the author a better message with the line.
        return self.construct_scalar(node)  # type: ignore[attr-defined]

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = _plain_key(self, key_node)
            if key in seen:
                raise _duplicate(key, key_node, f"first at line {seen[key] + 1} of the front matter")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


def _plain_key(loader: Any, key_node: yaml.Node) -> Any:
    key = loader.construct_object(key_node, deep=True)
    try:
        hash(key)
    except TypeError:
        raise yaml.constructor.ConstructorError(
            None, None, "a mapping key must be a plain value", key_node.start_mark
        ) from None
    return key


def _duplicate(key: Any, key_node: yaml.Node, first: str) -> yaml.MarkedYAMLError:
    return yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r} ({first})", key_node.start_mark)


class _StrictLoader(_Strict, SafeYamlLoader):
    """SafeYamlLoader that refuses aliases and duplicate keys, and remembers key lines."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)

# libyaml's parser, when PyYAML was built with it: about 7x faster on front matter. It cannot
# refuse aliases or deep nesting while composing, so anything unusual (an alias, nesting past
# the limit, any error) is read again by the pure-Python loader above, whose messages are the
# ones authors see.
if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(_Strict, yaml.CSafeLoader):  # type: ignore[misc]
        pass

    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _FastLoader.construct_yaml_timestamp)
else:  # pragma: no cover - PyYAML without libyaml
    _FastLoader = None  # type: ignore[assignment,misc]


class _Unusual(Exception):
    """The fast loader met something the strict loader must judge (an alias, deep nesting)."""


def load_with_key_lines(yaml_text: str) -> tuple[Any, dict[Any, int]]:
    """The document of ``yaml_text`` and, for a mapping, the 0-based YAML line of each top-level
    key. Aliases, duplicate keys and nesting past ``MAX_YAML_DEPTH`` are a ``yaml.YAMLError``
    marked at their line; timestamps stay text."""
    if _FastLoader is not None:
        try:
            return _load_with(_FastLoader, yaml_text, refuse_aliases=True)
        except Exception:  # an alias, an error, anything: the strict loader decides and says
            pass
    return _load_with(_StrictLoader, yaml_text)


def _load_with(loader_class: Any, yaml_text: str, refuse_aliases: bool = False) -> tuple[Any, dict[Any, int]]:
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        if refuse_aliases and node is not None:
            _refuse_unusual_nodes(node)
        key_lines: dict[Any, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    # +1: the opening '---' is file line 1, so YAML line 0 is file line 2.
                    key_lines[key_node.value] = key_node.start_mark.line + 1
        data = loader.construct_document(node) if node is not None else None
        return data, key_lines
    finally:
        loader.dispose()


def _refuse_unusual_nodes(root: yaml.Node) -> None:
    """An alias makes the composer reuse a node: seeing one twice means the text has one.
    Nesting past the limit is refused too, as the strict loader refuses it. Level by level, so
    the depth costs nothing per node."""
    seen: set[int] = set()
    level = [root]
    for depth in itertools.count(1):
        if not level:
            return
        if depth > MAX_YAML_DEPTH and any(isinstance(node, yaml.CollectionNode) for node in level):
            raise _Unusual("nested too deep")
        below: list[yaml.Node] = []
        for node in level:
            if id(node) in seen:
                raise _Unusual("alias")
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    below.append(key)
                    below.append(value)
            elif isinstance(node, yaml.SequenceNode):
                below.extend(node.value)
        level = below


def yaml_key_lines(text: str) -> dict[str, int]:
    """The top-level keys of a YAML mapping (a ``.meta.yml`` file) with their 1-based lines;
    empty when the text is not a readable mapping (the engine reports that file itself)."""
    try:
        _, key_lines = load_with_key_lines(text)
    except Exception:  # noqa: BLE001 - any YAML problem: nothing to point at
        return {}
    return {str(key): line for key, line in key_lines.items()}


# -- configuration files: every mapping and list with its lines ------------------------------
class LineDict(dict):
    """A mapping read by ``load_with_lines``: its own 1-based line and each key's."""

    line: int = 1
    key_lines: dict[str, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}


class LineList(list):
    """A list read by ``load_with_lines``: its own 1-based line and each item's."""

    line: int = 1
    item_lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines = []


class YamlFileError(ValueError):
    """A configuration file that is not valid YAML: ``NAME:LINE: not valid YAML: what``."""


class _LineLoader(SafeYamlLoader):
    """SafeYamlLoader whose mappings and lists remember their lines; duplicate keys are
    refused and timestamps stay text (the configuration's own checks name a bad date)."""

    def construct_yaml_map(self, node):  # type: ignore[no-untyped-def]
        data = LineDict()
        data.line = node.start_mark.line + 1
        yield data
        for key_node, value_node in node.value:
            key = _plain_key(self, key_node)
            if key in data:
                raise _duplicate(key, key_node, f"first on line {data.key_lines[str(key)]}; keep one")
            data.key_lines[str(key)] = key_node.start_mark.line + 1
            data[key] = self.construct_object(value_node, deep=True)

    def construct_yaml_seq(self, node):  # type: ignore[no-untyped-def]
        data = LineList()
        data.line = node.start_mark.line + 1
        yield data
        data.item_lines.extend(item.start_mark.line + 1 for item in node.value)
        data.extend(self.construct_sequence(node, deep=True))

    def construct_yaml_timestamp(self, node):  # type: ignore[no-untyped-def]
        return self.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_yaml_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_yaml_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def load_with_lines(text: str, name: str, point_at_start: bool = False) -> Any:
    """The document of a configuration file (the checklists file, the team registry, the org
    view's sites file), its mappings ``LineDict`` and its lists ``LineList``.

    Text that is not YAML is a ``YamlFileError`` naming ``name`` and a line: where the parser
    stopped, or with ``point_at_start`` where the broken construct (an unclosed bracket)
    starts; the message names the other line too when they differ."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        problem_mark = getattr(exc, "problem_mark", None)
        context_mark = getattr(exc, "context_mark", None)
        marks = (context_mark, problem_mark) if point_at_start else (problem_mark, context_mark)
        mark = marks[0] or marks[1]
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{context}: {problem}" if context else problem
        other = marks[1] if marks[0] is not None else None
        if context and other is not None and other.line + 1 != line:
            where = "the problem is" if point_at_start else "the construct started"
            detail += f" ({where} on line {other.line + 1})"
        raise YamlFileError(f"{name}:{line}: not valid YAML: {detail}") from None
