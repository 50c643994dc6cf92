"""``docgates build --engine zensical``: the gates read sources, front matter and git as for
``docgates check`` (MkDocs' reading of the same ``mkdocs.yml``: files, nav, front matter), but
render no Markdown; Zensical builds a staged copy of the docs, and its own HTML of each page
feeds the rendered checks (readability, links). Then each page Zensical wrote gets the header
the Material theme would show, the generated pages get their bodies, and ``quality.json`` is
written last (Zensical empties its site folder at every build).

Headers go in after Zensical's build, never through it: Zensical caches a page's HTML by its
content, so a header made inside its build would keep yesterday's freshness.
"""

from __future__ import annotations

import html
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
from docgates.engines.mkdocs.headless import HeadlessRun, ProjectError, finish_headless, run_headless
from docgates.engines.mkdocs.session import STYLESHEET_URI
from docgates.engines.zensical import inject
from docgates.engines.zensical.built_page import BuiltPages, Edits, read_built_page
from docgates.engines.zensical.probe import VERSION as PROBE_VERSION
from docgates.engines.zensical.stage import (
    META_FILE,
    Stage,
    nav_config,
    placeholder,
    readable_for_zensical,
    with_escaped_title,
)
from docgates.links.gate import LinksGate

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# MkDocs' validation settings, which Zensical reads too: its own link warnings off.
_NO_LINK_VALIDATION = {
    "links": {"not_found": "ignore", "anchors": "ignore", "absolute_links": "ignore", "unrecognized_links": "ignore"}
}
# Marks each page's body and links in Zensical's output (see probe.py).
PROBE_EXTENSION = "docgates.engines.zensical.probe"


def build(request: BuildRequest) -> int:
    run = _run_gates(request.config_file)
    try:
        site_dir, target, edits = _build_and_read(request, run)
        # Every page's HTML is in: cross-page checks (anchors), the baseline.
        _call(lambda: finish_headless(run))
    finally:
        finish_headless(run, pages_rendered=False)  # after a failure: shut the plugins down
    session = run.session
    views = dict(session.views)
    bodies = _call(session.prepare_rendering)
    _finish_pages(site_dir, session, views, bodies, edits)
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


def _build_and_read(request: BuildRequest, run: HeadlessRun) -> tuple[Path, Path, dict[str, Edits]]:
    """Zensical builds the staged docs; each page's HTML goes to the gates' rendered checks.
    Returns the folder Zensical wrote, the one asked for, and what to change in each page."""
    session = run.session
    config = session.config
    config_dir = request.config_file.resolve().parent
    target = (request.site_dir or Path(config.site_dir)).resolve()
    assert session.site is not None
    plain = _unreadable_front_matter(session.site.sources)
    stage = _stage(run, config_dir, plain)
    site_dir = target if _inside(target, config_dir) else stage.root / "site"
    declared = _declared_config(request.config_file)
    settings: dict[str, Any] = {"extra_css": [STYLESHEET_URI]}
    declared_nav = declared.get("nav")
    if declared_nav is None and run.nav is not None:
        settings["nav"] = nav_config(run.nav.items)
    elif isinstance(declared_nav, list) and isinstance(config.nav, list) and len(config.nav) > len(declared_nav):
        # What docgates added to the site's own nav (its generated pages, at the end); Zensical
        # appends a child config's list to the inherited one.
        settings["nav"] = config.nav[len(declared_nav):]
    # MkDocs' reading of the site already said what its link validation finds (as 'mkdocs
    # build' would), and docgates/links more; Zensical's own would say each link again.
    settings["validation"] = _NO_LINK_VALIDATION
    settings["markdown_extensions"] = _with_probe(declared.get("markdown_extensions", _ZENSICAL_DEFAULTS))
    child = stage.write_child_config(request.config_file, os.path.relpath(site_dir, config_dir), settings)
    try:
        _run_zensical(child)
    finally:
        child.unlink(missing_ok=True)
    return site_dir, target, _read_pages(site_dir, run)


def _read_pages(site_dir: Path, run: HeadlessRun) -> dict[str, Edits]:
    """Hand each page's body, as Zensical rendered it, to the gates' rendered checks. Returns
    what to change in each page (its marks out, its header in), done once the headers are
    known, so each page is written once."""
    session = run.session
    links = next((g for g in session.gates if isinstance(g, LinksGate)), None)
    edits: dict[str, Edits] = {}
    cache_dir = session.site.cache_dir if session.site is not None else None
    built_pages = BuiltPages(cache_dir / "zensical-pages.sqlite" if cache_dir is not None else None)
    try:
        for path, view in session.views.items():
            _read_page(site_dir, run, path, view, built_pages, links, edits)
    finally:
        built_pages.close()
    return edits


def _read_page(
    site_dir: Path, run: HeadlessRun, path: str, view, built_pages: BuiltPages, links: LinksGate | None,
    edits: dict[str, Edits],
) -> None:
    assert run.files is not None
    page_file = _output_file(site_dir, view.report.url)
    file = run.files.get_file_from_path(path)
    try:
        text = page_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _say_not_rendered(path, f"Zensical wrote no page at {_shown(page_file, site_dir)} ({exc.__class__.__name__})")
        return
    built = built_pages.read(text)
    edits[path] = built.edits
    if built.content is None or file is None or file.page is None:
        _say_not_rendered(path, f"{_shown(page_file, site_dir)} has no page body from Zensical's Markdown rendering")
        return
    if links is not None:
        # As the MkDocs adapter records them: the link as written, as the engine wrote it.
        links.originals[path] = built.pairs
    _call(lambda: run.rendered(file.page, built.content, built.title, built.heading_ids))


def _say_not_rendered(path: str, why: str) -> None:
    print(
        f"docgates: {outputs.terminal_text(path)}: {outputs.terminal_text(why)}; its readability and links "
        "were not checked (is the page excluded from Zensical's build?)",
        file=sys.stderr,
    )


def _shown(page_file: Path, site_dir: Path) -> str:
    try:
        return page_file.relative_to(site_dir).as_posix()
    except ValueError:
        return str(page_file)


def serve(request: BuildRequest) -> int:
    from docgates.engines.zensical.serve import serve_site

    return serve_site(request, build)


def _run_gates(config_file: Path) -> HeadlessRun:
    # Sources, front matter, nav and git only: Zensical renders the Markdown.
    return _call(lambda: run_headless(str(config_file), render=False))


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
    sources = session.site.sources
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
        if file.is_documentation_page() and _title_needs_escaping(sources.get(path)):
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


def _title_needs_escaping(source) -> bool:
    """What the gates read of the page says its title holds markup: only then is the front
    matter read again to be rewritten (``with_escaped_title``), not for every page."""
    title = source.meta.get("title") if source is not None else None
    return isinstance(title, str) and html.escape(title, quote=False) != title


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


def _finish_pages(
    site_dir: Path, session, views: dict[str, Any], bodies: dict[str, str], edits: dict[str, Edits]
) -> None:
    env = session.config.theme.get_env()
    header_template = env.get_template("docgates/page-header.html")
    for path, view in views.items():
        page_edits = edits.get(path)
        if page_edits is None or (page_edits.header_at is None and not page_edits.cuts):
            continue  # a page Zensical did not write (a draft, say): nothing to put a header on
        url = view.report.url
        header = header_template.render(
            page=SimpleNamespace(meta={"docgates": view}, url=url),
            base_url=_base_url(url),
            config=session.config,
        )
        _rewrite(_output_file(site_dir, url), lambda text: page_edits.apply(text, header))
    for path, body in bodies.items():
        url = session.site.page_urls.get(path, "")
        _rewrite(
            _output_file(site_dir, url),
            lambda text: inject.replace_placeholder(read_built_page(text).edits.apply(text), body),
        )
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


def _declared_config(config_file: Path) -> dict[str, Any]:
    """The config as the file declares it (its ``INHERIT`` followed); empty if unreadable."""
    from docgates.engines.mkdocs.config_file import ConfigFileError, read_config_file

    try:
        declared = read_config_file(config_file)
    except ConfigFileError:  # MkDocs has read it already; Zensical will say what it cannot read
        return {}
    return declared if isinstance(declared, dict) else {}


# The config declares no markdown_extensions: Zensical then uses its own defaults, which a
# child config's list would replace.
_ZENSICAL_DEFAULTS = object()


def _with_probe(declared: Any) -> Any:
    """The child config's ``markdown_extensions``: Zensical merges it into the inherited
    setting (a list is appended to), so it adds the probe and keeps the site's own."""
    probe = {PROBE_EXTENSION: {"version": PROBE_VERSION}}
    if declared is _ZENSICAL_DEFAULTS:
        from zensical.config import DEFAULT_MARKDOWN_EXTENSIONS

        # Its defaults hold two functions (emoji); Zensical resolves them by name as well.
        return [{name: _by_name(options)} for name, options in DEFAULT_MARKDOWN_EXTENSIONS.items()] + [probe]
    if isinstance(declared, dict):
        return probe
    return [probe]


def _by_name(value: Any) -> Any:
    if callable(value):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, dict):
        return {k: _by_name(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_by_name(v) for v in value]
    return value


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
