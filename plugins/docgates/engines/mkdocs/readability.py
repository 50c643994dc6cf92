"""``docgates/readability``: MkDocs adapter for the readability gate.

```yaml
plugins:
  - docgates/readability:
      min_words: 100
      thresholds:
        default: {min_ease: 30, max_grade: 14}
        folders:
          "runbooks/**": {min_ease: 50, max_grade: 10}
        types:
          adr: {max_grade: 16}
      exclude: ["changelog.md"]
```
"""

from __future__ import annotations

from mkdocs.config import config_options as c

from docgates.readability.gate import ReadabilityGate
from docgates.engines.mkdocs.base import GateConfig, GatePlugin


class ReadabilityConfig(GateConfig):
    min_words = c.Type(int, default=100)
    """Pages with fewer words of prose are not scored (``readability.skipped: too-short``):
    formulas say little about a few sentences."""

    thresholds = c.Type(dict, default={})
    """Limits a page is held to. ``default`` applies to every page (built in:
    ``{min_ease: 30, max_grade: 14}``); ``folders`` maps gitignore-style patterns of
    docs-relative paths (``runbooks/**``, ``*.md``) to limits, applied in the order written;
    ``types`` maps a front matter ``type`` to limits, applied last. Limits: ``min_ease`` (lowest
    Flesch Reading Ease, 0-100, higher is easier) and ``max_grade`` (highest Flesch-Kincaid
    grade, about the years of schooling needed); ``null`` turns one off. A page outside its
    limits gets a ``readability/hard`` finding naming its hardest sentences."""

    hardest = c.Type(int, default=3)
    """How many of a hard page's hardest sentences the finding names (0-5)."""

    words_per_minute = c.Type(int, default=200)
    """Reading speed behind the badge's reading time (prose words only; code is not counted)."""

    exclude = c.ListOfItems(c.Type(str), default=[])
    """Gitignore-style patterns of pages never scored (``readability.skipped: excluded``),
    e.g. a glossary or a changelog."""

    cache = c.Type(bool, default=True)
    """Keep scores under ``.cache/plugin/docgates/`` keyed by page content, so rebuilds
    (``mkdocs serve``) rescore only the pages that changed."""

    worker = c.Type(bool, default=True)
    """Score in a second process while MkDocs renders, when 16 or more pages need scoring and
    the machine has a spare core; ``docgates check --changed-since`` starts it with the check
    (scores are the same either way)."""


class ReadabilityPlugin(GatePlugin[ReadabilityConfig]):
    gate_class = ReadabilityGate
