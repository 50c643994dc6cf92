"""``docgates/freshness``: MkDocs adapter for the freshness gate."""

from __future__ import annotations

import datetime as dt

from mkdocs.config import config_options as c

from docgates.core.dates import DateError, parse_interval
from docgates.freshness.gate import FreshnessGate
from docgates.freshness.options import DEFAULT_REVIEW_EVERY, DEFAULT_WARN_WITHIN, FolderDocuments
from docgates.engines.mkdocs.base import GateConfig, GatePlugin


class IntervalOption(c.BaseConfigOption[str]):
    """A review interval such as ``90d``, ``6w``, ``6m`` or ``1y``."""

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> str:
        try:
            return str(parse_interval(value))
        except DateError as exc:
            raise c.ValidationError(str(exc)) from None


class IntervalsOption(c.BaseConfigOption[dict]):
    """A mapping of docs-relative globs to review intervals."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict:
        if not isinstance(value, dict):
            raise c.ValidationError("expected a mapping of folder globs to intervals, e.g. {'runbooks/**': 90d}")
        result = {}
        for pattern, interval in value.items():
            if not isinstance(pattern, str) or not pattern.strip():
                raise c.ValidationError(f"{pattern!r} is not a glob; write e.g. 'runbooks/**: 90d'")
            try:
                result[pattern] = str(parse_interval(interval))
            except DateError as exc:
                raise c.ValidationError(f"{pattern}: {exc}") from None
        return result


class DocumentsOption(c.BaseConfigOption[dict]):
    """A mapping of docs-relative page globs to lists of repository-relative code patterns."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict:
        try:
            FolderDocuments(value)  # type: ignore[arg-type]
        except ValueError as exc:
            raise c.ValidationError(str(exc).removeprefix("documents: ")) from None
        return dict(value)  # type: ignore[call-overload]


class FreshnessConfig(GateConfig):
    review_every = IntervalOption(default=DEFAULT_REVIEW_EVERY)
    """Review interval of pages without ``review_every`` in their front matter and without a
    matching ``intervals`` glob: ``<n>d``, ``<n>w``, ``<n>m`` or ``<n>y``."""

    intervals = IntervalsOption()
    """Per-folder review intervals, ``{glob: interval}`` with docs-relative globs
    (``runbooks/**: 90d``); the last matching glob wins, as in CODEOWNERS."""

    warn_within = c.Type(int, default=DEFAULT_WARN_WITHIN)
    """Days before the due date from which a page is "due soon" (a ``freshness/due-soon``
    warning and a hint in the page header); 0 turns the warning off."""

    ignore_revs_file = c.Optional(c.File(exists=True))
    """File of commits that never count as content changes (bulk reformatting), in
    ``.git-blame-ignore-revs`` format, relative to mkdocs.yml. Default: the repository's
    ``.git-blame-ignore-revs`` when it exists."""

    documents = DocumentsOption()
    """Code the pages of whole folders document: ``{page glob: [code patterns]}``, page globs
    docs-relative as in ``intervals`` (the last match wins), code patterns repository-relative
    and gitignore-style (``billing/*.md: [services/billing/**, "!services/billing/tests/**"]``).
    A page's own ``documents`` front matter wins. A page falls due (``freshness/code-changed``)
    when a commit touching that code is dated after its review."""

    show_commands = c.Type(bool, default=True)
    """Whether banners readers see name maintainer commands (``docgates review docs/...``). ``false`` keeps
    reader-facing text for readers; the build log and ``quality.json`` still give the fix."""

    adopted = c.Optional(c.Type((str, dt.date)))
    """The day the site adopted docgates (``2026-12-01``). A page with no ``reviewed`` date whose
    last content change is older is due from this day plus its interval, so an existing site
    starts green and the clock runs from adoption; a page changed since keeps its change date."""

    git_unknown = c.Optional(c.Choice(("error", "warning")))
    """Severity of ``freshness/unknown``, reported once when pages without ``reviewed`` cannot
    be dated because the clone is shallow, the project is not a git repository, or git is
    missing. Default: ``error`` when the ``CI`` or ``GITHUB_ACTIONS`` environment variable is
    set (a shallow CI checkout cannot pass the gate silently), else ``warning``."""


class FreshnessPlugin(GatePlugin[FreshnessConfig]):
    gate_class = FreshnessGate

