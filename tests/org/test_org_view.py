"""docgates org: real sites' reports recorded over two days, bad inputs, the database reopened
and a killed run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from org_fixtures import DAY_ONE, DAY_TWO, build_on, docgates, make_site, read_json


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Two sites: 'payments' published on two days, 'search' on the first."""
    root = tmp_path_factory.mktemp("org")
    payments = make_site(root / "payments", "Payments", "Pat Payments <pat@corp.example>")
    search = make_site(root / "search", "Search", "Sam Search <sam@corp.example>")
    return {
        "payments-1": build_on(payments, DAY_ONE, root / "published" / "payments-1"),
        "payments-2": build_on(payments, DAY_TWO, root / "published" / "payments-2"),
        "search": build_on(search, DAY_ONE, root / "published" / "search"),
    }


def test_two_days_make_a_history_per_site_and_owners_across_sites(built, tmp_path):
    first = docgates("org", f"payments={built['payments-1']}", f"search={built['search'] / 'quality.json'}",
                     cwd=tmp_path, day=DAY_ONE)
    assert first.returncode == 0, first.stderr
    # A second process opens the same database: the history continues.
    second = docgates("org", f"payments={built['payments-2']}", f"search={built['search']}", cwd=tmp_path, day=DAY_TWO)
    assert second.returncode == 0, second.stderr
    org = read_json(tmp_path / "org-site" / "org.json")
    sites = {s["name"]: s for s in org["sites"]}
    assert list(sites) == ["payments", "search"]
    payments = sites["payments"]
    assert [h["generated"] for h in payments["history"]] == [DAY_ONE, DAY_TWO]
    assert [h["stale"] for h in payments["history"]] == [0, 1]  # the guide fell due in early 2027
    assert (payments["pages"], payments["stale"], payments["ownerless"]) == (3, 1, 1)
    assert payments["link"].endswith("/published/payments-2/index.html")  # the built site, relative to the portal
    # The unchanged search report is recorded again (same figures), not parsed again.
    assert [h["generated"] for h in sites["search"]["history"]] == [DAY_ONE, DAY_ONE]
    owners = {o["owner"]: o for o in org["owners"]}
    assert owners["@alice"] == {"owner": "@alice", "pages": 2, "stale": 1, "sites": 2}
    assert owners["@docs-team"]["pages"] == 2 and owners["@docs-team"]["stale"] == 0
    assert org["worst_pages"][0]["path"] == "guide.md" and org["worst_pages"][0]["site"] == "payments"
    assert [i["day"] for i in org["indicators"]] == [DAY_ONE, DAY_TWO]
    assert org["indicators"][1]["stale_share"] == round(100 / 6, 1)
    assert org["indicators"][1]["ownerless_share"] == round(100 * 2 / 6, 1)
    page = (tmp_path / "org-site" / "index.html").read_text()
    assert 'class="docgates-org docgates-dashboard"' in page
    assert page.count('class="docgates-sparkline"') == 2


def test_bad_reports_are_named_and_the_rest_recorded(built, tmp_path):
    (tmp_path / "not-json.json").write_text("{'pages': [", encoding="utf-8")
    newer = read_json(built["search"] / "quality.json")
    newer["schema"] = 2
    (tmp_path / "newer.json").write_text(json.dumps(newer), encoding="utf-8")
    (tmp_path / "empty-site").mkdir()
    proc = docgates(
        "org", f"good={built['search']}", f"missing={tmp_path / 'nowhere.json'}", f"garbled={tmp_path / 'not-json.json'}",
        f"newer={tmp_path / 'newer.json'}", f"unbuilt={tmp_path / 'empty-site'}", "--out", "portal", cwd=tmp_path,
    )
    assert proc.returncode == 1
    reasons = {p["name"]: p["reason"] for p in read_json(tmp_path / "portal" / "org.json")["problems"]}
    assert reasons["missing"].startswith("no such file")
    assert reasons["garbled"].startswith("not JSON (line 1, column 2")
    assert reasons["newer"].startswith("schema version 2; this docgates reads version 1")
    assert reasons["unbuilt"].startswith("no quality.json in this folder")
    for name in reasons:
        assert f"docgates org: {name}: " in proc.stderr
    assert "Traceback" not in proc.stderr
    assert [s["name"] for s in read_json(tmp_path / "portal" / "org.json")["sites"]] == ["good"]
    huge = docgates("org", f"good={built['search']}", "--max-size", "0.001", cwd=tmp_path)
    assert huge.returncode == 1 and "larger than the --max-size limit (1,048 bytes)" in huge.stderr


def test_sites_file_in_yaml_and_csv(built, tmp_path):
    (tmp_path / "sites.yml").write_text(
        f"- name: payments\n  report: {built['payments-1']}\n  link: https://docs.example.com/payments/\n"
        f"- {{name: search, report: {built['search']}}}\n", encoding="utf-8")
    (tmp_path / "sites.csv").write_text(f"name,report\npayments,{built['payments-1']}\n", encoding="utf-8")
    proc = docgates("org", "--from", "sites.yml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    sites = read_json(tmp_path / "org-site" / "org.json")["sites"]
    assert [(s["name"], s["link"]) for s in sites][0] == ("payments", "https://docs.example.com/payments/")
    assert docgates("org", "--from", "sites.csv", "--db", "csv.sqlite", cwd=tmp_path).returncode == 0
    (tmp_path / "broken.yml").write_text("- name: x\n- {name: y, report: z}\n", encoding="utf-8")
    broken = docgates("org", "--from", "broken.yml", cwd=tmp_path)
    assert broken.returncode == 2
    assert "broken.yml:1: each entry needs 'name' and 'report'" in broken.stderr


def test_a_killed_run_leaves_the_last_good_snapshot(built, tmp_path):
    assert docgates("org", f"payments={built['payments-1']}", f"search={built['search']}", cwd=tmp_path).returncode == 0
    killed = docgates("org", f"payments={built['payments-2']}", f"search={built['search']}", cwd=tmp_path,
                      day=DAY_TWO, DOCGATES_ORG_KILL_AFTER_SITES="1")
    assert killed.returncode == -9  # SIGKILL after the first site was written, inside the run
    db = sqlite3.connect(tmp_path / "docgates-org.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    db.close()
    offline = docgates("org", "--offline", cwd=tmp_path, day=DAY_TWO)
    assert offline.returncode == 0, offline.stderr
    sites = {s["name"]: s for s in read_json(tmp_path / "org-site" / "org.json")["sites"]}
    assert [h["generated"] for h in sites["payments"]["history"]] == [DAY_ONE]
    # The next run records normally.
    assert docgates("org", f"payments={built['payments-2']}", cwd=tmp_path, day=DAY_TWO).returncode == 0
    sites = {s["name"]: s for s in read_json(tmp_path / "org-site" / "org.json")["sites"]}
    assert [h["generated"] for h in sites["payments"]["history"]] == [DAY_ONE, DAY_TWO]


def test_a_database_of_another_kind_is_a_usage_error(tmp_path, built):
    (tmp_path / "notes.sqlite").write_text("these are not the droids", encoding="utf-8")
    proc = docgates("org", f"search={built['search']}", "--db", "notes.sqlite", cwd=tmp_path)
    assert proc.returncode == 2
    assert "notes.sqlite: not a usable docgates org database" in proc.stderr
    newer = sqlite3.connect(tmp_path / "newer.sqlite")
    newer.execute("PRAGMA user_version = 99")
    newer.close()
    proc = docgates("org", f"search={built['search']}", "--db", "newer.sqlite", cwd=tmp_path)
    assert proc.returncode == 2 and "written by a newer docgates (schema 99" in proc.stderr


def test_org_docs_day_merges_boards_by_name_without_emails(built, tmp_path):
    proc = docgates("org", f"payments={built['payments-1']}", f"search={built['search']}",
                    "--since", "2026-11-01", "--until", "2026-11-30", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    board = read_json(tmp_path / "org-site" / "org.json")["docs_day"]
    names = [p["name"] for p in board["people"]]
    assert sorted(names) == ["Pat Payments", "Sam Search"]
    assert all(p["new_page"] == 3 for p in board["people"])
    page = (tmp_path / "org-site" / "index.html").read_text()
    assert "corp.example" not in page and "corp.example" not in json.dumps(board)
    assert {a["id"] for a in board["awards"]} >= {"author"}


def test_many_sites_are_read_by_worker_processes_in_the_listed_order(built, tmp_path):
    (tmp_path / "garbled.json").write_text('{"summary": {}, "pages": [}', encoding="utf-8")
    names = [f"site-{n:02d}" for n in range(9)]
    pairs = [f"{name}={built['payments-2'] if n % 2 else built['search']}" for n, name in enumerate(names)]
    proc = docgates("org", *pairs[:4], f"garbled={tmp_path / 'garbled.json'}", *pairs[4:], cwd=tmp_path, day=DAY_TWO)
    assert proc.returncode == 1
    org = read_json(tmp_path / "org-site" / "org.json")
    assert [s["name"] for s in org["sites"]] == names
    assert [s["stale"] for s in org["sites"]] == [n % 2 for n in range(9)]
    assert [p["name"] for p in org["problems"]] == ["garbled"]
    assert org["problems"][0]["reason"] == "not JSON (line 1, column 27: Expecting value)"
    assert org["owners"][0] == {"owner": "@alice", "pages": 9, "stale": 4, "sites": 9}
