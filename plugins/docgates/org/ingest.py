"""One ``docgates org`` run's recording: every listed site's report read and stored as a
snapshot, all in one transaction.

Reading a report (JSON, the health score, a row per page) is most of the work; with many
reports it runs in worker processes while this process writes the previous ones to SQLite,
in the order the sites were listed. Reports wait for a worker only a few at a time.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import signal
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from docgates.org.reports import ReportError, SiteReport, parse_report
from docgates.org.sources import REPORT_NAME, Fetcher, Source
from docgates.org.store import Run, Store
from docgates.org.view import Problem

# Test hook: kill this process (as an out-of-memory killer or a cancelled CI job would) right
# after that many sites are written, inside the run's transaction. The tests use it to show
# that an interrupted run leaves the previous snapshot; nothing else sets it.
KILL_AFTER_ENV = "DOCGATES_ORG_KILL_AFTER_SITES"
# Below this many reports to read, starting worker processes costs more than it saves.
WORKERS_FROM = 8
IN_FLIGHT = 4


@dataclass
class _Parsed:
    source: Source
    digest: str
    report: SiteReport | None = None
    error: str | None = None


def ingest(store: Store, sources: Sequence[Source], fetcher: Fetcher, today: str, out: Path) -> list[Problem]:
    problems: list[Problem] = []
    kill_after = int(os.environ.get(KILL_AFTER_ENV) or 0)
    written = 0
    with store.run(today) as run:
        for item in _parsed(run, sources, fetcher, out, problems):
            source = item.source
            link = source.link or local_link(source.location, out)
            if item.report is not None:
                run.record(source.name, source.location, link, item.digest, item.report)
            elif item.error is not None:
                problems.append(Problem(source.name, source.location, item.error))
                continue
            written += 1
            if written == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
    return problems


def _parsed(run: Run, sources: Sequence[Source], fetcher: Fetcher, out: Path,
            problems: list[Problem]) -> Iterator[_Parsed]:
    """Each readable site in order: recorded again when unchanged (report None), else parsed."""
    pool = None
    if len(sources) >= WORKERS_FROM and (os.cpu_count() or 1) > 1:
        # 'spawn': the fetch threads are running, and a forked child would inherit their locks.
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=min(2, os.cpu_count() or 1), mp_context=multiprocessing.get_context("spawn"))
    pending: deque[tuple[_Parsed, concurrent.futures.Future[SiteReport] | None, bytes | None]] = deque()
    try:
        for fetched in fetcher.read_all(sources):
            source = fetched.source
            if fetched.body is None:
                problems.append(Problem(source.name, source.location, fetched.error or "not read"))
                continue
            item = _Parsed(source, hashlib.sha256(fetched.body).hexdigest())
            link = source.link or local_link(source.location, out)
            if run.repeat(source.name, source.location, link, item.digest):
                pending.append((item, None, None))
            elif pool is not None:
                pending.append((item, pool.submit(parse_report, fetched.body), None))
            else:
                pending.append((item, None, fetched.body))
            fetched.body = None
            while len(pending) > (IN_FLIGHT if pool is not None else 0):
                yield _finish(*pending.popleft())
        while pending:
            yield _finish(*pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _finish(item: _Parsed, future: concurrent.futures.Future[SiteReport] | None, body: bytes | None) -> _Parsed:
    try:
        if future is not None:
            item.report = future.result()
        elif body is not None:
            item.report = parse_report(body)
    except ReportError as exc:
        item.error = str(exc)
    return item


def local_link(location: str, out: Path) -> str:
    """A built site folder's home page, relative to the portal (they are often published together)."""
    path = Path(location)
    folder = path if path.is_dir() else path.parent if path.name == REPORT_NAME else None
    if folder is None or not (folder / "index.html").is_file():
        return ""
    return Path(os.path.relpath(folder / "index.html", out.resolve())).as_posix()
