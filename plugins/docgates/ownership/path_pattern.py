"""CODEOWNERS path patterns, matched in time linear in the pattern and the path.

The semantics are gitignore's as GitHub applies them to CODEOWNERS (and as hmarr/codeowners,
the reference Go port, compiles them): a ``/`` anywhere but at the end anchors a pattern at the
repository root; a pattern without one matches at any depth; a match covers the folder and
everything below it; a trailing ``/`` matches only folders; a trailing ``/*`` only the files
directly inside; ``*`` and ``?`` stay inside one path segment; ``**`` as a whole segment spans
any number of folders (at least one name at the end of a pattern); ``\\`` escapes a character.

A pattern is split into segments and each is matched against whole path segments; within one
segment, ``core/path_patterns.NameGlob`` (shared with the gitignore dialect) places the text
between stars at its leftmost fit, so nothing is ever tried twice; across segments, the set of
reachable path positions is carried forward. A pattern of many stars on a long name costs the product of their lengths at
most, where a backtracking ``[^/]*`` regex costs an exponent (12 stars on a 40-character name
ran for minutes).
"""

from __future__ import annotations

from docgates.core.path_patterns import ANY_CHAR, GLOBSTAR, NameGlob, PatternError, Segment

__all__ = ["PathPattern", "PatternError"]


class PathPattern:
    """A CODEOWNERS path pattern, compiled once; ``matches`` takes a repository-relative path."""

    def __init__(self, pattern: str) -> None:
        characters = _characters(pattern)
        first_slash = next((i for i, (ch, escaped) in enumerate(characters) if ch == "/" and not escaped), -1)
        self.text = pattern
        self.anchored = -1 < first_slash < len(characters) - 1
        self.folders_only = characters[-1:] == [("/", False)]
        self.files_directly_inside = characters[-2:] == [("/", False), ("*", False)]
        while characters and characters[0] == ("/", False):
            characters = characters[1:]
        while characters and characters[-1] == ("/", False):
            characters = characters[:-1]
        self.segments: tuple[Segment, ...] = tuple(_segment(part) for part in _split(characters)) if characters else ()

    def __repr__(self) -> str:
        return f"PathPattern({self.text!r})"

    def matches(self, path: str) -> bool:
        segments = self.segments
        if not segments:
            return False  # a pattern of slashes names nothing
        names = path.strip("/").split("/")
        count = len(names)
        # Path positions (indexes into names) where the next pattern segment may start: at most
        # one entry per position, so the work is segments x names whatever the stars.
        reached = range(count) if not self.anchored else range(1)
        last = len(segments) - 1
        for index, segment in enumerate(segments):
            if not reached:
                return False
            if segment is GLOBSTAR:
                # Zero or more folders; at the end of the pattern, one or more names.
                reached = range(min(reached) + (1 if index == last else 0), count + 1)
            elif isinstance(segment, str):
                reached = [at + 1 for at in reached if at < count and names[at] == segment]
            else:
                reached = [at + 1 for at in reached if at < count and segment.matches(names[at])]
        if self.folders_only:  # something must lie below the matched folder
            return any(end < count for end in reached)
        if self.files_directly_inside:
            return count in reached
        return bool(reached)


def _characters(pattern: str) -> list[tuple[str, bool]]:
    """``(character, escaped)`` pairs; PatternError for syntax GitHub does not read."""
    out: list[tuple[str, bool]] = []
    escaped = False
    for character in pattern:
        if escaped:
            out.append((character, True))
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "[":
            raise PatternError("character ranges ([...]) are not CODEOWNERS syntax on GitHub")
        else:
            out.append((character, False))
    if escaped:
        raise PatternError("it ends with a lone '\\', which escapes nothing")
    return out


def _split(characters: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    # An escaped "/" still separates segments, as in git: no name holds one.
    parts: list[list[tuple[str, bool]]] = [[]]
    for character, escaped in characters:
        if character == "/":
            parts.append([])
        else:
            parts[-1].append((character, escaped))
    return parts


def _segment(characters: list[tuple[str, bool]]) -> Segment:
    if characters == [("*", False), ("*", False)]:
        return GLOBSTAR
    chunks: list[tuple[str | None, ...]] = []
    chunk: list[str | None] = []
    for character, escaped in characters:
        if character == "*" and not escaped:
            chunks.append(tuple(chunk))
            chunk = []
        else:
            chunk.append(ANY_CHAR if character == "?" and not escaped else character)
    chunks.append(tuple(chunk))
    if len(chunks) == 1 and ANY_CHAR not in chunks[0]:
        return "".join(chunks[0])  # type: ignore[arg-type]
    return NameGlob(tuple(chunks))
