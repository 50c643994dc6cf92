"""``docgates build --engine``: one mkdocs.yml built by MkDocs, ProperDocs and Zensical gives
the same findings, quality.json, reader markup, generated pages and exit code."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import GitRepo, base_env
from docgates.engines import ENGINES

ENGINE_NAMES = tuple(ENGINES)
READER_CLASSES = ("docgates-owner", "docgates-freshness", "docgates-stale", "docgates-readability", "docgates-checklist")
PROSE = (
    "This page says how the team keeps a service healthy. We check the charts each morning. "
    "We write down what we learn. When something breaks, we fix it and share the story. "
    "Every page has an owner who answers questions about it. "
)
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_OWNER = "@x<script>window.__pwned=1</script>"
# git drops '<' and '>' from names; '&' and quotes stay.
HOSTILE_AUTHOR = 'Eve & "Mal" <b>x</b>'


def _missing(*names: str) -> list[str]:
    return [n for n in names if not ENGINES[n].installed()]


def needs(*names: str):
    missing = _missing(*names)
    return pytest.mark.skipif(
        bool(missing),
        reason=f"engine not installed: {', '.join(missing)} (pip install -r requirements.lock installs it)",
    )


def page(front: dict, title: str, body: str = PROSE * 2) -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=False) + f"---\n# {title}\n\n{body}\n"


def make_project(root: Path, plugins: list | None = None, clean: bool = False) -> GitRepo:
    repo = GitRepo(root)
    config = {
        "site_name": "Engines fixture",
        "site_url": "http://127.0.0.1/",
        "theme": {"name": "material", "font": False},
        "markdown_extensions": ["toc", "admonition"],
        "plugins": plugins
        or [
            "search",
            {"docgates/ownership": {"registry": "teams.yml"}},
            "docgates/freshness",
            "docgates/readability",
            "docgates/checklist",
            "docgates/links",
            "docgates/leaderboard",
            "docgates/quality",
        ],
    }
    files = {
        "mkdocs.yml": yaml.safe_dump(config, sort_keys=False),
        "teams.yml": '"@docs-team": {name: Docs team, contact: "#docs"}\n',
        "docs/index.md": page({"owner": "@docs-team", "reviewed": "2026-11-01"}, "Home", PROSE * 5 + "\n\n[Old](stale.md)\n"),
        "docs/stale.md": page({"owner": "@docs-team", "reviewed": "2024-01-10"}, "An old page"),
        "docs/unowned.md": page({"reviewed": "2026-11-01"}, "Nobody's page"),
        "docs/broken.md": page({"owner": "@docs-team", "reviewed": "2026-11-01"}, "Links", "[gone](missing.md)\n"),
        "docs/runbooks/restart.md": page(
            {"owner": "@docs-team", "reviewed": "2026-11-01", "type": "runbook"}, "Restart", "## Steps\n\n" + PROSE
        ),
        "docs/hostile.md": page({"owner": "@docs-team", "reviewed": "2026-11-01", "title": HOSTILE_TITLE}, "Hostile"),
        "docs/hostile-owner.md": page({"owner": HOSTILE_OWNER, "reviewed": "2026-11-01"}, "Hostile owner"),
        "docs/bad-front-matter.md": "---\nowner: [unclosed\n---\n# Bad front matter\n\n" + PROSE + "\n",
        # Valid for MkDocs and docgates; Zensical alone aborts on an empty block.
        "docs/empty-front-matter.md": "---\n---\n# Empty front matter\n\n" + PROSE + "\n",
    }
    if clean:
        files = {p: t for p, t in files.items() if p in ("mkdocs.yml", "teams.yml", "docs/index.md", "docs/stale.md")}
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    repo.commit("Docs", date="2026-10-01T12:00:00+00:00")
    if not clean:
        # A new page in the leaderboard's window: the author is named there.
        (root / "docs" / "new.md").write_text(page({"owner": "@docs-team", "reviewed": "2026-11-20"}, "New"), encoding="utf-8")
        repo.commit("Add <b>new</b>", date="2026-11-23T12:00:00+00:00", author=f"{HOSTILE_AUTHOR} <evil@example.com>")
    return repo


def docgates(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "docgates", *args],
        cwd=root, env=env or base_env(), capture_output=True, text=True, timeout=600,
    )


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def report(site: Path) -> dict:
    data = json.loads((site / "quality.json").read_text(encoding="utf-8"))
    data.pop("generated", None)  # the run's date, not a finding
    return data


def reader_classes(site: Path) -> dict[str, set[str]]:
    """Per built page, which of the reader classes its HTML carries."""
    found: dict[str, set[str]] = {}
    for html_file in site.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        classes = {c for c in READER_CLASSES if re.search(rf'class="(?:[^"]* )?{c}[ "]', text)}
        found[html_file.relative_to(site).as_posix()] = classes
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture built once by each installed engine, with the docs' digest before."""
    root = tmp_path_factory.mktemp("engines") / "project"
    make_project(root)
    before = tree_digest(root / "docs")
    results = {}
    for name in ENGINE_NAMES:
        if ENGINES[name].installed():
            results[name] = docgates(root, "build", "--engine", name, "-d", f"site-{name}")
    return root, before, results


@needs(*ENGINE_NAMES)
def test_every_engine_gives_the_same_report_and_exit_code(built):
    root, _, results = built
    for name, proc in results.items():
        assert proc.returncode == 1, f"{name}: {proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr, f"{name}: {proc.stderr[-2000:]}"
    reports = {name: report(root / f"site-{name}") for name in results}
    rules = {
        page["path"]: sorted(f["rule"] for f in page["findings"]) for page in reports["mkdocs"]["pages"]
    }
    assert "freshness/stale" in rules["stale.md"]
    assert "ownership/missing" in rules["unowned.md"]
    assert "links/broken" in rules["broken.md"]
    assert "checklist/incomplete" in rules["runbooks/restart.md"]
    assert "frontmatter/invalid" in rules["bad-front-matter.md"]
    assert reports["properdocs"] == reports["mkdocs"]
    assert reports["zensical"] == reports["mkdocs"]


@needs(*ENGINE_NAMES)
def test_every_engine_shows_the_same_reader_markup_and_generated_pages(built):
    root, _, results = built
    classes = {name: reader_classes(root / f"site-{name}") for name in results}
    mkdocs = classes["mkdocs"]
    assert mkdocs["stale/index.html"] >= {"docgates-owner", "docgates-freshness", "docgates-stale"}
    assert "docgates-checklist" in mkdocs["runbooks/restart/index.html"]
    assert "docgates-readability" in mkdocs["index.html"]
    pages = {p for p in mkdocs if p != "404.html"}
    for name in ("properdocs", "zensical"):
        for path in pages:
            assert classes[name].get(path) == mkdocs[path], f"{name}: {path}"
        for generated, heading in (("quality/index.html", "Quality dashboard"), ("leaderboard/index.html", "Docs-day leaderboard")):
            text = (root / f"site-{name}" / generated).read_text(encoding="utf-8")
            assert heading in text
            assert "docgates-generated-page" not in text, f"{name}: {generated} kept its placeholder"
    assert "docgates-generated-page" not in (root / "site-zensical" / "search.json").read_text(encoding="utf-8")


@needs("zensical")
def test_zensical_header_sits_under_the_title_in_the_content(built):
    root, _, _ = built
    text = (root / "site-zensical" / "stale" / "index.html").read_text(encoding="utf-8")
    article = text[text.index('<article class="md-content__inner'):]
    assert article.index("</h1>") < article.index('class="docgates-header"') < article.index("</article>")
    assert text.count('class="docgates-header"') == 1
    # The one docgates stylesheet is linked, and exists.
    assert 'href="../assets/docgates/docgates.css"' in text
    assert (root / "site-zensical" / "assets" / "docgates" / "docgates.css").is_file()


@needs("zensical")
def test_zensical_never_writes_into_docs_and_cleans_up(built):
    root, before, _ = built
    assert tree_digest(root / "docs") == before
    assert not (root / ".docgates-zensical.yml").exists()


@needs(*ENGINE_NAMES)
def test_every_engine_escapes_a_hostile_title_owner_and_git_author(built):
    root, _, results = built
    for name in results:
        site = root / f"site-{name}"
        for html_file in site.rglob("*.html"):
            text = html_file.read_text(encoding="utf-8")
            for raw in ("<img src=x onerror", "<script>window.__pwned", "Eve & ", "<b>new</b>"):
                assert raw not in text, f"{name}: {raw!r} unescaped in {html_file.relative_to(site)}"
        assert "&lt;img src=x onerror=alert(1)&gt;" in (site / "hostile" / "index.html").read_text(encoding="utf-8")
        # The author is shown, as text, on the leaderboard.
        assert "Eve &amp; " in (site / "leaderboard" / "index.html").read_text(encoding="utf-8")


@needs("zensical")
def test_invalid_front_matter_is_a_finding_not_a_zensical_traceback(built):
    root, _, results = built
    proc = results["zensical"]
    assert "Traceback" not in proc.stderr and "RuntimeError" not in proc.stderr
    assert "bad-front-matter.md:" in proc.stdout and "frontmatter/invalid" in proc.stdout
    assert (root / "site-zensical" / "bad-front-matter" / "index.html").is_file()
    assert (root / "site-zensical" / "empty-front-matter" / "index.html").is_file()


@needs("mkdocs", "properdocs")
def test_properdocs_build_and_mkdocs_build_write_the_same_report(built):
    root, _, _ = built
    for command in ("mkdocs", "properdocs"):
        proc = subprocess.run(
            [sys.executable, "-m", command, "build", "-f", "mkdocs.yml", "-d", f"plain-{command}"],
            cwd=root, env=base_env(), capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 1, proc.stderr[-2000:]
    assert report(root / "plain-properdocs") == report(root / "plain-mkdocs")


@needs("zensical")
def test_zensical_shows_the_freshness_of_the_day_it_builds(tmp_path):
    """Zensical caches pages by content; the header must follow the date all the same."""
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/freshness"])
    site = root / "site"
    first = docgates(root, "build", "--engine", "zensical")
    assert "docgates-stale" not in (site / "index.html").read_text(encoding="utf-8"), first.stderr
    later = docgates(root, "build", "--engine", "zensical", env=base_env(DOCGATES_TODAY="2028-01-01"))
    assert later.returncode == 1
    assert "docgates-stale" in (site / "index.html").read_text(encoding="utf-8")
    assert json.loads((site / "quality.json").read_text())["today"] == "2028-01-01"


@needs("zensical")
def test_zensical_clean_site_exits_0_and_site_dir_outside_the_project(tmp_path):
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/readability"], clean=True)
    out = tmp_path / "elsewhere" / "site"
    proc = docgates(root, "build", "--engine", "zensical", "-d", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (out / "quality.json").is_file()
    assert "docgates-readability" in (out / "index.html").read_text(encoding="utf-8")


@needs("zensical")
def test_zensical_without_a_docgates_plugin_is_a_usage_error(tmp_path):
    root = tmp_path / "project"
    make_project(root, plugins=["search"])
    proc = docgates(root, "build", "--engine", "zensical")
    assert proc.returncode == 2
    assert "no docgates plugin is enabled" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_says_a_plain_zensical_build_runs_no_gate(tmp_path):
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/readability"], clean=True)
    (root / "zensical.toml").write_text('[project]\nsite_name = "Engines fixture"\n', encoding="utf-8")
    proc = docgates(root, "check")
    assert proc.returncode == 0, proc.stderr
    assert "zensical.toml is next to mkdocs.yml: a plain 'zensical build' runs none of the docgates gates" in proc.stderr
    assert "docgates build --engine zensical" in proc.stderr


@needs(*ENGINE_NAMES)
@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_bad_plugin_option_is_exit_2_on_every_engine(tmp_path, engine):
    root = tmp_path / "project"
    make_project(root, plugins=["search", {"docgates/freshness": {"enabled": "maybe"}}], clean=True)
    proc = docgates(root, "build", "--engine", engine)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "enabled" in proc.stderr
    assert "Traceback" not in proc.stderr


@needs("zensical")
def test_a_zensical_failure_is_one_clear_line_and_exit_2(tmp_path):
    """MkDocs builds the readthedocs theme; Zensical's templates engine cannot."""
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/readability"], clean=True)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"] = {"name": "readthedocs"}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    proc = docgates(root, "build", "--engine", "zensical")
    assert proc.returncode == 2
    assert "docgates build: zensical build failed (exit status 1): " in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (root / ".docgates-zensical.yml").exists()


@needs("mkdocs", "zensical")
def test_an_explicit_nav_gets_the_generated_pages_at_its_end_on_zensical_too(tmp_path):
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/quality"], clean=True)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["nav"] = [{"Start": "index.md"}, "stale.md"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    menus = {}
    for engine in ("mkdocs", "zensical"):
        proc = docgates(root, "build", "--engine", engine, "-d", f"site-{engine}")
        assert proc.returncode == 0, proc.stderr[-2000:]
        home = (root / f"site-{engine}" / "index.html").read_text(encoding="utf-8")
        start = home.index("md-nav--primary")
        links = re.findall(r'href="([^"#]+)"', home[start : home.index('class="md-content"', start)])
        # Zensical writes "./stale/" where MkDocs writes "stale/".
        named = [link.removeprefix("./") for link in links]
        menus[engine] = [link for link in dict.fromkeys(named) if link in ("stale/", "quality/")]
    # The same pages in the menu, the dashboard after the site's own.
    assert menus["mkdocs"] == ["stale/", "quality/"]
    assert menus["zensical"] == menus["mkdocs"]

