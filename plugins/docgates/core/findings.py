"""The one finding model that every output renders."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal, Mapping

Severity = Literal["error", "warning"]
SEVERITIES: tuple[str, ...] = ("error", "warning")

# Stable rule ids with their default severity (../shared/CONTRACT.md).
RULES: dict[str, Severity] = {
    "freshness/stale": "error",
    "freshness/unknown": "warning",
    "freshness/due-soon": "warning",
    # The code a page documents (front matter ``documents``) changed after its review.
    "freshness/code-changed": "warning",
    # A ``documents`` pattern matches no file tracked at HEAD: the code moved or was removed.
    "freshness/code-missing": "warning",
    "ownership/missing": "error",
    "ownership/unknown": "warning",
    # A CODEOWNERS line GitHub would skip (bad pattern or owner); reported with file and line.
    "ownership/codeowners": "error",
    "readability/hard": "warning",
    "checklist/incomplete": "warning",
    "checklist/unknown-type": "warning",
    "links/broken": "error",
    # A link that runs script or opens a file on the author's disk: not broken, dangerous.
    "links/scheme": "error",
    "links/anchor": "error",
    "links/external": "error",
    # Not fetched: the URL or a redirect leads to an address the build machine must not probe.
    "links/refused": "error",
    "frontmatter/invalid": "error",
    "config/invalid": "error",
}


_LINE_NUMBER = re.compile(r"\b(lines?) \d+", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One defect on one page (or on the site, when ``path`` is empty).

    ``fingerprint_text`` is what identifies the defect independently of its line, so that a
    baseline survives edits above it; it defaults to the message.
    """

    rule: str
    severity: Severity
    path: str
    line: int
    message: str
    fingerprint_text: str = field(default="", compare=False)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.path else "site"

    def format(self) -> str:
        """``path:line: rule: message``, the form the build log and ``check`` print; always
        one line, so text from a page (an owner with a line break) cannot fake a finding."""
        line = f"{self.location}: {self.rule}: {self.message}"
        return line.replace("\r", "\\r").replace("\n", "\\n")

    def fingerprint(self, path: str | None = None) -> str:
        """A stable id of the defect; with ``path``, the id it had when the page was there (a
        page renamed since: its name also changes in the message, e.g. in a command)."""
        # A line number inside a message ("first at line 3") would move with edits above the
        # defect; the baseline must survive those, so it is left out.
        text = self.fingerprint_text or _LINE_NUMBER.sub(r"\1 #", self.message)
        if path is not None and path != self.path and self.path:
            text = text.replace(self.path, path)
        basis = "\x1f".join((self.rule, path or self.path, text))
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "line": self.line,
            "message": self.message,
            "fingerprint": self.fingerprint(),
        }


class SeverityPolicy:
    """Resolves a rule's severity: per-rule overrides, else the contract's default."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.overrides: dict[str, Severity] = {}
        for rule, severity in (overrides or {}).items():
            self.set(rule, severity)

    def set(self, rule: str, severity: str) -> None:
        if rule not in RULES:
            raise ValueError(f"unknown rule id {rule!r}; known rules: {', '.join(sorted(RULES))}")
        if severity not in SEVERITIES:
            raise ValueError(f"severity of {rule!r} must be 'error' or 'warning', not {severity!r}")
        self.overrides[rule] = severity  # type: ignore[assignment]

    def __call__(self, rule: str) -> Severity:
        return self.overrides.get(rule, RULES.get(rule, "error"))

    def finding(
        self, rule: str, path: str, line: int, message: str, fingerprint_text: str = ""
    ) -> Finding:
        """The one place findings are created, so severities are applied consistently."""
        return Finding(rule, self(rule), path, max(int(line), 1) if path else 0, message, fingerprint_text)
