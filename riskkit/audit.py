"""Who is acting, and the history every change leaves behind.

History is written by a session hook rather than by each service, so that no
path (web, CLI, import, demo loader) can change a risk, control, action, review,
exercise, debrief, lesson, team's members or risk appetite without leaving a trace.
Scores are also checked against the matrix here, before anything reaches the database.
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from riskkit import scoring
from riskkit.models import (
    Acceptance,
    Action,
    ApiToken,
    Appetite,
    Area,
    CadenceRule,
    CardStep,
    ContinuityPlan,
    Control,
    ControlAssurance,
    Debrief,
    DecisionLogEntry,
    Event,
    HistoryEntry,
    Indicator,
    IndicatorTrigger,
    Issue,
    IssueAction,
    IssueReview,
    Lesson,
    NotTestableCategory,
    Objective,
    Observation,
    Reading,
    Register,
    RegisterObjective,
    ResponseRole,
    Review,
    Risk,
    StepCompletion,
    TeamMember,
    Theme,
    User,
)
from riskkit.models.base import utcnow

#: What each audited model is called in the history.
AUDITED = {Risk: "risk", Control: "control", Action: "action", Review: "review",
           Event: "event", Objective: "objective", ContinuityPlan: "plan", Debrief: "debrief",
           Observation: "observation", Lesson: "lesson", Theme: "theme",
           CadenceRule: "cadence rule", TeamMember: "team member", Appetite: "appetite",
           Register: "register", ApiToken: "token", Indicator: "indicator",
           IndicatorTrigger: "trigger", Reading: "reading", Area: "area", Issue: "issue",
           IssueAction: "issue action", IssueReview: "issue review",
           Acceptance: "acceptance", ControlAssurance: "assurance",
           RegisterObjective: "register objective", NotTestableCategory: "category",
           ResponseRole: "response role", CardStep: "card step", StepCompletion: "step done",
           DecisionLogEntry: "decision log"}
#: Bookkeeping columns whose changes say nothing to a reader.
#: A token's hash is no one's to read, and its last use is not a change anyone made.
UNTRACKED = {"id", "version", "created_at", "updated_at", "current_score", "secret_hash",
             "last_used_at"}
#: Foreign keys shown by name rather than number.
PEOPLE_FIELDS = {"owner_id": "owner", "reviewer_id": "reviewer", "lead_id": "lead",
                 "team_id": "team", "member_id": "member", "requested_by_id": "requested_by",
                 "decided_by_id": "decided_by"}
REGISTER_FIELDS = {"register_id": "register", "origin_register_id": "origin_register"}
#: Who the history says made what the demo loader adds (past reports leave it out).
DEMO_ACTOR = "demo data"

_actor: ContextVar[tuple[int | None, str]] = ContextVar("riskkit_actor", default=(None, "system"))
_reason: ContextVar[str | None] = ContextVar("riskkit_reason", default=None)


@contextmanager
def acting_as(user: User | None = None, name: str | None = None):
    """Attribute every change made inside the block to `user` (or a named process;
    with both, the user under that name, such as an import of a file they uploaded).
    With neither, whoever is already acting (the command line, the demo loader) stays."""
    if user is None and name is None:
        yield
        return
    token = _actor.set((user.id if user is not None else None, name or user.name))
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def because(reason: str | None):
    """Write `reason` on the history rows of every change made inside the block (why a
    risk was closed or escalated, what finished an action)."""
    token = _reason.set(reason or None)
    try:
        yield
    finally:
        _reason.reset(token)


def command_line_actor() -> str:
    """How a CLI run is named in the history: the operating-system account."""
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):  # cron under env -i may have no user name to find
        return "command line"


def current_actor() -> tuple[int | None, str]:
    return _actor.get()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):  # a measure (models.indicators): 70, not 70.0 or 70.0000
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _risk_id(obj) -> int | None:
    # An issue's history is its own (its page), even when it came from a risk: the risk's
    # history has its own row saying it materialised.
    if isinstance(obj, Issue):
        return None
    return obj.id if isinstance(obj, Risk) else getattr(obj, "risk_id", None)


def _changes(obj, change: str):
    """(field, old, new) for each tracked column of obj that this flush changes."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in UNTRACKED:
            continue
        if change == "create":
            old, new = None, getattr(obj, key)
        elif change == "delete":
            old, new = getattr(obj, key), None
        else:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else state.info.get(
                "audit_old", {}).get(key)
            new = history.added[0] if history.added else None
        if old != new and not (change != "update" and old in (None, "") and new in (None, "")):
            yield key, old, new
    # Links kept in association tables (the risks an exercise tests, the actions that
    # answer a lesson...): what was unlinked is the old value, what was linked the new.
    for relationship in state.mapper.relationships:
        if relationship.secondary is None or change == "delete":
            continue
        history = state.attrs[relationship.key].history
        if history.added or history.deleted:
            yield (relationship.key, ", ".join(_label(o) for o in history.deleted) or None,
                   ", ".join(_label(o) for o in history.added) or None)


def _label(obj) -> str:
    """How a linked record is named in the history."""
    for attribute in ("reference", "name", "service"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return f"{AUDITED.get(type(obj), type(obj).__name__.lower())} {obj.id}"


def _remember_unloaded_old_values(session, obj) -> None:
    """An attribute set on an expired object (after a commit) has no old value in
    memory; read those from the row before it is overwritten."""
    state = inspect(obj)
    missing = [key for key in (a.key for a in state.mapper.column_attrs)
               if key not in UNTRACKED and state.attrs[key].history.added
               and not state.attrs[key].history.deleted]
    state.info.pop("audit_old", None)
    if missing:
        table = state.mapper.local_table
        row = session.connection().execute(
            select(*[table.c[key] for key in missing]).where(table.c.id == obj.id)).one()
        state.info["audit_old"] = dict(zip(missing, row, strict=True))


def _only_links_changed(obj) -> bool:
    """Whether a versioned record's many-to-many links changed, and none of its columns."""
    state = inspect(obj)
    if state.mapper.version_id_col is None or state.modified is False:
        return False
    links = [r.key for r in state.mapper.relationships if r.secondary is not None]
    columns = [c.key for c in state.mapper.column_attrs]
    return (any(state.attrs[key].history.has_changes() for key in links)
            and not any(state.attrs[key].history.has_changes() for key in columns))


@event.listens_for(Session, "before_flush")
def _check_before_flush(session, flush_context, instances):
    for obj in session.dirty:
        if type(obj) in AUDITED and session.is_modified(obj):
            _remember_unloaded_old_values(session, obj)
        if _only_links_changed(obj):
            # The version moves on only when the row is written: without this, ticking
            # a risk on a lesson would leave its version as it was, and a form read
            # before would then save over it unchecked.
            flag_modified(obj, "updated_at")
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Risk):
            obj.check_scores()
            obj.store_score()
        elif isinstance(obj, Event | CadenceRule):
            obj.check()
        elif isinstance(obj, Review):
            matrix = (obj.risk or session.get(Risk, obj.risk_id)).register.matrix
            scoring.check_scores(matrix, obj.before_likelihood, obj.before_impact, "before")
            scoring.check_scores(matrix, obj.after_likelihood, obj.after_impact, "after")


@event.listens_for(Session, "after_flush")
def _write_history(session, flush_context):
    # After the flush new rows have ids, and attribute history still holds the old values.
    pending = []
    for change, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            entity = AUDITED.get(type(obj))
            if entity is None or (change == "update" and not session.is_modified(obj)):
                continue
            for key, old, new in _changes(obj, change):
                pending.append((entity, obj.id, _risk_id(obj), change, key, old, new))
    write_entries(session.connection(), pending)


def created_entries(model, records: list[dict]) -> list[tuple]:
    """The history of records of an audited model inserted in bulk, without the session
    (an import): what the hook above writes for each one's creation. Each record holds
    its columns by name, its id included."""
    entity = AUDITED[model]
    keys = [a.key for a in inspect(model).column_attrs if a.key not in UNTRACKED]
    pending = []
    for record in records:
        risk_id = record["id"] if model is Risk else record.get("risk_id")
        for key in keys:
            new = record.get(key)
            if new is not None and new != "":
                pending.append((entity, record["id"], risk_id, "create", key, None, new))
    return pending


def write_entries(connection, pending: list[tuple]) -> None:
    """History rows for (entity, id, risk id, change, field, old, new) entries, written in
    one statement."""
    if pending:
        connection.execute(insert(HistoryEntry.__table__), entry_rows(connection, pending))


def entry_rows(connection, pending: list[tuple]) -> list[dict]:
    """The history rows of (entity, id, risk id, change, field, old, new) entries, as
    whoever is acting, with people and registers named."""
    names = _names(connection, pending)
    user_id, actor = current_actor()
    reason = _reason.get()
    at = utcnow()
    rows = []
    for entity, entity_id, risk_id, change, key, old, new in pending:
        field = PEOPLE_FIELDS.get(key) or REGISTER_FIELDS.get(key) or key
        lookup = names["people"] if key in PEOPLE_FIELDS else names["registers"]
        if key in PEOPLE_FIELDS or key in REGISTER_FIELDS:
            old, new = lookup.get(old, old), lookup.get(new, new)
        rows.append({
            "at": at, "user_id": user_id, "actor": actor, "entity": entity,
            "entity_id": entity_id, "risk_id": risk_id, "change": change, "field": field,
            "old_value": _text(old), "new_value": _text(new), "reason": reason,
        })
    return rows


def _names(connection, pending) -> dict[str, dict]:
    """Names for the people and registers the pending entries refer to, in two queries."""
    people, registers = set(), set()
    for _, _, _, _, key, old, new in pending:
        if key in PEOPLE_FIELDS:
            people.update(v for v in (old, new) if v is not None)
        elif key in REGISTER_FIELDS:
            registers.update(v for v in (old, new) if v is not None)
    names = {"people": {}, "registers": {}}
    if people:
        names["people"] = dict(connection.execute(
            select(User.id, User.name).where(User.id.in_(people))).all())
    if registers:
        names["registers"] = dict(connection.execute(
            select(Register.id, Register.code).where(Register.id.in_(registers))).all())
    return names
