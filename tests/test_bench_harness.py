"""The benchmark harness's bookkeeping: which runs a partial bench measures, and what its
table says about the spread of the paired ratios (the timings themselves are not tested)."""

from __future__ import annotations

import pytest

from benchmarks.harness import COLD, WARM, Task, pair_order, select, table


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
    assert "| all plugins, warm cache | 22.00 | 1.10 | 1.05–1.20 | 1.15 | 120 | 1.20 | 1 |" in text
    assert "| floor | 20.00 |  |  |  | 100 |  | 0 |" in text


def test_the_floor_and_the_task_take_turns_at_running_first():
    orders = [pair_order(round_no) for round_no in range(1, 7)]
    assert orders[:2] == [("floor", "task"), ("task", "floor")]
    assert all(sorted(order) == ["floor", "task"] for order in orders)
    assert [order[0] for order in orders].count("floor") == 3


def test_docgates_is_byte_compiled_before_anything_is_timed():
    # The floor loads MkDocs and Material from bytecode; docgates must not compile from source.
    import importlib.util
    from pathlib import Path

    from benchmarks.harness import compile_docgates

    package = compile_docgates()
    sources = sorted(package.rglob("*.py"))
    assert any(s.name == "session.py" for s in sources)
    assert [s for s in sources if not Path(importlib.util.cache_from_source(str(s))).exists()] == []
