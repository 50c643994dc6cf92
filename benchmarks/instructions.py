"""Instructions counted by valgrind's callgrind: a bare build against a warm docgates build.

Wall-clock pairs on shared machines spread by ±10 %, as much as the margin the warm target
leaves. An instruction count does not move with the machine's load: the same build counts the
same to a few parts in a thousand. What it cannot see is time per instruction (cache misses,
waiting for memory or the disk); those stay in the wall-clock table. The two builds run side by
side, one a core; child processes (git) run natively and are not counted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .harness import docgates_plugins, measure, write_config

MARKS = Path(__file__).resolve().with_name("phase_marks.py")
# The dumps phase_marks.py makes, in order; the last is what callgrind writes at exit.
PHASES = (
    "start-up, configuration, on_files",
    "files to navigation",
    "reading the pages",
    "rendering the pages",
    "post_build to exit",
)


def counts_by_phase(out_file: Path) -> list[int]:
    """The instruction count of each dump of one callgrind run, in the order they were made:
    ``out_file.1``, ``out_file.2``, … and then ``out_file`` itself, written at exit."""
    numbered = sorted(out_file.parent.glob(out_file.name + ".*"), key=lambda p: int(p.suffix[1:]))
    return [_total(path) for path in [*numbered, out_file]]


def _total(path: Path) -> int:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise ValueError(f"{path}: no 'summary:' or 'totals:' line; is it a callgrind output file?")


def run_instructions(root: Path, env: dict[str, str], log=print) -> str:
    """Count both builds under callgrind and return a markdown table of the phases."""
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed; on Debian: apt-get install valgrind")
    py = sys.executable
    configs = {
        "bare": write_config(root, "floor-counted", [], hooks=[str(MARKS)]),
        "warm": write_config(root, "all-counted", docgates_plugins(), hooks=[str(MARKS)]),
    }
    # The warm build needs a filled cache: an ordinary build first, not counted.
    measure([py, "-m", "mkdocs", "build", "-q", "-f", configs["warm"], "-d", "site-counted"], root, env)
    out_dir = root / "callgrind"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir()
    running = {}
    for name, config in configs.items():
        argv = ["valgrind", "--tool=callgrind", "--dump-before=getppid",
                f"--callgrind-out-file={out_dir / name}.out",
                py, "-m", "mkdocs", "build", "-q", "-f", config, "-d", f"site-counted-{name}"]
        log(f"Counting the {name} build's instructions (callgrind runs ~50x slower than a build)...")
        running[name] = subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for proc in running.values():
        proc.wait()
    bare, warm = (counts_by_phase(out_dir / f"{name}.out") for name in configs)
    if len(bare) != len(PHASES) or len(warm) != len(PHASES):
        raise RuntimeError(f"expected {len(PHASES)} dumps a build, got {len(bare)} and {len(warm)} in {out_dir}")
    return table(bare, warm)


def table(bare: list[int], warm: list[int]) -> str:
    lines = [
        "| phase | bare (G instr) | docgates warm (G instr) | extra (G) | × bare |",
        "|---|---:|---:|---:|---:|",
    ]
    for phase, b, w in zip(PHASES, bare, warm):
        lines.append(f"| {phase} | {b / 1e9:.2f} | {w / 1e9:.2f} | {(w - b) / 1e9:+.2f} | {w / b:.3f} |")
    b, w = sum(bare), sum(warm)
    lines.append(f"| **total** | {b / 1e9:.2f} | {w / 1e9:.2f} | {(w - b) / 1e9:+.2f} | **{w / b:.3f}** |")
    return "\n".join(lines) + "\n"
