"""CODEOWNERS matching without backtracking, with GitHub's semantics, and owners GitHub refuses.

Issue 34, item 4: ``*e*e*e*e*e*e*e*e*e*e*e*e*Z @x`` against a page named with 40 ``e``s ran
for minutes when each ``*`` became a backtracking ``[^/]*`` regex. The suite has no per-test
timeout (pytest-timeout is not a dependency): these tests assert the match result, and a
matcher that backtracked again would take hours here, so the run would visibly never finish.
"""

from __future__ import annotations

import pytest

from docgates.ownership.codeowners import DefaultOwners, is_owner, parse_codeowners
from docgates.ownership.path_pattern import PathPattern

from .hostile import has_traceback

STARS_16 = "*e" * 16 + "Z"


def owners_of(text: str, path: str) -> tuple[str, ...] | None:
    rule = parse_codeowners(text, "CODEOWNERS").rule_for(path)
    return rule.owners if rule else None


def test_sixteen_stars_on_a_sixty_character_name(tally):
    text = f"* @y\n{STARS_16} @x\n"
    tally.tried("CODEOWNERS: 16 stars against a 60-character name")
    assert owners_of(text, "docs/" + "e" * 60 + ".md") == ("@y",)  # no Z: the first rule
    assert owners_of(text, "docs/" + "e" * 59 + "Z") == ("@x",)
    assert owners_of(text, "docs/" + "e" * 15 + "Z") == ("@y",)  # 16 e's needed, 15 given
    assert owners_of(text, "docs/" + "e" * 16 + "Z") == ("@x",)


def test_many_globstars_and_question_marks_on_a_deep_long_path(tally):
    pattern = PathPattern("/" + "**/" * 30 + "?" * 20 + "*" * 20 + "Z")
    deep = "/".join(["d"] * 200)
    tally.tried("CODEOWNERS: 30 globstars and 40 wildcards on a 200-folder path")
    assert not pattern.matches(deep + "/" + "q" * 300)
    assert pattern.matches(deep + "/" + "q" * 300 + "Z")
    assert not pattern.matches(deep + "/" + "q" * 18 + "Z")  # "?" x 20 needs 20 characters


# (pattern, path, matches?) as GitHub documents CODEOWNERS patterns.
SEMANTICS = [
    # A leading "/" or an inner "/" anchors at the repository root.
    ("/docs/", "docs/guide.md", True),
    ("/docs/", "src/docs/guide.md", False),
    ("docs/guide.md", "docs/guide.md", True),
    ("docs/guide.md", "site/docs/guide.md", False),
    # Without a slash (or with only a trailing one), any depth.
    ("guide.md", "a/b/guide.md", True),
    ("runbooks/", "services/x/runbooks/restart.md", True),
    ("*.md", "a/b/c.md", True),
    ("*.md", "a/b/c.mdx", False),
    # A name matches that file or folder and everything below; a trailing "/" only folders.
    ("apps", "apps", True),
    ("apps", "apps/x/y.js", True),
    ("apps/", "apps", False),
    ("apps/", "apps/x.js", True),
    # "docs/*": the files directly inside, not deeper.
    ("docs/*", "docs/getting-started.md", True),
    ("docs/*", "docs/build-app/troubleshooting.md", False),
    # "*" and "?" do not cross "/"; "**" does.
    ("/docs/*.md", "docs/a/b.md", False),
    ("/docs/**/*.md", "docs/a/b.md", True),
    ("/docs/**/*.md", "docs/b.md", True),  # "**/" also stands for no folder
    ("**/logs", "deep/down/logs/x.log", True),
    ("**/logs", "logs/x.log", True),
    ("/docs/**", "docs/a/b/c.md", True),
    ("/docs/**", "docs", False),  # a trailing "**" needs at least one name below
    ("/d?cs/", "docs/x.md", True),
    ("/d?cs/", "d/cs/x.md", False),
    ("/d?cs/", "dcs/x.md", False),
    # Escapes: a space, a star taken literally.
    ("/docs/with\\ space.md", "docs/with space.md", True),
    ("/docs/\\*.md", "docs/*.md", True),
    ("/docs/\\*.md", "docs/a.md", False),
    # A "#" after the first character is an ordinary character.
    ("/docs/c#.md", "docs/c#.md", True),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), SEMANTICS)
def test_github_pattern_semantics(pattern, path, expected):
    assert PathPattern(pattern).matches(path) is expected
    assert (owners_of(f"{pattern} @team", path) is not None) is expected


def test_last_matching_line_wins_and_an_ownerless_line_unowns():
    text = "\n".join([
        "* @everyone",
        "/docs/ @docs-team",
        "*.md @writers",  # later and broader: wins over /docs/ for Markdown
        "/docs/drafts/",  # matched, with no owner
    ])
    assert owners_of(text, "docs/guide.md") == ("@writers",)
    assert owners_of(text, "docs/image.png") == ("@docs-team",)
    assert owners_of(text, "src/app.py") == ("@everyone",)
    assert owners_of(text, "docs/drafts/idea.md") == ()


def test_lines_github_does_not_read_are_findings_with_their_line():
    text = "\n".join([
        "/docs/ @docs-team",
        "\\#notes.md @notes",  # escaping a leading "#" does not work on GitHub
        "# a comment",
        "!/docs/x.md @a",
        "/docs/[ab].md @ranges",
        "/docs/ok.md @ok",
    ])
    parsed = parse_codeowners(text, "CODEOWNERS")
    problems = {p.line: p.message for p in parsed.problems}
    assert sorted(problems) == [2, 4, 5]
    assert "cannot escape a leading '#'" in problems[2]
    assert "negation" in problems[4]
    assert "character ranges" in problems[5]
    assert all(message.endswith("GitHub skips this line") for message in problems.values())
    assert owners_of(text, "#notes.md") is None
    assert owners_of(text, "docs/a.md") == ("@docs-team",)
    assert owners_of(text, "docs/ok.md") == ("@ok",)


def test_a_pattern_ending_in_a_lone_backslash_is_a_finding():
    parsed = parse_codeowners("/docs/a\\", "CODEOWNERS")
    [problem] = parsed.problems
    assert problem.line == 1 and "lone '\\'" in problem.message


HOSTILE_OWNERS = ['"@q', "@q\"", "@q'", "@<q>", "@q;rm", "@", "@-q", "@org/", "q", "q@", "@q@x",
                  "a@b", "a@example.com>", "@q\x1b[2J"]
VALID_OWNERS = ["@q", "@sre-team", "@org/eng-leads", "@org/team_slug", "lead@example.com",
                "first.last+docs@mail.example.co.uk"]


@pytest.mark.parametrize("owner", HOSTILE_OWNERS)
def test_owners_github_refuses_skip_the_line_with_a_finding(owner, tally):
    text = f"/docs/ @docs-team\n/docs/ops/ {owner}\n"
    parsed = parse_codeowners(text, "CODEOWNERS")
    tally.tried(f"CODEOWNERS owner {owner!r}")
    assert not is_owner(owner)
    [problem] = parsed.problems
    assert problem.line == 2
    assert problem.message.startswith(f"{owner!r} is not an owner")
    assert owners_of(text, "docs/ops/restart.md") == ("@docs-team",)


@pytest.mark.parametrize("owner", VALID_OWNERS)
def test_owners_github_accepts(owner):
    assert is_owner(owner)
    assert owners_of(f"/docs/ {owner}", "docs/a.md") == (owner,)


def test_folder_defaults_use_the_same_matcher():
    defaults = DefaultOwners.parse({"*": "@handbook", "runbooks/": "@sre", STARS_16: "@stars"})
    assert defaults.owners_for("runbooks/" + "e" * 60 + ".md") == ("runbooks/", ("@sre",))
    assert defaults.owners_for("e" * 59 + "Z") == (STARS_16, ("@stars",))
    with pytest.raises(ValueError, match="character ranges"):
        DefaultOwners.parse({"docs/[ab]/": "@x"})


def test_check_with_sixteen_stars_and_a_quoted_owner(git_site, tally):
    """The reported case end to end: ``docgates build`` with the pattern and a 60-``e`` page."""
    site, repo = git_site
    site.plugins("docgates/ownership")
    site.write("CODEOWNERS", f"* @y\n{STARS_16} @x\n/docs/ops/ \"@q\n", dedent=False)
    site.page("e" * 60 + ".md", "# Many e's\n")
    site.page("e" * 59 + "Z/page.md", "# In a folder ending in Z\n")
    result = site.build()
    tally.tried("build: CODEOWNERS with 16 stars and a quoted owner", traceback=has_traceback(result.output))
    assert not has_traceback(result.output), result.output[-2000:]
    assert 'CODEOWNERS:3: ownership/codeowners: \'"@q\' is not an owner' in result.stderr
    assert result.page("e" * 60 + ".md")["owner"] == ["@y"]
    # A folder of 59 e's and a Z: the star rule (line 2) owns it and everything below.
    assert result.page("e" * 59 + "Z/page.md")["owner"] == ["@x"]
