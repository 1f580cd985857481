"""Control assurance by the three lines of defence: recording an opinion on a control,
reading every assurance a control has (recorded opinions, and the exercises and incidents
that tested it, read from the events rather than copied), and finding the controls the
DMT should hear about: those whose latest opinion is limited or no assurance, and those
with no assurance within a set period.

An exercise counts as second-line assurance (the resilience function tests the control
independently of those who run it); an incident as first-line (management's own
response). Its opinion comes from the effectiveness the event recorded, where the
control's effectiveness was last set by that event; otherwise it has none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from riskkit import permissions, vocab
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Control, ControlAssurance, Event, Register, Risk, User
from riskkit.models.base import check_date, clean_text
from riskkit.models.events import event_controls
from riskkit.services.registers import register_and_children
from riskkit.services.risks import LIVE, check_version

#: The opinion an exercise or incident gives a control through the effectiveness it recorded.
OPINION_OF_EFFECTIVENESS = {"effective": "substantial", "partly_effective": "limited",
                            "not_effective": "no_assurance"}
#: The line an event gives: exercises are the resilience function's oversight, incidents
#: management's own response.
LINE_OF_EVENT = {"exercise": 2, "incident": 1}
#: What the assurance fields are called where they are typed (errors name them so).
FIELDS = ("line", "source", "reference", "assured_on", "opinion", "next_due")


@dataclass(frozen=True)
class Assurance:
    """One assurance behind a control, as every face shows it: recorded (id set) or read
    from an exercise or incident (event_id set)."""

    line: int
    source: str
    reference: str
    assured_on: date
    opinion: str | None  # None: the event recorded no effectiveness for this control
    next_due: date | None
    id: int | None = None
    version: int | None = None
    event_id: int | None = None

    @property
    def line_words(self) -> str:
        return vocab.label(vocab.ASSURANCE_LINES, self.line)

    @property
    def source_words(self) -> str:
        return vocab.label(vocab.ASSURANCE_SOURCES, self.source)

    @property
    def opinion_words(self) -> str:
        return vocab.label(vocab.ASSURANCE_OPINIONS, self.opinion) if self.opinion else \
            "No opinion recorded"

    def as_dict(self) -> dict:
        return {"line": self.line, "source": self.source, "reference": self.reference,
                "assured_on": self.assured_on.isoformat(), "opinion": self.opinion,
                "next_due": self.next_due.isoformat() if self.next_due else None,
                "recorded": self.id is not None, "event_id": self.event_id}


@dataclass(frozen=True)
class Lacking:
    """A control the DMT should hear about, and why."""

    control: Control
    latest: Assurance | None
    reason: str


# --- reading what was typed --------------------------------------------------------------


def read_opinion(text) -> str:
    """An opinion as stored, from its value or its words in any case ("No assurance",
    "no_assurance"); anything else refused naming the field."""
    raw = str(text or "").strip()
    for value, words in vocab.ASSURANCE_OPINIONS:
        if raw.lower() in (value, words.lower()):
            return value
    given = f", not {raw[:40]!r}" if raw else ": choose one"
    raise ValidationError(f"Opinion must be one of substantial, reasonable, limited or no"
                          f" assurance{given}", field="opinion")


def read_line(text) -> int:
    """A line from 1, 2 or 3 (or 1st, 2nd, 3rd); anything else refused naming the field."""
    raw = str(text or "").strip().lower()
    for value, words in vocab.ASSURANCE_LINES:
        if raw in (str(value), words[:3].lower(), words.lower()):
            return value
    given = f", not {raw[:40]!r}" if raw else ": choose one"
    raise ValidationError(f"Line must be 1, 2 or 3 (management, oversight, internal audit"
                          f" or external){given}", field="line")


def read_source(text) -> str:
    """A source from its value or words ("Audit report", "audit_report")."""
    raw = str(text or "").strip().lower()
    for value, words in vocab.ASSURANCE_SOURCES:
        if raw in (value, words.lower()):
            return value
    return vocab.check(vocab.ASSURANCE_SOURCES, raw, "source")


# --- recording ---------------------------------------------------------------------------


def save_assurance(control: Control, by: User | None, entry: ControlAssurance | None = None, *,
                   line, source, reference: str, assured_on: date | None, opinion,
                   next_due: date | None, expected_version: int | None = None
                   ) -> ControlAssurance:
    """Record an opinion on a control (entry None), or correct one recorded. `by` None is
    the command line or an import, which the operator runs."""
    permissions.require_unless_operator(by, "record_assurance", control)
    if entry is not None:
        check_version(entry, expected_version, "This assurance")
    line, source, opinion = read_line(line), read_source(source), read_opinion(opinion)
    reference = clean_text(reference, "reference", limit=200)
    if assured_on is None:
        raise ValidationError("Enter the date of the assurance", field="assured_on")
    check_date(assured_on, "assured_on"), check_date(next_due, "next_due")
    if next_due is not None and next_due <= assured_on:
        raise ValidationError("The next assurance due must be after the date of this one",
                              field="next_due")
    with acting_as(by):
        if entry is None:
            entry = ControlAssurance(control=control)
            db.session.add(entry)
        entry.line, entry.source, entry.reference = line, source, reference
        entry.assured_on, entry.opinion, entry.next_due = assured_on, opinion, next_due
        db.session.flush()
    return entry


# --- reading -----------------------------------------------------------------------------


def assurances_of(controls: list[Control]) -> dict[int, list[Assurance]]:
    """control id -> its assurances, oldest first: those recorded, and the held exercises
    and incidents that tested it. Two statements however many controls."""
    found: dict[int, list[Assurance]] = defaultdict(list)
    ids = [c.id for c in controls]
    if not ids:
        return found
    by_id = {c.id: c for c in controls}
    for entry in db.session.scalars(select(ControlAssurance).where(
            ControlAssurance.control_id.in_(ids))):
        found[entry.control_id].append(Assurance(
            entry.line, entry.source, entry.reference, entry.assured_on, entry.opinion,
            entry.next_due, id=entry.id, version=entry.version))
    tested = db.session.execute(
        select(event_controls.c.control_id, Event)
        .join(Event, Event.id == event_controls.c.event_id)
        .where(event_controls.c.control_id.in_(ids), Event.status != "planned"))
    for control_id, event in tested:
        control = by_id[control_id]
        opinion = (OPINION_OF_EFFECTIVENESS.get(control.effectiveness)
                   if control.tested_by_event_id == event.id else None)
        found[control_id].append(Assurance(
            LINE_OF_EVENT[event.kind], event.kind, event.name, event.end_date, opinion, None,
            event_id=event.id))
    for entries in found.values():
        entries.sort(key=lambda a: (a.assured_on, a.id or 0))
    return found


def latest(entries: list[Assurance]) -> Assurance | None:
    """The newest assurance that gave an opinion."""
    rated = [a for a in entries if a.opinion]
    return rated[-1] if rated else None


def in_words(entries: list[Assurance], as_of: date) -> str:
    """The assurance behind a control on a day, as the committee appendix prints it: the
    latest opinion given by then, its line, source and date, and how many in all."""
    given = [a for a in entries if a.assured_on <= as_of]
    newest = latest(given)
    if newest is None:
        return "Assurance: none recorded" if not given else \
            f"Assurance: tested by {given[-1].reference}, {given[-1].assured_on:%d/%m/%Y}, no opinion"
    more = f" ({len(given)} in all)" if len(given) > 1 else ""
    return (f"Assurance: {newest.opinion_words}, {newest.line_words.split(':')[0]},"
            f" {newest.source_words.lower()} {newest.reference}".rstrip()
            + f", {newest.assured_on:%d/%m/%Y}{more}")


def period_start(as_of: date, months: int) -> date:
    """The earliest date an assurance still counts from."""
    return as_of - relativedelta(months=months)


def lacking(control: Control, entries: list[Assurance], as_of: date, months: int) -> str | None:
    """Why the control lacks assurance as of a day, or None: its latest opinion is limited
    or no assurance; or nothing (no opinion, no exercise) in the period. Only what was
    given by that day counts."""
    entries = [a for a in entries if a.assured_on <= as_of]
    newest = latest(entries)
    if newest is not None and newest.opinion in vocab.ASSURANCE_WEAK:
        words = newest.opinion_words if newest.opinion == "no_assurance" else \
            f"{newest.opinion_words} assurance"
        return f"{words} ({newest.source_words.lower()}, {newest.assured_on:%d/%m/%Y})"
    recent = [a for a in entries if a.assured_on > period_start(as_of, months)]
    if not recent:
        since = entries[-1].assured_on if entries else None
        return (f"No assurance in the last {months} months"
                + (f" (last {since:%d/%m/%Y})" if since else " (never assured)"))
    return None


def unassured(as_of: date, months: int, registers: list[Register] | None = None
              ) -> list[Lacking]:
    """The controls of live risks (on these registers and those below them, or all) that
    lack assurance, in risk reference order: the DMT's list."""
    statement = (select(Control).join(Risk).where(Risk.status.in_(LIVE))
                 .options(joinedload(Control.owner),
                          joinedload(Control.risk).joinedload(Risk.owner),
                          joinedload(Control.risk).joinedload(Risk.register))
                 .order_by(Risk.reference, Control.id))
    if registers:
        ids = [i for r in registers for i in register_and_children(r)]
        statement = statement.where(Risk.register_id.in_(ids))
    controls = list(db.session.scalars(statement).unique())
    found = assurances_of(controls)
    listed = []
    for control in controls:
        reason = lacking(control, found[control.id], as_of, months)
        if reason:
            listed.append(Lacking(control, latest(found[control.id]), reason))
    return listed


def review_prompts(risk: Risk, as_of: date, months: int,
                   found: dict[int, list[Assurance]] | None = None) -> list[Lacking]:
    """The controls of a risk that lack assurance (judged on `found`, its controls'
    assurances, when already read): what its review page asks the reviewer to weigh."""
    found = assurances_of(risk.controls) if found is None else found
    return [Lacking(c, latest(found[c.id]), reason) for c in risk.controls
            if (reason := lacking(c, found[c.id], as_of, months))]


def get_control(control_id: int) -> Control:
    """One control, with its risk, for the assurance pages and the command line."""
    control = db.session.scalar(select(Control).where(Control.id == control_id).options(
        joinedload(Control.risk), selectinload(Control.assurances)))
    if control is None:
        raise NotFound(f"No control with id {control_id}")
    return control
