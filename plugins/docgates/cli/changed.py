"""Which pages a change touched (``docgates check --changed-since REF``).

What "changed since REF" means, and why:

* **Merge-base semantics.** The change is compared with ``git merge-base REF HEAD``, the point
  where the branch left REF, like a pull request's "Files changed" tab (``git diff REF...``).
  Comparing with REF's tip instead would also report every page the base branch changed after
  the branch was cut, which the author did not touch.
* **The working tree counts.** The diff runs from the merge base to the working tree, so staged,
  unstaged and untracked pages are included: ``--changed-since HEAD`` in a pre-commit hook
  checks exactly what is about to be committed, and in CI (a clean checkout) it is the same as
  the committed diff. Everything MkDocs would build is what gets checked.
* **Pages checked** are those added, modified or renamed (the new name), plus pages whose links
  point at a file removed or renamed away in the change (their links broke without them being
  touched), plus pages linking with an ``#anchor`` to a modified page whose headings or ids
  changed (a renamed heading breaks deep links elsewhere). Those are found without rendering
  anything: a cheap text scan of each page's source for the target's name, then the links of
  the few pages that mention it are parsed.
* **Site-wide inputs** (mkdocs.yml, CODEOWNERS, files a docgates plugin option names, such as the
  team registry) affect every page: when one changed, every page is checked.
* **Code the docs describe.** A page whose ``documents`` patterns (front matter, a ``.meta.yml``,
  or the freshness option ``documents``) match a file the change touched, while the page itself
  did not change, is checked too, and gets ``freshness/code-changed``. The diff covers the whole
  repository for this; the pages' front matter is read only when files outside the docs changed,
  and only pages that name ``documents`` are parsed.

Git runs a fixed, small number of times (merge-base, one ``diff --name-status``, one
``ls-files`` for untracked pages, one more for untracked code when pages document code),
whatever the size of the site.

The parts, one module each: ``cli/project.py`` (where the config, docs and repository are, and
the site-wide inputs), ``cli/git_changes.py`` (what git says changed), ``cli/linking_pages.py``
(pages linking to removed files or changed anchors) and ``cli/documented_pages.py`` (pages whose
code changed). This module decides from those which pages to check, and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docgates.cli import git_changes
from docgates.cli.documented_pages import documented_pages, pages_behind_change
from docgates.cli.linking_pages import find_pages_linking_to
from docgates.cli.main import UsageError
from docgates.cli.project import PAGE_SUFFIXES, Project
from docgates.core.frontmatter import split_front_matter


@dataclass
class ChangeSet:
    """The pages a change asks to check, and why each is in the set."""

    ref: str
    base: str
    # Docs-relative pages added, modified or renamed (by their new name).
    changed: set[str] = field(default_factory=set)
    # Docs-relative files (pages or assets) removed, or renamed away.
    removed: set[str] = field(default_factory=set)
    # Pages not changed themselves whose links point at a removed file.
    linking_to_removed: set[str] = field(default_factory=set)
    # Modified pages whose headings or ids changed, and the pages deep-linking into them.
    anchors_changed: set[str] = field(default_factory=set)
    linking_to_changed_anchors: set[str] = field(default_factory=set)
    # Repository paths of changed inputs that affect every page.
    site_wide: list[str] = field(default_factory=list)
    # Every page of the docs (listed only when needed: removals or site-wide changes).
    all_pages: set[str] | None = None
    # Pages not changed themselves whose ``documents`` patterns match changed files: the files.
    code_changed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def everything(self) -> bool:
        return bool(self.site_wide)

    @property
    def pages(self) -> set[str]:
        if self.everything and self.all_pages is not None:
            return set(self.all_pages)
        return self.changed | self.linking_to_removed | self.linking_to_changed_anchors | set(self.code_changed)

    def describe(self) -> str:
        if self.everything:
            return (
                f"{', '.join(self.site_wide)} changed since {self.ref}, which affects every page: "
                "checking all of them"
            )
        text = f"{len(self.pages)} pages to check since {self.ref}: {len(self.changed)} changed"
        if self.removed:
            text += (
                f", {len(self.linking_to_removed)} linking to {len(self.removed)} removed or renamed files"
            )
        if self.anchors_changed:
            text += (
                f", {len(self.linking_to_changed_anchors)} linking to headings changed on "
                f"{len(self.anchors_changed)} pages"
            )
        if self.code_changed:
            text += f", {len(self.code_changed)} documenting code that changed while they did not"
        return text


def changed_pages(config_file: str | None, ref: str) -> set[str]:
    """Docs-relative paths of the pages to check for a change since ``ref``."""
    return compute_changes(config_file, ref).pages


def compute_changes(config_file: str | None, ref: str) -> ChangeSet:
    project = Project.load(config_file)
    if ref.startswith("-") or not ref.strip():
        raise UsageError(f"--changed-since: {ref!r} is not a git ref; pass e.g. origin/main or HEAD")
    base = git_changes.merge_base(project.repo_root, ref)
    changes = ChangeSet(ref=ref, base=base)
    modified: list[str] = []
    code: list[str] = []
    # The whole repository: changed code can make a page that names it due.
    for status, old, new in git_changes.diff(project.repo_root, base, ["."]):
        if old is not None:
            _note_removed(project, changes, old)
        if new is not None:
            _note_changed(project, changes, new)
            if status[:1] in ("M", "T"):
                modified.append(new)
        if status != "R100":  # a pure rename changes no code
            code.extend(p for p in (old, new) if p is not None and project.is_code(p))
    for path in git_changes.untracked(project.repo_root, project.docs_repo_path):
        _note_changed(project, changes, path)
    if code:
        documented = documented_pages(project)
        if documented:
            code += [p for p in git_changes.untracked(project.repo_root, ".") if project.is_code(p)]
            changes.code_changed = pages_behind_change(documented, code, changes.changed)
    # Deleted in a commit but back in the working tree (untracked): links to it still work.
    changes.removed -= {p for p in changes.removed if (project.docs_dir / p).exists()}
    if not changes.everything:
        changes.anchors_changed = _pages_with_changed_anchors(project, base, modified)
    if changes.removed or changes.everything or changes.anchors_changed:
        changes.all_pages = set(project.pages())
    if changes.everything:
        return changes
    if changes.removed:
        changes.linking_to_removed = find_pages_linking_to(
            project.docs_dir, changes.removed, changes.all_pages or set(), skip=changes.changed
        )
    if changes.anchors_changed:
        changes.linking_to_changed_anchors = find_pages_linking_to(
            project.docs_dir,
            changes.anchors_changed,
            changes.all_pages or set(),
            skip=changes.changed | changes.linking_to_removed,
            fragments_only=True,
        )
    return changes


def _pages_with_changed_anchors(project: Project, base: str, modified: list[str]) -> set[str]:
    """Modified pages whose anchor-bearing lines (headings, ``{#id}``, ``id=``) differ from the
    base: only those can have broken someone else's ``page.md#section`` link."""
    from docgates.core.gitblobs import BlobReader

    result: set[str] = set()
    pages = [(p, project.docs_relative(p)) for p in modified]
    pages = [(repo_path, docs_path) for repo_path, docs_path in pages if docs_path and docs_path.endswith(PAGE_SUFFIXES)]
    if not pages:
        return result
    # One `git cat-file --batch` process for every old version, however many pages changed.
    with BlobReader(project.repo_root) as blobs:
        for repo_path, docs_path in pages:
            old = blobs.read(base, repo_path)
            try:
                new = (project.docs_dir / docs_path).read_bytes()
            except OSError:
                continue
            if old is None or anchor_lines(old.decode("utf-8", "replace")) != anchor_lines(
                new.decode("utf-8", "replace")
            ):
                result.add(docs_path)
    return result


# No "{" inside the braces: from each "{" of "{{{{..." the scan would run to the line's end.
_ANCHOR_SOURCE = re.compile(r"\{[^{}\n]*#|\b(?:id|name)\s*=", re.IGNORECASE)
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")


def anchor_lines(text: str) -> list[str]:
    """The lines of a page that can define anchors, in order (duplicate headings get numbered
    slugs by position). Lines in code blocks count too: a false alarm only checks more pages.
    Front matter is left out, so recording a review changes no anchor."""
    try:
        text = split_front_matter(text)[1]
    except ValueError:
        pass
    lines = text.splitlines()
    result: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#") or _ANCHOR_SOURCE.search(line):
            result.append(stripped)
        elif index and lines[index - 1].strip() and _SETEXT_UNDERLINE.match(line):
            result.append(lines[index - 1].strip() + " " + stripped[:1])
    return result


def _note_changed(project: Project, changes: ChangeSet, repo_path: str) -> None:
    docs_path = _docs_path_unless_site_wide(project, changes, repo_path)
    if docs_path and docs_path.endswith(PAGE_SUFFIXES):
        changes.changed.add(docs_path)


def _note_removed(project: Project, changes: ChangeSet, repo_path: str) -> None:
    docs_path = _docs_path_unless_site_wide(project, changes, repo_path)
    if docs_path:
        changes.removed.add(docs_path)


def _docs_path_unless_site_wide(project: Project, changes: ChangeSet, repo_path: str) -> str | None:
    """The docs-relative path of a changed file; None (noted as site-wide) for an input that
    affects every page."""
    if repo_path in project.site_wide_inputs:
        if repo_path not in changes.site_wide:
            changes.site_wide.append(repo_path)
        return None
    return project.docs_relative(repo_path)
