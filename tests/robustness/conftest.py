"""A tally of hostile inputs, summed across xdist workers and printed at the end of the run.

Each robustness test records every hostile input it tried and whether it produced a
traceback, unescaped output or a changed byte; the figure goes into the README.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

TALLY_DIR = Path(__file__).resolve().parent.parent / "artifacts" / "robustness"


def _tally_dir() -> Path:
    # One folder per run (tests/conftest.py sets it before xdist starts its workers), so two
    # runs at the same time never read each other's figures.
    return Path(os.environ.get("DOCGATES_TALLY_DIR") or TALLY_DIR)


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []

    def tried(self, label: str, *, traceback: bool = False, unescaped: bool = False, changed: bool = False) -> None:
        self.counts["tried"] += 1
        for kind, bad in (("traceback", traceback), ("unescaped", unescaped), ("changed", changed)):
            if bad:
                self.counts[kind] += 1
                self.failures.append(f"{kind}: {label}")


_TALLY = Tally()


@pytest.fixture
def tally() -> Tally:
    return _TALLY


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_sessionfinish(session):
    if _TALLY.counts["tried"]:
        _tally_dir().mkdir(parents=True, exist_ok=True)
        (_tally_dir() / f"{_worker()}.json").write_text(
            json.dumps({"counts": _TALLY.counts, "failures": _TALLY.failures})
        )


def pytest_terminal_summary(terminalreporter):
    if hasattr(terminalreporter.config, "workerinput"):
        return
    total: Counter[str] = Counter()
    failures: list[str] = []
    for path in _tally_dir().glob("*.json"):
        data = json.loads(path.read_text())
        total.update(data["counts"])
        failures.extend(data["failures"])
        path.unlink()  # each run reports only its own inputs
    if total["tried"]:
        terminalreporter.write_sep("-", "hostile inputs")
        terminalreporter.write_line(
            f"hostile inputs tried: {total['tried']}; tracebacks: {total['traceback']}, "
            f"unescaped output: {total['unescaped']}, changed bytes: {total['changed']}"
        )
        for failure in failures[:20]:
            terminalreporter.write_line(f"  {failure}")
