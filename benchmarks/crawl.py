"""``docgates linkcheck`` against the docgates build of the same site, on corpora the sizes of
the two real sites of issue 30 (a 23-page library site with 1,522 commits, a 243-page
playbook with 583): the target is a crawl of at most 3x its build.

Each crawl is paired with a build (the harness's method: only a ratio within a pair means
anything on a shared machine). The build is a warm one, all plugins, the cache filled by an
untimed build first: the smaller, stricter denominator. Each crawl reads the site the last
build wrote; the load average is printed beside the rows, as a crawl runs LinkChecker's
threads and our server's beside each other.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .corpus import CorpusSpec, generate
from .harness import Task, docgates_plugins, measure, run_pairs, site_in, table, write_config

# (pages, commits) of the two real sites.
SIZES = ((23, 1522), (243, 583))


def run_crawl(tmp: Path, runs: int, env: dict[str, str], out: Path | None = None, log=print) -> str:
    py = sys.executable
    sections = []
    for pages, commits in SIZES:
        root = generate(tmp / f"crawl-corpus-{pages}", CorpusSpec(pages=pages, commits=commits))
        config = write_config(root, "all", docgates_plugins())
        site = site_in(out, f"site-crawl-{pages}")
        build = Task(
            f"{pages} pages: docgates build, warm cache", [py, "-m", "mkdocs", "build", "-q", "-f", config, "-d", site],
            floor=None,
        )
        crawl = Task(f"{pages} pages: docgates linkcheck", [py, "-m", "docgates", "linkcheck", "-f", config, site])
        # Untimed: fills the cache, and writes the site the first crawl reads.
        measure(build.argv, root, env)
        before = os.getloadavg()
        run_pairs(build, [crawl], runs, root, env, log)
        after = os.getloadavg()
        header = (
            f"#### {pages} pages, {commits} commits, {runs} interleaved rounds (medians); floor: the warm "
            "docgates build of the same site (target: the crawl at most 3x)"
        )
        extras = {"load average (1, 5, 15 min) before": _load(before), "load average after": _load(after)}
        sections.append(table([build, crawl], extras, header))
    return "### Link crawl: docgates linkcheck against the build\n\n" + "\n".join(sections)


def _load(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)
