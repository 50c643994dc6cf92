"""The links gate's HTML scan cache: same findings cold and warm, and a warm build reads
only changed pages again."""

from __future__ import annotations

import sqlite3

from docgates.links.scan import ScanCache, scan_html

PAGES = {
    "index.md": "# Home\n\nSee [setup](setup.md#install) and [gone](missing.md).\n",
    "setup.md": "# Setup\n\n## Install\n\nBack [home](index.md#nowhere).\n\n<a id=\"raw-id\"></a>\n",
}


def test_scan_cache_round_trips_every_link_and_id(tmp_path):
    html = '<p id="a"><a href="x.md#y">x</a> <img src="i.png" srcset="i.png 1x, j.png 2x"><a name="n"></a></p>'
    path = tmp_path / "scan.sqlite"
    first = ScanCache(path)
    fresh = first.scan(html)
    first.close()
    second = ScanCache(path)
    cached = second.scan(html)
    assert (second.cache.hits, second.cache.misses) == (1, 0)
    assert cached == fresh == scan_html(html)
    assert [l.url for l in cached.links] == ["x.md#y", "i.png", "i.png", "j.png"]
    assert cached.ids == {"a", "n"}


def test_corrupt_entry_or_file_is_a_miss(tmp_path):
    path = tmp_path / "scan.sqlite"
    cache = ScanCache(path)
    cache.scan("<a href='a.md'>a</a>")
    cache.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET value = 'not json ['")
    db.close()
    broken = ScanCache(path)
    assert [l.url for l in broken.scan("<a href='a.md'>a</a>").links] == ["a.md"]
    assert broken.cache.misses == 1 and broken.cache.hits == 0
    path.write_text("{{{")
    assert [l.url for l in ScanCache(path).scan("<a href='b.md'>b</a>").links] == ["b.md"]


def test_warm_build_reports_the_same_and_rescans_only_changed_pages(site):
    site.plugins("docgates/links")
    for path, text in PAGES.items():
        site.page(path, text)
    cold = site.build()
    cache_file = site.root / ".cache" / "plugin" / "docgates" / "link-scan.sqlite"
    assert ScanCache(cache_file).cache.stored() == 2
    warm = site.build()
    assert warm.rules() == cold.rules()
    assert warm.report["site"]["links"] == cold.report["site"]["links"]
    assert {(p["path"], f["line"], f["rule"]) for p in warm.report["pages"] for f in p["findings"]} == {
        ("index.md", 3, "links/broken"), ("setup.md", 5, "links/anchor"),
    }
    site.page("index.md", PAGES["index.md"] + "\nAnd [setup again](setup.md#raw-id).\n")
    edited = site.build()
    assert ScanCache(cache_file).cache.stored() == 3  # the old index entry is kept (under the limit), the new one added
    assert edited.rules() == cold.rules()


def test_cache_off_writes_nothing(site):
    site.plugins({"docgates/links": {"cache": False}})
    for path, text in PAGES.items():
        site.page(path, text)
    result = site.build()
    assert "links/broken" in result.rules()
    assert not (site.root / ".cache" / "plugin" / "docgates" / "link-scan.sqlite").exists()


def test_a_damaged_file_is_kept_aside_and_a_working_one_takes_its_place(tmp_path):
    path = tmp_path / "scan.sqlite"
    damaged = b"SQLite format 3\x00" + b"\xff" * 84  # a database's header over nothing
    path.write_bytes(damaged)
    cache = ScanCache(path, read_ahead=True)
    assert [l.url for l in cache.scan("<a href='a.md'>a</a>").links] == ["a.md"]
    cache.close()
    (aside,) = tmp_path.glob("scan.sqlite.corrupt-*")
    assert aside.read_bytes() == damaged  # moved, never deleted
    again = ScanCache(path)
    assert [l.url for l in again.scan("<a href='a.md'>a</a>").links] == ["a.md"]
    assert (again.cache.hits, again.cache.misses) == (1, 0)
