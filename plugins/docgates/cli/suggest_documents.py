"""``docgates suggest-documents [PAGE...]``: propose ``documents:`` patterns from the repository.

Evidence, strongest first: repository files a page links to or names in a code span
(```services/payments/api.py```), and files that changed in the same commits as the page, at
least twice. Files of one folder that are named together become ``folder/**``. The proposals
are printed for a person to judge and paste; nothing is written. One ``git log`` of the whole
repository and one ``git ls-tree`` answer every page.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote

from docgates.core import outputs
from docgates.cli.main import UsageError

# A file that changed with the page in this many commits is evidence.
MIN_SHARED_COMMITS = 2
# Commits touching more files than this are bulk changes (reformat, rename), not evidence.
BULK_COMMIT_FILES = 50
_CODE_SPAN = re.compile(r"`([^`\s]+)`")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pages", nargs="*", metavar="PAGE", help="pages to look at (paths under docs/; default: every page without 'documents')")
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


@dataclass
class Suggestion:
    page: str
    patterns: list[str] = field(default_factory=list)
    # pattern -> why ("named in the page", "changed with the page in 3 commits")
    evidence: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"page": self.page, "documents": self.patterns, "evidence": self.evidence}


def run(args: argparse.Namespace) -> int:
    from docgates.cli.project import Project
    from docgates.core.frontmatter import parse_page
    from docgates.core.git_log import load_history

    project = Project.load(args.config_file)
    history = load_history(project.repo_root, head_files=True)
    if history.status in ("not-a-repo", "no-git"):
        raise UsageError(history.message)
    head = set(history.head_files or [])
    folders = {posixpath.dirname(p) for p in head}
    prefix = "" if project.docs_repo_path in ("", ".") else project.docs_repo_path + "/"
    every = sorted(project.pages())
    wanted = [_docs_relative(p, prefix) for p in args.pages] or every
    unknown = sorted(set(wanted) - set(every))
    if unknown:
        raise UsageError(f"{unknown[0]}: no such page under {project.docs_dir}; give paths of pages, e.g. docs/guide.md")
    suggestions: list[Suggestion] = []
    for page in wanted:
        try:
            source = parse_page(page, (project.docs_dir / page).read_bytes())
        except OSError as exc:
            print(f"docgates suggest-documents: {page}: cannot read it ({exc.strerror})", file=sys.stderr)
            continue
        if "documents" in source.meta and not args.pages:
            continue  # already declared
        named = _named_files(source.body, prefix + page, head, folders, prefix)
        shared = _changed_together(history, prefix + page, head, prefix)
        suggestion = _suggest(page, named, shared)
        if suggestion.patterns:
            suggestions.append(suggestion)
    if args.format == "json":
        sys.stdout.write(outputs.dumps({"suggestions": [s.to_dict() for s in suggestions]}))
    else:
        sys.stdout.write(format_text(suggestions, prefix))
    return 0


def _docs_relative(path: str, prefix: str) -> str:
    path = path.replace("\\", "/").removeprefix("./")
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _named_files(body: str, page_repo_path: str, head: set[str], folders: set[str], docs_prefix: str) -> set[str]:
    """Tracked files (``path``) or folders (``folder/**``) outside the docs that the page links
    to or names in code spans (repository-relative)."""
    found: set[str] = set()
    base = posixpath.dirname(page_repo_path)
    candidates = [raw.strip("/").removeprefix("./") for raw in _CODE_SPAN.findall(body)]
    for raw in _LINK.findall(body):
        target = unquote(raw.split("#", 1)[0].split("?", 1)[0])
        if target and "://" not in target and not target.startswith(("mailto:", "/")):
            candidates.append(posixpath.normpath(posixpath.join(base, target)))
    for candidate in candidates:
        if candidate.startswith("..") or (docs_prefix and candidate.startswith(docs_prefix)):
            continue
        if candidate in head:
            found.add(candidate)
        elif candidate in folders and candidate:
            found.add(candidate + "/**")
    return found


def _changed_together(history, page_repo_path: str, head: set[str], docs_prefix: str) -> Counter:
    counts: Counter = Counter()
    for change in history.content_changes(page_repo_path):
        files = change.commit.changes
        if len(files) > BULK_COMMIT_FILES:
            continue
        for other in files:
            if other.path in head and other.path != page_repo_path and not (docs_prefix and other.path.startswith(docs_prefix)):
                counts[other.path] += 1
    return counts


def _suggest(page: str, named: set[str], shared: Counter) -> Suggestion:
    suggestion = Suggestion(page)
    why: dict[str, str] = {}
    for path in sorted(named):
        why[path] = "named in the page"
    for path, count in shared.most_common():
        if count >= MIN_SHARED_COMMITS and path not in why:
            why[path] = f"changed with the page in {count} commits"
    # Two or more files of one folder: the folder, so new files there count too.
    by_folder: dict[str, list[str]] = {}
    for path in why:
        by_folder.setdefault(posixpath.dirname(path), []).append(path)
    for folder, paths in sorted(by_folder.items()):
        if folder and len(paths) >= 2:
            pattern = f"{folder}/**"
            suggestion.patterns.append(pattern)
            suggestion.evidence[pattern] = "; ".join(f"{p}: {why[p]}" for p in sorted(paths))
        else:
            for path in sorted(paths):
                suggestion.patterns.append(path)
                suggestion.evidence[path] = why[path]
    return suggestion


def format_text(suggestions: list[Suggestion], prefix: str) -> str:
    if not suggestions:
        return "No suggestions: no page names or changes along with code that git tracks.\n"
    out: list[str] = []
    for suggestion in suggestions:
        out.append(f"{prefix}{suggestion.page}:")
        out.append("  documents:")
        for pattern in suggestion.patterns:
            out.append(f"    - {_yaml_string(pattern)}  # {suggestion.evidence[pattern]}")
        out.append("")
    out.append("Review each proposal, then paste the ones you accept into the page's front matter.")
    return "".join(outputs.terminal_text(line) + "\n" for line in out)


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
