"""Recording a review in a page file: ``reviewed`` set (see ``review_edit``), written
atomically, only if the file did not change since it was read (``review_file`` says how, and
why that way). Only regular files inside the docs folder are touched: symbolic links leading
out of it, devices, pipes and hard-linked files are refused.
"""

from __future__ import annotations

import datetime as dt
import errno
import grp
import os
import pwd
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docgates.core.user_paths import leads_outside
from docgates.freshness.review_edit import ReviewEdit, ReviewError, set_reviewed

# What a path must not be, in words a user knows.
_NOT_A_PAGE = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
}
_CHANGED = "the file changed on disk while it was being updated; run the command again"


@dataclass(frozen=True)
class _Seen:
    """The page as read: where it really is, its status when the read ended, every byte."""

    real: Path
    status: os.stat_result
    raw: bytes


def review_file(path: Path, date: dt.date, shown: str | None = None, docs_dir: Path | None = None) -> ReviewEdit:
    """Set ``reviewed`` in the page at ``path``; raise ``ReviewError`` (its message says what
    the page holds now) when the page is not a regular file whose real path lies inside
    ``docs_dir`` (default: the folder ``path`` names), cannot be read whole, or changes while
    it is updated.

    Why a new copy renamed over the page rather than a write in place: a rename is atomic, so
    a crash, a full disk or a concurrent reader never sees half a page. Its costs are handled
    here: the copy gets the page's owner and mode (or the review is refused when they cannot
    be kept), and a page with several hard links is refused (a rename would split it from its
    other names). Another program saving the page is caught by comparing inode, size, change
    time and every byte immediately before the rename; a save landing between that check and
    the rename is caught by re-reading the replaced file afterwards, and its version is put
    back. No lock-free scheme can do better against editors that take no locks: what it
    guarantees is that success is reported only for a page whose whole, unchanging text was
    the one edited.
    """
    shown = shown or str(path)
    real = _real_page(path, shown, docs_dir)
    fd = _open_regular(real, shown)
    try:
        seen = _read_whole(fd, real, shown)
        edit = set_reviewed(_decode(seen.raw, shown), date, shown)
        if edit.action == "unchanged":
            return edit
        _check_writable(seen, shown)
        try:
            replaced = _replace_if_unchanged(fd, seen, edit.text.encode("utf-8"), shown)
        except OSError as exc:  # disk full, read-only file system, no permission for the folder
            raise ReviewError(f"{shown}: cannot write the file: {exc.strerror or exc}; the page was not changed") from None
        _verify_replaced(fd, seen, replaced, shown)
    finally:
        os.close(fd)
    return edit


def _real_page(path: Path, shown: str, docs_dir: Path | None) -> Path:
    """The page's real path, which must lie inside the docs folder."""
    if ".." in path.parts:
        raise ReviewError(
            f"{shown}: the path contains '..'; pass the page's own path inside the docs folder "
            "(e.g. docs/runbooks/restart.md); nothing was changed"
        )
    root = Path(os.path.realpath(docs_dir if docs_dir is not None else path.absolute().parent))
    try:
        real = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        if os.path.islink(path):
            raise ReviewError(f"{shown}: is a symbolic link to {os.readlink(path)}, which does not exist") from None
        raise ReviewError(f"{shown}: no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReviewError(f"{shown}: is a loop of symbolic links; fix or remove the link") from None
        raise ReviewError(f"{shown}: cannot read: {exc.strerror}") from None
    outside = leads_outside(path, real, root)
    if outside:
        raise ReviewError(
            f"{shown}: {outside}; docgates review changes only pages inside it, so review the "
            "page where it lives; nothing was changed"
        )
    return real


def _open_regular(real: Path, shown: str) -> int:
    # Look before opening: opening a device can act (a tape rewinds, a watchdog arms) and a
    # FIFO blocks. O_NOFOLLOW and O_NONBLOCK cover a swap between the look and the open.
    try:
        _require_regular(os.lstat(real), shown)
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a symbolic link since it was resolved
            raise ReviewError(f"{shown}: {_CHANGED}") from None
        raise ReviewError(f"{shown}: cannot read: {exc.strerror}") from None
    try:
        _require_regular(os.fstat(fd), shown)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _require_regular(status: os.stat_result, shown: str) -> None:
    kind = stat.S_IFMT(status.st_mode)
    if kind == stat.S_IFDIR:
        raise ReviewError(f"{shown}: is a folder; pass page files (e.g. {shown.rstrip('/')}/*.md)")
    if kind != stat.S_IFREG:
        raise ReviewError(
            f"{shown}: is {_NOT_A_PAGE.get(kind, 'not a regular file')}, not a page; docgates review "
            "changes only regular Markdown files; nothing was changed"
        )


def _read_whole(fd: int, real: Path, shown: str) -> _Seen:
    """Every byte, and proof that the file did not change while it was read."""
    before = os.fstat(fd)
    raw = _read_all(fd)
    after = os.fstat(fd)
    if _signature(after) != _signature(before) or len(raw) != after.st_size:
        raise ReviewError(f"{shown}: {_CHANGED}")
    if not raw:
        # An editor saving in place truncates first: an empty page is most likely one
        # caught mid-save, and a front matter block added to it would replace the text.
        raise ReviewError(
            f"{shown}: the file is empty; write the page first (if an editor is saving it right "
            "now, wait and run the command again); nothing was changed"
        )
    return _Seen(real, after, raw)


def _read_all(fd: int) -> bytes:
    chunks, offset = [], 0
    while chunk := os.pread(fd, 1 << 16, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _signature(status: os.stat_result) -> tuple[int, ...]:
    # The change time moves on every write, truncate, chmod and link; size and bytes are
    # compared as well because it ticks coarsely (a save within one tick keeps it).
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns


def _decode(raw: bytes, shown: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ReviewError(f"{shown}:{line}: the file is not valid UTF-8; save it as UTF-8 first") from None


def _check_writable(seen: _Seen, shown: str) -> None:
    # A read-only page is protected on purpose (even from root, who could replace it anyway).
    if not seen.status.st_mode & 0o222 or not os.access(seen.real, os.W_OK):
        raise ReviewError(
            f"{shown}: the file is read-only; make it writable (chmod u+w) to record the review; "
            "the page was not changed"
        )
    if seen.status.st_nlink > 1:
        raise ReviewError(
            f"{shown}: the file has {seen.status.st_nlink} hard links (other names for the same "
            "file); recording the review writes a new copy of the page, which would split it from "
            "them; make the other names copies or symbolic links, then run the command again; "
            "nothing was changed"
        )


def _replace_if_unchanged(fd: int, seen: _Seen, data: bytes, shown: str) -> os.stat_result:
    """Rename a complete copy over the page, only if the page is still the one read; return
    the copy's status."""
    tmp, written = _write_copy(seen, data, shown)
    try:
        _still_as_read(fd, seen, shown)
        os.replace(tmp, seen.real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


def _write_copy(seen: _Seen, data: bytes, shown: str) -> tuple[Path, os.stat_result]:
    """A synced file beside the page holding ``data``, with the page's owner and mode."""
    fd, name = tempfile.mkstemp(dir=seen.real.parent, prefix=f".{seen.real.name}.", suffix=".docgates-tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            _copy_owner_and_mode(handle.fileno(), seen.status, shown)
            os.fsync(handle.fileno())
            return tmp, os.fstat(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _copy_owner_and_mode(fd: int, like: os.stat_result, shown: str) -> None:
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) != (like.st_uid, like.st_gid):
        try:
            os.fchown(fd, like.st_uid, like.st_gid)
        except PermissionError:
            owner = f"user {_user(like.st_uid)}" if mine.st_uid != like.st_uid else f"group {_group(like.st_gid)}"
            raise ReviewError(
                f"{shown}: the file belongs to {owner}, and recording the review writes a new copy "
                "of the page that this account cannot give back to them; run the command as the "
                "file's owner; the page was not changed"
            ) from None
    os.fchmod(fd, stat.S_IMODE(like.st_mode))  # after fchown, which clears set-id bits


def _still_as_read(fd: int, seen: _Seen, shown: str) -> None:
    """Immediately before the rename: the path names the inode that was read, with the same
    size, times and bytes; otherwise another program saved it, and its save wins."""
    try:
        now = os.lstat(seen.real)
    except FileNotFoundError:
        raise ReviewError(f"{shown}: {_CHANGED}") from None
    if _signature(now) != _signature(seen.status) or _read_all(fd) != seen.raw:
        raise ReviewError(f"{shown}: {_CHANGED}")


def _verify_replaced(fd: int, seen: _Seen, written: os.stat_result, shown: str) -> None:
    """After the rename: nobody wrote into the replaced file (``fd`` still reads it) between
    the last check and the rename, and the page is the copy written. A save caught in that
    gap is put back, and the review is reported as not recorded."""
    old = os.fstat(fd)
    theirs = _read_all(fd)
    if (old.st_size, old.st_mtime_ns) != (seen.status.st_size, seen.status.st_mtime_ns) or theirs != seen.raw:
        raise ReviewError(_put_back(seen, theirs, written, shown))
    try:
        now = os.lstat(seen.real)
    except FileNotFoundError:
        now = None
    if now is None or (now.st_dev, now.st_ino) != (written.st_dev, written.st_ino):
        raise ReviewError(
            f"{shown}: another program replaced the file just after the review was written; "
            "check the page and run the command again"
        )


def _put_back(seen: _Seen, theirs: bytes, written: os.stat_result, shown: str) -> str:
    """Restore another program's save over our copy (unless the page moved on again); return
    the message saying what happened."""
    what = f"{shown}: another program saved the file at the moment the review was written"
    try:
        tmp, _ = _write_copy(seen, theirs, shown)
        try:
            # The rename moved the copy's change time; its identity, size and mtime stay.
            if _signature(os.lstat(seen.real))[:4] != _signature(written)[:4]:
                tmp.unlink()
                return f"{what}, and again since; the review was not recorded: check the page and run the command again"
            os.replace(tmp, seen.real)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except (OSError, ReviewError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        return (
            f"{what}, and its version could not be put back ({reason}); the page now holds the "
            "version read before it: compare it with the other program's copy and save again"
        )
    return f"{what}; its version was put back and the review was not recorded; run the command again"


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
