"""``docgates build --engine zensical`` against a bare ``zensical build`` of the same pages,
cold and warm, in interleaved pairs (the harness's method: only a ratio within a pair means
anything on a shared machine).

The floor builds the docs as docgates stages them: the corpus has pages with an empty front
matter block, which a bare Zensical build refuses (it aborts the whole build), so it cannot
build the corpus itself. The floor also has Zensical's link check off, as docgates sets it.
It does not have docgates' own Markdown extension (``engines/zensical/probe.py``, which marks
each page's body and links for the rendered checks): that is part of what docgates costs.
Neither run gets ``-d``: each Zensical build empties its own site folder inside its time.
The floor lives in a folder of its own: Zensical keeps its cache beside the config file, and
two projects sharing one ``.cache`` evict each other's pages, so neither build was warm.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .corpus import CorpusSpec, generate
from .harness import Task, docgates_plugins, measure, run_pairs, table, write_config

STAGED_DOCS = Path(".cache") / "plugin" / "docgates" / "zensical" / "docs"
NO_LINK_VALIDATION = {
    "links": {"not_found": "ignore", "anchors": "ignore", "absolute_links": "ignore", "unrecognized_links": "ignore"}
}


def run_zensical(tmp: Path, spec: CorpusSpec, runs: int, env: dict[str, str], log=print) -> str:
    root = generate(tmp / "zensical-corpus", spec)
    py = sys.executable
    build = [py, "-m", "docgates", "build", "--engine", "zensical", "-f", write_config(root, "all", docgates_plugins())]
    # Untimed: a first build stages the docs, which the floor builds from its own copy.
    measure(build, root, env)
    floor_root = tmp / "zensical-floor"
    shutil.copytree(root / STAGED_DOCS, floor_root / "zensical-docs")
    floor_config = floor_root / write_config(
        floor_root, "zensical-floor", [], docs_dir="zensical-docs", site_dir="site-zensical-floor",
        exclude_docs="!/templates/\n", validation=NO_LINK_VALIDATION,
    )

    def clear_cache() -> None:
        # Zensical's caches and docgates' live here: each pair then starts cold.
        for folder in (root, floor_root):
            shutil.rmtree(folder / ".cache", ignore_errors=True)

    floor = Task("bare zensical build", [py, "-m", "zensical", "build", "-f", str(floor_config)], floor=None)
    tasks = [
        Task("docgates build --engine zensical, cold cache", build, before=clear_cache),
        # Right after the cold pair: Zensical's cache and docgates' are warm for both builds.
        Task("docgates build --engine zensical, warm cache", build),
    ]
    run_pairs(floor, tasks, runs, root, env, log)
    header = (
        f"### Zensical: {spec.pages} pages, {spec.commits} commits, {runs} interleaved rounds (medians); "
        "floor: a bare zensical build of the same pages (target: at most 1.3x, cold and warm)"
    )
    return table([floor, *tasks], {}, header)
