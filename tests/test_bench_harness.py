"""The benchmark harness's bookkeeping: which runs a partial bench measures, and what its
table says about the spread of the paired ratios (the timings themselves are not tested)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.harness import COLD, WARM, Task, median_interval, pair_order, select, table


def _tasks() -> list[Task]:
    return [Task("floor", ["floor"], floor=None), Task(COLD, ["cold"]), Task(WARM, ["warm"]),
            Task("freshness alone", ["fresh"])]


def test_only_keeps_the_floor_and_the_named_runs():
    assert [t.name for t in select(_tasks(), ["warm", "fresh"])] == ["floor", WARM, "freshness alone"]
    with pytest.raises(ValueError, match=r"--only 'tepid' names no run; the runs are: all plugins, cold cache, "):
        select(_tasks(), ["tepid"])


def test_the_table_gives_the_median_ratio_and_the_spread_of_the_pairs():
    """Each row: median wall time, median per-pair ratio, the pairs' range, the median per-pair
    ratio of CPU time, and memory against the floor."""
    floor, _, warm, _ = _tasks()
    floor.times, floor.memory_kb = [20.0, 20.0, 20.0], [100 * 1024] * 3
    warm.times, warm.floor_times = [21.0, 24.0, 22.0], [20.0, 20.0, 20.0]
    warm.memory_kb, warm.floor_memory_kb = [120 * 1024] * 3, [100 * 1024] * 3
    warm.cpu, warm.floor_cpu = [22.0, 26.0, 23.0], [20.0, 20.0, 20.0]
    warm.codes, floor.codes = {1}, {0}
    text = table([floor, warm], {}, "### bench")
    # Three pairs are too few for a 95 % interval of the median: that cell stays empty.
    assert "| all plugins, warm cache | 22.00 | 1.10 | 1.05–1.20 |  | 1.15 | 120 | 1.20 | 1 |" in text
    assert "| floor | 20.00 |  |  |  |  | 100 |  | 0 |" in text


def test_the_median_s_interval_is_read_from_the_ordered_pairs():
    """Distribution-free: with 10 pairs, the 2nd smallest to the 2nd largest covers the median
    with 97.9 % confidence (the 3rd to the 3rd, 89 %, is not enough for 95 %)."""
    pairs = [1.09, 0.97, 1.12, 1.04, 1.01, 1.06, 0.93, 1.20, 1.05, 1.03]
    assert median_interval(pairs) == (0.97, 1.12)
    assert median_interval(pairs, level=0.85) == (1.01, 1.09)
    # Six pairs: min to max is 96.9 %; five: 93.75 %, too little for 95 %.
    assert median_interval(pairs[:6]) == (0.97, 1.12)
    assert median_interval(pairs[:5]) is None
    assert median_interval([]) is None


def test_the_table_shows_the_interval_once_there_are_enough_pairs():
    floor, _, warm, _ = _tasks()
    ratios = [1.02, 1.05, 1.08, 0.99, 1.04, 1.06, 1.03]
    floor.times = floor.memory_kb = [1] * 7
    warm.floor_times = warm.floor_cpu = [20.0] * 7
    warm.times = warm.cpu = [20.0 * r for r in ratios]
    warm.memory_kb = warm.floor_memory_kb = [1024] * 7
    warm.codes = floor.codes = {0}
    assert "| 1.04 | 0.99–1.08 | 0.99–1.08 | 1.04 |" in table([floor, warm], {}, "### bench")


def test_the_floor_and_the_task_take_turns_at_running_first():
    orders = [pair_order(round_no) for round_no in range(1, 7)]
    assert orders[:2] == [("floor", "task"), ("task", "floor")]
    assert all(sorted(order) == ["floor", "task"] for order in orders)
    assert [order[0] for order in orders].count("floor") == 3


def test_docgates_is_byte_compiled_before_anything_is_timed():
    # The floor loads MkDocs and Material from bytecode; docgates must not compile from source.
    import importlib.util

    from benchmarks.harness import compile_docgates

    package = compile_docgates()
    sources = sorted(package.rglob("*.py"))
    assert any(s.name == "session.py" for s in sources)
    assert [s for s in sources if not Path(importlib.util.cache_from_source(str(s))).exists()] == []


def test_big_inputs_run_paired_with_their_own_bare_builds(tmp_path):
    """The big-input rows of `make bench` (quick sizes, one round): each site builds bare and
    with every plugin, each docgates run is paired with that site's own bare build, and the
    findings docgates is there to give make its runs fail while the bare builds pass."""
    from conftest import base_env

    from benchmarks.big_inputs import run_big_inputs

    rows = run_big_inputs(tmp_path, 1, base_env(), quick=True, log=lambda line: None)
    by_name = {row.name: row for row in rows}
    runs = ("bare build", "all plugins, cold cache", "all plugins, warm cache", "docgates check")
    assert list(by_name) == [f"{site}: {run}" for site in ("1 MB page", "4,000 headings", "2,000 commits") for run in runs]
    for name, row in by_name.items():
        if name.endswith("bare build"):
            assert row.codes == {0} and len(row.times) == 3  # one pair each for the cold, warm and check runs
        else:
            assert len(row.times) == 1 and len(row.floor_times) == 1
    # The big page's broken links and the history's unreviewed pages fail; the headings page is clean.
    for run in runs[1:]:
        assert by_name[f"1 MB page: {run}"].codes == {1}, run
        assert by_name[f"4,000 headings: {run}"].codes == {0}, run
        assert by_name[f"2,000 commits: {run}"].codes == {1}, run
    text = table(rows, {}, "big")
    assert "| 1 MB page: all plugins, warm cache |" in text


def test_instruction_counts_are_read_per_dump_in_the_order_callgrind_made_them(tmp_path):
    """callgrind names its dumps out.1 … out.N and writes the last part at exit to out itself;
    out.10 comes after out.9, not after out.1."""
    from benchmarks.instructions import counts_by_phase
    from benchmarks.instructions import table as instructions_table

    out = tmp_path / "warm.out"
    for n in range(1, 11):
        (tmp_path / f"warm.out.{n}").write_text(f"version: 1\ncmd: python\nevents: Ir\nsummary: {n * 1000}\n")
    out.write_text("version: 1\nevents: Ir\ntotals: 5\n")
    (tmp_path / "bare.out.1").write_text("summary: 7\n")  # another run's dump is not mixed in
    assert counts_by_phase(out) == [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 5]
    (tmp_path / "warm.out.3").write_text("not a callgrind file\n")
    with pytest.raises(ValueError, match=r"warm\.out\.3: no 'summary:' or 'totals:' line"):
        counts_by_phase(out)

    text = instructions_table([100e9, 50e9, 10e9, 20e9, 1e9], [100e9, 51e9, 11e9, 21e9, 2e9])
    assert "| reading the pages | 10.00 | 11.00 | +1.00 | 1.100 |" in text
    assert text.rstrip().endswith("| **total** | 181.00 | 185.00 | +4.00 | **1.022** |")


def test_the_floor_writes_where_its_pair_writes():
    """Where a build writes moves its time, so each pair's floor build writes to its task's
    folder; a task that writes no site (a check) pairs with the floor's own folder."""
    from benchmarks.harness import floor_argv

    floor = Task("floor", ["mkdocs", "build", "-f", "bench-floor.yml", "-d", "site-floor"], floor=None)
    warm = Task(WARM, ["mkdocs", "build", "-f", "bench-all.yml", "-d", "site-all"])
    check = Task("docgates check (full)", ["docgates", "check", "-f", "bench-all.yml"])
    assert floor_argv(floor, warm) == ["mkdocs", "build", "-f", "bench-floor.yml", "-d", "site-all"]
    assert floor_argv(floor, check) == floor.argv
    assert floor.argv[-1] == "site-floor"  # the floor's own command is left as it was


def test_every_timed_build_starts_without_the_last_site(tmp_path):
    """MkDocs would delete the last site inside the timed build, and how long that takes on
    ext4 depends on what ran just before: the harness removes it first, and after each pair."""
    import sys

    from benchmarks.harness import run_pairs

    # Exits 3 when the folder it is to write already exists, else writes it.
    script = "import os, sys; d = sys.argv[2]; sys.exit(3) if os.path.exists(d) else os.makedirs(d)"
    floor = Task("floor", [sys.executable, "-c", script, "-d", "site-floor"], floor=None)
    task = Task("task", [sys.executable, "-c", script, "-d", str(tmp_path / "out" / "site-task")])
    run_pairs(floor, [task], 2, tmp_path, {}, log=lambda line: None)
    assert floor.codes == {0} and task.codes == {0}
    assert len(task.floor_times) == 2  # the floor wrote the task's folder, which existed after each
    assert not (tmp_path / "out" / "site-task").exists()


def test_sites_are_written_to_a_scratch_folder_removed_afterwards():
    from benchmarks.harness import output_folder

    import tempfile

    with output_folder() as out:
        (out / "site").mkdir()
        assert out.is_dir()
    assert not out.exists()
    # Too little memory free for the sites: the system's temporary folder instead.
    with output_folder(min_free=1 << 60) as out:
        assert out.parent == Path(tempfile.gettempdir())
    assert not out.exists()
