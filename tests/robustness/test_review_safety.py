"""``docgates review`` and ``docgates new`` never lose a user's bytes nor write outside docs/.

Each case is an input from the issue that reported it: an editor saving the page while review
runs, symbolic links out of docs/, devices, pipes, hard links, another owner's file, paths with
``..``, impossible review dates, a symlinked folder under ``docgates new``. Concurrent saves are
made by a real writer process that waits on handshake files, never on timing luck.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import GitRepo, Site, base_env
from docgates.freshness import review
from docgates.freshness.review import review_file
from docgates.freshness.review_edit import ReviewError

from .hostile import has_traceback

DOCGATES = str(Path(sys.executable).with_name("docgates"))  # the console script users run
DATE = dt.date(2026, 11, 24)
RUNBOOK = "---\nreviewed: 2020-01-01\n---\n# Runbook\n\nbody\n"  # the page
NOBODY = 65534
# An editor saving in place: open with truncation, then write. Each step waits for the test.
WRITER = r"""
import os, sys, time
page, steps_dir, text = sys.argv[1], sys.argv[2], sys.argv[3]
def signal(name): open(os.path.join(steps_dir, name), "w").close()
def wait(name):
    deadline = time.monotonic() + 300  # a hang guard, not a timing: the test signals first
    while not os.path.exists(os.path.join(steps_dir, name)):
        if time.monotonic() > deadline: sys.exit("no " + name)
        time.sleep(0.005)
signal("started")
wait("truncate")
handle = open(page, "w", encoding="utf-8")
signal("truncated")
wait("write")
handle.write(text)
handle.close()
signal("saved")
"""


class Editor:
    """A real process saving ``page`` in place, one step at a time."""

    def __init__(self, page: Path, steps: Path, text: str) -> None:
        steps.mkdir()
        self.steps = steps
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, str(page), str(steps), text])
        self.wait("started")

    def go(self, step: str, then: str) -> None:
        (self.steps / step).touch()
        self.wait(then)

    def save(self) -> None:
        self.go("truncate", "truncated")
        self.go("write", "saved")

    def wait(self, name: str) -> None:
        deadline = time.monotonic() + 300  # hang guard
        while not (self.steps / name).exists():
            # The editor may signal its last step and exit between the two looks: look again.
            exited = self.process.poll() is not None
            assert not exited or (self.steps / name).exists(), f"the editor process exited before {name}"
            assert time.monotonic() < deadline, f"the editor never reached {name}"
            time.sleep(0.005)

    def finish(self) -> None:
        assert self.process.wait(timeout=300) == 0


def docgates(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DOCGATES, *args], cwd=root, env=base_env(), capture_output=True, text=True, timeout=600)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root`` without following links: kind, inode, links, mode, owner,
    and bytes (files) or target (links)."""
    entries = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            content = path.read_bytes() if stat.S_ISREG(info.st_mode) else (
                os.readlink(path) if stat.S_ISLNK(info.st_mode) else None
            )
            entries[str(path.relative_to(root))] = (
                info.st_mode, info.st_ino, info.st_nlink, info.st_uid, info.st_gid, content,
            )
    return entries


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """``tmp_path/project`` with docs/, beside ``tmp_path/outside`` (what links must not reach)."""
    (tmp_path / "project" / "docs").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return tmp_path / "project"


# -- 1. a page saved at the same moment ------------------------------------------------------
def test_page_truncated_by_an_editor_mid_save_is_refused_not_wiped(project, tmp_path, tally):
    page = project / "docs" / "p.md"
    page.write_text(RUNBOOK, encoding="utf-8")
    editor = Editor(page, tmp_path / "steps", RUNBOOK)
    editor.go("truncate", "truncated")  # the editor has truncated and not yet written
    inode = page.stat().st_ino
    proc = docgates(project, "review", "docs/p.md")
    editor.go("write", "saved")
    editor.finish()
    tally.tried("review: page empty mid-save", traceback=has_traceback(proc.stderr), changed=page.read_text() != RUNBOOK)
    assert proc.returncode == 1, proc.stderr
    assert "docs/p.md: the file is empty" in proc.stderr and "run the command again" in proc.stderr
    assert proc.stdout == ""
    assert page.stat().st_ino == inode  # the editor's file is still the page
    assert page.read_text() == RUNBOOK  # with the editor's text
    assert sorted(p.name for p in page.parent.iterdir()) == ["p.md"]


def test_a_save_between_the_read_and_the_rename_wins(project, tmp_path, monkeypatch, tally):
    page = project / "docs" / "p.md"
    page.write_text(RUNBOOK, encoding="utf-8")
    theirs = RUNBOOK.replace("body", "body, and the editor's new line")
    editor = Editor(page, tmp_path / "steps", theirs)
    edit_then_let_the_editor_save = _after(review, "set_reviewed", editor.save)
    monkeypatch.setattr(review, "set_reviewed", edit_then_let_the_editor_save)
    inode = page.stat().st_ino
    with pytest.raises(ReviewError) as info:
        review_file(page, DATE, "docs/p.md", project / "docs")
    editor.finish()
    tally.tried("review: saved between read and rename", changed=page.read_text() != theirs)
    assert str(info.value) == "docs/p.md: the file changed on disk while it was being updated; run the command again"
    assert page.read_text() == theirs and page.stat().st_ino == inode
    assert sorted(p.name for p in page.parent.iterdir()) == ["p.md"]


def test_a_save_landing_after_the_last_check_is_put_back(project, tmp_path, monkeypatch, tally):
    page = project / "docs" / "p.md"
    page.write_text(RUNBOOK, encoding="utf-8")
    theirs = RUNBOOK.replace("body", "body, saved in the last instant")
    editor = Editor(page, tmp_path / "steps", theirs)
    # The editor saves into the page after the last check passed and before the rename.
    monkeypatch.setattr(review, "_still_as_read", _after(review, "_still_as_read", editor.save))
    with pytest.raises(ReviewError) as info:
        review_file(page, DATE, "docs/p.md", project / "docs")
    editor.finish()
    tally.tried("review: saved after the last check", changed=page.read_text() != theirs)
    assert "docs/p.md: another program saved the file at the moment the review was written" in str(info.value)
    assert "its version was put back and the review was not recorded" in str(info.value)
    assert page.read_text() == theirs
    assert sorted(p.name for p in page.parent.iterdir()) == ["p.md"]


def _after(module, name: str, action):
    """``module.name`` that runs ``action`` after doing its own work."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        action()
        return result

    return wrapper


# -- 2 and 5. links, special files, hard links, paths outside docs ---------------------------
def _symlink_out(project: Path) -> None:
    (project.parent / "outside" / "victim.sh").write_text("#!/bin/sh\necho ok\n")
    (project / "docs" / "link.md").symlink_to("../../outside/victim.sh")


def _device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except PermissionError:
        pytest.skip("creating a device node needs root")


def _device_link(project: Path) -> None:
    _device(project.parent / "outside" / "null")
    (project / "docs" / "null.md").symlink_to("../../outside/null")


def _fifo_link(project: Path) -> None:
    os.mkfifo(project / "docs" / "pipe.fifo")
    (project / "docs" / "pipe.md").symlink_to("pipe.fifo")


def _hard_link(project: Path) -> None:
    (project / "docs" / "a.md").write_text("# Shared\n")
    os.link(project / "docs" / "a.md", project / "docs" / "b.md")


def _folder_out(project: Path) -> None:
    (project.parent / "outside" / "page.md").write_text("# Elsewhere\n")
    (project / "docs" / "ext").symlink_to("../../outside", target_is_directory=True)


def _readme(project: Path) -> None:
    (project / "README.md").write_text("# Readme\n")


# label -> (how to make it, the path passed, words the refusal must hold)
REFUSED = {
    "symlink to a script outside docs": (
        _symlink_out, "docs/link.md",
        "docs/link.md: is a symbolic link to ../../outside/victim.sh, which is outside the docs folder docs/",
    ),
    "symlink to a character device": (
        _device_link, "docs/null.md", "docs/null.md: is a symbolic link to ../../outside/null, which is outside",
    ),
    "character device in docs": (
        lambda p: _device(p / "docs" / "dev.md"), "docs/dev.md", "docs/dev.md: is a character device, not a page",
    ),
    "fifo": (lambda p: os.mkfifo(p / "docs" / "pipe.md"), "docs/pipe.md", "docs/pipe.md: is a named pipe (FIFO)"),
    "symlink to a fifo in docs": (_fifo_link, "docs/pipe.md", "docs/pipe.md: is a named pipe (FIFO)"),
    "hard-linked page": (_hard_link, "docs/a.md", "docs/a.md: the file has 2 hard links"),
    "folder symlinked out of docs": (
        _folder_out, "docs/ext/page.md", "docs/ext/page.md: leads through a symbolic link to",
    ),
    "page outside docs": (_readme, "README.md", "README.md: is outside the docs folder docs/"),
    "name with ..": (_readme, "docs/../README.md", "docs/../README.md: the path contains '..'"),
    "name with .. back into docs": (
        lambda p: (p / "docs" / "p.md").write_text("# P\n"), "docs/../docs/p.md", "the path contains '..'",
    ),
    "empty page": (lambda p: (p / "docs" / "empty.md").touch(), "docs/empty.md", "docs/empty.md: the file is empty"),
}


@pytest.mark.parametrize("label", list(REFUSED))
def test_review_refuses_what_is_not_a_page_in_docs(project, label, tally):
    make, path, words = REFUSED[label]
    make(project)
    before = snapshot(project.parent)
    proc = docgates(project, "review", path)  # a FIFO would block here: the timeout is the hang guard
    after = snapshot(project.parent)
    tally.tried(f"review: {label}", traceback=has_traceback(proc.stderr), changed=after != before)
    assert proc.returncode == 1, proc.stderr
    assert words in proc.stderr, proc.stderr
    assert "nothing was changed" in proc.stderr, proc.stderr
    assert not has_traceback(proc.stderr)
    assert after == before


def test_review_through_a_link_inside_docs_keeps_the_link_mode_and_owner(project, tally):
    page = project / "docs" / "page.md"
    page.write_text("# Page\n")
    page.chmod(0o640)
    (project / "docs" / "alias.md").symlink_to("page.md")
    if os.geteuid() == 0:
        os.chown(page, NOBODY, NOBODY)
    owner = (page.stat().st_uid, page.stat().st_gid)
    proc = docgates(project, "review", "docs/alias.md")
    tally.tried("review: link inside docs", traceback=has_traceback(proc.stderr))
    assert proc.returncode == 0, proc.stderr
    assert page.read_text() == "---\nreviewed: 2026-11-24\n---\n# Page\n"
    assert (project / "docs" / "alias.md").is_symlink()
    assert stat.S_IMODE(page.stat().st_mode) == 0o640
    assert (page.stat().st_uid, page.stat().st_gid) == owner


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another user needs root")
def test_a_page_whose_owner_cannot_be_kept_is_refused(tally):
    # Outside pytest's temp folder, which only root may enter. In-process, as the effective
    # user nobody (a child process as nobody cannot reach this interpreter under /root).
    root = Path(tempfile.mkdtemp(prefix="docgates-owner-"))
    try:
        root.chmod(0o755)
        docs = root / "docs"
        docs.mkdir(mode=0o777)
        docs.chmod(0o777)
        page = docs / "p.md"
        page.write_text("# Shared page\n")
        page.chmod(0o666)  # anyone may write it, but root owns it
        before = snapshot(root)
        with acting_as(NOBODY), pytest.raises(ReviewError) as info:
            review_file(page, DATE, "docs/p.md", docs)
        after = snapshot(root)
        tally.tried("review: another user's page", changed=after != before)
        assert str(info.value) == (
            "docs/p.md: the file belongs to user root, and recording the review writes a new copy of "
            "the page that this account cannot give back to them; run the command as the file's "
            "owner; the page was not changed"
        )
        assert after == before
    finally:
        shutil.rmtree(root)


@contextlib.contextmanager
def acting_as(uid: int):
    os.setegid(uid)
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


# -- 4. impossible review dates --------------------------------------------------------------
def test_review_refuses_dates_before_the_repository_or_far_in_the_past(project, tally):
    repo = GitRepo(project)
    page = project / "docs" / "p.md"
    repo.commit("first", date="2026-01-15T12:00:00+00:00", files={"docs/p.md": "# P\n"})
    for value, words in [
        ("0001-01-01", "--date: 0001-01-01 is more than 20 years ago"),
        ("2026-01-14", "--date: 2026-01-14 is before the repository's first commit (2026-01-15)"),
        ("2026-11-26", "--date: 2026-11-26 is in the future (today is 2026-11-24)"),
    ]:
        proc = docgates(project, "review", "--date", value, "docs/p.md")
        tally.tried(f"review --date {value}", traceback=has_traceback(proc.stderr), changed=page.read_text() != "# P\n")
        assert proc.returncode == 2, proc.stderr
        assert words in proc.stderr and "pass the day the review happened" in proc.stderr, proc.stderr
        assert page.read_text() == "# P\n"
    ok = docgates(project, "review", "--date", "2026-01-15", "docs/p.md")
    assert ok.returncode == 0, ok.stderr
    assert page.read_text().startswith("---\nreviewed: 2026-01-15\n---\n")


def test_review_date_far_in_the_past_is_refused_outside_a_repository(project, tally):
    page = project / "docs" / "p.md"
    page.write_text("# P\n")
    proc = docgates(project, "review", "--date", "0001-01-01", "docs/p.md")
    changed = page.read_text() != "# P\n"
    tally.tried("review --date 0001-01-01 (no git)", traceback=has_traceback(proc.stderr), changed=changed)
    assert proc.returncode == 2 and "0001-01-01 is more than 20 years ago" in proc.stderr, proc.stderr
    assert page.read_text() == "# P\n"


# -- docgates new: nothing outside docs ------------------------------------------------------
def _new_site(project: Path) -> Site:
    site = Site(project)
    site.plugins("docgates/checklist")
    site.page("index.md", "# Home\n")
    site.save_config()
    return site


def _templates_out(project: Path) -> None:
    (project.parent / "outside" / "adr.md").write_text("---\ntemplate_for: adr\n---\n# Secret\n\nsecret text\n")
    (project / "docs" / "templates").mkdir()
    (project / "docs" / "templates" / "adr.md").symlink_to("../../../outside/adr.md")


NEW_REFUSED = {
    "folder symlinked out of the repository": (
        lambda p: (p / "docs" / "decisions").symlink_to("../../outside", target_is_directory=True),
        ("adr", "Use Postgres"),
        "docs/decisions is a symbolic link to ../../outside, which is outside the docs folder docs/",
    ),
    "parent folder symlinked out (folder created through it)": (
        lambda p: (p / "docs" / "learning").symlink_to("../../outside", target_is_directory=True),
        ("techtalk", "Intro"),
        "docs/learning is a symbolic link to ../../outside, which is outside the docs folder docs/",
    ),
    "template symlinked out of the repository": (
        _templates_out, ("adr", "Use Postgres"),
        "the template docs/templates/adr.md is a symbolic link to ../../../outside/adr.md, which is outside",
    ),
}


@pytest.mark.parametrize("label", list(NEW_REFUSED))
def test_new_refuses_to_follow_links_out_of_docs(project, label, tally):
    make, args, words = NEW_REFUSED[label]
    _new_site(project)
    make(project)
    before = snapshot(project.parent)
    proc = docgates(project, "new", *args, "--owner", "@team")
    after = snapshot(project.parent)
    tally.tried(f"new: {label}", traceback=has_traceback(proc.stderr), changed=after != before)
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr, proc.stderr
    assert not has_traceback(proc.stderr) and proc.stdout == ""
    assert after == before


def test_new_title_with_dots_and_slashes_stays_in_its_folder(project, tally):
    _new_site(project)
    proc = docgates(project, "new", "runbook", "../../outside/pwn", "--owner", "@team")
    tally.tried("new: title with ../", traceback=has_traceback(proc.stderr))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "docs/runbooks/outside-pwn.md\n"
    assert list((project.parent / "outside").iterdir()) == []


def test_new_refuses_a_dangling_link_in_the_new_pages_place(project, tally):
    _new_site(project)
    (project / "docs" / "runbooks").mkdir()
    (project / "docs" / "runbooks" / "restart.md").symlink_to("../../../outside/created.md")
    proc = docgates(project, "new", "runbook", "Restart", "--owner", "@team")
    tally.tried("new: dangling link as the target", traceback=has_traceback(proc.stderr))
    assert proc.returncode == 1, proc.stderr
    assert "docs/runbooks/restart.md already exists; not overwriting it" in proc.stderr
    assert list((project.parent / "outside").iterdir()) == []
