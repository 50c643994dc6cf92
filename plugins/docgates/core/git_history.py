"""The repository's history, read with ONE ``git log`` per run and queried per page.

``load_history`` runs ``git rev-parse`` (is this a repository, is it shallow) and one
``git log -M --name-status -z``; everything else (renames, creation dates, authors, ignored
bulk-reformat commits) is answered from the parsed map, so a 2,000-page site costs two
subprocesses, not 2,000. Nothing here imports mkdocs.

Dates are the author date in UTC: the author date survives rebases and cherry-picks, and UTC
keeps builds reproducible whatever the committer's time zone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Literal

from docgates.core.code_patterns import docs_declare_documents

if TYPE_CHECKING:
    from docgates.core.gate import SiteContext

Status = Literal["ok", "shallow", "not-a-repo", "no-git"]
IGNORE_REVS_DEFAULT = ".git-blame-ignore-revs"
FETCH_DEPTH_FIX = (
    "fetch the full history: in GitHub Actions set 'fetch-depth: 0' on actions/checkout "
    "(GitLab CI: GIT_DEPTH: 0), or run 'git fetch --unshallow'"
)
_HEADER = "%x1e%H%x1f%P%x1f%at%x1f%aN%x1f%aE%x1f%s"
_HEX = re.compile(r"^[0-9a-fA-F]{4,40}$")
_STATUS = re.compile(rb"^[ACDMRTUXB][0-9]*$")


class IgnoreRevsError(ValueError):
    """An ignore-revs file that cannot be used; the message names file and line."""


# Slots: a big history is tens of thousands of these, and each keeps no attribute dict.
@dataclass(frozen=True, eq=False, slots=True)
class Commit:
    """One commit; ``changes`` are its file changes (empty for merges)."""

    sha: str
    timestamp: int
    date: dt.date
    author: str
    email: str
    subject: str
    parents: int = 1
    changes: list["FileChange"] = field(default_factory=list, repr=False)
    # Position in ``GitHistory.commits``: 0 is the newest commit.
    position: int = 0

    @property
    def is_merge(self) -> bool:
        return self.parents > 1


@dataclass(frozen=True, eq=False, slots=True)
class FileChange:
    """One file touched by one commit. ``status`` is git's letter (A, M, D, R, T...);
    ``similarity`` is the rename score (100 for a pure rename)."""

    commit: Commit
    status: str
    path: str
    old_path: str | None = None
    similarity: int | None = None

    @property
    def is_pure_rename(self) -> bool:
        """Moved without changing a byte: not a content change."""
        return self.status == "R" and self.similarity == 100


class GitHistory:
    """The parsed history of a repository (or of the paths it was loaded for)."""

    def __init__(
        self,
        status: Status,
        message: str = "",
        root: Path | None = None,
        commits: list[Commit] | None = None,
        ignored: Iterable[str] = (),
        elapsed: float = 0.0,
        head_files: Iterable[str] | None = None,
    ) -> None:
        self.status: Status = status
        # For any status but "ok": what is wrong and what to do, ready for a finding.
        self.message = message
        self.root = root
        # Newest first.
        self.commits: list[Commit] = commits or []
        self.elapsed = elapsed
        # Every file tracked at HEAD, sorted, when the history was read for code-coupled
        # freshness (the whole repository); None when only the docs were read.
        self.head_files: list[str] | None = sorted(head_files) if head_files is not None else None
        self._by_path: dict[str, list[FileChange]] = {}
        for commit in self.commits:
            for change in commit.changes:
                self._by_path.setdefault(change.path, []).append(change)
        self.ignored: frozenset[str] = self._resolve_ignored(ignored)
        self._chains: dict[str, list[FileChange]] = {}

    # -- views --------------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        """Whether git dates can be trusted (a full clone of a real repository)."""
        return self.status == "ok"

    def with_ignored(self, revs: Iterable[str]) -> "GitHistory":
        """The same parsed history with another set of ignored commits (no new git call)."""
        view = GitHistory.__new__(GitHistory)
        view.status, view.message, view.root = self.status, self.message, self.root
        view.commits, view.elapsed, view._by_path = self.commits, self.elapsed, self._by_path
        view.head_files = self.head_files
        view.ignored = self._resolve_ignored(revs)
        view._chains = {}
        return view

    def is_ignored(self, commit: Commit) -> bool:
        return commit.sha in self.ignored

    def _resolve_ignored(self, revs: Iterable[str]) -> frozenset[str]:
        wanted = {r.lower() for r in revs}
        full = {r for r in wanted if len(r) == 40}
        prefixes = tuple(r for r in wanted if len(r) < 40)
        if prefixes:
            full |= {c.sha for c in self.commits if c.sha.startswith(prefixes)}
        return frozenset(full)

    # -- per path -----------------------------------------------------------------------
    def changes(self, path: str, include_ignored: bool = False) -> list[FileChange]:
        """Every change of the file now at ``path``, newest first, following renames back
        to where it was added. Commits in the ignore list are left out unless asked for
        (renames in them are still followed)."""
        chain = self._chains.get(path)
        if chain is None:
            chain = self._chains[path] = self._follow(path)
        if include_ignored or not self.ignored:
            return list(chain)
        return [c for c in chain if c.commit.sha not in self.ignored]

    def _follow(self, path: str) -> list[FileChange]:
        chain: list[FileChange] = []
        current: str | None = path
        after = -1  # only changes older than the rename that led here
        seen: set[tuple[str, int]] = set()
        while current is not None and (current, after) not in seen:
            seen.add((current, after))
            next_path = None
            for change in self._by_path.get(current, ()):
                if change.commit.position <= after:
                    continue
                if change.status == "D":
                    # A deleted file of the same name is not this page's past.
                    return chain
                chain.append(change)
                if change.status == "A":
                    return chain
                if change.status in ("R", "C") and change.old_path:
                    next_path, after = change.old_path, change.commit.position
                    break
            current = next_path
        return chain

    def changes_at(self, path: str) -> list[FileChange]:
        """The changes git logged under exactly this path, newest first (renames not followed,
        ignored commits included)."""
        return self._by_path.get(path, [])

    def paths(self) -> Iterable[str]:
        """Every path the history has a change of."""
        return self._by_path.keys()

    def content_changes(self, path: str, since: dt.date | None = None) -> list[FileChange]:
        """Changes that altered the content (no pure renames, no ignored commits), newest
        first; with ``since``, only those dated after that day."""
        return [
            c
            for c in self.changes(path)
            if not c.is_pure_rename and c.status != "D" and (since is None or c.commit.date > since)
        ]

    def last_content_change(self, path: str) -> FileChange | None:
        """The newest change of the content, or None for a file git does not know.

        Newest by author date, not by log position: after a merge or a rebase the log can
        list an older-authored change first.
        """
        changes = self.content_changes(path)
        return max(changes, key=lambda c: c.commit.timestamp) if changes else None

    def created(self, path: str) -> FileChange | None:
        """The change that added the file (following renames), ignored commits included."""
        chain = self.changes(path, include_ignored=True)
        return chain[-1] if chain else None

    def authors(self, path: str, since: dt.date | None = None) -> Counter[str]:
        """Author names (mailmap applied) of the content changes, with their counts."""
        return Counter(c.commit.author for c in self.content_changes(path, since))

    def tracked(self, path: str) -> bool:
        return bool(self.changes(path, include_ignored=True))


# -- loading -------------------------------------------------------------------------------
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
    probe = _git(git, root, "rev-parse", "--is-shallow-repository", "--show-toplevel")
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
    log = _git(git, top, *args)
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


def _git(git: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
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


# -- ignore-revs files -------------------------------------------------------------------
def read_ignore_revs(path: str | os.PathLike[str]) -> set[str]:
    """Commit ids from a file in ``.git-blame-ignore-revs`` format: one id per line,
    ``#`` starts a comment. Raises ``IgnoreRevsError`` naming the bad line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IgnoreRevsError(f"{file}: cannot read the ignore-revs file: {exc}") from None
    revs: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        if not _HEX.match(value):
            raise IgnoreRevsError(
                f"{file}:{number}: {value!r} is not a commit id; write one full commit "
                "hash per line ('#' starts a comment)"
            )
        revs.add(value.lower())
    return revs


# -- one history per run -------------------------------------------------------------------
_RAW_KEY = "git-history"
IGNORE_REVS_KEY = "git-history:ignore-revs-file"


def history_for(site: "SiteContext", ignore_revs_file: str | os.PathLike[str] | None = None) -> GitHistory:
    """The site's git history, read once per run and shared by every gate.

    Ignored commits come from ``ignore_revs_file`` when given (``IgnoreRevsError`` if it
    cannot be used), else from the freshness gate's ``ignore_revs_file`` option (stored under
    ``IGNORE_REVS_KEY`` in ``begin``, so every gate that asks later sees the same commits),
    else from ``.git-blame-ignore-revs`` at the repository root when it exists and is
    readable (the freshness gate reports a broken one).
    """
    if ignore_revs_file is None and site.shared.get(IGNORE_REVS_KEY):
        try:
            return history_for(site, site.shared[IGNORE_REVS_KEY])
        except IgnoreRevsError:
            pass  # reported by the freshness gate; fall back to the default file

    def load() -> GitHistory:
        return load_history(site.repo_root, paths=docs_pathspecs(site.repo_root, site.docs_dir))

    raw: GitHistory = site.memo(_RAW_KEY, load)
    explicit = ignore_revs_file is not None
    file = Path(ignore_revs_file) if explicit else default_ignore_revs_file(site, raw)
    if file is None:
        return raw
    key = f"{_RAW_KEY}:{file.resolve()}"
    if key not in site.shared:
        try:
            revs = read_ignore_revs(file)
        except IgnoreRevsError:
            if explicit:
                raise
            return raw
        site.shared[key] = raw.with_ignored(revs)
    return site.shared[key]


def code_history_for(site: "SiteContext", ignore_revs_file: str | os.PathLike[str] | None = None) -> GitHistory:
    """The run's history with the whole repository and HEAD's files, for pages that document
    code. The early read covers it whenever the pages or the options declare ``documents``;
    only a declaration it could not see (another plugin's ``page.meta``) costs a second read."""
    history = history_for(site, ignore_revs_file)
    if history.head_files is not None or history.status in ("not-a-repo", "no-git"):
        return history
    raw: GitHistory = site.memo(f"{_RAW_KEY}:code", lambda: load_history(site.repo_root, head_files=True))
    return raw.with_ignored(history.ignored)


def default_ignore_revs_file(site: "SiteContext", history: GitHistory | None = None) -> Path | None:
    """``.git-blame-ignore-revs`` at the repository root, when there is one."""
    root = (history.root if history else None) or site.repo_root or site.config_dir
    candidate = Path(root) / IGNORE_REVS_DEFAULT
    return candidate if candidate.is_file() else None


def docs_pathspecs(repo_root: Path | None, docs_dir: Path) -> list[str] | None:
    """The docs folder as a pathspec for ``git log`` (None: the whole repository)."""
    if repo_root is None:
        return None
    try:
        relative = docs_dir.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return None
    return None if relative in ("", ".") else [relative]


def read_history_early(
    site_shared: dict, repo_root: Path | None, docs_dir: Path, documents_declared: bool = False
) -> None:
    """Start the run's one history read in a thread, before the first gate asks for it.

    ``git log`` then works in its own process while the build lists and reads its files;
    ``history_for`` waits for it (``SiteContext.memo`` resolves the future). When pages
    document code (``documents_declared``: the freshness option; else a quick look at the
    pages' front matter), the same one ``git log`` reads the whole repository instead of the
    docs folder, and HEAD's files are listed beside it.
    """
    if _RAW_KEY in site_shared:
        return
    future: Future = Future()

    def read() -> None:
        try:
            code = documents_declared or docs_declare_documents(docs_dir)
            paths = None if code else docs_pathspecs(repo_root, docs_dir)
            future.set_result(load_history(repo_root, paths=paths, head_files=code))
        except BaseException as exc:  # handed to whoever asks, as if read then
            future.set_exception(exc)

    site_shared[_RAW_KEY] = future
    threading.Thread(target=read, name="docgates-git-history", daemon=True).start()


def bench_git_pass(repo_root: str | os.PathLike[str], paths: Iterable[str] | None = None) -> dict:
    """Time one full git pass (for ``make bench``): seconds, commits and file changes."""
    started = time.perf_counter()
    history = load_history(repo_root, paths=paths)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "status": history.status,
        "commits": len(history.commits),
        "changes": sum(len(c.changes) for c in history.commits),
    }
