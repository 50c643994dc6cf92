"""``docgates new TYPE "Title"``: a new page of a type, from the type's template page.

The page's owner comes from ``--owner``, else from what the ownership gate would resolve for
the new path (CODEOWNERS, folder defaults). Prints the new file's path; never overwrites.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from docgates.cli.main import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("type", metavar="TYPE", help="page type, e.g. adr, postmortem, runbook, howto")
    parser.add_argument("title", metavar="TITLE", help='the page title, e.g. "Use Postgres for billing"')
    parser.add_argument(
        "--owner", action="append", metavar="HANDLE",
        help='owner handle, e.g. "@sre-team" (repeat for several); default: CODEOWNERS for the new path',
    )
    parser.add_argument("-f", "--config-file", help="path of mkdocs.yml (default: ./mkdocs.yml)")


def run(args: argparse.Namespace) -> int:
    from docgates.checklist.config import load_checklists
    from docgates.core.dates import DateError, today
    from docgates.core.frontmatter import parse_page
    from docgates.core.user_paths import display_path
    from docgates.checklist.scaffold import PageExists, ScaffoldError, create_page, read_template, render_page, target_path

    title = " ".join(str(args.title).split())
    if not title:
        raise UsageError("the title is empty; pass it in quotes, e.g. docgates new adr \"Use Postgres\"")
    owners = [o.strip() for o in (args.owner or []) if o.strip()]
    if args.owner is not None and not owners:
        raise UsageError("--owner is empty; pass a handle such as \"@sre-team\"")
    project = _Project.load(args.config_file)
    try:
        checklists = load_checklists(project.options.get("checklists"), project.options.get("checklists_display"))
        run_today = today()
    except (ValueError, DateError) as exc:
        raise UsageError(str(exc)) from None
    page_type = args.type.strip().lower()
    checklist = checklists.get(page_type)
    if checklist is None:
        raise UsageError(f"unknown page type {args.type!r}; known types: {', '.join(sorted(checklists))}")
    templates_dir = str(project.options.get("templates_dir", "templates"))
    template_path = f"{templates_dir}/{checklist.type}.md"
    try:
        target = target_path(project.docs_dir, checklist, title, run_today, skip=templates_dir)
        template_bytes = read_template(project.docs_dir, template_path)
    except PageExists as exc:
        print(f"docgates new: {exc}", file=sys.stderr)
        return 1
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    path = target.path
    docs_path = path.relative_to(project.docs_dir).as_posix()
    template_file = project.docs_dir / template_path
    template = None
    if template_bytes is not None:
        template = parse_page(template_file.name, template_bytes)
        if not template.front_matter_valid:
            problem = template.findings[0].format() if template.findings else "invalid front matter"
            raise UsageError(f"the template {display_path(template_file)} cannot be used: {problem}")
    if not owners:
        owners = project.owners_for(docs_path, run_today)
    text, to_fill = render_page(checklist, title, owners, run_today, template, target.values)
    try:
        create_page(path, text, project.docs_dir)
    except PageExists as exc:
        print(f"docgates new: {exc}", file=sys.stderr)
        return 1
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:  # no permission for the folder, disk full
        reason = exc.strerror or exc
        print(f"docgates new: cannot create {display_path(path)}: {reason}; nothing was written", file=sys.stderr)
        return 1
    print(display_path(path))
    notes = []
    if target.found_in is not None:
        where = display_path(project.docs_dir / target.found_in) if target.found_in else "the docs folder"
        notes.append(
            f"the site's {checklist.label} pages are in {where}, so the page goes there"
            + (f" (number {target.values['number']})" if "number" in target.values else "")
            + f"; set 'folder' of the {checklist.type} type in your checklists file to choose another folder"
        )
    if template is None:
        notes.append(f"no template page {display_path(template_file)}: the page has only the required sections")
    if not owners:
        notes.append("no owner found (no --owner, no CODEOWNERS rule): add 'owner:' to the front matter")
    if to_fill:
        notes.append(f"fill in the front matter: {', '.join(to_fill)}")
    for note in notes:
        print(f"docgates new: {note}", file=sys.stderr)
    return 0


def load_mkdocs_config(config_file: str | None) -> Any:
    """The project's mkdocs.yml through MkDocs' own loader; a ``UsageError`` says what is wrong."""
    import logging

    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError, MkDocsException

    from docgates.engines.mkdocs.headless import ProjectError, find_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        path = find_config(config_file)
        return load_config(str(path))
    except ProjectError as exc:
        raise UsageError(str(exc)) from None
    except (ConfigurationError, MkDocsException) as exc:
        raise UsageError(f"{config_file or 'mkdocs.yml'}: {exc}") from None


class _Project:
    """The parts of a MkDocs project ``new`` needs, read through MkDocs' own config loader."""

    def __init__(self, config: Any, options: dict[str, Any]) -> None:
        self.config = config
        self.options = options
        self.config_dir = Path(config.config_file_path).resolve().parent
        self.docs_dir = Path(config.docs_dir).resolve()

    @classmethod
    def load(cls, config_file: str | None) -> "_Project":
        from mkdocs.exceptions import MkDocsException

        from docgates.engines.mkdocs.checklist import ChecklistPlugin, checklist_options

        config = load_mkdocs_config(config_file)
        options: dict[str, Any] = {}
        for plugin in config.plugins.values():
            if isinstance(plugin, ChecklistPlugin) and plugin.config.enabled:
                try:
                    options = checklist_options(plugin.config, config)
                except MkDocsException as exc:
                    raise UsageError(str(exc)) from None
        return cls(config, options)

    def owners_for(self, docs_path: str, run_today: Any) -> list[str]:
        """Who would own ``docs_path`` without front matter: what the ownership gate resolves."""
        from docgates.core.findings import SeverityPolicy
        from docgates.core.frontmatter import PageSource
        from docgates.core.gate import PageInput, SiteContext
        from docgates.ownership.gate import OwnershipGate
        from docgates.core.report import QualityReport
        from docgates.core.repo import find_repo_root
        from docgates.engines.mkdocs.ownership import OwnershipPlugin

        options: dict[str, Any] = {}
        for plugin in self.config.plugins.values():
            if isinstance(plugin, OwnershipPlugin) and plugin.config.enabled:
                options = plugin.gate_options(self.config)
        site = SiteContext(
            config_dir=self.config_dir,
            docs_dir=self.docs_dir,
            site_dir=Path(self.config.site_dir).resolve(),
            today=run_today,
            policy=SeverityPolicy(),
            report=QualityReport(today=run_today),
            repo_root=find_repo_root(self.config_dir),
        )
        try:
            gate = OwnershipGate(options)
        except ValueError as exc:
            raise UsageError(f"docgates/ownership: {exc}") from None
        gate.begin(site)
        return list(gate.resolve(PageInput(PageSource(path=docs_path, text="")), site).owners)

