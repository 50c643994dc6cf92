"""Shared fixtures: real MkDocs sites in tmp_path, real git repos with fixed dates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

TODAY = "2026-11-24"
REPO_ROOT = Path(__file__).resolve().parent.parent


def base_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DOCGATES_TODAY=TODAY,
        NO_MKDOCS_2_WARNING="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        # Keep the dev machine's git identity and pager out of tests.
        GIT_AUTHOR_NAME="Test Author",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test Author",
        GIT_COMMITTER_EMAIL="test@example.com",
        PAGER="cat",
    )
    # A test run inside CI must behave as on a laptop (freshness/unknown is an error in CI).
    for name in ("GITHUB_STEP_SUMMARY", "CI", "GITHUB_ACTIONS"):
        env.pop(name, None)
    env.update(extra)
    return env


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def page(self, path: str) -> dict[str, Any]:
        assert self.report is not None, "no quality.json was written"
        for page in self.report["pages"]:
            if page["path"] == path:
                return page
        raise AssertionError(f"{path} not in quality.json: {[p['path'] for p in self.report['pages']]}")

    def rules(self, path: str | None = None) -> list[str]:
        assert self.report is not None
        pages = self.report["pages"] if path is None else [self.page(path)]
        return sorted(f["rule"] for p in pages for f in p["findings"])


class Site:
    """A MkDocs project in a temporary folder (``root``), docs under ``root/docs``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs = root / "docs"
        self.docs.mkdir(parents=True, exist_ok=True)
        self.config: dict[str, Any] = {
            "site_name": "Fixture",
            "site_url": "http://127.0.0.1/",
            "theme": {"name": "material", "font": False, "features": ["navigation.prune"]},
            "plugins": ["search"],
        }

    def write(self, path: str, text: str, dedent: bool = True) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8")
        return target

    def page(self, path: str, text: str, dedent: bool = True) -> Path:
        return self.write(f"docs/{path}", text, dedent)

    def plugins(self, *plugins: str | dict[str, Any]) -> "Site":
        self.config["plugins"] = ["search", *plugins]
        return self

    def save_config(self) -> Path:
        return self.write("mkdocs.yml", yaml.safe_dump(self.config, sort_keys=False), dedent=False)

    def run(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(args), cwd=cwd or self.root, env=env or base_env(), capture_output=True, text=True, timeout=600
        )

    def build(
        self, *extra: str, strict: bool = False, env: dict[str, str] | None = None, keep_config: bool = False
    ) -> Result:
        """``mkdocs build`` as a user runs it; ``keep_config`` keeps a hand-written mkdocs.yml."""
        if not keep_config:
            self.save_config()
        args = [sys.executable, "-m", "mkdocs", "build", *extra]
        if strict:
            args.append("--strict")
        proc = self.run(*args, env=env)
        return Result(proc.returncode, proc.stdout, proc.stderr, self.read_report())

    def docgates(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        if not (self.root / "mkdocs.yml").exists():
            self.save_config()
        return self.run(sys.executable, "-m", "docgates", *args, env=env)

    def read_report(self) -> dict[str, Any] | None:
        path = self.root / "site" / "quality.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


class GitRepo:
    """A real git repository whose commits carry fixed dates and authors."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.root, env=env or base_env(), capture_output=True, text=True
        )
        if proc.returncode:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout

    def commit(
        self,
        message: str,
        date: str = "2026-01-15T12:00:00+00:00",
        author: str = "Ann Author <ann@example.com>",
        files: dict[str, str | None] | None = None,
    ) -> str:
        """Write (or, with None, delete) ``files``, then commit everything with that date."""
        for path, text in (files or {}).items():
            target = self.root / path
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(textwrap.dedent(text), encoding="utf-8")
        name, _, email = author.partition(" <")
        env = base_env(
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email.rstrip(">"),
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=email.rstrip(">"),
            GIT_COMMITTER_DATE=date,
        )
        self.git("add", "-A", env=env)
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "project")


@pytest.fixture
def git_site(tmp_path: Path) -> tuple[Site, GitRepo]:
    """A site whose folder is also a git repository."""
    project = Site(tmp_path / "project")
    return project, GitRepo(project.root)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGATES_TODAY", TODAY)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def pytest_configure(config):
    # Where the robustness suite's workers leave their tallies: one folder per run, set before
    # xdist starts the workers (they inherit it), so concurrent runs stay apart.
    if not hasattr(config, "workerinput") and "DOCGATES_TALLY_DIR" not in os.environ:
        import tempfile

        os.environ["DOCGATES_TALLY_DIR"] = tempfile.mkdtemp(prefix="docgates-tally-")


def pytest_terminal_summary(terminalreporter):
    """The robustness suite's hostile-input figure also when it runs inside `make test`: under
    xdist the controller never loads tests/robustness/conftest.py, so its own hook is silent."""
    from robustness.conftest import pytest_terminal_summary as robustness_summary

    robustness_summary(terminalreporter)
    if not hasattr(terminalreporter.config, "workerinput"):
        try:
            os.rmdir(os.environ.get("DOCGATES_TALLY_DIR", ""))
        except OSError:
            pass  # not created by this run, or figures of a crashed worker left in it
