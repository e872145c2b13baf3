"""Run every benchmark in this folder, one after another, each in its own process.

Each benchmark prints its own table. Threads are pinned to one before numpy or torch is
imported (on 2 cores, in-process thread pools contend). Pass ``--quick`` for a smoke run.

    python benchmarks/run_all.py [--quick]
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *argv], env=env)
        print(f"--- {script.name}: exit {rc}, {time.perf_counter() - start:.0f} s", flush=True)
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
