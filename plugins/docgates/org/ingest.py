"""One ``docgates org`` run's recording: every listed site's report read and stored as a
snapshot, all in one transaction."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path
from typing import Sequence

from docgates.org.reports import ReportError, parse_report
from docgates.org.sources import REPORT_NAME, Fetcher, Source
from docgates.org.store import Store
from docgates.org.view import Problem

# Test hook: kill this process (as an out-of-memory killer or a cancelled CI job would) right
# after that many sites are written, inside the run's transaction. The tests use it to show
# that an interrupted run leaves the previous snapshot; nothing else sets it.
KILL_AFTER_ENV = "DOCGATES_ORG_KILL_AFTER_SITES"


def ingest(store: Store, sources: Sequence[Source], fetcher: Fetcher, today: str, out: Path) -> list[Problem]:
    problems: list[Problem] = []
    kill_after = int(os.environ.get(KILL_AFTER_ENV) or 0)
    written = 0
    with store.run(today) as run:
        for fetched in fetcher.read_all(sources):
            source = fetched.source
            if fetched.body is None:
                problems.append(Problem(source.name, source.location, fetched.error or "not read"))
                continue
            digest = hashlib.sha256(fetched.body).hexdigest()
            link = source.link or local_link(source.location, out)
            if not run.repeat(source.name, source.location, link, digest):
                try:
                    report = parse_report(fetched.body)
                except ReportError as exc:
                    problems.append(Problem(source.name, source.location, str(exc)))
                    continue
                fetched.body = None  # the parsed report is all that is needed now
                run.record(source.name, source.location, link, digest, report)
            written += 1
            if written == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
    return problems


def local_link(location: str, out: Path) -> str:
    """A built site folder's home page, relative to the portal (they are often published together)."""
    path = Path(location)
    folder = path if path.is_dir() else path.parent if path.name == REPORT_NAME else None
    if folder is None or not (folder / "index.html").is_file():
        return ""
    return Path(os.path.relpath(folder / "index.html", out.resolve())).as_posix()
