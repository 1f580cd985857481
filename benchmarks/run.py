"""Time riskkit's register-core reads and web pages on synthetic registers of growing size.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat 15]
                             [--database-dir benchmarks/results] [--write docs/benchmarks.md]

For each size a SQLite database is made with benchmarks/generate.py (or reused
from --database-dir, where it is cached by size), then each operation is run
once to count its SQL statements and --repeat times to time it, each run in a
fresh session so that nothing comes from the identity map. Then the web pages
are requested through Flask's test client, signed in as the generator's
manager, once to warm up and --repeat times to time them and count their SQL
statements. Exits non-zero if an operation or a page needs more SQL statements
on a bigger register than on the smallest: the count must not grow with the
number of risks.
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

import flask
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

# --- the web pages --------------------------------------------------------------
# Requested as a signed-in manager through Flask's test client, so that everything a
# browser's request goes through runs: the login check, the view, the template.

#: Pages slower than this (median server time) are reported when the run ends.
SLOW_PAGE_SECONDS = 1.0

PAGES = [
    ("d", "Dashboard", lambda result: f"/?as_of={AS_OF.isoformat()}",
     f"`/?as_of={AS_OF.isoformat()}`: a rating summary and heat map per register (the"
     " corporate one rolling up all eight), the rating changes since a month before,"
     " the first 10 overdue reviews and overdue actions with their totals, and the"
     " manager's own risks. The date is the one the generated review dates are spread"
     " around, as in (c); without it the page uses today's date, and months after that"
     " day nearly every generated risk would be overdue, so the results would change"
     " from one day to the next"),
    ("e", "Register list", lambda result: f"/risks?register={REGISTER}",
     f"`/risks?register={REGISTER}`, page 1: 25 rows sorted by score, the total, and the"
     " owner, category and rating choices of the filter form"),
    ("f", "Risk page", lambda result: f"/risks/{result.reference}",
     "`/risks/<reference>` for the risk of (b): the risk with its controls, actions,"
     " reviews and change history (empty, see above), and the buttons a manager sees"),
]


class ServerTimer:
    """WSGI middleware that times the app from receiving the request to the last byte
    of the response, including the teardown of its app context: the server's share
    of a request, without the test client's own work around it."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.last = 0.0

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        iterable = self.wsgi_app(environ, start_response)
        try:
            body = list(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        self.last = time.perf_counter() - started
        return body


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
    paths: dict = field(default_factory=dict)  # page key -> the URL requested
    response_bytes: dict = field(default_factory=dict)  # page key -> size of the body


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


def measure_pages(path: Path, result: Result, repeat: int) -> None:
    """Request each page in PAGES through the test client, signed in as the manager.

    No app context is held open around the requests: the test client pushes a new one
    for each request (an already-pushed context would be reused, sharing `g` and the
    database session between requests, so that later requests found objects in the
    identity map and ran fewer statements than a real server would)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    with app.app_context():
        engine = db.engine  # the same engine serves every later app context of this app
    timer = ServerTimer(app.wsgi_app)
    app.wsgi_app = timer
    if flask.has_app_context():
        raise RuntimeError("an app context is active: the requests would share it")
    client = app.test_client()
    signed_in = client.post("/login", data={"email": generate.BENCH_EMAIL,
                                            "password": generate.BENCH_PASSWORD})
    if signed_in.status_code != 302 or "/login" in signed_in.headers.get("Location", ""):
        raise SystemExit(f"Could not sign in as {generate.BENCH_EMAIL} on {path}"
                         f" (HTTP {signed_in.status_code}): regenerate the database")
    try:
        for key, name, url_for_result, _ in PAGES:
            url = url_for_result(result)
            result.paths[key] = url
            counts, timings, sql = [], [], []
            for run in range(repeat + 1):  # the first warms up and is not kept
                statements: list[str] = []

                def count(conn, cursor, statement, parameters, context, executemany,
                          statements=statements):
                    statements.append(statement)

                event.listen(engine, "before_cursor_execute", count)
                try:
                    response = client.get(url)
                finally:
                    event.remove(engine, "before_cursor_execute", count)
                if response.status_code != 200:
                    raise SystemExit(f"({key}) {name}: GET {url} answered"
                                     f" HTTP {response.status_code}, not 200")
                if run:
                    timings.append(timer.last)
                    counts.append(len(statements))
                    if len(statements) >= len(sql):
                        sql = statements
                result.response_bytes[key] = len(response.get_data())
            if min(counts) != max(counts):
                print(f"  note: ({key}) {name} ran {min(counts)} to {max(counts)} statements"
                      " from one request to the next; the highest is kept")
            result.timings[key], result.statements[key], result.sql[key] = \
                timings, max(counts), sql
    finally:
        with app.app_context():
            db.session.remove()
            engine.dispose()


def growth_warnings(results: list[Result], items=None) -> list[str]:
    """One line per operation or page whose statement count is higher on a bigger register."""
    warnings = []
    ordered = sorted(results, key=lambda r: r.size)
    for key, name, _, _ in items if items is not None else OPERATIONS + PAGES:
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


def page_table(results: list[Result]) -> list[str]:
    lines = [
        "| Page | Risks | Median (ms) | p95 (ms) | SQL statements | Response (KB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, name, _, _ in PAGES:
        for r in results:
            t = r.timings[key]
            lines.append(
                f"| ({key}) {name} | {r.size:,} | {median(t) * 1000:.1f} |"
                f" {percentile(t, 0.95) * 1000:.1f} | {r.statements[key]} |"
                f" {r.response_bytes[key] / 1000:.1f} |")
    return lines


def slow_pages(results: list[Result]) -> list[str]:
    return [f"NOTE: ({key}) {name} takes {median(r.timings[key]):.2f} s (median) at"
            f" {r.size:,} risks, more than {SLOW_PAGE_SECONDS:g} s"
            for key, name, _, _ in PAGES for r in results
            if median(r.timings[key]) > SLOW_PAGE_SECONDS]


def document(results: list[Result], repeat: int, argv: list[str], m: dict) -> str:
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
        " empty; none of the operations below reads it, and the risk page's one statement"
        " that does finds nothing.",
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
        " `--sizes 1000,10000` is quicker; `--show-sql` prints the statements of each"
        " operation and page."
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
    core = growth_warnings(results, OPERATIONS)
    if core:
        lines += [*(f"**{w}**" for w in core), ""]
    elif len(results) > 1:
        lines += ["No operation needs more SQL statements on a bigger register.", ""]
    pages = growth_warnings(results, PAGES)
    lines += [
        "## Web pages",
        "",
        "The pages as a browser gets them: `create_app()` with CSRF checks off, Flask's test"
        f" client signed in (by a POST to `/login`, not counted) as `{generate.BENCH_EMAIL}`,"
        " a manager who owns the AH register and some of its risks. Each page is requested"
        f" once to warm up (the template cache), then {repeat} times. The time is the"
        " server's: from the WSGI call to the last byte of the body, through the login"
        " check, the view, the template and the teardown of the request's app context,"
        " without the test client's own work. Every request has its own app context and"
        " so its own database session (nothing held in the identity map from one request"
        " to the next); the statements are counted as above, during each timed request,"
        " and include loading the signed-in user. The response size is of the HTML"
        " (GOV.UK Frontend's CSS and JavaScript are separate files).",
        "",
        *[f"- ({key}) {name}: {what}." for key, name, _, what in PAGES],
        "",
        *page_table(results),
        "",
    ]
    if pages:
        lines += [*(f"**{w}**" for w in pages), ""]
    elif len(results) > 1:
        lines += ["No page needs more SQL statements on a bigger register.", ""]
    slow = slow_pages(results)
    if slow:
        lines += [*(f"{note}." for note in slow), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"numbers of risks, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per operation and page")
    parser.add_argument("--database-dir", default=str(BENCHMARKS / "results"),
                        help="where the generated databases are kept (default benchmarks/results)")
    parser.add_argument("--write", metavar="PATH", help="write the results as markdown here")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--regenerate", action="store_true",
                        help="make the databases again even if cached")
    parser.add_argument("--show-sql", action="store_true",
                        help="print the statements each operation and page ran")
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
        measure_pages(path, result, args.repeat)
        results.append(result)
        for key, name, _, _ in OPERATIONS + PAGES:
            t = result.timings[key]
            read = (result.notes[key] if key in result.notes else
                    f"GET {result.paths[key]}, {result.response_bytes[key]:,} bytes")
            print(f"  ({key}) {name}: median {median(t) * 1000:.1f} ms,"
                  f" p95 {percentile(t, 0.95) * 1000:.1f} ms,"
                  f" {result.statements[key]} statements, {read}")
            if args.show_sql:
                for statement in result.sql[key]:
                    print("      " + " ".join(statement.split()))

    warnings = growth_warnings(results)
    print()
    print("\n".join(data_table(results)))
    print()
    print("\n".join(timing_table(results)))
    print()
    print("\n".join(page_table(results)))
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        target = Path(args.write)
        # Keep the Reports section that benchmarks/reports.py writes.
        kept = target.read_text().partition("<!-- reports:")[1:] if target.exists() else ("", "")
        target.write_text(document(results, args.repeat, argv, measured_on)
                          + ("\n" + kept[0] + kept[1] if kept[0] else ""))
        print(f"\nWrote {args.write}")
    for note in slow_pages(results):
        print(note, file=sys.stderr)
    for warning in warnings:
        print(warning, file=sys.stderr)
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
