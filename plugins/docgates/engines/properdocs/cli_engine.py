"""Build or serve with an engine whose command line is MkDocs' own (MkDocs, ProperDocs).

The engine runs as a child process, as a user runs it: ProperDocs redirects every ``mkdocs``
import of the process to itself, which must not happen inside docgates. The plugins log the
findings; the exit code follows ``docgates check``, read from the report the build wrote.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docgates.core.report_file import ReportFileError, read_report
from docgates.engines import BuildRequest

REPORT_NAME = "quality.json"


def build(request: BuildRequest) -> int:
    report = (request.site_dir or configured_site_dir(request.config_file)) / REPORT_NAME
    before = _stamp(report)
    args = [sys.executable, "-m", request.engine, "build", "-f", str(request.config_file)]
    if request.site_dir is not None:
        args += ["-d", str(request.site_dir)]
    returncode = subprocess.run(args).returncode
    if returncode == 0:
        return 0
    # The engine exits 1 for error findings and for a broken configuration alike; only a
    # report this build wrote with an error in it tells the first from the second.
    if _stamp(report) not in (None, before) and has_failing_errors(report):
        return 1
    return 2


def serve(request: BuildRequest) -> int:
    args = [sys.executable, "-m", request.engine, "serve", "-f", str(request.config_file)]
    if request.dev_addr:
        args += ["-a", request.dev_addr]
    return subprocess.run(args).returncode


def configured_site_dir(config_file: Path) -> Path:
    """The config's ``site_dir`` (its ``INHERIT`` followed), against the config's folder."""
    from docgates.engines.mkdocs.config_file import ConfigFileError, read_config_file

    try:
        value = read_config_file(config_file).get("site_dir", "site")
    except ConfigFileError:  # the engine reports a config it cannot read, with its own words
        value = "site"
    return config_file.resolve().parent / str(value)


def has_failing_errors(report: Path) -> bool:
    """Whether quality.json holds an error finding that the baseline does not accept."""
    try:
        read = read_report(report)
    except ReportFileError:
        return False
    return any(f.severity == "error" and f not in read.baselined for f in read.findings())


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_ino)
