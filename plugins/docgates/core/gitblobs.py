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
from typing import IO


class BlobReader:
    """``read(rev, path)`` -> bytes or None; ``list_tree(rev, folder)`` -> file paths;
    ``read_blob`` and ``folder_blobs`` answer the same with git's blob ids.

    Use as a context manager so the git process always ends. When git is missing or the
    folder is not a repository, every read answers None (the caller reports "not measured").
    """

    def __init__(self, repo_root: Path) -> None:
        self.repo_root = Path(repo_root)
        self._process: subprocess.Popen[bytes] | None = None
        self._failed = False
        # spec -> (object id, type, content), or None when git has no such object.
        self._cache: dict[str, tuple[str, str, bytes] | None] = {}
        # tree id -> {path inside the tree: blob id}
        self._trees: dict[str, dict[str, str]] = {}
        self._prefixed: dict[str, dict[str, str]] = {}

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
                    ["git", "cat-file", "--batch"],
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
        """``(blob id, content)`` of a blob named by id or ``rev:path``; None otherwise."""
        found = self._object(spec)
        if found is None or found[1] != "blob":
            return None
        return found[0], found[2]

    def list_tree(self, rev: str, folder: str) -> list[str]:
        """Every file under ``folder`` (repository-relative, "" for the root) at ``rev``."""
        prefix = f"{folder.rstrip('/')}/" if folder else ""
        return sorted(prefix + path for path in self.folder_blobs(rev, folder))

    def folder_blobs(self, rev: str, folder: str) -> dict[str, str]:
        """Path under ``folder`` -> blob id, for every file of ``folder`` at ``rev``.

        Folders are kept by tree id: revisions that share a folder share its listing, so the
        listing of each commit of a long history costs only the folders the commit changed.
        Do not modify the answer.
        """
        root = self._object(f"{rev}:{folder}" if folder else f"{rev}^{{tree}}")
        if root is None or root[1] != "tree":
            return {}
        return self._tree_files(root[0], root[2])

    def _tree_files(self, tree_id: str, data: bytes) -> dict[str, str]:
        if tree_id in self._trees:
            return self._trees[tree_id]
        entries = list(_tree_entries(data))
        # One round trip for the subfolders not read yet.
        self.prefetch([sha for mode, _, sha in entries if mode == b"40000" and sha not in self._trees])
        files: dict[str, str] = {}
        for mode, name, sha in entries:
            if mode == b"40000":
                files.update(self._subfolder(name, sha))
            elif mode != b"160000":  # submodules are not files of this repository
                files[name] = sha
        self._trees[tree_id] = files
        return files

    def _subfolder(self, name: str, tree_id: str) -> dict[str, str]:
        """The files of subfolder ``name``, paths prefixed with it (kept: most folders of
        a revision are the same tree as in the revision before)."""
        key = f"{tree_id}/{name}"
        if key not in self._prefixed:
            sub = self._object(tree_id)
            files = self._tree_files(tree_id, sub[2]) if sub is not None and sub[1] == "tree" else {}
            self._prefixed[key] = {f"{name}/{path}": blob for path, blob in files.items()}
        return self._prefixed[key]


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
