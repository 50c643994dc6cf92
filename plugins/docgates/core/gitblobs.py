"""Reading file contents and folder listings at past revisions through ONE git process.

The leaderboard compares every touched page before and after each commit of a docs day.
Spawning ``git show`` per page would cost minutes on a large site, so every read goes
through a single ``git cat-file --batch`` process. Answers carry git's object id, so callers
can tell that two revisions hold the same content without comparing (or parsing) it twice.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
from pathlib import Path
from typing import IO, Iterator, Mapping


class BlobReader:
    """``read(rev, path)`` -> bytes or None; ``list_tree(rev, folder)`` -> file paths;
    ``read_blob`` and ``folder_blobs`` answer the same with git's blob ids.

    Use as a context manager so the git process always ends. When git is missing or the
    folder is not a repository, every read answers None (the caller reports "not measured").

    A blob's content is handed out once: callers keep what they make of it (a parsed page),
    and keeping every page text of two revisions here as well would double the memory.
    """

    def __init__(self, repo_root: Path) -> None:
        self.repo_root = Path(repo_root)
        self._process: subprocess.Popen[bytes] | None = None
        self._failed = False
        # spec -> (object id, type, content), or None when git has no such object. A tree's
        # content is dropped once parsed (its listing is kept by id in ``_trees``).
        self._cache: dict[str, tuple[str, str, bytes] | None] = {}
        # tree id -> its files and subfolders
        self._trees: dict[str, Tree] = {}
        # One string per blob id and file name: most of a revision's listing repeats the last.
        self._strings: dict[str, str] = {}

    def __enter__(self) -> "BlobReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            if process.stdout:
                process.stdout.close()

    def _start(self) -> subprocess.Popen[bytes] | None:
        if self._process is None and not self._failed:
            try:
                self._process = subprocess.Popen(
                    # Small pack windows and delta cache: with git's defaults (1 GiB windows, a
                    # 96 MiB cache) the process held ~32 MiB of a 14 MiB pack beside the build,
                    # with these ~11 MiB, and reading the blobs took no longer (measured).
                    [
                        "git", "-c", "core.packedGitWindowSize=1m", "-c", "core.packedGitLimit=4m",
                        "-c", "core.deltaBaseCacheLimit=4m", "cat-file", "--batch",
                    ],
                    cwd=self.repo_root,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except OSError:
                self._failed = True
        return self._process

    def _object(self, spec: str) -> tuple[str, str, bytes] | None:
        """``(object id, type, content)`` of the object ``spec`` names (``rev:path`` or an id)."""
        if spec in self._cache:
            return self._cache[spec]
        if "\n" in spec:
            return None
        process = self._start()
        if process is None or process.stdin is None or process.stdout is None:
            return None
        try:
            process.stdin.write(spec.encode("utf-8") + b"\n")
            process.stdin.flush()
            result = _read_one(process.stdout)
        except (OSError, ValueError):
            self._failed = True
            self.close()
            return None
        self._cache[spec] = result
        return result

    def prefetch(self, specs: list[str]) -> None:
        """Ask for many objects in one round trip (``rev:path`` specs), into the cache.

        A thread writes the requests while this one reads the answers, so neither pipe can
        fill up and stall git; one request at a time would wait for git once per page.
        """
        wanted = list(dict.fromkeys(s for s in specs if s not in self._cache and "\n" not in s))
        process = self._start() if wanted else None
        if process is None or process.stdin is None or process.stdout is None:
            return
        stdin = process.stdin

        def write() -> None:
            try:
                stdin.write("".join(f"{spec}\n" for spec in wanted).encode("utf-8"))
                stdin.flush()
            except OSError:
                pass

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            for spec in wanted:
                self._cache[spec] = _read_one(process.stdout)
        except (OSError, ValueError):
            self._failed = True
            self.close()
        finally:
            writer.join(timeout=10)

    def read(self, rev: str, path: str) -> bytes | None:
        """The content of ``path`` (repository-relative) at ``rev``; None when absent."""
        found = self.read_blob(rev, path)
        return None if found is None else found[1]

    def read_blob(self, rev: str, path: str) -> tuple[str, bytes] | None:
        """``(blob id, content)`` of ``path`` at ``rev``; None when absent."""
        return self.blob(f"{rev}:{path}")

    def blob(self, spec: str) -> tuple[str, bytes] | None:
        """``(blob id, content)`` of a blob named by id or ``rev:path``; None otherwise.

        The content is handed out once (asking again reads it from git again)."""
        found = self._object(spec)
        if found is None or found[1] != "blob":
            return None
        self._cache.pop(spec, None)
        return found[0], found[2]

    def list_tree(self, rev: str, folder: str) -> list[str]:
        """Every file under ``folder`` (repository-relative, "" for the root) at ``rev``."""
        prefix = f"{folder.rstrip('/')}/" if folder else ""
        return sorted(prefix + path for path in self.folder_blobs(rev, folder))

    def folder_blobs(self, rev: str, folder: str) -> "Tree":
        """Path under ``folder`` -> blob id, for every file of ``folder`` at ``rev``.

        Folders are kept by tree id, as git keeps them: revisions that share a folder share
        its listing, so the listing of each commit of a long history costs only the folders
        the commit changed, in time and in memory.
        """
        spec = f"{rev}:{folder}" if folder else f"{rev}^{{tree}}"
        root = self._object(spec)
        if root is None or root[1] != "tree":
            return Tree({})
        tree = self._tree(root[0], root[2])
        self._cache[spec] = (root[0], root[1], b"")  # parsed: the id is all a second ask needs
        return tree

    def _tree(self, tree_id: str, data: bytes) -> "Tree":
        if tree_id in self._trees:
            return self._trees[tree_id]
        entries = list(_tree_entries(data))
        # One round trip for the subfolders not read yet.
        self.prefetch([sha for mode, _, sha in entries if mode == b"40000" and sha not in self._trees])
        intern = self._strings.setdefault
        listing: dict[str, str | Tree] = {}
        for mode, name, sha in entries:
            if mode == b"40000":
                listing[intern(name, name)] = self._subtree(sha)
            elif mode != b"160000":  # submodules are not files of this repository
                listing[intern(name, name)] = intern(sha, sha)
        tree = self._trees[tree_id] = Tree(listing)
        return tree

    def _subtree(self, tree_id: str) -> "Tree":
        if tree_id in self._trees:
            return self._trees[tree_id]
        found = self._object(tree_id)
        self._cache.pop(tree_id, None)  # parsed below: the listing is kept by id instead
        return self._tree(tree_id, found[2]) if found is not None and found[1] == "tree" else Tree({})


class Tree(Mapping[str, str]):
    """The files of one git tree: path inside it (``sub/page.md``) -> blob id.

    Subfolders are Trees of their own, shared by every tree that holds the same one, so a
    revision's listing is never copied out whole. Iterates in git's order.
    """

    __slots__ = ("_listing",)

    def __init__(self, listing: dict[str, "str | Tree"]) -> None:
        self._listing = listing

    def get(self, path: str, default: str | None = None) -> str | None:  # type: ignore[override]
        listing = self._listing
        head, slash, rest = path.partition("/")
        while slash:
            folder = listing.get(head)
            if not isinstance(folder, Tree):
                return default
            listing = folder._listing
            head, slash, rest = rest.partition("/")
        found = listing.get(head)
        return found if isinstance(found, str) else default

    def __getitem__(self, path: str) -> str:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    def __iter__(self) -> Iterator[str]:
        for name, entry in self._listing.items():
            if isinstance(entry, Tree):
                yield from (f"{name}/{path}" for path in entry)
            else:
                yield name

    def __len__(self) -> int:
        return sum(len(entry) if isinstance(entry, Tree) else 1 for entry in self._listing.values())


def is_blob(content: bytes, blob_id: str) -> bool:
    """Whether ``content`` is the blob git names ``blob_id`` (``git hash-object``, no git).

    SHA-256 repositories have 64-digit ids; both kinds are checked by the id's length.
    """
    digest = hashlib.sha256() if len(blob_id) == 64 else hashlib.sha1()
    digest.update(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest() == blob_id


def _read_one(stream: IO[bytes]) -> tuple[str, str, bytes] | None:
    header = stream.readline()
    if not header:
        raise ValueError("git cat-file ended early")
    parts = header.rstrip(b"\n").split(b" ")
    if len(parts) != 3:  # "<spec> missing" or "<spec> ambiguous"
        return None
    size = int(parts[2])
    content = stream.read(size)
    stream.read(1)  # the newline after every object
    return parts[0].decode("ascii"), parts[1].decode("ascii"), content


def _tree_entries(data: bytes):
    """``(mode, name, hex sha)`` of a raw tree object: ``<mode> <name>\\0<20-byte sha>``."""
    position = 0
    while position < len(data):
        space = data.index(b" ", position)
        nul = data.index(b"\0", space)
        mode = data[position:space]
        name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
        sha = data[nul + 1 : nul + 21].hex()
        position = nul + 21
        yield mode, name, sha
