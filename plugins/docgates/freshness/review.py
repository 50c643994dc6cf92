"""Recording a review: set ``reviewed`` in a page's front matter, touching nothing else.

The edit is byte-exact: the one line holding ``reviewed`` changes (or one line is added, or a
front matter block is added to a page without one); comments, key order, quoting, line
endings, a BOM and a missing trailing newline all stay. Every edit is checked by parsing the
result again, and written atomically, only if the file did not change since it was read
(``review_file`` says how, and why that way). Only regular files inside the docs folder are
touched: symbolic links leading out of it, devices, pipes and hard-linked files are refused.
"""

from __future__ import annotations

import datetime as dt
import errno
import grp
import os
import pwd
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from docgates.core.frontmatter import SafeYamlLoader, parse_page, split_front_matter
from docgates.core.git_history import _git

BOM = "\ufeff"


class ReviewError(Exception):
    """The page cannot be updated safely; the message says why and what to do."""


@dataclass(frozen=True)
class ReviewEdit:
    """The new text and what happened: ``updated``, ``added``, ``created`` (a new front
    matter block) or ``unchanged``."""

    text: str
    action: str
    previous: str | None = None


def set_reviewed(text: str, date: dt.date, path: str = "page") -> ReviewEdit:
    """Return ``text`` with ``reviewed: <date>`` set; raise ``ReviewError`` when the front
    matter is invalid or the edit cannot be made without touching other lines."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom):]
    value = date.isoformat()
    source = parse_page(path, body)
    if not source.front_matter_valid:
        problems = "; ".join(f"line {f.line}: {f.message}" for f in source.findings) or "invalid front matter"
        raise ReviewError(f"{path}: front matter is invalid ({problems}); fix it first, the page was not changed")
    if not source.has_front_matter:
        newline = _newline_of(body)
        block = f"---{newline}reviewed: {value}{newline}---{newline}"
        edit = ReviewEdit(bom + block + body, "created")
    else:
        edit = _edit_block(body, value, path)
        edit = ReviewEdit(bom + edit.text, edit.action, edit.previous)
    if edit.action != "unchanged":
        _verify(text, edit, date, path)
    return edit


def _edit_block(text: str, value: str, path: str) -> ReviewEdit:
    lines = text.splitlines(keepends=True)
    yaml_text, _, body_line = split_front_matter(text)
    assert yaml_text is not None
    close_index = body_line - 2  # index of the closing '---' line
    node = yaml.compose(yaml_text, Loader=SafeYamlLoader) if yaml_text.strip() else None
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise ReviewError(f"{path}: front matter is not a mapping of keys; the page was not changed")
    for key_node, value_node in node.value if node is not None else ():
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "reviewed":
            return _replace_value(lines, key_node, value_node, value, path)
    # No `reviewed` yet: one new line before the closing '---', indented like the other keys.
    indent = " " * (node.value[0][0].start_mark.column if node is not None and node.value else 0)
    if node is not None and node.flow_style:
        raise ReviewError(
            f"{path}: front matter is a flow mapping ({{...}}); add 'reviewed: {value}' by hand"
        )
    newline = _line_ending(lines[0]) or _newline_of(text)
    new_lines = lines[:close_index] + [f"{indent}reviewed: {value}{newline}"] + lines[close_index:]
    return ReviewEdit("".join(new_lines), "added")


def _replace_value(
    lines: list[str], key_node: yaml.Node, value_node: yaml.Node, value: str, path: str
) -> ReviewEdit:
    # Marks count from the YAML text, which starts on file line 2 (index 1).
    start, end = value_node.start_mark, value_node.end_mark
    key_line = key_node.start_mark.line + 1
    if not isinstance(value_node, yaml.ScalarNode) or value_node.style in ("|", ">"):
        raise ReviewError(
            f"{path}:{key_line + 1}: 'reviewed' is not a single date; set it to a date by hand "
            "(reviewed: YYYY-MM-DD)"
        )
    line = lines[key_line]
    if value_node.value == "" and value_node.style is None:
        # `reviewed:` with no value: YAML places the empty node anywhere after the colon.
        colon = line.index(":", key_node.end_mark.column) + 1
        new_line = line[:colon] + " " + value + line[colon:]
        lines = lines[:key_line] + [new_line] + lines[key_line + 1 :]
        return ReviewEdit("".join(lines), "updated", "")
    if start.line != end.line or start.line + 1 != key_line:
        raise ReviewError(
            f"{path}:{key_line + 1}: 'reviewed' is written over several lines; put "
            "'reviewed: YYYY-MM-DD' on one line"
        )
    quote = value_node.style if value_node.style in ("'", '"') else ""
    old_value = line[start.column:end.column]
    new_line = line[: start.column] + f"{quote}{value}{quote}" + line[end.column :]
    if new_line == line:
        return ReviewEdit("".join(lines), "unchanged", value_node.value)
    lines = lines[:key_line] + [new_line] + lines[key_line + 1 :]
    return ReviewEdit("".join(lines), "updated", old_value.strip("'\""))


def _verify(original: str, edit: ReviewEdit, date: dt.date, path: str) -> None:
    """Belt and braces: the result parses, says ``reviewed: date``, keeps every other key,
    and differs from the original in exactly one line (or one added block)."""
    before = parse_page(path, original.lstrip(BOM))
    after = parse_page(path, edit.text.lstrip(BOM))
    other_before = {k: v for k, v in before.meta.items() if k != "reviewed"}
    other_after = {k: v for k, v in after.meta.items() if k != "reviewed"}
    ok = after.front_matter_valid and after.reviewed == date and other_before == other_after
    old_lines = original.splitlines(keepends=True)
    new_lines = edit.text.splitlines(keepends=True)
    if edit.action == "updated":
        ok = ok and len(old_lines) == len(new_lines) and sum(a != b for a, b in zip(old_lines, new_lines)) == 1
    elif edit.action == "added":
        ok = ok and len(new_lines) == len(old_lines) + 1 and _one_inserted(old_lines, new_lines)
    else:
        ok = ok and edit.text.endswith(original.lstrip(BOM)) and after.body == before.body
    if not ok:
        raise ReviewError(
            f"{path}: could not set 'reviewed' without changing other lines; add "
            f"'reviewed: {date.isoformat()}' to the front matter by hand"
        )


def _one_inserted(old: list[str], new: list[str]) -> bool:
    for index, line in enumerate(old):
        if new[index] != line:
            return new[index + 1 :] == old[index:]
    return True


def _line_ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""


def _newline_of(text: str) -> str:
    """The file's own line ending (CRLF when its first line ends so), else LF."""
    index = text.find("\n")
    return "\r\n" if index > 0 and text[index - 1] == "\r" else "\n"


def first_commit_date(repo_root: Path) -> dt.date | None:
    """The day of the repository's first commit, or None when git cannot tell (no git, no
    commits yet, or a shallow clone, whose oldest commits are missing)."""
    git = shutil.which("git")
    if git is None:
        return None
    probe = _git(git, repo_root, "rev-parse", "--is-shallow-repository")
    if probe.returncode != 0 or probe.stdout.strip() != b"false":
        return None
    # The author's own calendar day (%as), as a reviewer there would have written the date.
    roots = _git(git, repo_root, "log", "--max-parents=0", "--format=%as", "HEAD")
    if roots.returncode != 0:
        return None
    return min((dt.date.fromisoformat(day) for day in roots.stdout.decode("ascii", "replace").split()), default=None)


# -- files ---------------------------------------------------------------------------------
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


def leads_outside(path: Path, real: Path, root: Path) -> str | None:
    """None when ``real`` (``path`` resolved) lies inside the real folder ``root``; else how
    ``path`` leads out of it, in words for a message."""
    if real.is_relative_to(root):
        return None
    if os.path.islink(path):
        how = f"is a symbolic link to {os.readlink(path)}, which is"
    elif real != Path(os.path.abspath(path)):
        how = f"leads through a symbolic link to {display_path(real)}, which is"
    else:
        how = "is"
    return f"{how} outside the docs folder {display_path(root)}/"


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


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when inside it (as the user typed paths)."""
    try:
        return Path(path).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


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
