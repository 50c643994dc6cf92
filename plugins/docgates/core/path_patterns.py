"""Gitignore-style path patterns, matched in time linear in the pattern and the path.

One dialect for every folder pattern docgates reads from users (front matter ``documents``,
readability ``exclude`` and ``thresholds.folders``, freshness ``intervals`` and ``documents``),
read as ``pathspec.GitIgnoreSpec`` reads a ``.gitignore``:

- ``*`` and ``?`` stay inside one name; ``[...]`` is one character of a class (``[!...]`` or
  ``[^...]`` negates it; inside a class ``\\`` is a plain character); ``\\`` escapes elsewhere;
  ``**`` as a whole segment spans any number of folders (leading, middle) or everything below
  (trailing); ``**`` inside a name is ``*``.
- A pattern with no slash but a trailing one matches at any depth; a leading ``/`` or a slash in
  the middle anchors it at the root. A pattern naming a folder also matches what lies below it;
  a trailing ``/`` matches only what lies below a folder.
- In a list, ``!`` takes paths back out. A pattern naming the path itself outranks one that
  reaches it only through a folder it lies in; among equals the last one wins. Blank lines, ``#`` comments, a lone ``/`` and a pattern with
  an unclosed ``[`` match nothing.

Where this differs from pathspec it follows git: a class never matches ``/`` (pathspec's regex
lets ``a[!x]b`` or ``a[.-b]b`` match ``a/b``). Names are expected without line breaks.

pathspec compiles each segment into ``[^/]*`` runs, which backtrack: ten stars on a 40-character
name took 19 s. Here a segment is literal chunks between stars and each chunk is placed at its
leftmost fit, which is never worse than a later one, so nothing is tried twice; across segments
the set of reachable name positions is carried forward (at most one entry per position).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence


class PatternError(ValueError):
    """A pattern that cannot be read; the message says why."""


@dataclass(frozen=True)
class CharClass:
    """``[...]``: one character, never ``/``."""

    singles: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    negated: bool

    def accepts(self, character: str) -> bool:
        inside = character in self.singles or any(low <= character <= high for low, high in self.ranges)
        return inside != self.negated and character != "/"


ANY_CHAR = None  # "?": any one character
Atom = str | CharClass | None


@dataclass(frozen=True)
class NameGlob:
    """One segment with wildcards: chunks of atoms between ``*`` runs."""

    chunks: tuple[tuple[Atom, ...], ...]

    def matches(self, name: str) -> bool:
        chunks = self.chunks
        first, last = chunks[0], chunks[-1]
        if len(chunks) == 1:  # no star: the name is exactly this chunk
            return len(name) == len(first) and _fits(name, first, 0)
        end = len(name) - len(last)
        if end < len(first) or not (_fits(name, first, 0) and _fits(name, last, end)):
            return False
        position = len(first)
        for chunk in chunks[1:-1]:
            found = _find(name, chunk, position, end)
            if found < 0:
                return False
            position = found + len(chunk)
        return True


def _fits(name: str, chunk: tuple[Atom, ...], start: int) -> bool:
    for offset, want in enumerate(chunk):
        have = name[start + offset]
        if want is ANY_CHAR:
            continue
        if isinstance(want, CharClass):
            if not want.accepts(have):
                return False
        elif have != want:
            return False
    return True


def _find(name: str, chunk: tuple[Atom, ...], start: int, end: int) -> int:
    """The first index >= ``start`` where ``chunk`` fits inside ``name[:end]``, else -1."""
    if all(isinstance(atom, str) for atom in chunk):
        return name.find("".join(chunk), start, end)  # type: ignore[arg-type]
    for index in range(start, end - len(chunk) + 1):
        if _fits(name, chunk, index):
            return index
    return -1


class _Globstar:
    """A whole segment ``**``."""


GLOBSTAR = _Globstar()
Segment = str | NameGlob | _Globstar  # a plain string matches a name equal to it

# How a pattern reached a path: the path itself, or a folder it lies in.
AS_FILE, AS_FOLDER = 2, 1


class GitIgnorePattern:
    """One gitignore line, compiled once. ``reach`` says whether and how it matches a path."""

    def __init__(self, line: str) -> None:
        self.text = line
        self.include = True
        self.segments: tuple[Segment, ...] = ()
        self.folder_only = False
        self.everything: int | None = None  # a pattern matching every path, as this kind
        self.below_root_only = False  # ... every path in a folder, that is
        self.noop = False
        text = line if line.endswith("\\ ") else line.rstrip()
        if not text or text.startswith("#") or text == "/":
            self.noop = True
            return
        if text.startswith("!"):
            self.include, text = False, text[1:]
        parts = text.split("/")
        self.folder_only = not parts[-1]
        if not parts[0]:
            del parts[0]
        elif len(parts) == 1 or (len(parts) == 2 and not parts[1]):
            if parts[0] != "**":
                parts.insert(0, "**")
        if not parts:
            raise PatternError("it names nothing")
        if not parts[-1]:
            parts[-1] = "**"
        parts = [p for i, p in enumerate(parts) if not (i and p == "**" and parts[i - 1] == "**")]
        # pathspec's own shortcuts, kept for their kinds (a folder-only match ranks lower).
        if parts == ["**"] or parts == ["**", "*"]:
            self.everything = AS_FOLDER if self.folder_only and parts == ["**"] else AS_FILE
            self.below_root_only = self.everything == AS_FOLDER
            return
        if parts == ["**", "*", "**"]:
            self.everything = AS_FOLDER if self.folder_only else AS_FILE
            self.below_root_only = True
            return
        backwards: list[str] = []  # reversed ranges: refused once the whole line is read
        try:
            self.segments = tuple(_segment(part, backwards) for part in parts)
        except _UnclosedClass:
            self.noop = True  # git drops a pattern with an unclosed "["
            return
        if backwards:
            raise PatternError(backwards[0])

    def __repr__(self) -> str:
        return f"GitIgnorePattern({self.text!r})"

    def reach(self, names: Sequence[str]) -> int | None:
        """``AS_FILE`` when the pattern names the path, ``AS_FOLDER`` when it names a folder
        the path lies in, None when it does not match."""
        if self.noop or not names:
            return None
        count = len(names)
        if self.everything is not None:
            return self.everything if count > 1 or not self.below_root_only else None
        segments = self.segments
        last = len(segments) - 1
        trailing = segments[-1] is GLOBSTAR
        # Positions (indexes into names) where the next segment may start.
        reached: Iterable[int] = range(1)
        for index, segment in enumerate(segments):
            if segment is GLOBSTAR:
                if index == last:
                    break
                start = min(reached, default=None)
                if start is None:
                    return None
                reached = range(start, count + 1)
            elif isinstance(segment, str):
                reached = [at + 1 for at in reached if at < count and names[at] == segment]
            else:
                reached = [at + 1 for at in reached if at < count and segment.matches(names[at])]
        ends = set(reached)
        if trailing:  # something must lie below the matched folder
            if any(end < count for end in ends):
                return AS_FOLDER if self.folder_only else AS_FILE
            return None
        if count in ends:
            return AS_FILE
        return AS_FOLDER if any(0 < end < count for end in ends) else None


class _UnclosedClass(PatternError):
    pass


def _segment(part: str, backwards: list[str]) -> Segment:
    if part == "**":
        return GLOBSTAR
    chunks: list[tuple[Atom, ...]] = []
    chunk: list[Atom] = []
    index, end = 0, len(part)
    while index < end:
        character = part[index]
        index += 1
        if character == "\\":
            if index == end:
                raise PatternError("it ends a segment with a lone '\\', which escapes nothing")
            chunk.append(part[index])
            index += 1
        elif character == "*":
            chunks.append(tuple(chunk))
            chunk = []
        elif character == "?":
            chunk.append(ANY_CHAR)
        elif character == "[":
            atom, index = _char_class(part, index, backwards)
            chunk.append(atom)
        else:
            chunk.append(character)
    chunks.append(tuple(chunk))
    if len(chunks) == 1 and all(isinstance(atom, str) for atom in chunks[0]):
        return "".join(chunks[0])  # type: ignore[arg-type]
    return NameGlob(tuple(chunks))


def _char_class(part: str, start: int, backwards: list[str]) -> tuple[CharClass, int]:
    """The class opening just before ``start``, and the index after its ``]``."""
    index, end = start, len(part)
    negated = index < end and part[index] in "!^"
    if negated:
        index += 1
    close = index + 1 if index < end and part[index] == "]" else index  # a first "]" is literal
    close = part.find("]", close)
    if close < 0:
        raise _UnclosedClass(f"'[' at {start} is never closed")
    body = part[index:close]
    singles: set[str] = set()
    ranges: list[tuple[str, str]] = []
    at = 0
    while at < len(body):
        low = body[at]
        if at + 2 < len(body) and body[at + 1] == "-":
            high = body[at + 2]
            if high < low:
                backwards.append(f"the range {low}-{high} in [{body}] runs backwards; write {high}-{low}")
            ranges.append((low, high))
            at += 3
        else:
            singles.add(low)
            at += 1
    return CharClass(frozenset(singles), tuple(ranges), negated), close + 1


class GitIgnoreSpec:
    """A list of gitignore lines; ``matches`` takes a relative path (``/`` separated)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.patterns = tuple(_compiled(line) for line in lines)

    def __bool__(self) -> bool:
        return any(not pattern.noop for pattern in self.patterns)

    def matches(self, path: str) -> bool:
        names = path_names(path)
        through_folder: bool | None = None
        for pattern in reversed(self.patterns):
            kind = pattern.reach(names)
            if kind == AS_FILE:
                return pattern.include
            if kind == AS_FOLDER and through_folder is None:
                through_folder = pattern.include
        return bool(through_folder)


def _compiled(line: str) -> GitIgnorePattern:
    try:
        return GitIgnorePattern(line)
    except PatternError as exc:
        raise PatternError(f"{line!r}: {exc}") from None


def path_names(path: str) -> list[str]:
    """A relative path's names, as the matchers take them."""
    if path.startswith("/"):
        path = path[1:]
    elif path.startswith("./"):
        path = path[2:]
    return path.split("/") if path else []


def check(line: str) -> None:
    """Raise PatternError when ``line`` cannot be read as a gitignore pattern."""
    GitIgnorePattern(line)
