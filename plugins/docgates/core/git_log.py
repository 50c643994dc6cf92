"""Reading the history with ONE ``git log`` (and, for pages that document code, one
``git ls-tree`` beside it), and parsing what git prints.

``load_history`` runs ``git rev-parse`` (is this a repository, is it shallow) and one
``git log -M --name-status -z``, so a site costs two subprocesses whatever its size. It never
raises for a missing git or repository: the history's ``status`` and ``message`` say what is
wrong and what to do. Nothing here imports mkdocs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterable

from docgates.core.git_history import Commit, FileChange, GitHistory, Status

FETCH_DEPTH_FIX = (
    "fetch the full history: in GitHub Actions set 'fetch-depth: 0' on actions/checkout "
    "(GitLab CI: GIT_DEPTH: 0), or run 'git fetch --unshallow'"
)
_HEADER = "%x1e%H%x1f%P%x1f%at%x1f%aN%x1f%aE%x1f%s"
_STATUS = re.compile(rb"^[ACDMRTUXB][0-9]*$")


def load_history(
    repo_root: str | os.PathLike[str] | None,
    ignore_revs: Iterable[str] = (),
    paths: Iterable[str] | None = None,
    head_files: bool = False,
) -> GitHistory:
    """Read the history of the repository at ``repo_root`` with one ``git log``.

    ``paths`` limits the log to those repository-relative paths (e.g. the docs folder), which
    keeps the pass fast in large monorepos. With ``head_files``, the files tracked at HEAD are
    listed too (one ``git ls-tree``, run beside the log), for pages that document code.
    Never raises for a missing git or repository: the returned history's ``status`` and
    ``message`` say what is wrong and what to do.
    """
    started = time.perf_counter()
    git = shutil.which("git")
    if git is None:
        return GitHistory(
            "no-git",
            "git is not installed (no 'git' on PATH), so pages without 'reviewed' have no "
            "freshness date; install git in the build environment and build from a full "
            "clone, or record reviews with 'docgates review'",
        )
    if repo_root is None or not Path(repo_root).is_dir():
        return GitHistory("not-a-repo", _not_a_repo(repo_root, ""))
    root = Path(repo_root)
    probe = run_git(git, root, "rev-parse", "--is-shallow-repository", "--show-toplevel")
    if probe.returncode != 0:
        return GitHistory("not-a-repo", _not_a_repo(root, probe.stderr))
    shallow_flag, _, toplevel = probe.stdout.decode("utf-8", "surrogateescape").partition("\n")
    top = Path(toplevel.strip() or root)
    status: Status = "shallow" if shallow_flag.strip() == "true" else "ok"
    message = ""
    if status == "shallow":
        message = (
            "this is a shallow clone, so git cannot tell when pages last changed and their "
            f"git dates are treated as unknown (never as today); {FETCH_DEPTH_FIX}"
        )
    args = [
        "log", "--no-color", "--no-ext-diff", "--no-textconv", "--no-abbrev", "--use-mailmap",
        "-M", "--name-status", "-z", f"--format={_HEADER}",
    ]
    pathspecs = [p for p in (paths or ()) if p not in ("", ".")]
    if pathspecs:
        args += ["--", *pathspecs]
    listing = _start_git(git, top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD") if head_files else None
    log = run_git(git, top, *args)
    tracked = _finish_listing(listing)
    if log.returncode != 0:
        stderr = log.stderr.decode("utf-8", "replace")
        if "does not have any commits" in stderr:  # a fresh `git init`: nothing is dated yet
            return GitHistory(
                status, message, top, [], ignore_revs, time.perf_counter() - started, [] if head_files else None
            )
        return GitHistory("not-a-repo", _not_a_repo(top, log.stderr))
    commits = parse_log(log.stdout)
    return GitHistory(status, message, top, commits, ignore_revs, time.perf_counter() - started, tracked)


def run_git(git: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """One git command, its output captured, with the settings every git run of docgates
    uses: no prompt, no optional lock, C locale, paths unquoted and from the top, pathspecs
    literal (``FileNotFoundError`` when ``git`` cannot be run)."""
    return subprocess.run(_git_command(git, args), cwd=cwd, env=_git_env(), capture_output=True, check=False)


def _git_env() -> dict[str, str]:
    return dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")


def _git_command(git: str, args: Iterable[str]) -> list[str]:
    # Settings that would change what log prints (quoted paths, signatures, relative paths).
    config = ["-c", "core.quotepath=false", "-c", "log.showSignature=false", "-c", "diff.relative=false"]
    return [git, "--literal-pathspecs", "--no-pager", *config, *args]


def _start_git(git: str, cwd: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _git_command(git, args), cwd=cwd, env=_git_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def _finish_listing(process: subprocess.Popen[bytes] | None) -> list[str] | None:
    """The NUL-separated paths a started ``git ls-tree`` printed ([] for no commit yet)."""
    if process is None:
        return None
    output, _ = process.communicate()
    if process.returncode != 0:
        return []
    return [p for p in output.decode("utf-8", "surrogateescape").split("\0") if p]


def _not_a_repo(root: object, stderr: bytes | str) -> str:
    detail = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    first = next((line.strip() for line in detail.splitlines() if line.strip()), "")
    reason = f" (git says: {first})" if first else ""
    return (
        f"{root or 'the project'} is not in a git repository{reason}, so pages without "
        "'reviewed' have no freshness date; build from a git checkout with full history "
        "(in CI: actions/checkout with 'fetch-depth: 0'), or record reviews with 'docgates review'"
    )


def parse_log(data: bytes) -> list[Commit]:
    """Parse ``git log --name-status -z --format=<_HEADER>`` output, newest commit first."""
    commits: list[Commit] = []
    tokens = data.split(b"\0")
    index, count = 0, len(tokens)
    current: Commit | None = None
    # One string per distinct path, author, e-mail and day: a file changed by a thousand
    # commits is then one path in memory, not a thousand copies of it.
    shared: dict[object, object] = {}
    while index < count:
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b"\x1e"):
            current = _commit(token[1:], len(commits), shared)
            commits.append(current)
        elif current is not None and _STATUS.match(token):
            letter, score = chr(token[0]), token[1:]
            if letter in "RC" and index + 1 < count:
                old, new = _path(tokens[index], shared), _path(tokens[index + 1], shared)
                index += 2
                current.changes.append(FileChange(current, letter, new, old, int(score or 0)))
            elif index < count:
                current.changes.append(FileChange(current, letter, _path(tokens[index], shared)))
                index += 1
    return commits


def _commit(header: bytes, position: int, shared: dict[object, object]) -> Commit:
    sha, parents, stamp, name, email, subject = (
        header.decode("utf-8", "replace").split("\x1f", 5) + [""] * 6
    )[:6]
    timestamp = int(stamp or 0)
    day = timestamp // 86400
    date = shared.get(day)
    if date is None:
        date = shared[day] = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date()
    return Commit(
        sha=sha,
        timestamp=timestamp,
        date=date,  # type: ignore[arg-type]
        author=shared.setdefault(name, name),  # type: ignore[arg-type]
        email=shared.setdefault(email, email),  # type: ignore[arg-type]
        subject=subject,
        parents=len(parents.split()),
        position=position,
    )


def _path(raw: bytes, shared: dict[object, object]) -> str:
    path = raw.decode("utf-8", "surrogateescape")
    return shared.setdefault(path, path)  # type: ignore[return-value]


def first_commit_date(repo_root: Path) -> dt.date | None:
    """The day of the repository's first commit, or None when git cannot tell (no git, no
    commits yet, or a shallow clone, whose oldest commits are missing)."""
    git = shutil.which("git")
    if git is None:
        return None
    probe = run_git(git, repo_root, "rev-parse", "--is-shallow-repository")
    if probe.returncode != 0 or probe.stdout.strip() != b"false":
        return None
    # The author's own calendar day (%as), as a reviewer there would have written the date.
    roots = run_git(git, repo_root, "log", "--max-parents=0", "--format=%as", "HEAD")
    if roots.returncode != 0:
        return None
    return min((dt.date.fromisoformat(day) for day in roots.stdout.decode("ascii", "replace").split()), default=None)

