"""The bundled handbook: builds green under --strict, every page owned and reviewed, own words."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, TODAY, base_env

SEED = REPO_ROOT.parent / "shared" / "seed"


def _handbook_today() -> str:
    """The suite's fixed day, or the day of the newest commit when that is later: the handbook
    is judged against its own history, and a page edited after the fixed day would otherwise
    read as changed in the future. Still the same day for the same checkout."""
    proc = subprocess.run(
        ["git", "log", "-n", "500", "--format=%ct"], cwd=REPO_ROOT, env=base_env(), capture_output=True, text=True
    )
    stamps = [int(line) for line in proc.stdout.split()] if proc.returncode == 0 else []
    newest = dt.datetime.fromtimestamp(max(stamps), dt.timezone.utc).date().isoformat() if stamps else TODAY
    return max(newest, TODAY)


@pytest.fixture(scope="module")
def handbook(tmp_path_factory):
    out = tmp_path_factory.mktemp("handbook") / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=REPO_ROOT, env=base_env(DOCGATES_TODAY=_handbook_today()), capture_output=True, text=True, timeout=600,
    )
    return proc, out


def test_handbook_builds_green_under_strict(handbook):
    proc, out = handbook
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads((out / "quality.json").read_text())
    assert report["summary"]["errors"] == 0
    assert report["summary"]["warnings"] == 0
    assert report["summary"]["pages"] >= 30


def test_every_handbook_page_has_an_owner_and_a_review(handbook):
    _, out = handbook
    report = json.loads((out / "quality.json").read_text())
    for page in report["pages"]:
        assert page["owner"], page["path"]
        assert page["freshness_date"] and not page["stale"], page["path"]


def test_navigation_follows_the_configured_reading_order(handbook):
    _, out = handbook
    html = (out / "index.html").read_text()
    sections = re.findall(r'md-nav__item--nested.*?md-ellipsis">\s*([^<]+?)\s*<', html, re.S)
    assert sections[:4] == ["Learning", "Practices", "Decisions", "Postmortems"]


def _shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/seed is not beside this checkout")
def test_handbook_is_written_in_its_own_words():
    seed = set().union(*(_shingles(p.read_text()) for p in SEED.glob("*.txt")))
    copied = {}
    for page in (REPO_ROOT / "docs").rglob("*.md"):
        shared = _shingles(page.read_text()) & seed
        if shared:
            copied[str(page.relative_to(REPO_ROOT))] = [" ".join(s) for s in sorted(shared)[:3]]
    assert not copied, f"runs of 8 words copied from the seed chapter: {copied}"
