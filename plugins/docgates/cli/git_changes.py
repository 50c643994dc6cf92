"""What git says changed since a ref, for ``check --changed-since``: the merge base, one
``git diff --name-status`` to the working tree, and the untracked files. A fixed number of git
runs whatever the size of the site; every failure is a usage error that says what to do."""

from __future__ import annotations

import subprocess
from pathlib import Path

from docgates.cli.main import UsageError
from docgates.core.git_log import run_git

# git's well-known id of the empty tree: the base of a repository with no commit yet.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def _git(repo_root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return run_git("git", repo_root, *args)
    except FileNotFoundError:
        raise UsageError("git is not installed; --changed-since needs it") from None


def merge_base(repo_root: Path, ref: str) -> str:
    if _git(repo_root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode:
        # No commit yet (a first commit in a pre-commit hook): everything is new.
        return EMPTY_TREE
    proc = _git(repo_root, "merge-base", ref, "HEAD")
    if proc.returncode == 0:
        return proc.stdout.decode().strip()
    known = _git(repo_root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode == 0
    shallow = _git(repo_root, "rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true"
    if not known:
        hint = (
            "fetch it first (git fetch origin <branch>); in GitHub Actions check out with "
            "'fetch-depth: 0' so the base branch is there"
        )
        raise UsageError(f"--changed-since: {ref!r} is not a known git revision; {hint}")
    if shallow:
        raise UsageError(
            f"--changed-since: this clone is shallow, so {ref!r} and HEAD have no common commit in "
            "it; fetch the full history (git fetch --unshallow, or 'fetch-depth: 0' in actions/checkout)"
        )
    raise UsageError(f"--changed-since: {ref!r} and HEAD share no history; pass the branch HEAD came from")


def diff(repo_root: Path, base: str, paths: list[str]) -> list[tuple[str, str | None, str | None]]:
    """``(status, removed_path, present_path)`` per change from ``base`` to the working tree."""
    proc = _git(
        repo_root, "diff", "--name-status", "-z", "-M", "--no-ext-diff", base, "--", *paths
    )
    if proc.returncode:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise UsageError(f"--changed-since: git diff failed: {message}")
    fields = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    result: list[tuple[str, str | None, str | None]] = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        kind = status[:1]
        if kind in ("R", "C"):
            old, new = fields[index + 1], fields[index + 2]
            index += 3
            # A copy leaves the original in place: only the new file is a change.
            result.append((status, old if kind == "R" else None, new))
            continue
        path = fields[index + 1]
        index += 2
        if kind == "D":
            result.append((status, path, None))
        elif kind in ("A", "M", "T"):
            result.append((status, None, path))
        # "U" (unmerged) and "X" are not states a page can be checked in; skip them.
    return result


def untracked(repo_root: Path, docs_repo_path: str) -> list[str]:
    proc = _git(
        repo_root, "ls-files", "--others", "--exclude-standard", "-z", "--", docs_repo_path or "."
    )
    if proc.returncode:
        return []
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
