"""How long the `riskkit` command takes to start: `riskkit --help` and `riskkit overdue`
on an empty database, each run --runs times in a fresh process after one warm-up run
(as hyperfine does), wall-clock time.

    python benchmarks/startup.py [--runs 10]

The database is a new SQLite file in a temporary data directory, made by `riskkit init`.
The load average is printed with the figures: on a shared machine they move with it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

RISKKIT = Path(sys.executable).with_name("riskkit")
COMMANDS = (("riskkit --help", ["--help"]),
            ("riskkit overdue (empty database)", ["overdue", "--as-of", "2026-06-01"]))


def timed(args: list[str], env: dict, runs: int) -> list[float]:
    """Seconds of each of `runs` runs of `riskkit ARGS`, after one not counted."""
    seconds = []
    for n in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([str(RISKKIT), *args], env=env, check=True, stdout=subprocess.DEVNULL)
        if n:
            seconds.append(time.perf_counter() - started)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "RISKKIT_DATA_DIR": data}
        env.pop("RISKKIT_DATABASE_URL", None)
        subprocess.run([str(RISKKIT), "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        load = " / ".join(f"{n:.1f}" for n in os.getloadavg())
        print("| Command | Median (s) | Fastest (s) | Slowest (s) |")
        print("| --- | ---: | ---: | ---: |")
        for name, command in COMMANDS:
            seconds = timed(command, env, args.runs)
            print(f"| {name} | {median(seconds):.2f} | {min(seconds):.2f} | {max(seconds):.2f} |")
    print(f"\n{args.runs} runs each; load average (1 / 5 / 15 minutes) at the start: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
