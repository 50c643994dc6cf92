"""``docgates build --engine zensical``: the gates run as for ``docgates check`` (MkDocs'
reading of the same ``mkdocs.yml``: files, nav, front matter, Markdown), Zensical builds a
staged copy of the docs, then each page Zensical wrote gets the header the Material theme
would show, the generated pages get their bodies, and ``quality.json`` is written last
(Zensical empties its site folder at every build).

Headers go in after Zensical's build, never through it: Zensical caches a page's HTML by its
content, so a header made inside its build would keep yesterday's freshness.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mkdocs.exceptions import MkDocsException

from docgates.core import outputs
from docgates.core.pipeline import RunError
from docgates.engines import BuildRequest, EngineError
from docgates.engines.mkdocs.headless import ProjectError, run_headless
from docgates.engines.mkdocs.session import STYLESHEET_URI
from docgates.engines.zensical import inject
from docgates.engines.zensical.stage import (
    META_FILE,
    Stage,
    nav_config,
    placeholder,
    readable_for_zensical,
    with_escaped_title,
)

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# MkDocs' validation settings, which Zensical reads too: its own link warnings off.
_NO_LINK_VALIDATION = {
    "links": {"not_found": "ignore", "anchors": "ignore", "absolute_links": "ignore", "unrecognized_links": "ignore"}
}


def build(request: BuildRequest) -> int:
    run = _run_gates(request.config_file)
    session = run.session
    config = session.config
    config_dir = request.config_file.resolve().parent
    target = (request.site_dir or Path(config.site_dir)).resolve()
    views = dict(session.views)
    plain = _unreadable_front_matter(session.site.sources)
    bodies = _call(session.prepare_rendering)
    stage = _stage(run, config_dir, plain)
    site_dir = target if _inside(target, config_dir) else stage.root / "site"
    settings: dict[str, Any] = {"extra_css": [STYLESHEET_URI]}
    declared = _declared_nav(request.config_file)
    if declared is None and run.nav is not None:
        settings["nav"] = nav_config(run.nav.items)
    elif isinstance(declared, list) and isinstance(config.nav, list) and len(config.nav) > len(declared):
        # What docgates added to the site's own nav (its generated pages, at the end); Zensical
        # appends a child config's list to the inherited one.
        settings["nav"] = config.nav[len(declared):]
    # MkDocs' reading of the site already said what its link validation finds (as 'mkdocs
    # build' would), and docgates/links more; Zensical's own would say each link again.
    settings["validation"] = _NO_LINK_VALIDATION
    child = stage.write_child_config(request.config_file, os.path.relpath(site_dir, config_dir), settings)
    try:
        _run_zensical(child)
    finally:
        child.unlink(missing_ok=True)
    _finish_pages(site_dir, session, views, bodies)
    if site_dir != target:
        _empty(target)
        shutil.copytree(site_dir, target, dirs_exist_ok=True)
    assert session.site is not None
    session.site.site_dir = target
    outcome = _call(session.end)
    failing = [f for f in outcome.findings if f not in outcome.baselined]
    sys.stdout.write(outputs.format_text(failing))
    print(outputs.terminal_text(outcome.summary), file=sys.stderr)
    return 1 if outcome.failed else 0


def serve(request: BuildRequest) -> int:
    from docgates.engines.zensical.serve import serve_site

    return serve_site(request, build)


def _run_gates(config_file: Path):
    return _call(lambda: run_headless(str(config_file)))


def _call(step):
    """A step of the gates' run, its errors (a bad option, a registry file, a baseline)
    told as such, exit status 2, as 'docgates check' tells them."""
    try:
        return step()
    except (ProjectError, MkDocsException, RunError) as exc:
        raise EngineError(str(exc)) from None


def _unreadable_front_matter(sources) -> set[str]:
    """Pages Zensical may refuse: front matter that is invalid or has no key of its own, or
    a file that cannot be read as it is (not UTF-8, a broken link)."""
    return {
        path
        for path, source in sources.items()
        if not source.front_matter_valid
        or (source.has_front_matter and not set(source.meta) - set(source.declared_in))
    }


def _stage(run, config_dir: Path, plain: set[str]) -> Stage:
    """The files MkDocs builds (not excluded, not the theme's), with generated pages as
    placeholders; pages with front matter Zensical cannot read or an HTML title made safe."""
    session = run.session
    docs_dir = Path(session.config.docs_dir).resolve()
    stage = Stage(config_dir)
    for file in run.files:
        path = file.src_uri
        if file.generated_by is not None:
            if path == STYLESHEET_URI:
                stage.add_content(path, file.content_bytes)
            elif path in session.generated:
                stage.add_content(path, placeholder(_generated_title(file)))
            continue
        if not file.abs_src_path or not _inside(Path(file.abs_src_path), docs_dir):
            continue  # the theme's own files
        if file.inclusion.is_excluded() and Path(path).name != META_FILE:
            continue
        source = Path(file.abs_src_path)
        if path in plain:
            try:
                stage.add_content(path, readable_for_zensical(source.read_bytes()))
            except OSError:
                stage.add_content(path, b"")  # unreadable: the finding says why
            continue
        if file.is_documentation_page():
            try:
                escaped = with_escaped_title(source.read_bytes())
            except OSError:
                escaped = b""
            if escaped is not None:
                stage.add_content(path, escaped)
                continue
        stage.add_copy(path, source)
    stage.sync()
    return stage


def _generated_title(file) -> str:
    """The title the MkDocs adapter gave a generated page's own placeholder (``# Title``)."""
    text = file.content_string
    first = text.splitlines()[0] if text else ""
    return first[2:] if first.startswith("# ") else "docgates"


def _run_zensical(child: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "-f", str(child)],
        cwd=child.parent,
        capture_output=True,
        text=True,
        errors="replace",
    )
    # Zensical colours its output whatever the terminal; its progress lines go to stdout.
    errors = [line for line in _ANSI.sub("", proc.stderr).splitlines() if line.strip()]
    if proc.returncode == 0:
        for line in errors:
            print(f"zensical: {outputs.terminal_text(line)}", file=sys.stderr)
        return
    # Its last error line says what went wrong; a Python traceback above it says where in
    # Zensical, which is no help to a writer.
    reason = next((line for line in reversed(errors) if "Error" in line), errors[-1] if errors else "no message")
    raise EngineError(f"zensical build failed (exit status {proc.returncode}): {outputs.terminal_text(reason.strip())}")


def _finish_pages(site_dir: Path, session, views: dict[str, Any], bodies: dict[str, str]) -> None:
    env = session.config.theme.get_env()
    header_template = env.get_template("docgates/page-header.html")
    for view in views.values():
        url = view.report.url
        page_file = _output_file(site_dir, url)
        header = header_template.render(
            page=SimpleNamespace(meta={"docgates": view}, url=url),
            base_url=_base_url(url),
            config=session.config,
        )
        _rewrite(page_file, lambda text: inject.insert_header(text, header))
    for path, body in bodies.items():
        url = session.site.page_urls.get(path, "")
        _rewrite(_output_file(site_dir, url), lambda text: inject.replace_placeholder(text, body))
    _unindex_placeholders(site_dir / "search.json")


def _unindex_placeholders(index_file: Path) -> None:
    """Zensical indexed the placeholders' marker text: drop it (generated pages stay findable
    by their title)."""
    try:
        index = json.loads(index_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    items = index.get("items") if isinstance(index, dict) else None
    changed = False
    for item in items or []:
        if isinstance(item, dict) and inject.GENERATED_MARKER in str(item.get("text", "")):
            item["text"] = ""
            changed = True
    if changed:
        index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _rewrite(page_file: Path, change) -> None:
    try:
        text = page_file.read_text(encoding="utf-8")
    except OSError:
        return  # a page Zensical did not write (a draft, say): nothing to put a header on
    changed = change(text)
    if changed is not None:
        page_file.write_text(changed, encoding="utf-8")


def _output_file(site_dir: Path, url: str) -> Path:
    if url == "" or url.endswith("/"):
        return site_dir / url / "index.html"
    return site_dir / url


def _base_url(url: str) -> str:
    """The site root relative to a page, as MkDocs gives templates ``base_url``."""
    return "/".join([".."] * url.count("/")) or "."


def _declared_nav(config_file: Path) -> Any:
    """The ``nav`` the config itself declares (its ``INHERIT`` followed), None without one."""
    from docgates.engines.mkdocs.config_file import ConfigFileError, read_config_file

    try:
        return read_config_file(config_file).get("nav")
    except ConfigFileError:  # MkDocs has read it already; Zensical will say what it cannot read
        return None


def _empty(folder: Path) -> None:
    """What MkDocs does to its site folder before a build: remove all but hidden entries."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
