"""Time the report commands on generated registers and write the "Reports" section of
docs/benchmarks.md (the rest of that page is written by run.py, which keeps this section).

    python benchmarks/reports.py [--repeat 3] [--write docs/benchmarks.md]

Each command runs in-process through Click's runner, as `riskkit ...` would, against the
cached databases of run.py; memory is tracemalloc's peak during one run.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run  # noqa: E402
import sections  # noqa: E402

from riskkit import create_app  # noqa: E402

START, END = "<!-- reports: written by benchmarks/reports.py -->", "<!-- end of reports -->"
AS_OF = run.AS_OF.isoformat()
YEAR_BEFORE = (run.AS_OF - timedelta(days=364)).isoformat()

#: (size of register, what, arguments; {out} is a temporary output file)
JOBS = [
    (100_000, "Overdue report, JSON", ["overdue", "--as-of", AS_OF, "--format", "json"]),
    (10_000, "Heat map PDF (corporate roll-up)", ["heatmap", "--pdf", "{out}.pdf"]),
    (10_000, "Heat map PNG (corporate roll-up)", ["heatmap", "--png", "{out}.png"]),
    (500, "Committee appendix PDF, all registers", ["report", "appendix", "{out}.pdf", "--as-of", AS_OF]),
    (10_000, "Excel export, all registers", ["export", "{out}.xlsx"]),
    (10_000, "Internal-audit evidence pack PDF, a year", ["evidence", "audit", "--from", YEAR_BEFORE,
                                                           "--to", AS_OF, "{out}.pdf"]),
]


def measure(path: Path, arguments: list[str], repeat: int) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    runner = app.test_cli_runner()
    times, peak, out_file = [], 0, None
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "out")
        args = [a.replace("{out}", out) for a in arguments]
        for n in range(repeat + 1):  # the first run also measures memory
            if n == 0:
                tracemalloc.start()
            started = time.perf_counter()
            result = runner.invoke(args=args)
            elapsed = time.perf_counter() - started
            if n == 0:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            else:
                times.append(elapsed)
            if result.exit_code != 0:
                raise SystemExit(f"riskkit {' '.join(args)} failed: {result.output}")
        written = [p for p in Path(folder).iterdir() if p.name.startswith("out")]
        size = written[0].stat().st_size if written else len(result.stdout.encode())
        pages = None
        if written and written[0].suffix == ".pdf":
            info = subprocess.run(["pdfinfo", str(written[0])], capture_output=True, text=True).stdout
            pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        out_file = written[0].suffix if written else "stdout"
        items = len(json.loads(result.stdout)) if not written and "json" in args else None
    median = statistics.median(times)
    return {"median": median, "peak_mb": peak / 1e6, "size_mb": size / 1e6, "pages": pages,
            "output": out_file, "items": items}


def section(rows: list[tuple]) -> str:
    listed = next((m for _, _, m in rows if m.get("items") is not None), None)
    here = (f" (here {listed['items']:,} items, {listed['size_mb']:.0f} MB of JSON)"
            if listed else "")
    lines = [START, "## Reports", "",
             "Whole commands, as cron or a clerk runs them (`python benchmarks/reports.py`): median of"
             " the timed runs, output size, and tracemalloc's peak of Python memory in a separate run."
             " The appendix and the Excel export read risks in batches and write them as they go, so"
             " their memory stays far below the size of the data; the overdue report keeps one small"
             f" row per item{here} and prints them at the end; its items include lessons past"
             " their due date and what the exercise programme has overdue.",
             "",
             "| Command | Risks in the database | Median (s) | Output (MB) | Pages | Pages per second"
             " | Peak memory (MB) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size, what, m in rows:
        rate = f"{m['pages'] / m['median']:.0f}" if m["pages"] else "–"
        lines.append(f"| {what} | {size:,} | {m['median']:.2f} | {m['size_mb']:.1f} | {m['pages'] or '–'}"
                     f" | {rate} | {m['peak_mb']:.0f} |")
    return "\n".join(lines + ["", END])


def main() -> int:
    args = sections.options(__doc__.splitlines()[0])
    rows = []
    for size, what, arguments in JOBS:
        path, _ = run.database_for(size, Path(args.database_dir), seed=1, regenerate=False)
        measured = measure(path, arguments, args.repeat)
        print(f"{what} at {size:,} risks: {measured}")
        rows.append((size, what, measured))
    text = section(rows)
    if args.write:
        sections.write_section(args.write, START, END, text)
        print(f"Wrote the Reports section of {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
