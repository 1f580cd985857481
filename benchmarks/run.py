"""Time riskkit's busiest reads and web pages on synthetic registers of growing size.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat 15]
                             [--database-dir benchmarks/results] [--write docs/benchmarks.md]
                             [--only g,h,m]

For each size a SQLite database is made with benchmarks/generate.py (or reused
from --database-dir, where it is cached by size), then each operation is run
once to count its SQL statements and --repeat times to time it, each run in a
fresh session so that nothing comes from the identity map. Then the web pages
are requested through Flask's test client, signed in as the generator's
manager, once to warm up and --repeat times to time them and count their SQL
statements. Exits non-zero if an operation or a page needs more SQL statements
on a bigger register than on the smallest: the count must not grow with the
number of risks.

Two halves: the register core (risks, reviews, the dashboard) and resilience
(exercises and incidents, lessons, themes, the exercise programme). A resilience
page that answers 404 or an error is left out with a note rather than stopping the
run, so that a page still being written does not hold up the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
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

from riskkit import create_app, vocab  # noqa: E402
from riskkit.extensions import db  # noqa: E402
from riskkit.models import Debrief, Event, Lesson, Observation, Register, Risk  # noqa: E402
from riskkit.models.events import event_controls, event_plans, event_risks  # noqa: E402
from riskkit.models.lessons import (  # noqa: E402
    lesson_actions,
    lesson_controls,
    lesson_risks,
    observation_themes,
)
from riskkit.services import delivery, events, lessons, overdue, programme, themes  # noqa: E402
from riskkit.services.appetite import appetites  # noqa: E402
from riskkit.services.registers import all_registers, get_register  # noqa: E402
from riskkit.services.reviews import reviews_due  # noqa: E402
from riskkit.services.risks import (  # noqa: E402
    RiskFilter,
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

def register_page(result: Result) -> str:
    register = get_register(REGISTER)
    appetite = appetites()
    filters = RiskFilter(registers=[register])
    rows = list_risks(filters, sort="score", page=1, per_page=50)
    lines = [summarise(risk, appetite) for risk in rows]
    total = count_risks(filters)
    return f"{len(lines)} of {total:,}"


def one_risk(result: Result) -> str:
    reference = result.reference
    data = describe_whole(get_risk(reference), appetites())
    return f"{reference}: " + ", ".join(
        f"{len(data[key])} {key if len(data[key]) != 1 else key[:-1]}"
        for key in ("controls", "actions", "reviews"))


def due_for_review(result: Result) -> str:
    appetite = appetites()
    lines = [summarise(risk, appetite) for risk in reviews_due(AS_OF, limit=50)]
    total = count_risks(RiskFilter(overdue_as_of=AS_OF))
    return f"first {len(lines)} of {total:,} risks"


def delivery_of_actions(result: Result) -> str:
    report = delivery.delivery(delivery.last_year(AS_OF), AS_OF, AS_OF, 80)
    return (f"{report.total.due:,} actions due, {report.total.on_time:,} on time, over"
            f" {len(report.registers)} registers and {len(report.owners):,} owners")


OPERATIONS = [
    ("a", "Register page", register_page,
     f"`get_register('{REGISTER}')`, `appetites()`, `list_risks(RiskFilter(registers=[{REGISTER}]),"
     " sort='score', page=1, per_page=50)`, `summarise()` of each row, `count_risks()` of the"
     " same filter"),
    ("b", "One risk whole", one_risk,
     "`get_risk(reference)`, `appetites()`, `describe_whole()`: the risk with its controls,"
     f" actions and reviews and their people, for the highest-scored open risk raised in"
     f" {REGISTER} (an escalated risk would also load the register it came from)"),
    ("v", "Delivery of actions", delivery_of_actions,
     f"`delivery.delivery(last_year({AS_OF.isoformat()}), {AS_OF.isoformat()}, ...)`: the"
     " share of actions due in the twelve months completed by their target date, per"
     " register and per owner, as the dashboard and `riskkit actions delivery` read it"),
    ("c", "Due for review", due_for_review,
     f"`appetites()`, `reviews_due({AS_OF.isoformat()}, limit=50)` over the whole"
     " organisation, `summarise()` of each risk, and how many there are"
     f" (`count_risks(RiskFilter(overdue_as_of={AS_OF.isoformat()}))`): what a page of them"
     " reads"),
]

# --- resilience: exercises, incidents, lessons, themes, the programme ---------------

def programme_due(result: Result) -> str:
    items = programme.due(AS_OF)
    kinds = Counter(item.kind for item in items)
    return (f"{len(items):,} items: " + ", ".join(
        f"{n:,} {kind.replace('_', ' ')}" for kind, n in sorted(kinds.items()))
        + f"; {sum(1 for i in items if i.days_overdue > 0):,} overdue")


def theme_cross_reference(result: Result) -> str:
    table = themes.cross_reference(page=1, per_page=20)
    # What the page shows besides the cells: each theme's recurrence and totals.
    seen = sum(table.totals(theme)[0] for theme in table.themes if table.events_with(theme))
    recurring = table.recurring()
    return (f"{len(table.themes)} themes by {table.listing.total:,} events, {seen:,} tags,"
            f" {len(recurring)} recurring")


def open_lessons(result: Result) -> str:
    rows = lessons.list_lessons(open_only=True)
    # What the service loads with them, as the lessons page shows them: owner and event.
    owners = {lesson.owner.name for lesson in rows}
    from_events = {lesson.event.name for lesson in rows}
    late = sum(1 for lesson in rows if lesson.due_date and lesson.due_date < AS_OF)
    return (f"{len(rows):,} open lessons from {len(from_events):,} events, {len(owners):,}"
            f" owners, {late:,} past their due date")


def risk_resilience(result: Result) -> str:
    risk = get_risk(result.resilience_risk)
    found = events.events_for_risk(risk)
    learned = lessons.lessons_for_risk(risk)
    names = {e.name for e in found} | {f"{x.owner.name}: {x.event.name}" for x in learned}
    return (f"{risk.reference}: {_n(len(found), 'event')}, {_n(len(learned), 'lesson')}"
            f" ({_n(len(names), 'name')})")


def unexercised(result: Result) -> str:
    found = events.unexercised_top_risks(all_registers(), AS_OF, limit=10)
    owners = {risk.owner.name for risk in found.risks}
    return (f"first {len(found.risks)} of {found.count:,} top-rated live risks"
            f" ({len(owners)} owners; {found.set_aside:,} set aside as not testable)")


def overdue_whole(result: Result) -> str:
    items = overdue.due_items(AS_OF)
    kinds = Counter(item.kind for item in items)
    return f"{len(items):,} items: " + ", ".join(
        f"{kinds[kind]:,} {kind}s" for kind in overdue.KINDS if kinds[kind])


RESILIENCE_OPERATIONS = [
    ("g", "Programme due", programme_due,
     f"`programme.due({AS_OF.isoformat()})`: every active cadence rule over the whole"
     " programme (exercise types, each continuity plan, the debriefs and improvement plan"
     " of each event held)"),
    ("h", "Themes cross-reference", theme_cross_reference,
     "`themes.cross_reference(page=1, per_page=20)`: the cells of the 20 newest events,"
     " then each theme's `events_with()` and `totals()` over all of them and `recurring()`,"
     " as the cross-reference page shows them"),
    ("i", "Open lessons", open_lessons,
     "`lessons.list_lessons(open_only=True)`, with the owner and event it loads"),
    ("j", "One risk's exercises and lessons", risk_resilience,
     "`get_risk(reference)`, `events.events_for_risk(risk)` and `lessons.lessons_for_risk(risk)`"
     " for a risk with exercise evidence (the one closest to 2 events and 2 lessons, see"
     " below)"),
    ("k", "Unexercised top risks", unexercised,
     f"`events.unexercised_top_risks(all_registers(), {AS_OF.isoformat()}, limit=10)`: the"
     " dashboard's flag of top-rated live risks with no exercise or incident evidence in"
     " 12 months"),
    ("l", "Overdue, whole", overdue_whole,
     f"`overdue.due_items({AS_OF.isoformat()})` for the whole organisation: reviews,"
     " actions, lessons and the exercise programme, as the overdue page, the report and"
     " the reminders read them"),
]

# --- the web pages --------------------------------------------------------------
# Requested as a signed-in manager through Flask's test client, so that everything a
# browser's request goes through runs: the login check, the view, the template.

#: Operations and pages slower than this (median) are reported when the run ends.
SLOW_SECONDS = 1.0

PAGES = [
    ("d", "Dashboard", lambda result: f"/?as_of={AS_OF.isoformat()}",
     f"`/?as_of={AS_OF.isoformat()}`: the manager's own reviews, actions and lessons overdue"
     " or due in 30 days (the first 10 of each with their totals), every register's rating"
     " summary in one table (the corporate one rolling up the registers below it), the"
     " rating changes since a month before, the first 10 top-rated risks not exercised, and"
     " one heat map (counts only) of the manager's own register. The date is the one the generated review"
     " dates are spread around, as in (c); without it the page uses today's date, and months"
     " after that day nearly every generated risk would be overdue, so the results would"
     " change from one day to the next"),
    ("e", "Register list", lambda result: f"/risks?register={REGISTER}",
     f"`/risks?register={REGISTER}`, page 1: 25 rows sorted by score, the total, and the"
     " category and rating choices of the filter form (the owner is typed, not chosen)"),
    ("f", "Risk page", lambda result: f"/risks/{result.reference}",
     "`/risks/<reference>` for the risk of (b): the risk with its controls, actions,"
     " reviews, exercises, lessons and change history (empty, see above), and the buttons"
     " a manager sees"),
    ("t", "Heat map page", lambda result: "/heatmap?register=CORP",
     "`/heatmap?register=CORP`: the corporate register's heat map, rolled up from every"
     " register below it on its matrix, with the first 8 references in each cell"),
    ("u", "Overdue page", lambda result: f"/overdue?as_of={AS_OF.isoformat()}",
     f"`/overdue?as_of={AS_OF.isoformat()}`: the counts of everything overdue by kind and"
     " register, then the first 100 items, most overdue first"),
]

RESILIENCE_PAGES = [
    ("m", "Exercises and incidents", lambda result: "/exercises",
     "`/exercises`: the first page (50) of the exercises and incidents, newest first"),
    ("n", "Lessons", lambda result: "/lessons", "`/lessons`: the lessons list as it opens: the first 50"),
    ("o", "Programme", lambda result: f"/programme?as_of={AS_OF.isoformat()}",
     f"`/programme?as_of={AS_OF.isoformat()}`: the exercise programme, as (g): how many"
     " items each rule has due and overdue, then the first page (50), most overdue first"),
    ("p", "Themes cross-reference", lambda result: "/themes/cross-reference",
     "`/themes/cross-reference`: themes against events, the 20 newest events a page, with"
     " the recurrence and totals of (h) over all of them"),
    ("q", "Continuity plans", lambda result: "/plans",
     "`/plans`: the first page (50) of the business continuity plans, by service, and when"
     " each was last exercised"),
    ("r", "Exercise page", lambda result: f"/exercises/{result.event_id}",
     "`/exercises/<id>`: one exercise held, with its objectives, debriefs, observations and"
     " lessons, the one closest to 2 debriefs, 6 observations and 3 lessons (see below)"),
    ("s", "Lesson page", lambda result: f"/lessons/{result.lesson_id}",
     "`/lessons/<id>`: one closed lesson with an action raised and a later event as"
     " evidence (see below)"),
]
#: Resilience pages that may still be missing: skipped with a note, not an error.
OPTIONAL_PAGES = {key for key, *_ in RESILIENCE_PAGES}
ALL_ITEMS = OPERATIONS + PAGES + RESILIENCE_OPERATIONS + RESILIENCE_PAGES


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
    rows: dict = field(default_factory=dict)  # page key -> table rows (<tr>) in the body
    skipped: dict = field(default_factory=dict)  # page key -> why it was not measured
    # The resilience half: what is in it, and the risk, exercise and lesson looked at.
    resilience: dict = field(default_factory=dict)
    resilience_risk: str = ""
    event_id: int = 0
    lesson_id: int = 0
    shapes: dict = field(default_factory=dict)  # "risk"/"event"/"lesson" -> what it has


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


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _grouped(column, key) -> Counter:
    return Counter(dict(db.session.execute(select(key, func.count(column)).group_by(key)).all()))


def choose_resilience(result: Result) -> None:
    """What the resilience half holds, and the risk, exercise and lesson to look at: each
    the one whose shape is closest to a fixed target, so that every size looks at much
    the same amount of data and statement counts compare like with like."""
    kinds = db.session.execute(select(Event.kind, Event.status, func.count())
                               .group_by(Event.kind, Event.status)).all()
    result.resilience = {
        "exercises": sum(n for kind, _, n in kinds if kind == "exercise"),
        "incidents": sum(n for kind, _, n in kinds if kind == "incident"),
        "planned": sum(n for _, status, n in kinds if status == "planned"),
        "open_lessons": db.session.scalar(select(func.count(Lesson.id)).where(
            Lesson.status.in_(vocab.LESSON_OPEN))),
        "theme_tags": db.session.scalar(select(func.count()).select_from(observation_themes)),
    }
    # The risk: closest to 2 events and 2 lessons named on it.
    on_risk = _grouped(event_risks.c.event_id, event_risks.c.risk_id)
    learned = _grouped(lesson_risks.c.lesson_id, lesson_risks.c.risk_id)
    risk_id = min(on_risk, key=lambda r: (abs(on_risk[r] - 2) * 2 + abs(learned[r] - 2), r))
    result.resilience_risk = db.session.get(Risk, risk_id).reference
    result.shapes["risk"] = (f"{result.resilience_risk}: {_n(on_risk[risk_id], 'event')} and"
                             f" {_n(learned[risk_id], 'lesson')} name it")
    # The exercise: held, closest to 2 debriefs, 6 observations, 3 lessons, 2 risks,
    # 1 plan and 2 controls (the smallest register has one of that many debriefs,
    # observations and lessons).
    debriefs = _grouped(Debrief.id, Debrief.event_id)
    observed = Counter(dict(db.session.execute(
        select(Debrief.event_id, func.count(Observation.id))
        .join(Observation, Observation.debrief_id == Debrief.id)
        .group_by(Debrief.event_id)).all()))
    lessons_of = _grouped(Lesson.id, Lesson.event_id)
    plans_of = _grouped(event_plans.c.plan_id, event_plans.c.event_id)
    controls_of = _grouped(event_controls.c.control_id, event_controls.c.event_id)
    exercises = db.session.execute(select(Event.id, Event.start_date).where(
        Event.kind == "exercise", Event.status != "planned")).all() \
        or db.session.execute(select(Event.id, Event.start_date)).all()
    shape = {e: (debriefs[e], observed[e], lessons_of[e], on_event, plans_of[e], controls_of[e])
             for e, on_event in ((e, db.session.scalar(
                 select(func.count()).select_from(event_risks)
                 .where(event_risks.c.event_id == e))) for e, _ in exercises)}
    target = (2, 6, 3, 2, 1, 2)
    weights = (10, 5, 3, 1, 1, 1)
    started = dict(exercises)
    result.event_id = min(shape, key=lambda e: (
        sum(w * abs(a - b) for w, a, b in zip(weights, shape[e], target, strict=True)),
        -started[e].toordinal(), e))
    d, o, n_lessons, r, pl, c = shape[result.event_id]
    result.shapes["event"] = ", ".join(_n(n, what) for n, what in (
        (d, "debrief"), (o, "observation"), (n_lessons, "lesson"), (r, "risk"), (pl, "plan"),
        (c, "control")))
    # The lesson: closed (so with evidence), closest to 1 action, 1 risk, 1 control and
    # 2 themes.
    acted = _grouped(lesson_actions.c.action_id, lesson_actions.c.lesson_id)
    lesson_risk_count = _grouped(lesson_risks.c.risk_id, lesson_risks.c.lesson_id)
    lesson_control_count = _grouped(lesson_controls.c.control_id, lesson_controls.c.lesson_id)
    themed = Counter(dict(db.session.execute(
        select(Lesson.id, func.count(observation_themes.c.theme_id))
        .join(observation_themes, observation_themes.c.observation_id == Lesson.observation_id)
        .group_by(Lesson.id)).all()))
    closed = list(db.session.scalars(select(Lesson.id).where(Lesson.status == "closed"))) \
        or list(db.session.scalars(select(Lesson.id)))
    result.lesson_id = min(closed, key=lambda n: (
        abs(acted[n] - 1) * 3 + abs(lesson_risk_count[n] - 1) + abs(lesson_control_count[n] - 1)
        + abs(themed[n] - 2), -n))
    n = result.lesson_id
    result.shapes["lesson"] = f"L{n:04d}: " + ", ".join(_n(k, what) for k, what in (
        (acted[n], "action"), (lesson_risk_count[n], "risk"),
        (lesson_control_count[n], "control"), (themed[n], "theme")))


def measure(path: Path, meta: dict, repeat: int, only: set[str] | None = None) -> Result:
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
        choose_resilience(result)
        for key, _, operation, _ in OPERATIONS + RESILIENCE_OPERATIONS:
            if only is not None and key not in only:
                continue
            statements: list[str] = []

            def count(conn, cursor, statement, parameters, context, executemany,
                      statements=statements):
                statements.append(statement)

            db.session.remove()
            event.listen(engine, "before_cursor_execute", count)
            try:
                result.notes[key] = operation(result)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            result.statements[key] = len(statements)
            result.sql[key] = statements
            timings = []
            for _ in range(repeat):
                db.session.expire_all()
                db.session.remove()
                started = time.perf_counter()
                operation(result)
                timings.append(time.perf_counter() - started)
            result.timings[key] = timings
        db.session.remove()
        engine.dispose()
    return result


def measure_pages(path: Path, result: Result, repeat: int, only: set[str] | None = None) -> None:
    """Request each page in PAGES and RESILIENCE_PAGES through the test client, signed in
    as the manager. A resilience page that does not answer 200 is left out with a note.

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
        for key, name, url_for_result, _ in PAGES + RESILIENCE_PAGES:
            if only is not None and key not in only:
                continue
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
                if response.status_code != 200 and key in OPTIONAL_PAGES:
                    result.skipped[key] = f"GET {url} answered HTTP {response.status_code}"
                    print(f"  note: ({key}) {name} not measured: {result.skipped[key]}")
                    break
                if response.status_code != 200:
                    raise SystemExit(f"({key}) {name}: GET {url} answered"
                                     f" HTTP {response.status_code}, not 200")
                if run:
                    timings.append(timer.last)
                    counts.append(len(statements))
                    if len(statements) >= len(sql):
                        sql = statements
                result.response_bytes[key] = len(response.get_data())
                result.rows[key] = response.get_data().count(b"<tr")
            if key in result.skipped:
                continue
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
    """One line per operation or page whose statement count is higher on a bigger register
    (those not measured at every size are left out)."""
    warnings = []
    ordered = sorted(results, key=lambda r: r.size)
    for key, name, _, _ in items if items is not None else ALL_ITEMS:
        if not all(key in r.statements for r in ordered):
            continue
        base = ordered[0]
        for result in ordered[1:]:
            if result.statements[key] > base.statements[key]:
                warnings.append(
                    f"WARNING: ({key}) {name}: the SQL statement count grows with the number"
                    f" of risks: {base.statements[key]} at {base.size:,} risks,"
                    f" {result.statements[key]} at {result.size:,} risks"
                    + repeated(base.sql.get(key, []), ordered[-1].sql.get(key, []),
                               base.size, ordered[-1].size))
                break
    return warnings


def _shape(statement: str) -> str:
    """A statement without its column list and with IN lists folded, so that the same
    query with more or fewer parameters counts as one."""
    text = " ".join(statement.split())
    text = re.sub(r"\((?:\?, )+\?\)", "(…)", text)
    return re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", text, count=1)


def repeated(small: list[str], large: list[str], small_size: int, large_size: int) -> str:
    """Which statements run more often on the bigger register, e.g. a lazy load per row."""
    before, after = Counter(map(_shape, small)), Counter(map(_shape, large))
    more = sorted(((after[s] - before[s], s) for s in after if after[s] > before[s]),
                  reverse=True)
    return "".join(f"; `{s[:150]}{'…' if len(s) > 150 else ''}` runs {_times(before[s])} at"
                   f" {small_size:,} risks and {_times(after[s])} at {large_size:,}"
                   + (" (an eager load by IN list, which SQLAlchemy sends in batches of 500"
                      " ids: one more statement per 500 rows, not one per row)"
                      if "IN (…)" in s and after[s] - before[s] <= 3 else "")
                   for _, s in more[:3])


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


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


def resilience_data_table(results: list[Result]) -> list[str]:
    lines = [
        "| Risks | Plans | Exercises | Incidents | Planned | Debriefs | Observations |"
        " Theme tags | Lessons | Open lessons | Actions raised from lessons |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        c, x = r.counts, r.resilience
        lines.append(
            f"| {r.size:,} | {c['plans']:,} | {x['exercises']:,} | {x['incidents']:,} |"
            f" {x['planned']:,} | {c['debriefs']:,} | {c['observations']:,} |"
            f" {x['theme_tags']:,} | {c['lessons']:,} | {x['open_lessons']:,} |"
            f" {c['lesson_actions']:,} |")
    return lines


def timing_table(results: list[Result], items=OPERATIONS) -> list[str]:
    lines = [
        "| Operation | Risks | Median (ms) | p95 (ms) | SQL statements | Read |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, name, _, _ in items:
        for r in results:
            if key not in r.timings:
                continue
            t = r.timings[key]
            lines.append(
                f"| ({key}) {name} | {r.size:,} | {median(t) * 1000:.1f} |"
                f" {percentile(t, 0.95) * 1000:.1f} | {r.statements[key]} | {r.notes[key]} |")
    return lines


def page_table(results: list[Result], items=PAGES, rows: bool = False) -> list[str]:
    lines = [
        "| Page | Risks | Median (ms) | p95 (ms) | SQL statements | Response (KB) |"
        + (" Table rows |" if rows else ""),
        "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if rows else ""),
    ]
    for key, name, _, _ in items:
        for r in results:
            if key in r.skipped:
                lines.append(f"| ({key}) {name} | {r.size:,} | not measured: {r.skipped[key]} |"
                             " | | |" + (" |" if rows else ""))
                continue
            if key not in r.timings:
                continue
            t = r.timings[key]
            lines.append(
                f"| ({key}) {name} | {r.size:,} | {median(t) * 1000:.1f} |"
                f" {percentile(t, 0.95) * 1000:.1f} | {r.statements[key]} |"
                f" {r.response_bytes[key] / 1000:.1f} |"
                + (f" {r.rows[key]:,} |" if rows else ""))
    return lines


def slow_items(results: list[Result], items=None) -> list[str]:
    """Operations and pages slower than SLOW_SECONDS (median)."""
    return [f"NOTE: ({key}) {name} takes {median(r.timings[key]):.2f} s (median) at"
            f" {r.size:,} risks, more than {SLOW_SECONDS:g} s"
            for key, name, _, _ in (items if items is not None else ALL_ITEMS) for r in results
            if key in r.timings and median(r.timings[key]) > SLOW_SECONDS]


def _no_growth(results: list[Result], items, what: str) -> list[str]:
    grows = growth_warnings(results, items)
    if grows:
        return [*(f"**{w}**" for w in grows), ""]
    if len(results) > 1:
        return [f"No {what} needs more SQL statements on a bigger register.", ""]
    return []


def _slow(results: list[Result], items) -> list[str]:
    slow = slow_items(results, items)
    return [*(f"{note}." for note in slow), ""] if slow else []


def document(results: list[Result], repeat: int, argv: list[str], m: dict) -> str:
    sizes = [f"{r.size:,}" for r in results]
    sizes = ", ".join(sizes[:-1]) + " and " + sizes[-1] if len(sizes) > 1 else sizes[0]
    overdue_share = sum(int(r.notes["c"].split()[3].replace(",", "")) for r in results) / max(
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
        f" spread around {AS_OF.isoformat()} ({overdue_share:.0%} of the risks not closed are"
        " overdue on that day). The resilience half grows with them: one business continuity"
        " plan per 200 risks and one exercise or incident per 100, with their debriefs,"
        " observations and lessons (see [Resilience](#resilience)).",
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
        "- The data goes in through SQLAlchemy Core bulk inserts, so the history table holds"
        " only the adding of the default themes and cadence rules (made through the"
        " services, as `riskkit init` makes them); none of the operations below reads it,"
        " and the risk page's one statement that does finds nothing.",
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
        " operation and page; `--only g,m` measures only those (and cannot `--write`)."
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
        *_no_growth(results, OPERATIONS, "operation"),
        *_slow(results, OPERATIONS),
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
        *_no_growth(results, PAGES, "page"),
        *_slow(results, PAGES),
        "## Resilience",
        "",
        "Exercises and incidents, debriefs, lessons, themes and the exercise programme, on"
        " the same databases. Per 100 risks the generator makes one exercise or incident"
        " (about two thirds exercises, of every type; incidents of every type), spread over"
        f" the six years to {AS_OF.isoformat()}, with exercises planned for the six months"
        " after it; older events are mostly closed, recent ones held or debriefed. Each"
        " tests or concerns 1-3 risks (mostly live ones in continuity-related categories),"
        " 0-3 of their controls and 0-2 of the plans (one per 200 risks, at least 3), and"
        " each one held has 1-2 debriefs (hot and cold) of 2-6 observations, each tagged"
        " with 1-3 of the eleven default themes. About a third of the observations become"
        " lessons, owned by generated people, due 1-6 months after the debrief, in every"
        " status (older ones mostly implemented, validated or closed, with a later event as"
        " evidence); of those past identified, about 60% have an action raised on one of"
        " their risks through the lesson's action link. The themes and the eight cadence"
        " rules are the defaults of `riskkit init`.",
        "",
        *resilience_data_table(results),
        "",
        "### Operations",
        "",
        *[f"- ({key}) {name}: {what}." for key, name, _, what in RESILIENCE_OPERATIONS],
        "",
        *timing_table(results, RESILIENCE_OPERATIONS),
        "",
        *_no_growth(results, RESILIENCE_OPERATIONS, "operation"),
        *_slow(results, RESILIENCE_OPERATIONS),
        "### Pages",
        "",
        "Requested as the web pages above. Table rows counts the `<tr` tags of the HTML, to"
        " show how much each page lists.",
        "",
        *[f"- ({key}) {name}: {what}." for key, name, _, what in RESILIENCE_PAGES],
        "",
        *page_table(results, RESILIENCE_PAGES, rows=True),
        "",
        *_no_growth(results, RESILIENCE_PAGES, "page"),
        *_slow(results, RESILIENCE_PAGES),
        "The risk of (j), the exercise of (r) and the lesson of (s) at each size, chosen"
        " for much the same shape, so that their statement counts compare like with like:",
        "",
        *[f"- {r.size:,} risks: risk {r.shapes['risk']}; exercise {r.event_id}"
          f" ({r.shapes['event']}); lesson {r.shapes['lesson']}." for r in results],
        "",
    ]
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
    parser.add_argument("--only", metavar="KEYS",
                        help="measure only these operations and pages, e.g. g,h,m")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("give at least one size of 1 or more, and --repeat of 1 or more")
    only = None
    if args.only:
        only = {k.strip() for k in args.only.split(",") if k.strip()}
        unknown = only - {key for key, *_ in ALL_ITEMS}
        if unknown:
            parser.error(f"--only: no operation or page {', '.join(sorted(unknown))}")
        if args.write:
            parser.error("--only measures part of the page: it cannot --write")

    results, measured_on = [], None
    for size in sizes:
        path, meta = database_for(size, Path(args.database_dir), args.seed, args.regenerate)
        measured_on = measured_on or machine()  # the load once the generating is done
        result = measure(path, meta, args.repeat, only)
        measure_pages(path, result, args.repeat, only)
        results.append(result)
        for key, name, _, _ in ALL_ITEMS:
            if key not in result.timings:
                continue
            t = result.timings[key]
            read = (result.notes[key] if key in result.notes else
                    f"GET {result.paths[key]}, {result.response_bytes[key]:,} bytes,"
                    f" {result.rows[key]:,} table rows")
            print(f"  ({key}) {name}: median {median(t) * 1000:.1f} ms,"
                  f" p95 {percentile(t, 0.95) * 1000:.1f} ms,"
                  f" {result.statements[key]} statements, {read}")
            if args.show_sql:
                for statement in result.sql[key]:
                    print("      " + " ".join(statement.split()))
        print(f"  risk {result.shapes['risk']}; exercise {result.event_id}"
              f" ({result.shapes['event']}); lesson {result.shapes['lesson']}")

    warnings = growth_warnings(results)
    print()
    print("\n".join(data_table(results)))
    print()
    print("\n".join(resilience_data_table(results)))
    for items, table in ((OPERATIONS, timing_table), (PAGES, page_table),
                         (RESILIENCE_OPERATIONS, timing_table)):
        print()
        print("\n".join(table(results, items)))
    print()
    print("\n".join(page_table(results, RESILIENCE_PAGES, rows=True)))
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        target = Path(args.write)
        # Keep the Reports section that benchmarks/reports.py writes.
        kept = target.read_text().partition("<!-- reports:")[1:] if target.exists() else ("", "")
        target.write_text(document(results, args.repeat, argv, measured_on)
                          + ("\n" + kept[0] + kept[1] if kept[0] else ""))
        print(f"\nWrote {args.write}")
    for key, name, _, _ in RESILIENCE_PAGES:
        missed = [f"{r.size:,} risks ({r.skipped[key]})" for r in results if key in r.skipped]
        if missed:
            print(f"NOTE: ({key}) {name} not measured at {', '.join(missed)}", file=sys.stderr)
    for note in slow_items(results):
        print(note, file=sys.stderr)
    for warning in warnings:
        print(warning, file=sys.stderr)
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
