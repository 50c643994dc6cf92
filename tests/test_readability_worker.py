"""Readability scoring in a worker process: same scores as in-process, used only when it
pays off, and a dead worker costs nothing but time."""

from __future__ import annotations

import datetime as dt
import os
import signal

import pytest

from docgates.core.findings import SeverityPolicy
from docgates.core.frontmatter import parse_page
from docgates.core.gate import PageInput, SiteContext
from docgates.readability.gate import WORKER_AFTER, ReadabilityGate
from docgates.core.report import QualityReport
from docgates.readability.worker import spare_cores

needs_two_cores = pytest.mark.skipif(spare_cores() < 1, reason="the worker needs a spare core")

SENTENCES = [
    "We ship every change with the deploy script.",
    "Organisational accountability necessitates comprehensive documentation of modifications.",
    "It runs the tests first, then builds the app.",
    "Notwithstanding the aforementioned considerations, architectural deliberations continue.",
    "Ask the team in chat if you get stuck.",
    "Institutional memory deteriorates whenever undocumented modifications accumulate indefinitely.",
]


def _page_text(number: int) -> str:
    # Each page mixes easy and dense sentences differently, so scores differ page to page.
    body = " ".join(SENTENCES[(number + i * (number % 5 + 1)) % len(SENTENCES)] for i in range(30))
    return f"# Page {number}\n\n{body}\n\nSee `code that is not prose` and more.\n"


def _pages(count: int) -> dict[str, str]:
    return {f"p{n:02d}.md": _page_text(n) for n in range(count)}


def _site_context(tmp_path) -> SiteContext:
    today = dt.date(2026, 11, 24)
    return SiteContext(
        config_dir=tmp_path, docs_dir=tmp_path / "docs", site_dir=tmp_path / "site", today=today,
        policy=SeverityPolicy(), report=QualityReport(today=today),
    )


def _page_input(path: str, text: str) -> PageInput:
    source = parse_page(path, text)
    html = "".join(
        f"<h1>{line[2:]}</h1>" if line.startswith("# ") else f"<p>{line}</p>"
        for line in source.body.splitlines() if line
    )
    return PageInput(source=source, url=path[:-3] + "/", html=html)


def _run_gate(tmp_path, pages: dict[str, str], kill_worker: bool = False, complete: bool = True, **options):
    """The gate over rendered pages, in process (HTML from a tiny renderer: one <p> per line);
    ``complete=False`` runs it as a check of a few changed pages."""
    gate = ReadabilityGate({"cache": False, **options})
    site = _site_context(tmp_path)
    site.complete = complete
    gate.begin(site)
    used_worker = killed = False
    for path, text in pages.items():
        gate.check_rendered(_page_input(path, text), site.report.page(path), site)
        worker = gate.workers.worker if gate.workers else None
        used_worker = used_worker or worker is not None
        if kill_worker and worker is not None and not killed:
            # As soon as it exists: a process killed with SIGKILL runs no more code, so the pages
            # sent after this can only be scored in-process, however busy the machine is.
            os.kill(worker.pid, signal.SIGKILL)
            killed = True
    gate.finish(site)
    return site.report, (gate.scored_in_worker if used_worker else None)


def _readability(report: QualityReport):
    return (
        {path: page.readability for path, page in report.pages.items()},
        sorted(f.format() for f in report.findings()),
        report.site["readability"],
    )


@needs_two_cores
def test_worker_scores_exactly_like_in_process(tmp_path):
    pages = _pages(WORKER_AFTER + 4)
    in_process, used = _run_gate(tmp_path / "a", pages, worker=False)
    assert used is None
    in_worker, used = _run_gate(tmp_path / "b", pages, worker=True)
    assert used == len(pages)
    assert _readability(in_worker) == _readability(in_process)
    eases = {r["flesch_reading_ease"] for r in _readability(in_worker)[0].values()}
    assert len(eases) > 3  # the pages really differ, so a mix-up between pages would show


@needs_two_cores
def test_answers_are_recorded_as_the_pages_go_by(tmp_path):
    """The worker's answers become report entries at the next page, not all in ``finish``
    (where they would pile up in memory the way a warm cache never makes them)."""
    pages = list(_pages(WORKER_AFTER + 4).items())
    gate = ReadabilityGate({"cache": False})
    site = _site_context(tmp_path)
    gate.begin(site)
    for path, text in pages[:-1]:
        gate.check_rendered(_page_input(path, text), site.report.page(path), site)
    for pending in list(gate.pending):
        pending.future.result(timeout=120)
    last, text = pages[-1]
    gate.check_rendered(_page_input(last, text), site.report.page(last), site)
    assert [pending.page.path for pending in gate.pending] == [last]
    assert all(site.report.page(path).readability for path, _ in pages[:-1])
    gate.finish(site)
    assert gate.scored_in_worker == len(pages) and not gate.pending


def test_few_pages_are_scored_in_process(tmp_path):
    _, used = _run_gate(tmp_path, _pages(WORKER_AFTER - 1), worker=True)
    assert used is None


@needs_two_cores
def test_a_check_of_changed_pages_scores_them_in_a_worker_started_up_front(tmp_path):
    """``docgates check --changed-since``: the few pages a writer changed are seldom in the
    cache, so the worker starts with the run and loads the dictionary while they render."""
    pages = _pages(2)
    gate = ReadabilityGate({"cache": False})
    site = _site_context(tmp_path / "check")
    site.complete = False
    gate.begin(site)
    assert gate.workers is not None and gate.workers.worker is not None  # before any page
    gate.finish(site)  # nothing to score: the worker goes
    checked, used = _run_gate(tmp_path / "a", pages, complete=False)
    assert used == len(pages)
    in_process, _ = _run_gate(tmp_path / "b", pages, worker=False)
    assert _readability(checked) == _readability(in_process)


@needs_two_cores
def test_a_worker_started_for_pages_whose_scores_were_cached_is_not_waited_for(tmp_path):
    """Every changed page's score was in the cache: the worker was sent nothing, so the check
    ends it at once rather than waiting for it to load the dictionary."""
    pages = _pages(2)
    site = _site_context(tmp_path)
    site.cache_dir = tmp_path / "cache"
    for complete in (True, False):
        gate = ReadabilityGate({"cache": True})
        site.complete = complete
        gate.begin(site)
        started = gate.workers.worker if gate.workers else None
        process = started._process if started else None
        for path, text in pages.items():
            gate.check_rendered(_page_input(path, text), site.report.page(path), site)
        gate.finish(site)
    # Killed while loading (the dictionary takes far longer than two cache look-ups), not
    # asked to finish and waited for.
    assert process is not None and process.returncode == -signal.SIGKILL
    assert gate.scored_in_worker == 0 and all(site.report.page(p).readability for p in pages)


@needs_two_cores
def test_a_dead_worker_leaves_no_page_unscored(tmp_path):
    pages = _pages(WORKER_AFTER + 2)
    expected, _ = _run_gate(tmp_path / "a", pages, worker=False)
    survived, used = _run_gate(tmp_path / "b", pages, worker=True, kill_worker=True)
    # Killed right after it started: how many pages it answered before depends on the machine's
    # load, but the two pages sent after its death were scored in-process, and every page has
    # the score it would have had without a worker.
    assert used is not None and used <= len(pages) - 2
    assert _readability(survived) == _readability(expected)


@needs_two_cores
def test_build_with_worker_matches_build_without(site):
    for path, text in _pages(WORKER_AFTER + 2).items():
        site.page(path, text, dedent=False)
    site.plugins({"docgates/readability": {"cache": False, "worker": True}})
    with_worker = site.build("-v")
    assert f"{WORKER_AFTER + 2} pages scored in a worker process" in with_worker.output
    site.plugins({"docgates/readability": {"cache": False, "worker": False}})
    without = site.build("-v")
    assert "worker process" not in without.output
    assert [p["readability"] for p in with_worker.report["pages"]] == [p["readability"] for p in without.report["pages"]]
    assert with_worker.rules() == without.rules()
