"""Real sites for the org view's tests: small MkDocs projects in git, built on fixed days."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import REPO_ROOT, GitRepo, Site, base_env

DAY_ONE = "2026-11-24"
DAY_TWO = "2027-03-01"
PROSE = "We write short pages. Readers find what they need. Teams keep them fresh. " * 8
PLUGINS = ["docgates/ownership", "docgates/freshness", "docgates/leaderboard", "docgates/quality"]


def make_site(root: Path, name: str, author: str) -> Site:
    """Three pages: fresh (a team's), due in early 2027 (a person's), and one without owner."""
    site = Site(root)
    site.config["site_name"] = name
    site.plugins({"docgates/ownership": {"registry": "teams.yml"}}, *PLUGINS[1:])
    site.save_config()
    repo = GitRepo(root)
    repo.commit("pages", "2026-11-10T10:00:00+00:00", author=author, files={
        "teams.yml": '"@docs-team": {name: Docs team, contact: "#docs"}\n',
        "docs/index.md": f"---\nowner: \"@docs-team\"\nreviewed: 2026-11-01\n---\n# {name} home\n\n{PROSE}\n",
        "docs/guide.md": f"---\nowner: \"@alice\"\nreviewed: 2026-06-01\n---\n# Guide\n\n{PROSE}\n",
        "docs/loose.md": f"---\nreviewed: 2026-11-01\n---\n# Loose page\n\n{PROSE}\n",
    })
    return site


def build_on(site: Site, day: str, into: Path) -> Path:
    """Build the site as CI would on ``day``; keep its folder at ``into`` (a published copy)."""
    proc = site.run(sys.executable, "-m", "mkdocs", "build", env=base_env(DOCGATES_TODAY=day))
    # The ownerless page is an error: the build fails as CI's would, and still publishes its report.
    assert (site.root / "site" / "quality.json").is_file(), proc.stderr[-3000:]
    if into.exists():
        shutil.rmtree(into)
    shutil.copytree(site.root / "site", into)
    return into


def docgates(*args: str, cwd: Path, day: str = DAY_ONE, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "docgates", *args], cwd=cwd, env=base_env(DOCGATES_TODAY=day, **env),
                          capture_output=True, text=True, timeout=600)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["REPO_ROOT", "DAY_ONE", "DAY_TWO", "make_site", "build_on", "docgates", "read_json"]
