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
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess

import yaml
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from docgates.core.code_patterns import CodePatterns, PatternListError, head_declares_documents, parse_patterns
from docgates.core.frontmatter import parse_page, split_front_matter
from docgates.core.repo import find_repo_root
from docgates.cli.main import UsageError
from docgates.links.resolve import link_destinations

PAGE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
CODEOWNERS_LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
# git's well-known id of the empty tree: the base of a repository with no commit yet.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


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
    project = _Project.load(config_file)
    if ref.startswith("-") or not ref.strip():
        raise UsageError(f"--changed-since: {ref!r} is not a git ref; pass e.g. origin/main or HEAD")
    base = _merge_base(project.repo_root, ref)
    changes = ChangeSet(ref=ref, base=base)
    modified: list[str] = []
    code: list[str] = []
    # The whole repository: changed code can make a page that names it due.
    for status, old, new in _diff(project.repo_root, base, ["."]):
        if old is not None:
            _note_removed(project, changes, old)
        if new is not None:
            _note_changed(project, changes, new)
            if status[:1] in ("M", "T"):
                modified.append(new)
        if status != "R100":  # a pure rename changes no code
            code.extend(p for p in (old, new) if p is not None and project.is_code(p))
    for path in _untracked(project.repo_root, project.docs_repo_path):
        _note_changed(project, changes, path)
    if code:
        documented = documented_pages(project)
        if documented:
            code += [p for p in _untracked(project.repo_root, ".") if project.is_code(p)]
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


def _pages_with_changed_anchors(project: "_Project", base: str, modified: list[str]) -> set[str]:
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


# -- the project ------------------------------------------------------------------------


@dataclass
class _Project:
    config_path: Path
    config_dir: Path
    docs_dir: Path
    repo_root: Path
    docs_repo_path: str
    site_wide_inputs: set[str]

    @classmethod
    def load(cls, config_file: str | None) -> "_Project":
        from docgates.engines.mkdocs.headless import ProjectError, find_config

        try:
            config_path = find_config(config_file).resolve()
        except ProjectError as exc:
            raise UsageError(str(exc)) from None
        config_dir = config_path.parent
        raw = _read_config(config_path)
        docs_dir = (config_dir / str(raw.get("docs_dir") or "docs")).resolve()
        repo_root = find_repo_root(config_dir)
        if repo_root is None:
            raise UsageError(
                f"{config_path.parent}: not inside a git repository; --changed-since compares git "
                "revisions, so run it in a clone (or run 'docgates check' without it)"
            )
        repo_root = repo_root.resolve()
        try:
            docs_repo_path = docs_dir.relative_to(repo_root).as_posix()
        except ValueError:
            raise UsageError(f"{docs_dir}: docs_dir is outside the repository {repo_root}") from None
        inputs = {_repo_relative(config_path, repo_root)}
        inputs.update(CODEOWNERS_LOCATIONS)
        inputs.update(_plugin_option_files(raw, config_dir, repo_root))
        inputs.discard("")
        return cls(config_path, config_dir, docs_dir, repo_root, docs_repo_path, inputs)

    def watched_paths(self) -> list[str]:
        return sorted({self.docs_repo_path or ".", *self.site_wide_inputs})

    def is_code(self, repo_path: str) -> bool:
        """Outside the docs and no site-wide input: something a page may document."""
        return self.docs_relative(repo_path) is None and repo_path not in self.site_wide_inputs

    def docs_relative(self, repo_path: str) -> str | None:
        prefix = "" if self.docs_repo_path in ("", ".") else self.docs_repo_path + "/"
        if repo_path.startswith(prefix):
            return repo_path[len(prefix) :]
        return None

    def pages(self) -> list[str]:
        """Every Markdown page under docs_dir (dot-folders skipped, as MkDocs does)."""
        result: list[str] = []
        root = str(self.docs_dir)
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            relative = os.path.relpath(folder, root)
            for name in names:
                if name.endswith(PAGE_SUFFIXES) and not name.startswith("."):
                    path = name if relative == "." else f"{relative}/{name}"
                    result.append(path.replace(os.sep, "/"))
        return result


def documented_pages(project: _Project) -> dict[str, list[str]]:
    """Each page's ``documents`` patterns, as the freshness gate resolves them: front matter,
    else the nearest ``.meta.yml`` that declares them, else the freshness option's last matching
    folder glob. Only files that mention ``documents`` at a line start are parsed."""
    from docgates.freshness.gate import FolderDocuments

    try:
        folder = FolderDocuments(_freshness_option(project, "documents"))
    except ValueError:
        folder = FolderDocuments(None)  # the full check reports the bad option
    result: dict[str, list[str]] = {}
    meta_cache: dict[str, list[str] | None] = {}
    for page in sorted(project.pages()):
        patterns: list[str] | None = None
        path = project.docs_dir / page
        if head_declares_documents(str(path), front_matter=True):
            try:
                source = parse_page(page, path.read_bytes())
            except OSError:
                continue
            if "documents" in source.meta:
                if source.documents:
                    result[page] = source.documents
                continue  # a bad value: the full check reports it
        patterns = _meta_documents(project.docs_dir, posixpath.dirname(page), meta_cache)
        if patterns is None:
            patterns = folder.match(page)
        if patterns:
            result[page] = patterns
    return result


def _meta_documents(docs_dir: Path, folder: str, cache: dict[str, list[str] | None]) -> list[str] | None:
    """``documents`` of the nearest ``.meta.yml`` (Material's meta plugin) at or above ``folder``
    ([] when that file's value is unusable, None when no file declares it)."""
    if folder not in cache:
        from docgates.core.frontmatter import SafeYamlLoader

        found: list[str] | None = None
        meta = docs_dir / folder / ".meta.yml"
        if head_declares_documents(str(meta), front_matter=False):
            try:
                data = yaml.load(meta.read_text(encoding="utf-8-sig"), Loader=SafeYamlLoader)  # noqa: S506
                found = parse_patterns(data["documents"]) if isinstance(data, dict) and "documents" in data else None
            except PatternListError:
                found = []  # declared, but unusable: the full check reports it; no outer value
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                found = None
        if found is None and folder:
            found = _meta_documents(docs_dir, posixpath.dirname(folder), cache)
        cache[folder] = found
    return cache[folder]


def pages_behind_change(
    documented: dict[str, list[str]], code: list[str], changed_pages: set[str]
) -> dict[str, list[str]]:
    """Pages (not changed themselves) whose patterns match changed code, with those files."""
    files = sorted(set(code))
    result: dict[str, list[str]] = {}
    compiled: dict[tuple[str, ...], list[str]] = {}
    for page, patterns in documented.items():
        if page in changed_pages:
            continue
        key = tuple(patterns)
        if key not in compiled:
            compiled[key] = CodePatterns(patterns).select(files)
        if compiled[key]:
            result[page] = compiled[key]
    return result


def _freshness_option(project: _Project, name: str) -> object:
    raw = _read_config(project.config_path)
    for entry in raw.get("plugins") or []:
        if isinstance(entry, dict) and isinstance(entry.get("docgates/freshness"), dict):
            return entry["docgates/freshness"].get(name)
    return None


def _read_config(config_path: Path) -> dict:
    from docgates.engines.mkdocs.config_file import ConfigFileError, read_config_file

    try:
        return read_config_file(config_path)
    except ConfigFileError as exc:
        raise UsageError(str(exc)) from None


def _plugin_option_files(raw: dict, config_dir: Path, repo_root: Path) -> set[str]:
    """Files named by docgates plugin options (team registry, checklists...)."""
    found: set[str] = set()
    for entry in raw.get("plugins") or []:
        if not isinstance(entry, dict):
            continue
        for name, options in entry.items():
            if not str(name).startswith("docgates/") or not isinstance(options, dict):
                continue
            for value in options.values():
                if isinstance(value, str) and value.strip() and "\n" not in value:
                    candidate = config_dir / value
                    if candidate.is_file():
                        found.add(_repo_relative(candidate.resolve(), repo_root))
    return found


def _repo_relative(path: Path, repo_root: Path) -> str:
    try:
        return path.relative_to(repo_root).as_posix()
    except ValueError:
        return ""


def _note_changed(project: _Project, changes: ChangeSet, repo_path: str) -> None:
    docs_path = _docs_path_unless_site_wide(project, changes, repo_path)
    if docs_path and docs_path.endswith(PAGE_SUFFIXES):
        changes.changed.add(docs_path)


def _note_removed(project: _Project, changes: ChangeSet, repo_path: str) -> None:
    docs_path = _docs_path_unless_site_wide(project, changes, repo_path)
    if docs_path:
        changes.removed.add(docs_path)


def _docs_path_unless_site_wide(project: _Project, changes: ChangeSet, repo_path: str) -> str | None:
    """The docs-relative path of a changed file; None (noted as site-wide) for an input that
    affects every page."""
    if repo_path in project.site_wide_inputs:
        if repo_path not in changes.site_wide:
            changes.site_wide.append(repo_path)
        return None
    return project.docs_relative(repo_path)


# -- git --------------------------------------------------------------------------------


def _git(repo_root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=repo_root, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed; --changed-since needs it") from None


def _merge_base(repo_root: Path, ref: str) -> str:
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


def _diff(repo_root: Path, base: str, paths: list[str]) -> list[tuple[str, str | None, str | None]]:
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


def _untracked(repo_root: Path, docs_repo_path: str) -> list[str]:
    proc = _git(
        repo_root, "ls-files", "--others", "--exclude-standard", "-z", "--", docs_repo_path or "."
    )
    if proc.returncode:
        return []
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


# -- pages linking to removed files -----------------------------------------------------

_INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
_HTML_URL = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
INDEX_NAMES = ("index", "readme")


def find_pages_linking_to(
    docs_dir: Path, removed: set[str], pages: set[str], skip: set[str] = frozenset(), fragments_only: bool = False
) -> set[str]:
    """Pages among ``pages`` with a link that resolves to one of ``removed`` (with
    ``fragments_only``, only links carrying an ``#anchor`` count).

    Reading 2,000 sources and testing a few substrings takes tens of milliseconds, so there
    is no cache: a cache keyed by content hash would have to read and hash every file anyway.
    Only pages that mention a removed name have their links parsed.
    """
    needles, folders = _needles(removed)
    result: set[str] = set()
    for page in sorted(pages - set(skip) - removed):
        try:
            text = (docs_dir / page).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lowered = text.lower()
        mentioned = any(needle in lowered for needle in needles)
        near_index = any(folder == "" or page.startswith(folder) for folder in folders)
        if (mentioned or near_index) and _links_to(page, text, removed, fragments_only):
            result.add(page)
    return result


def _needles(removed: set[str]) -> tuple[set[str], set[str]]:
    """Substrings every link to a removed file contains, and folders whose removed index page
    can be reached by links that name no file at all (``./``, ``../``)."""
    needles: set[str] = set()
    folders: set[str] = set()
    for path in removed:
        folder, name = posixpath.split(path)
        stem, suffix = posixpath.splitext(name)
        is_page = suffix in PAGE_SUFFIXES
        if is_page and stem.lower() in INDEX_NAMES:
            folders.add(folder + "/" if folder else "")
            if folder:
                needles.add(posixpath.basename(folder).lower())
            continue
        base = (stem if is_page else name).lower()
        needles.add(base)
        # Links may percent-encode the name (``my%20page.md``).
        needles.add(quote(base).lower())
    return {n for n in needles if n}, folders


def _links_to(page: str, text: str, removed: set[str], fragments_only: bool = False) -> bool:
    targets = [*_INLINE_LINK.findall(text), *_REFERENCE_DEFINITION.findall(text), *_HTML_URL.findall(text)]
    if fragments_only:
        targets = [t for t in targets if "#" in t and not t.strip().endswith("#")]
    return any(_resolves_to(page, target, removed) for target in targets)


def _resolves_to(page: str, target: str, removed: set[str]) -> bool:
    return not removed.isdisjoint(link_destinations(page, target)[2])
