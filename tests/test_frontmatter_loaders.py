"""Front matter: libyaml's fast parser and the strict pure-Python loader agree on every input,
in data, key lines and error messages (anything unusual goes to the strict loader)."""

from __future__ import annotations

import random

import pytest
import yaml

from docgates.core import frontmatter as F
from docgates.core import safe_yaml as Y

PIECES = [
    "a: 1\n", "b: [1, 2]\n", "c: {x: y}\n", "a: 2\n", "d: &x 1\n", "e: *x\n", "- 1\n",
    "f: 2026-13-45\n", "g: 2026-01-02\n", "h: !!python/object:os.system x\n", "i: 'unterminated\n",
    "j:\n  - k\n  - l: m\n", "\tk: tab\n", "l: \"\\u00e9\"\n", "[a]: 1\n", "m: |\n  text\n", "n: null\n",
    "o: yes\n", ": x\n", "p: {a: 1, a: 2}\n", "q: [&y a, *y]\n", "<<: *y\n", "r: ~\n", "s: 1e3\n",
    "'u': v\n", "? w\n: z\n", "owner: \"@team\"\n", "reviewed: 2026-11-01\n",
]


def _outcome(load, text):
    try:
        return ("ok", load(text))
    except yaml.YAMLError as exc:
        return ("error", type(exc).__name__, str(exc))


def _strict(text):
    return Y._load_with(Y._StrictLoader, text)


@pytest.mark.skipif(Y._FastLoader is None, reason="PyYAML was built without libyaml")
def test_fast_and_strict_loaders_agree_on_random_front_matter():
    rng = random.Random(20261124)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6))) for _ in range(4000)]
    differences = [t for t in texts if _outcome(Y.load_with_key_lines, t) != _outcome(_strict, t)]
    assert differences == []
    # The sample really contains what the fast path must hand over: aliases and errors.
    assert any("*x" in t or "*y" in t for t in texts)
    assert any(_outcome(_strict, t)[0] == "error" for t in texts)


def test_alias_is_still_refused_with_its_line():
    page = F.parse_page("a.md", "---\nowner: &o \"@team\"\nbackup: *o\n---\n# A\n")
    assert [(f.line, "aliases" in f.message) for f in page.findings] == [(3, True)]
