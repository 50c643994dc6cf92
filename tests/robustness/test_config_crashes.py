"""Inputs that used to crash docgates: YAML nested 2,000 deep (in a page, in a page's git
history, in the team registry, in the checklists file), a baseline file holding numbers JSON
allows but no count can be (or a folder where the file belongs), and link options with script
URLs. Each is a message naming the file (and line where there is one), never a traceback."""

from __future__ import annotations

import json

import pytest

from conftest import Site

from .hostile import has_traceback, new_site

DEEP_LIST = "[" * 2000 + "]" * 2000
DEEP_MAPPING = "{a: " * 2000 + "b" + "}" * 2000
DEEP_BLOCK = "\n  " + "- " * 2000 + "x"
PAGE_HEAD = "---\nowner: '@a'\nreviewed: 2026-11-01\n"


def _site(root, *plugins, files: dict[str, str] | None = None) -> Site:
    site = new_site(root, *plugins)
    site.page("index.md", f"{PAGE_HEAD}---\n# Home\n\nHello.\n", dedent=False)
    for path, text in (files or {}).items():
        site.write(path, text, dedent=False)
    site.save_config()
    return site


def _assert_clean(tally, label: str, *outputs: str) -> None:
    tally.tried(label, traceback=any(has_traceback(output) for output in outputs))
    for output in outputs:
        assert not has_traceback(output), output[-3000:]
        assert "RecursionError" not in output, output[-3000:]


# -- YAML nested 2,000 deep ------------------------------------------------------------------
# label -> (plugins, files, where the message points, exit status of 'docgates check')
DEEP_YAML = {
    "page, a list": ((), {"docs/page.md": f"{PAGE_HEAD}nested: {DEEP_LIST}\n---\n# Page\n"}, "page.md:4:", 1),
    "page, a mapping": ((), {"docs/page.md": f"{PAGE_HEAD}nested: {DEEP_MAPPING}\n---\n# Page\n"}, "page.md:4:", 1),
    "page, block lists": ((), {"docs/page.md": f"{PAGE_HEAD}nested:{DEEP_BLOCK}\n---\n# Page\n"}, "page.md:5:", 1),
    "teams.yml": (
        ({"docgates/ownership": {"registry": "teams.yml"}}, "docgates/quality"),
        {"teams.yml": f'"@a":\n  name: A\n  contact: "#a"\n  extra: {DEEP_LIST}\n'},
        "teams.yml:4:",
        2,
    ),
    "checklists file": (
        ({"docgates/checklist": {"checklists": "dod.yml"}}, "docgates/quality"),
        {"dod.yml": f"adr:\n  required_sections: {DEEP_LIST}\n"},
        "dod.yml:2:",
        2,
    ),
}


@pytest.mark.parametrize("label", list(DEEP_YAML))
def test_yaml_nested_2000_deep_is_a_message_with_file_and_line(tmp_path, label, tally):
    plugins, files, where, check_status = DEEP_YAML[label]
    site = _site(tmp_path / "project", *plugins, files=files)
    build = site.build()
    check = site.docgates("check")
    _assert_clean(tally, f"deep YAML: {label}", build.output, check.stdout + check.stderr)
    assert build.returncode == 1, build.output[-2000:]
    assert check.returncode == check_status, (check.returncode, check.stdout[-1000:], check.stderr[-2000:])
    for output in (build.output, check.stdout + check.stderr):
        [line] = [line for line in output.splitlines() if where in line]
        assert "nested more than 100 levels deep" in line, line
    if check_status == 1:  # a page: one finding of its own, the other pages still judged
        assert f"{where} frontmatter/invalid" in check.stdout
        assert build.report is not None and "frontmatter/invalid" in build.rules("page.md")


def test_leaderboard_reads_a_2000_deep_page_version_from_git(git_site, tally):
    """The leaderboard parses old versions of pages from git: a bad one is only a bad version,
    and the rest of the docs day still scores."""
    site, repo = git_site
    site.plugins({"docgates/leaderboard": {"docs_day": "2026-11-12"}}, "docgates/quality")
    repo.commit("old", "2026-01-05T10:00:00+00:00", files={
        "docs/index.md": f"{PAGE_HEAD}---\n# Home\n",
        "docs/guide.md": "---\nreviewed: 2026-01-05\n---\n# Guide\n\nText.\n",
    })
    repo.commit("nest", "2026-11-12T10:00:00+00:00", author="Dee Deep <dee@example.com>",
                files={"docs/index.md": f"{PAGE_HEAD}nested: {DEEP_LIST}\n---\n# Home\n\nMore.\n"})
    repo.commit("review", "2026-11-12T11:00:00+00:00", author="Ray Rescuer <ray@example.com>",
                files={"docs/guide.md": "---\nreviewed: 2026-11-12\n---\n# Guide\n\nText.\n"})
    repo.commit("unnest", "2026-11-20T10:00:00+00:00", files={"docs/index.md": f"{PAGE_HEAD}---\n# Home\n"})
    build = site.build()
    board = site.docgates("leaderboard", "--since", "2026-11-12", "--until", "2026-11-12")
    _assert_clean(tally, "deep YAML: leaderboard history", build.output, board.stdout + board.stderr)
    assert build.returncode == 0, build.output[-2000:]
    assert "Ray Rescuer" in (site.root / "site" / "leaderboard" / "index.html").read_text(encoding="utf-8")
    assert board.returncode == 0, board.stderr[-2000:]
    assert "Ray Rescuer" in board.stdout


# -- the baseline file -----------------------------------------------------------------------
def _entry_with_count(count: str) -> str:
    return ('{"docgates_baseline": 1, "findings": [{"path": "old.md", "rule": "frontmatter/invalid", '
            f'"fingerprint": "x", "count": {count}}}]}}\n')


BASELINES: dict[str, bytes] = {
    "Infinity": _entry_with_count("Infinity").encode(),
    "1e400": _entry_with_count("1e400").encode(),
    "5,000-digit count": _entry_with_count("9" * 5000).encode(),
    "100,000 nested [": b"[" * 100_000,
    "not UTF-8": b'{"findings": [\xff\xfe]}',
}
BAD_PAGE = "---\nreviewed: someday\n---\n# Old\n\nText.\n"


@pytest.mark.parametrize("label", list(BASELINES))
def test_broken_baseline_is_named_and_rewritten_by_docgates_baseline(tmp_path, label, tally):
    site = _site(tmp_path / "project", "docgates/quality", files={"docs/old.md": BAD_PAGE})
    baseline_file = site.root / ".docgates-baseline.json"
    baseline_file.write_bytes(BASELINES[label])
    check = site.docgates("check")
    build = site.build()
    rewrite = site.docgates("baseline")
    _assert_clean(tally, f"baseline: {label}", check.stderr, build.output, rewrite.stderr)
    assert check.returncode == 2, (check.returncode, check.stderr[-2000:])
    assert build.returncode == 1, build.output[-2000:]
    for output in (check.stderr, build.output):
        assert ".docgates-baseline.json: not a readable baseline" in output, output[-2000:]
        assert "docgates baseline" in output
    assert rewrite.returncode == 0, rewrite.stderr[-2000:]
    recorded = json.loads(baseline_file.read_text(encoding="utf-8"))["findings"]
    assert [(e["path"], e["rule"], e["count"]) for e in recorded] == [("old.md", "frontmatter/invalid", 1)]
    assert site.docgates("check").returncode == 0


def test_folder_at_the_baseline_path_says_what_to_do(tmp_path, tally):
    site = _site(tmp_path / "project", "docgates/quality", files={"docs/old.md": BAD_PAGE})
    folder = site.root / ".docgates-baseline.json"
    folder.mkdir()
    check = site.docgates("check")
    build = site.build()
    rewrite = site.docgates("baseline")
    _assert_clean(tally, "baseline: a folder", check.stderr, build.output, rewrite.stderr)
    assert (check.returncode, build.returncode, rewrite.returncode) == (2, 1, 2)
    for output in (check.stderr, build.output, rewrite.stderr):
        assert ".docgates-baseline.json: is a folder, not a baseline file; move it away" in output, output[-2000:]
        assert "'baseline' option" in output
    assert folder.is_dir() and not any(folder.iterdir())


# -- options that become links ---------------------------------------------------------------
CHAT_URLS = [
    "javascript:alert(document.domain)//{channel}",
    "JavaScript:alert(1)//{channel}",
    "data:text/html,<x-pwn>{channel}",
    " javascript:alert(1)//{channel}",
]


@pytest.mark.parametrize("chat_url", CHAT_URLS)
def test_chat_url_must_be_http(tmp_path, chat_url, tally):
    site = _site(
        tmp_path / "project",
        {"docgates/ownership": {"registry": "teams.yml", "chat_url": chat_url}},
        files={"teams.yml": '"@a": {name: A, contact: "#a"}\n'},
    )
    build = site.build()
    check = site.docgates("check")
    _assert_clean(tally, f"chat_url: {chat_url}", build.output, check.stderr)
    assert build.returncode == 1 and check.returncode == 2, (build.returncode, check.returncode)
    for output in (build.output, check.stderr):
        assert "chat_url:" in output and "must start with https:// or http://" in output, output[-2000:]


# label -> (the team's address lines, the line the message points at, what it says)
REGISTRY_LINKS = {
    "url javascript:": ('contact: "#a"\n  url: "javascript:alert(1)"', 4, "url 'javascript:alert(1)' must start with https://"),
    "url data:": ('contact: "#a"\n  url: "data:text/html,<x-pwn>"', 4, "must start with https://"),
    "contact javascript:": ('contact: "javascript:alert(1)"', 3, "is not a chat channel"),
    "contact javascript: with an @": ('contact: "javascript:alert(1)//@evil.example"', 3, "is not a chat channel"),
    "contact data: with an @": ('contact: "data:text/html,x@evil.example"', 3, "is not a chat channel"),
}


@pytest.mark.parametrize("label", list(REGISTRY_LINKS))
def test_registry_script_urls_are_config_errors_at_their_line(tmp_path, label, tally):
    """A registry address that is not http(s) (or an email, or a channel) is refused with its
    line rather than shown as text: a registry is the site's own config, so its author fixes it
    once, and no page ever carries a link the reader could be tricked into."""
    entry, line, words = REGISTRY_LINKS[label]
    site = _site(
        tmp_path / "project",
        {"docgates/ownership": {"registry": "teams.yml"}},
        files={"teams.yml": f'"@a":\n  name: A\n  {entry}\n'},
    )
    build = site.build()
    check = site.docgates("check")
    _assert_clean(tally, f"registry: {label}", build.output, check.stderr)
    assert build.returncode == 1 and check.returncode == 2, (build.returncode, check.returncode)
    for output in (build.output, check.stderr):
        assert f"teams.yml:{line}: @a: " in output and words in output, output[-2000:]



def test_mkdocs_yml_nested_2000_deep_is_a_configuration_error(tmp_path, tally):
    """MkDocs' own loader recurses once per level: 'docgates check' says which file, never
    'This is a docgates bug'."""
    site = _site(tmp_path / "project", "docgates/ownership")
    config = (site.root / "mkdocs.yml").read_text(encoding="utf-8")
    (site.root / "mkdocs.yml").write_text(config + f"extra:\n  deep: {DEEP_LIST}\n", encoding="utf-8")
    check = site.docgates("check")
    _assert_clean(tally, "mkdocs.yml nested 2000 deep", check.stdout + check.stderr)
    assert check.returncode == 2
    assert "mkdocs.yml: lists or mappings are nested too deep" in check.stderr
    assert "docgates bug" not in check.stderr
