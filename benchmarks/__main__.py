"""``python -m benchmarks [--quick]``: generate the corpus, run the harness, print the table."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .big_inputs import run_big_inputs
from .code_coupled import run_code_coupled
from .corpus import CorpusSpec, generate
from .crawl import run_crawl
from .engines import run_zensical
from .harness import bench_env, change_three_pages, output_folder, run, table
from .instructions import run_instructions

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="200 pages, 300 commits, 2 rounds")
    parser.add_argument("--pages", type=int)
    parser.add_argument("--commits", type=int)
    parser.add_argument(
        "--runs", type=int,
        help="rounds (default 4, quick 2): an even number lets each build go first in as many pairs as it goes second",
    )
    parser.add_argument("--no-peers", action="store_true", help="skip the peer plugins")
    parser.add_argument("--no-big", action="store_true", help="skip the big inputs (5 MB page, 20,000 headings, 10,000 commits)")
    parser.add_argument(
        "--only", action="append", default=[], metavar="WORD",
        help="measure only the runs whose names contain WORD (repeatable; e.g. --only warm --only freshness), "
             "with their paired floor runs; --only big measures the big inputs alone, --only code the git pass "
             "with code-coupled freshness, --only zensical docgates build --engine zensical against a bare "
             "zensical build, --only crawl docgates linkcheck against the build on 23 and 243 pages",
    )
    parser.add_argument(
        "--instructions", action="store_true",
        help="count the instructions of a bare and a warm docgates build with valgrind's callgrind, by phase, "
             "instead of timing (2,000 pages: ~20 min on 2 cores)",
    )
    args = parser.parse_args(argv)
    spec = CorpusSpec(pages=200, commits=300) if args.quick else CorpusSpec()
    spec.pages = args.pages or spec.pages
    spec.commits = args.commits or spec.commits
    runs = args.runs or (2 if args.quick else 4)
    if args.instructions:
        return _count_instructions(spec, args.quick)
    only = [word for word in args.only if word not in ("big", "code", "zensical", "crawl")]
    big = not args.no_big and (not args.only or "big" in args.only)
    corpus = not args.only or bool(only)
    peers = corpus and not args.no_peers and _install_peers()
    text = ""
    with tempfile.TemporaryDirectory(prefix="docgates-bench-") as tmp, output_folder() as out:
        print(f"Sites are written to {out}", flush=True)
        if corpus:
            root = _corpus(Path(tmp), spec)
            change_three_pages(root)
            try:
                tasks, extras = run(root, runs, peers, only=only, out=out)
            except ValueError as exc:
                print(f"make bench: {exc}", file=sys.stderr)
                return 2
            header = f"### docgates benchmark: {spec.pages} pages, {spec.commits} commits, {runs} interleaved rounds (medians)"
            if only:
                header += f"; only {', '.join(only)}"
            text += table(tasks, extras, header)
        if big:
            rows = run_big_inputs(Path(tmp) / "big", runs, bench_env(), quick=args.quick, out=out)
            header = f"### Big inputs, each paired with a bare build of its own site: {runs} interleaved rounds (medians)"
            text += ("\n" if text else "") + table(rows, {}, header)
        if (not args.only or "zensical" in args.only) and _has_zensical():
            rows = run_zensical(Path(tmp), spec, runs, bench_env())
            text += ("\n" if text else "") + rows
        if not args.only or "code" in args.only:
            text += ("\n" if text else "") + run_code_coupled(Path(tmp), runs)
        if not args.only or "crawl" in args.only:
            text += ("\n" if text else "") + run_crawl(Path(tmp), runs, bench_env(), out)
    name = "results-quick" if args.quick else "results"
    _write_results(f"{name}-only.md" if args.only else f"{name}.md", text)
    return 0


def _corpus(tmp: Path, spec: CorpusSpec) -> Path:
    root = tmp / "corpus"
    print(f"Generating {spec.pages} pages and {spec.commits} commits (seed {spec.seed})...", flush=True)
    generate(root, spec)
    return root


def _write_results(name: str, text: str) -> None:
    """Print the tables and keep them in benchmarks/out/ (git-ignored)."""
    OUT.mkdir(exist_ok=True)
    (OUT / name).write_text(text, encoding="utf-8")
    print()
    print(text)


def _count_instructions(spec: CorpusSpec, quick: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="docgates-bench-") as tmp:
        try:
            counted = run_instructions(_corpus(Path(tmp), spec), bench_env())
        except RuntimeError as exc:
            print(f"make bench: {exc}", file=sys.stderr)
            return 2
    text = f"### Instructions (callgrind): {spec.pages} pages, {spec.commits} commits, bare against warm\n\n{counted}"
    _write_results("instructions-quick.md" if quick else "instructions.md", text)
    return 0


def _has_zensical() -> bool:
    import importlib.util

    if importlib.util.find_spec("zensical") is None:
        print("Zensical not installed (it is in requirements.lock); skipping its rows.", file=sys.stderr)
        return False
    return True


def _install_peers() -> bool:
    """The peers come from benchmarks/requirements.txt, installed by `make bench`."""
    import importlib.util

    missing = [m for m in ("mkdocs_git_revision_date_localized_plugin", "htmlproofer") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"Peer plugins not installed ({', '.join(missing)}); run `make bench`. Measuring docgates only.", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
