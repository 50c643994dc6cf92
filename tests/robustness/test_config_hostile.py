"""Hostile configuration: unknown plugin options, wrong types, missing or broken registry and
checklist files. Each is a MkDocs-style config error naming the option, never a traceback,
from ``mkdocs build`` and from ``docgates check`` (exit status 2)."""

from __future__ import annotations

import pytest

from .hostile import ALL_PLUGINS, has_traceback, new_site

# label -> (plugin entry, words the error must hold, extra files)
CASES: dict[str, tuple[object, tuple[str, ...], dict[str, str]]] = {
    "interval as a number": ({"docgates/freshness": {"review_every": 5}}, ("review_every",), {}),
    "interval as a word": ({"docgates/freshness": {"review_every": "soon"}}, ("review_every", "soon"), {}),
    "intervals as a list": ({"docgates/freshness": {"intervals": ["90d"]}}, ("intervals",), {}),
    "warn_within as text": ({"docgates/freshness": {"warn_within": "two weeks"}}, ("warn_within",), {}),
    "enabled as text": ({"docgates/links": {"enabled": "sometimes"}}, ("enabled",), {}),
    "severity as text": ({"docgates/links": {"severity": "loud"}}, ("severity",), {}),
    "unknown severity level": ({"docgates/links": {"severity": {"links/broken": "fatal"}}}, ("links/broken", "fatal"), {}),
    "severity for another plugin's rule": ({"docgates/links": {"severity": {"freshness/stale": "warning"}}}, ("freshness/stale",), {}),
    "links ignore as text": ({"docgates/links": {"ignore": "*.pdf"}}, ("ignore",), {}),
    "negative concurrency": ({"docgates/links": {"concurrency": -3}}, ("concurrency",), {}),
    "leaderboard since as a word": ({"docgates/leaderboard": {"since": "yesterday"}}, ("since",), {}),
    "leaderboard until before since": ({"docgates/leaderboard": {"since": "2026-11-10", "until": "2026-11-01"}}, ("until",), {}),
    "leaderboard negative bulk_pages": ({"docgates/leaderboard": {"bulk_pages": -1}}, ("bulk_pages", "≥ 0"), {}),
    "readability thresholds as a list": ({"docgates/readability": {"thresholds": [1, 2]}}, ("thresholds",), {}),
    "missing registry file": ({"docgates/ownership": {"registry": "teams-missing.yml"}}, ("registry", "teams-missing.yml"), {}),
    "registry not YAML": ({"docgates/ownership": {"registry": "teams.yml"}}, ("teams.yml",), {"teams.yml": "'@a': [unclosed\n"}),
    "registry a list": ({"docgates/ownership": {"registry": "teams.yml"}}, ("teams.yml",), {"teams.yml": "- '@a'\n"}),
    "registry with a python tag": ({"docgates/ownership": {"registry": "teams.yml"}}, ("teams.yml",), {"teams.yml": "'@a': !!python/object/apply:os.system ['true']\n"}),
    "missing checklists file": ({"docgates/checklist": {"checklists": "dod-missing.yml"}}, ("checklists", "dod-missing.yml"), {}),
    "checklists not YAML": ({"docgates/checklist": {"checklists": "dod.yml"}}, ("dod.yml",), {"dod.yml": "adr: {required_sections: [\n"}),
    "checklists wrong shape": ({"docgates/checklist": {"checklists": "dod.yml"}}, ("dod.yml", "required_sections"), {"dod.yml": "adr:\n  required_sections: 5\n"}),
    "ignore_revs_file missing": ({"docgates/freshness": {"ignore_revs_file": "nope-revs"}}, ("ignore_revs_file",), {}),
    "dashboard path as a number": ({"docgates/quality": {"dashboard": 5}}, ("dashboard",), {}),
}


def _site(tmp_path, entry, files):
    site = new_site(tmp_path / "project")
    name = next(iter(entry)) if isinstance(entry, dict) else entry
    site.plugins(*(entry if plugin == name else plugin for plugin in ALL_PLUGINS))
    site.page("index.md", "---\nowner: '@a'\nreviewed: 2026-11-01\n---\n# Home\n\nHello.\n", dedent=False)
    for path, text in files.items():
        site.write(path, text, dedent=False)
    return site


@pytest.mark.parametrize("label", list(CASES))
def test_bad_option_is_a_config_error_naming_it(tmp_path, label, tally):
    entry, words, files = CASES[label]
    site = _site(tmp_path, entry, files)
    build = site.build()
    check = site.docgates("check")
    tally.tried(f"config: {label}", traceback=has_traceback(build.output) or has_traceback(check.stderr))
    assert not has_traceback(build.output), build.output[-3000:]
    assert build.returncode != 0, build.output[-2000:]
    assert all(word in build.output for word in words), (words, build.output[-2000:])
    assert "Aborted" in build.output or "Error" in build.output
    assert check.returncode == 2, (check.returncode, check.stdout[-1000:], check.stderr[-2000:])
    assert not has_traceback(check.stderr), check.stderr[-3000:]
    assert all(word in check.stderr for word in words), (words, check.stderr[-2000:])


def test_unknown_option_is_named(tmp_path, tally):
    site = _site(tmp_path, {"docgates/freshness": {"review_evry": "90d"}}, {})
    build = site.build()
    strict = site.build(strict=True)
    check = site.docgates("check")
    tally.tried("config: unknown option", traceback=has_traceback(build.output + strict.output + check.stderr))
    for output in (build.output, strict.output, check.stderr):
        assert "review_evry" in output and not has_traceback(output), output[-2000:]
    assert strict.returncode == 1  # MkDocs: unknown options are warnings, fatal with --strict


def test_unknown_plugin_is_named(tmp_path, tally):
    site = _site(tmp_path, "docgates/nope", {})
    site.plugins(*ALL_PLUGINS, "docgates/nope")
    build = site.build()
    check = site.docgates("check")
    tally.tried("config: unknown plugin", traceback=has_traceback(build.output + check.stderr))
    assert build.returncode == 1 and "docgates/nope" in build.output and not has_traceback(build.output)
    assert check.returncode == 2 and "docgates/nope" in check.stderr and not has_traceback(check.stderr)
