"""Time riskkit's register-core reads on synthetic registers of growing size.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat 15]
                             [--database-dir benchmarks/results] [--write docs/benchmarks.md]

For each size a SQLite database is made with benchmarks/generate.py (or reused
from --database-dir, where it is cached by size), then each operation is run
once to count its SQL statements and --repeat times to time it, each run in a
fresh session so that nothing comes from the identity map. Exits non-zero if
an operation needs more SQL statements on a bigger register than on the
smallest: the count must not grow with the number of risks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from statistics import median

import sqlalchemy
from sqlalchemy import event, func, select

BENCHMARKS = Path(__file__).resolve().parent
PROJECT_ROOT = BENCHMARKS.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402

from riskkit import create_app  # noqa: E402
from riskkit.extensions import db  # noqa: E402
from riskkit.models import Register, Risk  # noqa: E402
from riskkit.services.registers import get_register  # noqa: E402
from riskkit.services.reviews import reviews_due  # noqa: E402
from riskkit.services.risks import (  # noqa: E402
    RiskFilter,
    appetites,
    count_risks,
    describe_whole,
    get_risk,
    list_risks,
    summarise,
)

#: The directorate register whose page is listed, and the day reviews are due by.
REGISTER = "AH"
AS_OF = generate.REFERENCE_DATE
DEFAULT_SIZES = "1000,10000,100000"


# --- the operations -----------------------------------------------------------------
# Each does what one page or command does, from looking things up to the printed
# dicts, and returns a short note of how much it read.

def register_page(reference: str) -> str:
    register = get_register(REGISTER)
    appetite = appetites()
    filters = RiskFilter(registers=[register])
    rows = list_risks(filters, sort="score", page=1, per_page=50)
    lines = [summarise(risk, appetite) for risk in rows]
    total = count_risks(filters)
    return f"{len(lines)} of {total:,}"


def one_risk(reference: str) -> str:
    data = describe_whole(get_risk(reference), appetites())
    return f"{reference}: " + ", ".join(
        f"{len(data[key])} {key if len(data[key]) != 1 else key[:-1]}"
        for key in ("controls", "actions", "reviews"))


def due_for_review(reference: str) -> str:
    appetite = appetites()
    lines = [summarise(risk, appetite) for risk in reviews_due(AS_OF)]
    return f"{len(lines):,} risks"


OPERATIONS = [
    ("a", "Register page", register_page,
     f"`get_register('{REGISTER}')`, `appetites()`, `list_risks(RiskFilter(registers=[{REGISTER}]),"
     " sort='score', page=1, per_page=50)`, `summarise()` of each row, `count_risks()` of the"
     " same filter"),
    ("b", "One risk whole", one_risk,
     "`get_risk(reference)`, `appetites()`, `describe_whole()`: the risk with its controls,"
     f" actions and reviews and their people, for the highest-scored open risk raised in"
     f" {REGISTER} (an escalated risk would also load the register it came from)"),
    ("c", "Due for review", due_for_review,
     f"`appetites()`, `reviews_due({AS_OF.isoformat()})` over the whole organisation"
     " (not paged), `summarise()` of each risk"),
]


# --- measuring ----------------------------------------------------------------------

@dataclass
class Result:
    size: int
    generation_seconds: float
    database_bytes: int
    counts: dict
    reference: str = ""
    live: int = 0  # risks not closed
    timings: dict = field(default_factory=dict)  # key -> list of seconds
    statements: dict = field(default_factory=dict)  # key -> number of statements
    sql: dict = field(default_factory=dict)  # key -> the statements, for --show-sql
    notes: dict = field(default_factory=dict)  # key -> what the operation read


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the nearest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def schema_heads() -> str:
    """The migrations' head revision(s): a cached database older than these is made again."""
    from alembic.script import ScriptDirectory

    from riskkit.database import MIGRATIONS

    return ",".join(sorted(ScriptDirectory(MIGRATIONS).get_heads()))


def database_for(size: int, directory: Path, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """The cached database for size, made first if missing, stale or asked for."""
    path = directory / f"riskkit-{size}.sqlite"
    meta_path = directory / f"riskkit-{size}.json"
    wanted = {"risks": size, "seed": seed, "generator_version": generate.GENERATOR_VERSION,
              "schema": schema_heads()}
    if not regenerate and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(key) == value for key, value in wanted.items()):
            print(f"{size:,} risks: reusing {path}")
            return path, meta
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f"riskkit-{size}.partial.sqlite"
    for stale in (path, meta_path, *(Path(f"{p}{suffix}") for p in (path, partial)
                                     for suffix in ("", "-wal", "-shm", "-journal"))):
        stale.unlink(missing_ok=True)
    print(f"{size:,} risks: generating {path}")
    started = time.perf_counter()
    counts = generate.build(f"sqlite:///{partial}", size, seed,
                            log=lambda line: print(line, flush=True))
    seconds = time.perf_counter() - started
    partial.rename(path)
    meta = {**wanted, "generation_seconds": round(seconds, 1), "counts": counts,
            "generated_on": date.today().isoformat()}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"{size:,} risks: generated in {seconds:.1f} s")
    return path, meta


def measure(path: Path, meta: dict, repeat: int) -> Result:
    result = Result(size=meta["risks"], generation_seconds=meta["generation_seconds"],
                    database_bytes=path.stat().st_size, counts=meta["counts"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        engine = db.engine
        # The risk a user would open from the register page: the highest scored risk
        # raised in the register itself (an escalated one would also load its origin).
        register_id = db.session.scalar(select(Register.id).where(Register.code == REGISTER))
        result.reference = db.session.scalar(
            select(Risk.reference)
            .where(Risk.register_id == register_id, Risk.status == "open",
                   Risk.origin_register_id.is_(None))
            .order_by((Risk.likelihood * Risk.impact).desc(), Risk.reference)
            .limit(1))
        result.live = db.session.scalar(
            select(func.count()).select_from(Risk).where(Risk.status != "closed"))
        for key, _, operation, _ in OPERATIONS:
            statements: list[str] = []

            def count(conn, cursor, statement, parameters, context, executemany,
                      statements=statements):
                statements.append(statement)

            db.session.remove()
            event.listen(engine, "before_cursor_execute", count)
            try:
                result.notes[key] = operation(result.reference)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            result.statements[key] = len(statements)
            result.sql[key] = statements
            timings = []
            for _ in range(repeat):
                db.session.expire_all()
                db.session.remove()
                started = time.perf_counter()
                operation(result.reference)
                timings.append(time.perf_counter() - started)
            result.timings[key] = timings
        db.session.remove()
        engine.dispose()
    return result


def growth_warnings(results: list[Result]) -> list[str]:
    """One line per operation whose statement count is higher on a bigger register."""
    warnings = []
    ordered = sorted(results, key=lambda r: r.size)
    for key, name, _, _ in OPERATIONS:
        base = ordered[0]
        for result in ordered[1:]:
            if result.statements[key] > base.statements[key]:
                warnings.append(
                    f"WARNING: ({key}) {name}: the SQL statement count grows with the number"
                    f" of risks: {base.statements[key]} at {base.size:,} risks,"
                    f" {result.statements[key]} at {result.size:,} risks")
                break
    return warnings


# --- reporting ----------------------------------------------------------------------

def machine() -> dict:
    try:
        cores = subprocess.run(["nproc"], capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        cores = str(os.cpu_count())
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": cores, "cpu": cpu or platform.processor() or platform.machine(),
            "system": f"{platform.system()} {platform.machine()}",
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__,
            "load": " / ".join(f"{n:.1f}" for n in os.getloadavg())
            if hasattr(os, "getloadavg") else "unknown"}


def data_table(results: list[Result]) -> list[str]:
    lines = [
        "| Risks | Registers | People | Controls | Actions | Reviews | Generation (s) |"
        " Database (MB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        c = r.counts
        lines.append(
            f"| {r.size:,} | {c['registers']} | {c['people']:,} | {c['controls']:,} |"
            f" {c['actions']:,} | {c['reviews']:,} | {r.generation_seconds:.1f} |"
            f" {r.database_bytes / 1e6:.1f} |")
    return lines


def timing_table(results: list[Result]) -> list[str]:
    lines = [
        "| Operation | Risks | Median (ms) | p95 (ms) | SQL statements | Read |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, name, _, _ in OPERATIONS:
        for r in results:
            t = r.timings[key]
            lines.append(
                f"| ({key}) {name} | {r.size:,} | {median(t) * 1000:.1f} |"
                f" {percentile(t, 0.95) * 1000:.1f} | {r.statements[key]} | {r.notes[key]} |")
    return lines


def document(results: list[Result], repeat: int, warnings: list[str], argv: list[str],
             m: dict) -> str:
    sizes = [f"{r.size:,}" for r in results]
    sizes = ", ".join(sizes[:-1]) + " and " + sizes[-1] if len(sizes) > 1 else sizes[0]
    overdue = sum(int(r.notes["c"].split()[0].replace(",", "")) for r in results) / max(
        1, sum(r.live for r in results))
    command = "python benchmarks/run.py" + "".join(f" {a}" for a in argv)
    lines = [
        "# Benchmarks",
        "",
        "How long riskkit's busiest reads take, and how many SQL statements they need, as the"
        f" register grows. Each operation calls the same service functions"
        " (`riskkit.services`) that the web pages and the command line use, on synthetic"
        f" SQLite registers of {sizes} risks made by `benchmarks/generate.py`: eight registers"
        " (CORP, three directorates, four operational registers), one person per 40 risks,"
        " and per risk about 3 controls, 3 actions and 4 reviews, with next review dates"
        f" spread around {AS_OF.isoformat()} ({overdue:.0%} of the risks not closed are"
        " overdue on that day).",
        "",
        f"- Measured on {date.today().isoformat()}, on {m['cores']} cores ({m['cpu']},"
        f" {m['system']}), Python {m['python']}, SQLite {m['sqlite']},"
        f" SQLAlchemy {m['sqlalchemy']}. Load average (1 / 5 / 15 minutes) when the"
        f" measuring started: {m['load']}; on a shared machine expect timings to differ by a"
        " third or so between runs, while the statement counts do not change.",
        f"- Each operation is run once to count its SQL statements (an SQLAlchemy"
        f" `before_cursor_execute` listener on the engine), then {repeat} times timed with"
        " `time.perf_counter`, each time in a fresh session (`db.session.remove()`) so that"
        " no object comes from the identity map. SQLite's page cache and the operating"
        " system's file cache are warm. p95 is interpolated between the nearest ranks: with"
        f" {repeat} runs it is close to the slowest.",
        "- The data goes in through SQLAlchemy Core bulk inserts, so the history table is"
        " empty; none of the operations below reads it.",
        "",
        "To rerun:",
        "",
        "```",
        "python benchmarks/run.py --write docs/benchmarks.md",
        "```",
        "",
        "The databases are cached by size in `benchmarks/results/` (not committed) and made"
        " again when missing, when `GENERATOR_VERSION` in `generate.py` or the migrations"
        " change, or with"
        " `--regenerate`."
        " `--sizes 1000,10000` is quicker; `--show-sql` prints each operation's statements."
        f" This page was written by `{command}`.",
        "",
        "## The data",
        "",
        *data_table(results),
        "",
        "## Register core",
        "",
        *[f"- ({key}) {name}: {what}." for key, name, _, what in OPERATIONS],
        "",
        *timing_table(results),
        "",
    ]
    if warnings:
        lines += [*(f"**{w}**" for w in warnings), ""]
    elif len(results) > 1:
        lines += ["No operation needs more SQL statements on a bigger register.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"numbers of risks, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per operation")
    parser.add_argument("--database-dir", default=str(BENCHMARKS / "results"),
                        help="where the generated databases are kept (default benchmarks/results)")
    parser.add_argument("--write", metavar="PATH", help="write the results as markdown here")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--regenerate", action="store_true",
                        help="make the databases again even if cached")
    parser.add_argument("--show-sql", action="store_true",
                        help="print the statements each operation ran")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("give at least one size of 1 or more, and --repeat of 1 or more")

    results, measured_on = [], None
    for size in sizes:
        path, meta = database_for(size, Path(args.database_dir), args.seed, args.regenerate)
        measured_on = measured_on or machine()  # the load once the generating is done
        result = measure(path, meta, args.repeat)
        results.append(result)
        for key, name, _, _ in OPERATIONS:
            t = result.timings[key]
            print(f"  ({key}) {name}: median {median(t) * 1000:.1f} ms,"
                  f" p95 {percentile(t, 0.95) * 1000:.1f} ms,"
                  f" {result.statements[key]} statements, {result.notes[key]}")
            if args.show_sql:
                for statement in result.sql[key]:
                    print("      " + " ".join(statement.split()))

    warnings = growth_warnings(results)
    print()
    print("\n".join(data_table(results)))
    print()
    print("\n".join(timing_table(results)))
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(document(results, args.repeat, warnings, argv, measured_on))
        print(f"\nWrote {args.write}")
    for warning in warnings:
        print(warning, file=sys.stderr)
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
