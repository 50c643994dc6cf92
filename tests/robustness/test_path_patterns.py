"""Gitignore-style path patterns: one linear-time matcher (core/path_patterns.py) for front matter
``documents``, readability ``exclude``/``thresholds.folders`` and freshness page globs.

Issue 34 (hangs): pathspec and freshness's old glob regex turned each ``*`` into a backtracking
``[^/]*``; ten stars on a 40-character name took about 20 s, so one page could hang a build. These
tests assert results only (no timing); a matcher that backtracked again would take hours on the
16-star patterns here, so the run would visibly never finish. The semantics are pathspec's
``GitIgnoreSpec``, checked on a seeded random sample, except where git itself disagrees with it.
"""

from __future__ import annotations

import random
import re
import subprocess
import warnings

import pathspec
import pytest

from conftest import GitRepo, Site
from docgates.core.code_patterns import CodePatterns, PatternListError, parse_patterns
from docgates.core.path_patterns import GitIgnoreSpec, PatternError
from docgates.freshness.options import FolderIntervals, PageGlob
from docgates.readability.gate import ReadabilityGate

from .hostile import has_traceback

STARS_16 = "*e" * 16
HIT_PAGE = "e" * 56 + "Z.md"  # 60 characters
MISS_PAGE = "e" * 57 + ".md"  # 60 characters, no Z: the worst case for a backtracking matcher
HIT_CODE = "services/" + "e" * 59 + "Z"
MISS_CODE = "services/" + "e" * 60


def page(front: str, title: str) -> str:
    return f"---\n{front.strip()}\n---\n# {title}\n\nA short page.\n"


def test_sixteen_stars_in_a_build_documents_exclude_and_intervals(tmp_path, tally):
    site = Site(tmp_path / "project")
    repo = GitRepo(site.root)
    page_glob = STARS_16 + "Z.md"
    site.plugins(
        {"docgates/freshness": {"review_every": "2y", "intervals": {page_glob: "30d"}}},
        {"docgates/readability": {"exclude": [page_glob], "min_words": 1}},
    )
    site.save_config()
    documents = f'documents: "services/{STARS_16}Z"'
    repo.commit("pages and code", "2026-01-10T10:00:00+00:00", files={
        HIT_CODE: "one\n", MISS_CODE: "one\n",
        f"docs/{HIT_PAGE}": page(f"reviewed: 2026-11-20\n{documents}", "Hit"),
        f"docs/{MISS_PAGE}": page(f"reviewed: 2026-03-01\n{documents}", "Miss"),
    })
    repo.commit("code changes", "2026-06-01T10:00:00+00:00", files={HIT_CODE: "two\n", MISS_CODE: "two\n"})
    result = site.build()
    tally.tried("build: 16-star documents, exclude and intervals patterns on 60-character names",
                traceback=has_traceback(result.output))
    assert result.returncode == 0, result.output[-3000:]
    hit, miss = result.page(HIT_PAGE), result.page(MISS_PAGE)
    # documents: only the file ending in Z changed "after the review".
    assert miss["code_changed"]["paths"] == [HIT_CODE]
    assert hit["code_changed"] is None  # reviewed after the change
    # readability exclude: the Z page is excluded, the other is scored.
    assert hit["readability"]["skipped"] == "excluded"
    assert miss["readability"].get("skipped") != "excluded"
    # freshness intervals: the Z page takes the folder interval, the other the default.
    assert hit["freshness"]["review_every"] == "30d"
    assert hit["freshness"]["review_every_from"] == f"intervals: {page_glob}"
    assert miss["freshness"]["review_every"] == "2y"


def test_sixteen_stars_at_each_entry_point():
    many = "/".join(["d"] * 100)
    assert not CodePatterns([f"services/{STARS_16}Z"]).matches(MISS_CODE)
    assert CodePatterns([f"services/{STARS_16}Z", f"!**/{STARS_16}?Y"]).matches(HIT_CODE)
    assert not CodePatterns([f"services/{STARS_16}Z", f"!**/{STARS_16}?Z"]).matches(HIT_CODE)
    assert not CodePatterns(["**/" * 30 + STARS_16 + "Z"]).matches(f"{many}/{'e' * 60}")
    gate = ReadabilityGate({"exclude": [STARS_16 + "Z.md"], "thresholds": {"folders": {STARS_16 + "/": {"min_ease": 90}}}})
    assert gate.exclude.matches(HIT_PAGE) and not gate.exclude.matches(MISS_PAGE)
    assert gate.thresholds.for_page(f"{'e' * 60}/x.md", None).min_ease == 90
    assert gate.thresholds.for_page(f"{'f' * 60}/x.md", None).min_ease == 30
    intervals = FolderIntervals({"**": "1y", STARS_16 + "Z.md": "30d"})
    assert intervals.match(HIT_PAGE)[0] == STARS_16 + "Z.md"
    assert intervals.match(MISS_PAGE)[0] == "**"


# (patterns, path, matches?) in the gitignore dialect.
SEMANTICS = [
    # No slash, or only a trailing one: any depth. A leading or middle slash anchors.
    (["guide.md"], "a/b/guide.md", True),
    (["/guide.md"], "a/guide.md", False),
    (["docs/guide.md"], "site/docs/guide.md", False),
    (["*.md"], "a/b/c.md", True),
    (["*.md"], "a/b/c.mdx", False),
    # A name covers the folder and all below; a trailing "/" only what lies below a folder.
    (["api"], "api", True),
    (["api"], "x/api/v1/spec.yaml", True),
    (["api/"], "api", False),
    (["api/"], "x/api/spec.yaml", True),
    (["/api/"], "x/api/spec.yaml", False),
    # "*" and "?" stay in one name; "**" spans folders (leading, middle, trailing).
    (["services/*"], "services/pay/api.py", True),  # through the folder services/pay
    (["services/*.py"], "services/pay/api.py", False),
    (["a?c"], "abc", True),
    (["a?c"], "a/c", False),
    (["**/api.py"], "api.py", True),
    (["**/api.py"], "a/b/api.py", True),
    (["a/**/b.py"], "a/b.py", True),
    (["a/**/b.py"], "a/x/y/b.py", True),
    (["a/**"], "a", False),
    (["a/**"], "a/x/y", True),
    (["a**b"], "a/b", False),  # "**" inside a name is "*"
    (["a**b"], "axyb", True),
    # Classes are one character, never "/".
    (["[ab].md"], "b.md", True),
    (["[!ab].md"], "c.md", True),
    (["[!ab].md"], "a.md", False),
    (["[^ab].md"], "a.md", False),
    (["v[0-9].md"], "v7.md", True),
    (["[]]"], "]", True),
    (["a[!x]b"], "a/b", False),
    # Escapes and odd lines.
    (["\\*.md"], "*.md", True),
    (["\\*.md"], "a.md", False),
    (["\\!x"], "!x", True),
    (["\\#x"], "#x", True),
    (["#x"], "#x", False),  # a comment
    (["a[b"], "a[b", False),  # an unclosed class: git drops the line
    (["foo\\ "], "foo ", True),
    (["foo  "], "foo", True),  # trailing spaces go
    # "!" takes back; the last match wins; a file-level match beats a folder-level one.
    (["services/**", "!services/pay/tests/**"], "services/pay/tests/t.py", False),
    (["services/**", "!services/pay/tests/**"], "services/pay/api.py", True),
    (["!x.md", "*.md"], "x.md", True),
    (["*.md", "!docs/"], "docs/a.md", True),  # "!docs/" reaches a.md only through its folder
    (["docs/", "!docs/a.md"], "docs/a.md", False),
    (["**"], "a/b", True),
    (["**/"], "a", False),
    (["*/"], "a/b", True),
]


@pytest.mark.parametrize(("patterns", "path", "expected"), SEMANTICS)
def test_semantics(patterns, path, expected):
    assert GitIgnoreSpec(patterns).matches(path) is expected


# Freshness page globs: anchored at docs/, naming pages; a bare folder is everything below it.
PAGE_GLOBS = [
    ("runbooks/**", "runbooks/a/b.md", True),
    ("runbooks/*", "runbooks/a.md", True),
    ("runbooks/*", "runbooks/a/b.md", False),
    ("runbooks", "runbooks/a/b.md", True),
    ("runbooks/", "runbooks/a.md", True),
    ("runbooks", "runbooks.md", False),
    ("*.md", "a.md", True),
    ("*.md", "x/a.md", False),
    ("index.md", "x/index.md", False),
    ("**/onboarding/**", "team/onboarding/day1.md", True),
    ("**/onboarding/**", "onboarding/day1.md", True),
    ("/guides/*.md", "guides/a.md", True),
    ("**", "a/b/c.md", True),
]


@pytest.mark.parametrize(("glob", "path", "expected"), PAGE_GLOBS)
def test_freshness_page_globs(glob, path, expected):
    assert PageGlob(glob).matches(path) is expected


def test_bad_patterns_say_which_and_why():
    with pytest.raises(PatternListError, match=r"'a\[z-a\]' is not a gitignore-style pattern \(the range z-a"):
        parse_patterns(["a[z-a]"])
    with pytest.raises(ValueError, match=r"^intervals: x\\: 'x\\\\' is not a glob"):
        FolderIntervals({"x\\": "30d"})
    with pytest.raises(ValueError, match=r"^exclude: 'a\\\\': it ends a segment with a lone"):
        ReadabilityGate({"exclude": ["a\\"]})


def test_a_class_never_matches_a_slash_as_in_git(tmp_path):
    """pathspec's regex lets ``a[!x]b`` match ``a/b``; git does not, nor do we."""
    repo = GitRepo(tmp_path / "repo")
    (repo.root / ".gitignore").write_text("a[!x]b\nc[.-d]d\n", encoding="utf-8")
    for path in ("a/b", "c/d"):
        proc = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=repo.root)
        assert proc.returncode == 1  # not ignored
        assert not GitIgnoreSpec(["a[!x]b", "c[.-d]d"]).matches(path)
    assert pathspec.GitIgnoreSpec.from_lines(["a[!x]b"]).match_file("a/b")  # the difference


# -- equivalence with pathspec on a seeded random sample -----------------------------------
def _segment(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.12:
        return "**"
    if roll < 0.2:
        return "*"
    out = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.45:
            out.append(rng.choice("ab."))
        elif kind < 0.65:
            out.append("*")
        elif kind < 0.75:
            out.append("?")
        elif kind < 0.83:
            out.append("\\" + rng.choice("ab*?[!#"))
        elif kind < 0.95:
            out.append("[" + rng.choice(["a", "ab", "a-b", "!a", "^b", "]a", "!]", "a-", ".-b", "b-a", "-a"]) + "]")
        else:
            out.append(rng.choice(["[a", "!", "#", " "]))
    return "".join(out)


def _pattern(rng: random.Random) -> str:
    text = "/".join(_segment(rng) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.2:
        text = "/" + text
    if rng.random() < 0.25:
        text += "/"
    if rng.random() < 0.25:
        text = "!" + text
    if rng.random() < 0.03:
        text = rng.choice(["", "#x", "/", "!", "**", "**/", "*/", "!/"])
    return text


def _path(rng: random.Random) -> str:
    return "/".join("".join(rng.choice("ab.-") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 5)))


# A class that pathspec lets match "/" (negated, or a range spanning it: ".-b"), where git and
# this matcher never do (test_a_class_never_matches_a_slash_as_in_git).
_SLASH_CLASS = re.compile(r"\[[!^]|\.-b")


def test_same_answers_as_pathspec_on_a_random_sample():
    rng = random.Random(34)
    compared = refused = 0
    mismatches = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pathspec hands "[[" or "--" classes to re
        while compared < 20_000:
            lines = [_pattern(rng) for _ in range(rng.randint(1, 3))]
            try:
                theirs = pathspec.GitIgnoreSpec.from_lines(lines)
            except Exception:  # noqa: BLE001 - re.error or pathspec's own: both mean "refused"
                theirs = None
            try:
                ours = GitIgnoreSpec(lines)
            except PatternError:
                ours = None
            assert (theirs is None) == (ours is None), lines
            if theirs is None or ours is None:
                refused += 1
                continue
            git_differs = any(_SLASH_CLASS.search(line) for line in lines)
            for _ in range(5):
                path = _path(rng)
                if git_differs:  # compare where "/" cannot meet the class: one name
                    path = path.replace("/", "")
                compared += 1
                if theirs.match_file(path) != ours.matches(path):
                    mismatches.append((lines, path))
    assert not mismatches, mismatches[:10]
    assert refused > 100  # the sample does reach refused lines (reversed ranges, lone "\")
