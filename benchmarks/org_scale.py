"""``python -m benchmarks.org_scale [--sites 500] [--pages 2000]``: the org view at scale.

Generates that many synthetic quality.json reports (the layout docgates writes: one line per
page, owners, findings, freshness, silo data) and times ``docgates org --from sites.csv`` as a
user runs it, twice: the first run ingests every report and renders the portal, the second
finds every report unchanged. Peak memory is the maximum resident set of the docgates process
(the process tree, workers included, as benchmarks/harness.py measures builds). CPU time
is the process's and its reaped workers'. Figures are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from .harness import measure

TODAY = "2026-12-05"
OWNERS = [f"@team-{i:03d}" for i in range(300)] + [f"@person{i}" for i in range(200)]


def write_report(path: Path, site: int, pages: int, rng: random.Random) -> None:
    lines = []
    for n in range(pages):
        days = rng.randint(-200, 120)
        stale = days > 0
        findings = []
        if rng.random() < 0.05:
            findings.append({"rule": "links/broken", "severity": "error", "message": f"page {n} links to a missing page",
                             "line": 3, "baselined": False})
        if stale:
            findings.append({"rule": "freshness/stale", "severity": "warning", "message": f"overdue {days} days",
                             "line": 1, "baselined": False})
        owners = [] if rng.random() < 0.08 else [rng.choice(OWNERS)]
        lines.append(json.dumps({
            "path": f"section-{n % 40}/page-{n}.md", "url": f"section-{n % 40}/page-{n}/",
            "title": f"Page {n} of site {site}", "owner": owners, "freshness_date": "2026-06-01",
            "due": "2026-11-28", "stale": stale, "readability": {"flesch_reading_ease": rng.uniform(20, 90)},
            "checklist": None, "findings": findings,
            "freshness": {"days_overdue": days}, "silo": {"authors": rng.randint(1, 4)},
            "bus_factor_one": rng.random() < 0.3, "open_actions": 0,
        }))
    errors = sum('"severity": "error"' in line for line in lines)
    warnings = sum('"severity": "warning"' in line for line in lines)
    head = {"generated": TODAY, "generator": "docgates 0.1.0", "today": TODAY,
            "summary": {"pages": pages, "errors": errors, "warnings": warnings},
            "site": {"findings": [], "freshness": {}, "ownership": {}, "links": {}}}
    text = json.dumps(head, indent=2)[: -len("\n}")] + ',\n  "pages": [\n    ' + ",\n    ".join(lines) + "\n  ]\n}\n"
    path.write_text(text, encoding="utf-8")


def run_org(folder: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MiB, the process tree) of one ``docgates org``
    run in a fresh process."""
    env = dict(os.environ, DOCGATES_TODAY=TODAY)
    argv = [sys.executable, "-m", "docgates", "org", "--from", "sites.csv", "--db", "org.sqlite", "--out", "portal"]
    seconds, peak_kib, code, cpu = measure(argv, folder, env)
    if code != 0:
        raise SystemExit(f"docgates org exited {code}; run it by hand in {folder} to see why (--keep DIR)")
    return seconds, cpu, peak_kib / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.org_scale")
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="docgates-org-bench-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rng = random.Random(7)
        start = time.perf_counter()
        rows = ["name,report"]
        for site in range(args.sites):
            path = folder / "reports" / f"site-{site:03d}.json"
            path.parent.mkdir(exist_ok=True)
            write_report(path, site, args.pages, rng)
            rows.append(f"site-{site:03d},reports/{path.name}")
        (folder / "sites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        size = sum(p.stat().st_size for p in (folder / "reports").iterdir()) / (1 << 20)
        print(f"Generated {args.sites} reports x {args.pages} pages ({size:.0f} MiB) in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
        (folder / "org.sqlite").unlink(missing_ok=True)
        load = os.getloadavg()[0]
        first = run_org(folder)
        second = run_org(folder)
        db = (folder / "org.sqlite").stat().st_size / (1 << 20)
        portal = (folder / "portal" / "index.html").stat().st_size / (1 << 20)
    print(f"\n### docgates org: {args.sites} reports x {args.pages} pages ({size:.0f} MiB of reports)\n")
    print(f"Load average before the runs: {load:.1f} on {os.cpu_count()} cores.\n")
    print("| Run | Wall time | CPU time | Peak memory |\n|---|---|---|---|")
    print(f"| ingest + render | {first[0]:.1f} s | {first[1]:.1f} s | {first[2]:.0f} MiB |")
    print(f"| again, nothing changed | {second[0]:.1f} s | {second[1]:.1f} s | {second[2]:.0f} MiB |")
    print(f"\nDatabase after two runs: {db:.0f} MiB; index.html {portal:.1f} MiB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
