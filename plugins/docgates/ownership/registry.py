"""The team registry: who an owner handle is and how to reach them.

A YAML file maps a handle to a display name, a contact (a chat channel such as ``#sre``,
an email address or an http(s) URL) and an optional URL::

    "@sre-team":
      name: Site Reliability Engineering
      contact: "#sre-oncall"
      url: https://wiki.example.com/teams/sre

Handles are matched case-insensitively, as GitHub matches user and team names. Every
problem is reported with the file and line, all at once, so one edit fixes them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from docgates.core.safe_yaml import LineDict, YamlFileError, load_with_lines

ContactKind = Literal["channel", "email", "url"]
# No ':' before the '@': "javascript:alert(1)//@x.io" is a script address, not a mailbox.
# The look-ahead checks the domain once; "[^...]+\.[^...]+$" rescanned it from every dot.
_EMAIL = re.compile(r"^[^@\s<>\"':]+@(?=[^@\s<>\"']+$)[^@\s<>\"']+\.[^@\s<>\"']")
_CHANNEL = re.compile(r"^#[^\s<>\"']+$")
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
REQUIRED_KEYS = ("name", "contact")


def is_web_url(text: str) -> bool:
    """Whether ``text`` is an http(s) URL: the only kind of address an option may turn into a
    link (a ``javascript:`` or ``data:`` one would run in the reader's browser)."""
    return bool(_URL.match(text))


class RegistryError(ValueError):
    """A registry that cannot be used; ``problems`` are ``file:line: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Team:
    """One registered owner."""

    handle: str
    name: str
    contact: str
    url: str | None = None
    line: int = 0

    @property
    def contact_kind(self) -> ContactKind:
        if _CHANNEL.match(self.contact):
            return "channel"
        if _EMAIL.match(self.contact):
            return "email"
        return "url"

    def contact_href(self, chat_url: str | None = None) -> str | None:
        """Where the contact links to; a channel links only when a chat URL is configured."""
        kind = self.contact_kind
        if kind == "email":
            return f"mailto:{self.contact}"
        if kind == "url":
            return self.contact
        if chat_url:
            return chat_url.replace("{channel}", quote(self.contact[1:], safe=""))
        return None


@dataclass
class Registry:
    """The registered teams of one registry file."""

    display_path: str
    teams: dict[str, Team] = field(default_factory=dict)

    def get(self, handle: str) -> Team | None:
        return self.teams.get(handle.casefold())

    def __contains__(self, handle: object) -> bool:
        return isinstance(handle, str) and handle.casefold() in self.teams

    def handles(self) -> list[str]:
        return sorted(team.handle for team in self.teams.values())

    def suggestion(self, handle: str) -> str | None:
        """A registered handle the author probably meant (a missing '@', a GitHub org prefix)."""
        candidates = [f"@{handle}", handle.lstrip("@"), "@" + handle.rpartition("/")[2]]
        for candidate in candidates:
            team = self.get(candidate)
            if team is not None and candidate.casefold() != handle.casefold():
                return team.handle
        return None


def load_registry(path: Path, display_path: str) -> Registry:
    """Read and validate a registry file; raises ``RegistryError`` listing every problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError([f"{display_path}: not valid UTF-8 (byte {exc.start}); save it as UTF-8"]) from None
    except OSError as exc:
        raise RegistryError([f"{display_path}: cannot be read: {exc.strerror or exc}"]) from None
    return parse_registry(text, display_path)


def parse_registry(text: str, display_path: str) -> Registry:
    problems: list[str] = []

    def problem(line: int, message: str) -> None:
        problems.append(f"{display_path}:{line}: {message}")

    try:
        # Where the broken construct starts (an unclosed bracket) is where to look first.
        root = load_with_lines(text, display_path, point_at_start=True)
    except YamlFileError as exc:
        raise RegistryError([str(exc)]) from None
    registry = Registry(display_path)
    if root is None:
        raise RegistryError([f"{display_path}:1: the registry is empty; add one entry per team, e.g. "
                             '"@sre-team": {name: SRE, contact: "#sre"}'])
    if not isinstance(root, LineDict):
        raise RegistryError([f"{display_path}:{getattr(root, 'line', 1)}: the registry must map team "
                             'handles to entries, e.g. "@sre-team": {name: SRE, contact: "#sre"}'])
    for key, value in root.items():
        line = root.key_lines[str(key)]
        if key is None or isinstance(key, bool) or not str(key).strip():
            problem(line, "a team handle must be a plain text such as \"@sre-team\"")
            continue
        handle = str(key).strip()
        if handle.casefold() in registry.teams:
            first = registry.teams[handle.casefold()].line
            problem(line, f"{handle!r} is listed twice (first on line {first}); keep one entry")
            continue
        team = _team(handle, value, line, problem)
        if team is not None:
            registry.teams[handle.casefold()] = team
    if problems:
        raise RegistryError(problems)
    return registry


def _team(handle: str, entry: object, line: int, problem) -> Team | None:
    if not isinstance(entry, LineDict):
        problem(line, f"{handle}: expected a mapping with 'name' and 'contact', "
                      f'e.g. {handle}: {{name: SRE, contact: "#sre"}}')
        return None
    values: dict[str, tuple[str, int]] = {}
    ok = True
    for key, value in entry.items():
        value_line = entry.key_lines[str(key)]
        if isinstance(value, (dict, list)) or value is None or not str(value).strip():
            if key in ("name", "contact", "url"):
                problem(value_line, f"{handle}: {key} must be a non-empty text")
                ok = False
            continue
        values[str(key)] = (str(value).strip(), value_line)
    for key in REQUIRED_KEYS:
        if key not in entry:
            problem(line, f"{handle}: missing '{key}'; every team needs a name and a contact "
                          "(a chat channel like \"#sre\", an email address or an https:// URL)")
            ok = False
    if not ok:
        return None
    contact, contact_line = values["contact"]
    if not (_CHANNEL.match(contact) or _EMAIL.match(contact) or is_web_url(contact)):
        problem(contact_line, f"{handle}: contact {contact!r} is not a chat channel (\"#name\"), "
                              "an email address or an http(s):// URL")
        return None
    url = values.get("url")
    if url is not None and not is_web_url(url[0]):
        problem(url[1], f"{handle}: url {url[0]!r} must start with https:// or http://")
        return None
    return Team(handle=handle, name=values["name"][0], contact=contact,
                url=url[0] if url else None, line=line)
