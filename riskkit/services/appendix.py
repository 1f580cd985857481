"""The committee register appendix ("Appendix B - Directorate Risk Register"), gathered
as plain data for the PDF renderer.

Each register's summary page comes from a handful of queries. Its risks are streamed:
their ids are read in print order, then each batch is loaded whole (controls, actions,
reviews and their people: four statements) and turned into plain rows before the next
batch is read, so memory stays flat however long the register is. With `public`, the
detail of an exempt risk never leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from riskkit import scoring, vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, HistoryEntry, Lesson, Register, Review, Risk
from riskkit.services.registers import all_registers, get_register
from riskkit.services.risks import LIVE, SORTS
from riskkit.services.summaries import HeatMap, cell_data, heat_map, rating_changes

BATCH = 100
#: The papers' words for the two kinds of row in the controls and actions table.
CONTROL_TYPE = "Control"
ACTION_TYPE = "A - Accepted"
#: What the public version prints in place of an exempt risk's title.
EXEMPT_TITLE = "Exempt"


def default_since(as_of: date) -> date:
    """Changes are reported since the last quarter's papers unless asked otherwise."""
    return as_of - relativedelta(months=3)


@dataclass(frozen=True)
class Rated:
    """A score as the papers print it."""

    label: str  # High 20 Serious (4) Very Likely (5)
    colour: str


@dataclass(frozen=True)
class Short:
    """A rating in brief, for the changes table: High 20."""

    text: str
    colour: str


@dataclass(frozen=True)
class Item:
    """A row of a risk's controls and actions table."""

    description: str
    owner: str
    type: str  # Control, or A - Accepted for an agreed action
    status: str  # an action's status in words; empty for a control
    target_date: date | None


@dataclass(frozen=True)
class Comment:
    reviewed_on: date
    reviewer: str
    comment: str


@dataclass(frozen=True)
class RiskEntry:
    """One risk whole, as the appendix prints it. `withheld` marks an exempt risk in
    the public version: only its reference is real, every other field is empty."""

    reference: str
    title: str
    exempt: bool
    withheld: bool = False
    exempt_paragraph: int = 0  # of Schedule 12A, for an exempt risk (public, so kept when withheld)
    description: str = ""
    cause: str = ""
    consequence: str = ""
    owner: str = ""
    last_review: date | None = None
    next_review: date | None = None
    review_overdue: bool = False
    current: Rated | None = None
    previous: Rated | None = None
    target: Rated | None = None
    target_date: date | None = None
    trend: str = ""  # Increased, Decreased, No change, New
    items: list[Item] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class Change:
    """A line of "Current risk level changes": a rating up or down, a new, escalated or
    closed risk."""

    reference: str
    title: str
    change: str  # Increased, Decreased, New, Escalated, Closed
    before: Short | None  # None for a new or escalated risk, or when withheld
    after: Short | None  # None for a closed risk, or when withheld
    on: date | None = None  # when a risk was opened, escalated or closed
    reason: str = ""  # why it was escalated or closed, as given then (withheld if exempt)


@dataclass
class Section:
    """One register: its summary page, then its live risks one by one."""

    code: str
    name: str
    level: str
    heat_map: HeatMap
    exempt_count: int
    changes: list[Change]
    risks: Iterator[RiskEntry]  # streamed from the database while the PDF is drawn

    @property
    def summary(self) -> str:
        return self.heat_map.summary_text()

    @property
    def total(self) -> int:
        return self.heat_map.total


@dataclass
class Appendix:
    title: str
    organisation: str
    as_of: date
    since: date
    public: bool
    sections: list[Section]

    @property
    def subject(self) -> str:
        registers = ", ".join(f"{s.code} {s.name}" for s in self.sections)
        return f"Risk register appendix: {registers}; as at {self.as_of:%d/%m/%Y}"


def build_appendix(codes: list[str] | tuple[str, ...], as_of: date, since: date, organisation: str,
                   public: bool = False) -> Appendix:
    """The appendix for the registers named by code (all of them when none is named),
    as at `as_of`, with rating changes, new, escalated and closed risks since `since`."""
    if since > as_of:
        raise ValidationError(f"The since date {since.isoformat()} is after the as-of date"
                              f" {as_of.isoformat()}: changes are reported between the two", field="since")
    registers = _chosen(codes)
    data = cell_data([r.id for r in registers])
    sections = [
        Section(
            code=register.code, name=register.name,
            level=vocab.label(vocab.REGISTER_LEVELS, register.level),
            heat_map=heat_map(register.matrix, [register.id], data=data),
            exempt_count=db.session.scalar(select(func.count(Risk.id)).where(
                Risk.register_id == register.id, Risk.status.in_(LIVE), Risk.exempt)),
            changes=_changes(register, since, as_of, public),
            risks=_risks(register, as_of, public),
        )
        for register in registers
    ]
    if len(registers) == 1:
        title = f"Risk Register – {registers[0].name}"
    else:
        title = "Risk Registers – " + ", ".join(r.name for r in registers)
    return Appendix(title, organisation, as_of, since, public, sections)


def _chosen(codes) -> list[Register]:
    """The registers asked for, each once, in the order given; all of them when none is
    named, top of the tree first (corporate, directorate, operational)."""
    if codes:
        registers: list[Register] = []
        for code in codes:
            register = get_register(code)
            if register not in registers:
                registers.append(register)
        return registers
    levels = vocab.values(vocab.REGISTER_LEVELS)
    return sorted(all_registers(), key=lambda r: (levels.index(r.level), r.code))


def _rated(matrix: scoring.Matrix, likelihood: int | None, impact: int | None) -> Rated | None:
    if likelihood is None or impact is None:
        return None
    band = scoring.rating(matrix, likelihood, impact)
    return Rated(scoring.describe(matrix, likelihood, impact), band.colour)


def _changes(register: Register, since: date, as_of: date, public: bool) -> list[Change]:
    """Ratings up, then down, then risks added, escalated into the register or closed
    after `since` up to `as_of`, each group by reference, with the reason given."""
    matrix = register.matrix

    def title(risk) -> str:
        return EXEMPT_TITLE if public and risk.exempt else risk.title

    def short(risk, band: scoring.Band, value: int) -> Short | None:
        return None if public and risk.exempt else Short(f"{band.name} {value}", band.colour)

    def now(risk) -> Short | None:
        return short(risk, scoring.rating(matrix, risk.likelihood, risk.impact), risk.score)

    moved, _ = rating_changes([register.id], since)
    changes = [
        Change(c.risk.reference, title(c.risk), scoring.TREND_WORDS[c.direction],
               short(c.risk, c.before, c.before_score), now(c.risk))
        for direction in ("up", "down") for c in moved if c.direction == direction
    ]
    # "After since" means from the next day, as rating_changes reads review dates.
    start = datetime.combine(since + timedelta(days=1), time.min, tzinfo=UTC)
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    # A risk is new if it was added after `since` and has no review on or before it (the
    # demo loader and imports add old risks today, with their reviews from years ago).
    reviewed_before = select(Review.id).where(Review.risk_id == Risk.id,
                                              Review.reviewed_on <= since).exists()
    for risk in db.session.scalars(
            select(Risk).where(Risk.register_id == register.id, Risk.status.in_(LIVE),
                               Risk.created_at >= start, Risk.created_at < end, ~reviewed_before)
            .order_by(Risk.reference)):
        changes.append(Change(risk.reference, title(risk), "New", None, now(risk),
                              risk.created_at.date()))
    # Escalated here or closed: its status now, and the history records the step (and the
    # reason given for it) after `since`.
    for status, change in (("escalated", "Escalated"), ("closed", "Closed")):
        steps = (
            select(HistoryEntry.risk_id, func.max(HistoryEntry.id).label("id"))
            .where(HistoryEntry.entity == "risk", HistoryEntry.field == "status",
                   HistoryEntry.new_value == status, HistoryEntry.at >= start,
                   HistoryEntry.at < end)
            .group_by(HistoryEntry.risk_id).subquery()
        )
        for risk, at, reason in db.session.execute(
                select(Risk, HistoryEntry.at, HistoryEntry.reason)
                .join(steps, steps.c.risk_id == Risk.id)
                .join(HistoryEntry, HistoryEntry.id == steps.c.id)
                .where(Risk.register_id == register.id, Risk.status == status)
                .order_by(Risk.reference)):
            before, after = (now(risk), None) if status == "closed" else (None, now(risk))
            changes.append(Change(risk.reference, title(risk), change, before, after, at.date(),
                                  "" if public and risk.exempt else reason or ""))
    return changes


def _risks(register: Register, as_of: date, public: bool) -> Iterator[RiskEntry]:
    """The register's live risks, highest score first, a batch at a time."""
    matrix = register.matrix
    ids = list(db.session.scalars(
        select(Risk.id).where(Risk.register_id == register.id, Risk.status.in_(LIVE))
        .order_by(*SORTS["score"]())))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        loaded = {risk.id: risk for risk in db.session.scalars(
            select(Risk).where(Risk.id.in_(batch)).options(
                joinedload(Risk.owner),
                selectinload(Risk.controls).joinedload(Control.owner),
                selectinload(Risk.actions).joinedload(Action.owner),
                selectinload(Risk.actions).selectinload(Action.lessons).joinedload(Lesson.event),
                selectinload(Risk.reviews).joinedload(Review.reviewer)))}
        for risk_id in batch:
            yield _entry(loaded[risk_id], matrix, as_of, public)
        # Dropping the batch lets the session's weak identity map release the objects.
        del loaded


def _lesson_origin(action: Action) -> str:
    """' (From lesson L0003, Exercise Lemur.)': an action remembers the lessons it answers."""
    if not action.lessons:
        return ""
    return " (From " + "; ".join(f"lesson {lesson.reference}, {lesson.event.name}"
                                 for lesson in action.lessons) + ".)"


def _entry(risk: Risk, matrix: scoring.Matrix, as_of: date, public: bool) -> RiskEntry:
    if public and risk.exempt:
        return RiskEntry(risk.reference, EXEMPT_TITLE, exempt=True, withheld=True,
                         exempt_paragraph=risk.exempt_paragraph)
    # Agreed actions first, then the controls in place, as the papers list them.
    items = [Item(a.description + _lesson_origin(a), a.owner.name, ACTION_TYPE,
                  vocab.label(vocab.ACTION_STATUSES, a.status), a.target_date) for a in risk.actions]
    items += [Item(c.description, c.owner.name, CONTROL_TYPE, "", None) for c in risk.controls]
    return RiskEntry(
        reference=risk.reference, title=risk.title, exempt=risk.exempt,
        exempt_paragraph=risk.exempt_paragraph if risk.exempt else 0,
        description=risk.description, cause=risk.cause, consequence=risk.consequence,
        owner=risk.owner.name, last_review=risk.last_review_date, next_review=risk.next_review_date,
        review_overdue=risk.next_review_date is not None and risk.next_review_date < as_of,
        current=_rated(matrix, risk.likelihood, risk.impact),
        previous=_rated(matrix, risk.previous_likelihood, risk.previous_impact),
        target=_rated(matrix, risk.target_likelihood, risk.target_impact),
        target_date=risk.target_date,
        trend=scoring.TREND_WORDS[scoring.trend(risk.previous_score, risk.score)],
        items=items,
        comments=[Comment(r.reviewed_on, r.reviewer.name, r.comment) for r in reversed(risk.reviews)],
    )
