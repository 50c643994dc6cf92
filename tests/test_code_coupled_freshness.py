"""Code-coupled freshness: a page falls due when the code it documents changes (real builds,
real git repositories with fixed dates)."""

from __future__ import annotations

import json
import subprocess
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from conftest import GitRepo, Site, base_env

OLD = "2026-01-10T10:00:00+00:00"
CODE = "def charge(amount):\n    return amount\n" + "".join(f"# line {i} of the payments service\n" for i in range(20))


def page(front: str, title: str = "Payments", body: str = "How payments work.\n") -> str:
    return f"---\n{front.strip()}\n---\n# {title}\n\n{body}"


def freshness_site(git_site, options: dict | None = None) -> tuple[Site, GitRepo]:
    site, repo = git_site
    site.plugins({"docgates/freshness": {"review_every": "2y", **(options or {})}})
    site.save_config()
    return site, repo


def code_findings(result, path: str, rule: str = "freshness/code-changed") -> list[dict]:
    return [f for f in result.page(path)["findings"] if f["rule"] == rule]


def test_page_behind_its_code_names_commit_paths_owner_and_command(git_site):
    site, repo = freshness_site(git_site)
    repo.commit("add payments", OLD, files={
        "services/payments/api.py": CODE,
        "services/payments/tests/test_api.py": "def test(): pass\n",
        "docs/payments.md": page('owner: "@payments"\nreviewed: 2026-03-01\ndocuments:\n  - "services/payments/**"\n  - "!services/payments/tests/**"'),
        "docs/other.md": page('owner: "@payments"\nreviewed: 2026-03-01\ndocuments: services/payments/api.py', "Other"),
    })
    repo.commit("tests only", "2026-04-01T10:00:00+00:00", files={"services/payments/tests/test_api.py": "def test(): assert 1\n"})
    first = repo.commit("Charge in cents", "2026-05-02T10:00:00+00:00", files={"services/payments/api.py": CODE + "# cents\n"})
    newest = repo.commit("Add refunds", "2026-06-03T10:00:00+00:00", files={
        "services/payments/refunds.py": "def refund(): pass\n",
        "services/payments/api.py": CODE + "# cents\n# refunds\n",
    })
    result = site.build()
    assert result.returncode == 0, result.output
    [finding] = code_findings(result, "payments.md")
    assert finding["severity"] == "warning"
    assert finding["line"] == 4  # the documents key
    message = finding["message"]
    assert f"2 commits, the newest {newest[:7]} on 2026-06-03 (Add refunds)" in message
    assert "after the last review (2026-03-01)" in message
    assert "services/payments/api.py" in message and "services/payments/refunds.py" in message
    assert "tests/test_api.py" not in message  # the negated pattern
    assert "owner @payments" in message and "'docgates review docs/payments.md'" in message
    entry = result.page("payments.md")
    assert entry["documents"] == ["services/payments/**", "!services/payments/tests/**"]
    changed = entry["code_changed"]
    assert (changed["date"], changed["commits"]) == ("2026-06-03", 2)
    assert sorted(changed["paths"]) == ["services/payments/api.py", "services/payments/refunds.py"]
    assert first[:7] not in message
    assert result.page("other.md")["code_changed"]["commits"] == 2


def test_not_behind_same_day_review_ignored_commit_and_pure_rename(git_site):
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "services/pay/api.py": CODE,
        "services/pay/old_name.py": CODE + "# old\n",
        "services/pay/fmt.py": CODE + "# fmt\n",
        # Reviewed the day the code last changed: not behind.
        "docs/same-day.md": page("reviewed: 2026-05-02\ndocuments: services/pay/api.py", "Same day"),
        # No review: dated by its own last change, after the code's.
        "docs/git-dated.md": page("documents: services/pay/api.py", "Git dated"),
        "docs/renamed.md": page("reviewed: 2026-03-01\ndocuments: services/pay/new_name.py", "Renamed"),
        "docs/ignored.md": page("reviewed: 2026-03-01\ndocuments: services/pay/fmt.py", "Ignored"),
    })
    repo.commit("api change", "2026-05-02T09:00:00+00:00", files={"services/pay/api.py": CODE + "# v2\n"})
    repo.commit("touch the page", "2026-06-01T10:00:00+00:00", files={
        "docs/git-dated.md": page("documents: services/pay/api.py", "Git dated", "Updated.\n"),
    })
    repo.git("mv", "services/pay/old_name.py", "services/pay/new_name.py")
    repo.commit("pure rename", "2026-07-01T10:00:00+00:00")
    bulk = repo.commit("reformat", "2026-08-01T10:00:00+00:00", files={"services/pay/fmt.py": CODE + "# fmt \n"})
    site.write(".git-blame-ignore-revs", f"{bulk}\n")
    result = site.build()
    assert result.returncode == 0, result.output
    for path in ("same-day.md", "git-dated.md", "renamed.md", "ignored.md"):
        assert code_findings(result, path) == [], path
        assert result.page(path)["code_changed"] is None
    assert 'class="docgates-code-changed"' not in (site.root / "site/same-day/index.html").read_text(encoding="utf-8")


def test_rename_follows_the_file_and_deleted_code_is_missing(git_site):
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "services/old/api.py": CODE,
        "services/gone/job.py": CODE,
        "docs/moved.md": page("reviewed: 2026-03-01\ndocuments: services/new/**", "Moved"),
        "docs/gone.md": page("reviewed: 2026-03-01\ndocuments:\n  - services/gone/**\n  - services/old/api.py", "Gone"),
    })
    # Edited under its old name after the review, then moved: the page documents the new name.
    edit = repo.commit("edit before the move", "2026-04-01T10:00:00+00:00", files={"services/old/api.py": CODE + "# x\n"})
    repo.git("mv", "services/old", "services/new")
    repo.commit("move the service", "2026-05-01T10:00:00+00:00")
    deleted = repo.commit("Remove the job", "2026-06-01T10:00:00+00:00", files={"services/gone/job.py": None})
    result = site.build()
    assert result.returncode == 0, result.output
    moved = result.page("moved.md")["code_changed"]
    assert moved == {"date": "2026-04-01", "commits": 1, "paths": ["services/new/api.py"]}
    assert edit[:7] in code_findings(result, "moved.md")[0]["message"]
    missing = code_findings(result, "gone.md", "freshness/code-missing")
    by_pattern = {f["message"].split("'")[1]: f["message"] for f in missing}
    assert set(by_pattern) == {"services/gone/**", "services/old/api.py"}
    assert f"deleted in {deleted[:7]} on 2026-06-01 (Remove the job): services/gone/job.py (deleted)" in by_pattern["services/gone/**"]
    assert "moved in" in by_pattern["services/old/api.py"] and "services/old/api.py -> services/new/api.py" in by_pattern["services/old/api.py"]
    assert all(f["line"] == 3 and f["severity"] == "warning" for f in missing)
    # The deletion is also a change of the documented code.
    assert sorted(result.page("gone.md")["code_changed"]["paths"]) == ["services/gone/job.py", "services/new/api.py"]


def test_folder_option_front_matter_wins_archived_exempt(git_site):
    site, repo = freshness_site(git_site, {"documents": {"billing/**": ["services/billing/**"]}})
    repo.commit("add", OLD, files={
        "services/billing/a.py": CODE,
        "services/other/b.py": CODE,
        "docs/billing/invoices.md": page("reviewed: 2026-03-01", "Invoices"),
        "docs/billing/own.md": page("reviewed: 2026-03-01\ndocuments: services/other/**", "Own"),
        "docs/billing/archived.md": page("reviewed: 2026-03-01\narchived: true", "Archived"),
        "docs/elsewhere.md": page("reviewed: 2026-03-01", "Elsewhere"),
    })
    repo.commit("billing change", "2026-05-01T10:00:00+00:00", files={"services/billing/a.py": CODE + "#\n"})
    result = site.build()
    assert result.returncode == 0, result.output
    [folder] = code_findings(result, "billing/invoices.md")
    assert folder["line"] == 1 and "services/billing/a.py" in folder["message"]
    assert result.page("billing/invoices.md")["documents"] == ["services/billing/**"]
    assert code_findings(result, "billing/own.md") == []  # its own patterns: other code
    assert result.page("billing/own.md")["documents"] == ["services/other/**"]
    assert code_findings(result, "billing/archived.md") == []
    assert result.page("billing/archived.md")["code_changed"] is None
    assert result.page("elsewhere.md")["documents"] == []


def test_bad_documents_values_are_frontmatter_invalid_with_the_line(git_site):
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "docs/abs.md": page("reviewed: 2026-03-01\ndocuments: /etc/passwd", "Abs"),
        "docs/up.md": page("reviewed: 2026-03-01\ndocuments:\n  - services/**\n  - ../other-repo/**", "Up"),
        "docs/kind.md": page("reviewed: 2026-03-01\ndocuments: {a: 1}", "Kind"),
        "docs/number.md": page("reviewed: 2026-03-01\ndocuments: [3]", "Number"),
    })
    result = site.build()
    assert result.returncode == 1, result.output
    for path, words in {
        "abs.md": "absolute path", "up.md": "leaves the repository", "kind.md": "expected a repository-relative",
        "number.md": "is not a path pattern",
    }.items():
        [finding] = [f for f in result.page(path)["findings"] if f["rule"] == "frontmatter/invalid"]
        assert finding["line"] == 3 and words in finding["message"], (path, finding)
        assert not code_findings(result, path, "freshness/code-missing")


def test_bad_folder_option_is_a_configuration_error(git_site):
    site, repo = freshness_site(git_site, {"documents": {"billing/**": "/abs/**"}})
    repo.commit("add", OLD, files={"docs/index.md": page("reviewed: 2026-03-01", "Home")})
    result = site.build()
    assert result.returncode != 0
    assert "documents" in result.output and "absolute path" in result.output
    assert "Traceback" not in result.output


def test_non_ascii_and_spaces_in_paths(git_site):
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "services/zahlungs dienst/Überweisung.py": CODE,
        "docs/zahlung.md": page('reviewed: 2026-03-01\ndocuments: "services/zahlungs dienst/Über*.py"', "Zahlung"),
    })
    repo.commit("Änderung", "2026-05-01T10:00:00+00:00", files={"services/zahlungs dienst/Überweisung.py": CODE + "#\n"})
    result = site.build()
    assert result.returncode == 0, result.output
    assert result.page("zahlung.md")["code_changed"]["paths"] == ["services/zahlungs dienst/Überweisung.py"]
    assert "(Änderung)" in code_findings(result, "zahlung.md")[0]["message"]


def test_shallow_clone_is_unknown_once_never_a_guess(git_site, tmp_path):
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "services/pay/api.py": CODE,
        "docs/a.md": page("reviewed: 2026-03-01\ndocuments: services/pay/**", "A"),
        "docs/b.md": page("reviewed: 2026-03-01\ndocuments: services/pay/**", "B"),
    })
    repo.commit("change", "2026-05-01T10:00:00+00:00", files={"services/pay/api.py": CODE + "#\n"})
    repo.commit("change again", "2026-06-01T10:00:00+00:00", files={"services/pay/api.py": CODE + "##\n"})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{site.root}", str(clone)], check=True, env=base_env())
    shallow = Site(clone)
    shallow.config = site.config
    result = shallow.build()
    assert result.returncode == 0, result.output
    for path in ("a.md", "b.md"):
        assert result.page(path)["code_changed"] is None
        assert code_findings(result, path) == []
    text = json.dumps(result.report)
    assert text.count("2 pages document code whose changes cannot be dated") == 1
    assert result.output.count("freshness/unknown") == 1 and "fetch-depth: 0" in result.output


def pr_repo(git_site) -> tuple[Site, GitRepo]:
    """main with two pages documenting code, and a branch 'feature' to change things on."""
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "services/pay/api.py": CODE,
        "services/search/index.py": CODE,
        "docs/pay.md": page('owner: "@payments"\nreviewed: 2026-11-20\ndocuments: services/pay/**', "Pay"),
        "docs/search.md": page('owner: "@search"\nreviewed: 2026-11-20\ndocuments: services/search/**', "Search"),
        "docs/plain.md": page('owner: "@docs"\nreviewed: 2026-11-20', "Plain"),
    })
    repo.git("checkout", "-q", "-b", "feature")
    return site, repo


def check_json(site: Site, *args: str) -> dict:
    proc = site.docgates("check", "--changed-since", "main", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def rules_by_page(report: dict) -> dict[str, list[str]]:
    return {p["path"]: sorted(f["rule"] for f in p["findings"]) for p in report["pages"]}


def test_pr_mode_only_code_changed(git_site):
    site, repo = pr_repo(git_site)
    # Same day as the review: by dates alone the page would be up to date.
    repo.commit("pay change", "2026-11-20T15:00:00+00:00", files={"services/pay/api.py": CODE + "#\n"})
    report = check_json(site)
    assert rules_by_page(report) == {"pay.md": ["freshness/code-changed"]}
    [finding] = report["pages"][0]["findings"]
    assert finding["line"] == 1
    assert "services/pay/api.py" in finding["message"] and "main" in finding["message"]
    assert "owner @payments" in finding["message"]


def test_pr_mode_uncommitted_code_change(git_site):
    site, repo = pr_repo(git_site)
    (site.root / "services/search/index.py").write_text(CODE + "# not committed\n", encoding="utf-8")
    (site.root / "services/search/new_file.py").write_text("x = 1\n", encoding="utf-8")
    report = check_json(site)
    assert rules_by_page(report) == {"search.md": ["freshness/code-changed"]}
    message = report["pages"][0]["findings"][0]["message"]
    assert "services/search/index.py" in message and "services/search/new_file.py" in message


def test_pr_mode_page_touched_in_the_same_change(git_site):
    site, repo = pr_repo(git_site)
    repo.commit("pay change", "2026-11-21T10:00:00+00:00", files={"services/pay/api.py": CODE + "#\n"})
    # The page is updated in the working tree, not committed yet: its git date is still old.
    site.page("pay.md", page('owner: "@payments"\nreviewed: 2026-11-20\ndocuments: services/pay/**', "Pay", "Now in cents.\n"), dedent=False)
    report = check_json(site)
    assert rules_by_page(report) == {"pay.md": []}


def test_pr_mode_code_under_no_pattern_checks_nothing(git_site):
    site, repo = pr_repo(git_site)
    repo.commit("tooling", "2026-11-21T10:00:00+00:00", files={"tools/lint.py": "x = 1\n"})
    proc = site.docgates("check", "--changed-since", "main")
    assert proc.returncode == 0, proc.stderr
    assert "0 pages to check" in proc.stderr


HOSTILE = "50% <script>alert(1)</script>\r::error file=x::pwned %0A"


def test_hostile_commit_subject_and_paths_are_escaped(git_site):
    site, repo = pr_repo(git_site)
    odd = "services/pay/<img src=x>::50%.py"
    repo.git("checkout", "-q", "main")
    repo.commit(HOSTILE, "2026-11-22T10:00:00+00:00", files={"services/pay/api.py": CODE + "#\n", odd: "x\n"})
    result = site.build()
    html = (site.root / "site/pay/index.html").read_text(encoding="utf-8")
    banner = html[html.index('<div class="docgates-code-changed"'):]
    banner = banner[: banner.index("</div>")]
    assert "<img" not in banner and "&lt;img src=x&gt;::50%.py" in banner
    assert "2026-11-22" in banner and "@payments" in banner and "docgates review docs/pay.md" in banner
    BannerParser().feed(banner)
    message = code_findings(result, "pay.md")[0]["message"]
    assert "50% <script>alert(1)</script> ::error file=x::pwned %0A" in message  # one plain line
    proc = site.docgates("check", "--format", "github")
    [annotation] = [line for line in proc.stdout.splitlines() if "freshness/code-changed" in line]
    assert "(50%25 <script>alert(1)</script> ::error file=x::pwned %250A)" in annotation
    assert not [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    # Annotations and the step summary, in PR mode: code changed on the branch only.
    repo.git("checkout", "-q", "feature")
    repo.git("reset", "-q", "--hard", "main~1")
    repo.commit(HOSTILE, "2026-11-22T10:00:00+00:00", files={"services/pay/api.py": CODE + "#\n", odd: "x\n"})
    summary = site.root / "summary.md"
    proc = site.docgates(
        "check", "--changed-since", "main", "--format", "github", env=base_env(GITHUB_STEP_SUMMARY=str(summary))
    )
    assert proc.returncode == 0, proc.stderr
    [annotation] = [line for line in proc.stdout.splitlines() if "freshness/code-changed" in line]
    assert annotation.startswith("::warning file=docs/pay.md,line=1,title=freshness/code-changed::")
    assert "<img src=x>::50%25.py" in annotation  # GitHub's escaping of data: '%' only
    text = summary.read_text(encoding="utf-8")
    assert "### Code changed, docs not touched" in text
    [row] = [line for line in text.splitlines() if line.startswith("| docs/pay.md")]
    assert "\\<img src=x\\>" in row and "@\u2060payments" in row
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<img" not in rendered and "&lt;img src=x&gt;" in rendered


class BannerParser(HTMLParser):
    """Fails on any element the banner should not contain."""

    def handle_starttag(self, tag, attrs):
        assert tag in ("div", "p", "strong", "time", "code", "span"), tag


def test_stale_lists_pages_behind_their_code(git_site):
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "services/pay/api.py": CODE,
        "docs/pay.md": page('owner: "@payments"\nreviewed: 2026-11-01\ndocuments: services/pay/**', "Pay"),
        "docs/old.md": page('owner: "@payments"\nreviewed: 2024-01-01', "Old"),
        "docs/fine.md": page('owner: "@payments"\nreviewed: 2026-11-01', "Fine"),
    })
    repo.commit("pay <change>", "2026-11-10T10:00:00+00:00", files={"services/pay/api.py": CODE + "#\n"})
    proc = site.docgates("stale", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["stale"], data["behind_code"]) == (1, 1)
    [group] = data["owners"]
    by_path = {p["path"]: p for p in group["pages"]}
    assert set(by_path) == {"old.md", "pay.md"}
    assert by_path["pay.md"]["status"] == "behind-code"
    assert by_path["pay.md"]["code_changed"] == {"date": "2026-11-10", "commits": 1, "paths": ["services/pay/api.py"]}
    text = site.docgates("stale").stdout
    assert "behind its code" in text and "code changed 2026-11-10 (1 commit): services/pay/api.py" in text
    assert "1 behind the code they document" in text
    markdown = site.docgates("stale", "--format", "markdown").stdout
    assert "| behind its code<br>code changed 2026-11-10 \\(1 commit\\): services/pay/api.py |" in markdown


def test_one_git_pass_reads_code_only_when_pages_document_it(tmp_path):
    from docgates.core.site_history import read_history_early

    repo = GitRepo(tmp_path / "repo")
    repo.commit("add", OLD, files={
        "services/a.py": CODE, "docs/index.md": page("reviewed: 2026-03-01", "Home"),
    })
    docs = repo.root / "docs"

    def early(declared: bool = False):
        shared: dict = {}
        read_history_early(shared, repo.root, docs, documents_declared=declared)
        return shared["git-history"].result()

    plain = early()
    assert plain.head_files is None
    assert {c.path for commit in plain.commits for c in commit.changes} == {"docs/index.md"}
    by_option = early(declared=True)
    assert by_option.head_files == ["docs/index.md", "services/a.py"]
    (docs / "api.md").write_text(page("documents: services/**", "API"), encoding="utf-8")
    by_page = early()
    assert by_page.head_files == ["docs/index.md", "services/a.py"]
    assert {c.path for commit in by_page.commits for c in commit.changes} == {"docs/index.md", "services/a.py"}


def test_dashboard_lists_pages_behind_their_code_and_counts_them(git_site):
    site, repo = git_site
    site.plugins({"docgates/freshness": {"review_every": "2y"}}, "docgates/quality")
    site.save_config()
    repo.commit("add", OLD, files={
        "services/pay/api.py": CODE,
        "docs/pay.md": page('owner: "@payments"\nreviewed: 2026-03-01\ndocuments: services/pay/**', "Pay"),
        "docs/fine.md": page('owner: "@payments"\nreviewed: 2026-03-01', "Fine"),
    })
    repo.commit("pay <b>change</b>", "2026-05-01T10:00:00+00:00", files={"services/pay/api.py": CODE + "#\n"})
    result = site.build()
    assert result.returncode == 0, result.output
    html = (site.root / "site/quality/index.html").read_text(encoding="utf-8")
    start = html.index('id="behind-code"')
    section = html[start : html.index("</section>", start)]
    assert "Pages behind their code" in section and "services/pay/api.py" in section
    assert "2026-05-01" in section and ">Pay</a>" in section and ">Fine</a>" not in section
    assert result.report["site"]["health"]["held_back"] == {"Fresh pages": 1}


def test_suggest_documents_proposes_from_names_and_shared_commits_and_writes_nothing(git_site):
    site, repo = freshness_site(git_site)
    repo.commit("add", OLD, files={
        "services/pay/api.py": CODE,
        "services/pay/models.py": CODE,
        "api/payments.yaml": "openapi: 3.0.0\n",
        "tools/lint.py": "x = 1\n",
        "docs/pay.md": page("reviewed: 2026-03-01", "Pay", "Calls `api/payments.yaml` through the [client](../services/pay/api.py).\n"),
        "docs/ops.md": page("reviewed: 2026-03-01", "Ops"),
        "docs/done.md": page("reviewed: 2026-03-01\ndocuments: tools/**", "Done"),
    })
    for n in (1, 2):
        repo.commit(f"ops {n}", f"2026-0{n + 2}-01T10:00:00+00:00", files={
            "docs/ops.md": page("reviewed: 2026-03-01", "Ops", f"Rev {n}.\n"),
            "tools/lint.py": f"x = {n}\n",
            "services/pay/models.py": CODE + f"# {n}\n" if n == 1 else CODE,
        })
    before = (site.docs / "pay.md").read_text(encoding="utf-8")
    proc = site.docgates("suggest-documents", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    found = {s["page"]: s for s in json.loads(proc.stdout)["suggestions"]}
    assert set(found) == {"pay.md", "ops.md"}  # done.md declares documents already
    assert found["pay.md"]["documents"] == ["api/payments.yaml", "services/pay/api.py"]
    assert found["pay.md"]["evidence"]["api/payments.yaml"] == "named in the page"
    assert found["ops.md"]["documents"] == ["services/pay/models.py", "tools/lint.py"]
    assert found["ops.md"]["evidence"]["tools/lint.py"] == "changed with the page in 2 commits"
    text = site.docgates("suggest-documents", "docs/pay.md").stdout
    assert 'documents:\n    - "api/payments.yaml"  # named in the page' in text
    assert (site.docs / "pay.md").read_text(encoding="utf-8") == before


def test_meta_yml_declares_documents_for_a_folder_in_builds_and_pull_requests(git_site):
    site, repo = git_site
    site.plugins("meta", {"docgates/freshness": {"review_every": "2y"}})
    site.save_config()
    repo.commit("add", OLD, files={
        "services/search/index.py": CODE,
        "docs/search/.meta.yml": "documents: services/search/**\nreviewed: 2026-03-01\n",
        "docs/search/query.md": "# Query\n\nHow to query.\n",
        "docs/search/bad/.meta.yml": "documents: ../../etc/**\n",
        "docs/search/bad/page.md": "# Bad\n\nDeclared badly.\n",
    })
    repo.commit("index change", "2026-05-01T10:00:00+00:00", files={"services/search/index.py": CODE + "#\n"})
    result = site.build()
    assert result.page("search/query.md")["code_changed"]["paths"] == ["services/search/index.py"]
    [finding] = code_findings(result, "search/query.md")
    assert finding["line"] == 1
    [bad] = [f for f in result.page("search/bad/page.md")["findings"] if f["rule"] == "frontmatter/invalid"]
    assert "documents (from docs/search/bad/.meta.yml:1)" in bad["message"] and "leaves the repository" in bad["message"]
    # Pull request mode reads the same declaration.
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("index again", "2026-11-21T10:00:00+00:00", files={"services/search/index.py": CODE + "##\n"})
    proc = site.docgates("check", "--changed-since", "main", "--format", "json")
    report = json.loads(proc.stdout)
    assert rules_by_page(report) == {"search/query.md": ["freshness/code-changed"]}
