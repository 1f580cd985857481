"""The exercise programme: what is due, or overdue, as of a date, from the cadence
rules (kept as data, so the resilience group can change them).

- An exercise rule is due its interval after the last held exercise of its type
  (due now if there has never been one), or after the last incident of a type the
  rule credits, if that came later: a real response counts (as NHS EPRR accepts)
  once it has had a debrief and lessons recorded.
- The plan rule is due for each business continuity plan its interval after the
  plan was last exercised (services.plans says what counts).
- Follow-up rules are due their interval after each held event ends, until the
  hot or cold debrief is recorded or the improvement plan agreed; a closed event
  owes nothing more. For an event a partner led they run from the partner's report
  date instead, and nothing is due while that report is awaited.
Everything is judged as it stood on `as_of`, so a past date gives the past answer.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from riskkit import permissions, vocab
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import CadenceRule, Debrief, Event, Lesson, User
from riskkit.services.plans import plans_with_last_exercise

DEFAULT_RULES = (
    ("Communications cascade test", "exercise", "comms_cascade", 6, "months", None),
    ("Tabletop exercise", "exercise", "tabletop", 12, "months", None),
    ("Live exercise", "exercise", "full_scale", 3 * 12, "months", None),
    ("Command post exercise", "exercise", "command_post", 3 * 12, "months", None),
    ("Business continuity plan exercised", "plan", "", 12, "months", None),
    ("Hot debrief", "hot_debrief", "", 1, "days", None),
    ("Cold debrief", "cold_debrief", "", 6 * 7, "days", 2 * 7),
    ("Improvement plan", "improvement_plan", "", 60, "days", None),
)

#: The rules due after each event held: its debriefs and its improvement plan.
FOLLOW_UPS = ("hot_debrief", "cold_debrief", "improvement_plan")


@dataclass(frozen=True)
class Due:
    rule: str  # the rule's name
    kind: str  # the rule's kind
    subject: str  # what is due: an exercise type, a plan's service, an event's name
    due_date: date
    days_overdue: int  # negative: falls due in that many days
    note: str  # what it was judged from: "last held 14/03/2023 (Exercise Mighty Oak)"
    owner: str
    owner_email: str | None = None
    event_id: int | None = None
    plan_id: int | None = None
    never: bool = False  # never held or exercised: due now, whatever the date

    @property
    def key(self) -> str:
        return f"programme:{self.rule}:{self.subject}:{self.due_date.isoformat()}"

    def as_json(self) -> dict:
        data = asdict(self)
        data["due_date"] = self.due_date.isoformat()
        del data["owner_email"]
        return data


def ensure_defaults() -> list[CadenceRule]:
    """Start an empty programme with the usual rules; never re-adds to one in use."""
    if db.session.scalar(select(func.count(CadenceRule.id))):
        return []
    rules = [CadenceRule(name=name, kind=kind, event_type=event_type, interval=interval,
                         unit=unit, not_before_days=not_before)
             for name, kind, event_type, interval, unit, not_before in DEFAULT_RULES]
    db.session.add_all(rules)
    db.session.flush()
    return rules


def list_rules(active_only: bool = False) -> list[CadenceRule]:
    statement = select(CadenceRule).order_by(CadenceRule.id)
    if active_only:
        statement = statement.where(CadenceRule.active.is_(True))
    return list(db.session.scalars(statement))


def get_rule(rule_id: int) -> CadenceRule:
    rule = db.session.get(CadenceRule, rule_id)
    if rule is None:
        raise NotFound(f"No cadence rule number {rule_id}")
    return rule


def save_rule(by: User | None, rule: CadenceRule | None, *, name: str, kind: str,
              event_type: str = "", interval: int | None, unit: str = "months",
              not_before_days: int | None = None, active: bool = True,
              incident_types: list[str] | None = None) -> CadenceRule:
    permissions.require_unless_operator(by, "edit_exercises")
    if not_before_days is not None and interval is not None and unit == "days" \
            and not_before_days >= interval:
        raise ValidationError("Not before must be fewer days than the interval",
                              field="not_before_days")
    with acting_as(by):
        if rule is None:
            rule = CadenceRule()
            db.session.add(rule)
        rule.name, rule.kind, rule.event_type = name, kind, event_type or ""
        rule.interval, rule.unit = interval, unit
        rule.not_before_days, rule.active = not_before_days, bool(active)
        if incident_types is not None:
            rule.credited_incidents = incident_types
        rule.check()
        db.session.flush()
    return rule


def after(start: date, rule: CadenceRule) -> date:
    """The day a rule's interval after start falls on; a month on from 31 January is the
    end of February (as dateutil's relativedelta, but cheap enough for every plan and event
    of a council's programme at each request)."""
    if rule.unit == "months":
        year, month = divmod(start.month - 1 + rule.interval, 12)
        year, month = start.year + year, month + 1
        return start.replace(year=year, month=month, day=min(start.day, monthrange(year, month)[1]))
    return start + timedelta(days=rule.interval)


def due(as_of: date, due_within: int = 0, owner: User | None = None) -> list[Due]:
    """Everything the programme has due on or before as_of (plus due_within days),
    most overdue first. A fixed number of statements, whatever the size of the
    programme, most reading rows rather than whole records: two per exercise rule, one
    for all the plans, one for all the events that may still owe a follow-up."""
    cutoff = as_of + timedelta(days=due_within)
    items: list[Due] = []
    rules = list_rules(active_only=True)
    owing = _owing_follow_ups(as_of) if any(r.kind in FOLLOW_UPS for r in rules) else []
    for rule in rules:
        if rule.kind == "exercise":
            items.extend(_exercise_due(rule, as_of))
        elif rule.kind == "plan":
            items.extend(_plans_due(rule, as_of))
        else:
            items.extend(_follow_ups_due(rule, owing, as_of))
    items = [i for i in items if i.due_date <= cutoff]
    if owner is not None:
        items = [i for i in items if i.owner == owner.name]
    return sorted(items, key=lambda i: (-i.days_overdue, i.rule, i.subject))


@dataclass(frozen=True)
class RuleCount:
    """How many items one rule has due, and how many of them are overdue."""

    rule: str
    due: int
    overdue: int


def count_by_rule(items: list[Due]) -> list[RuleCount]:
    """The programme summarised: one line per rule with anything due, in rule order."""
    order = {rule.name: n for n, rule in enumerate(list_rules())}
    counts: dict[str, list[int]] = {}
    for item in items:
        tally = counts.setdefault(item.rule, [0, 0])
        tally[0] += 1
        tally[1] += item.never or item.days_overdue > 0
    return [RuleCount(rule, n, late) for rule, (n, late)
            in sorted(counts.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0]))]


def credit_rule(by: User | None, rule: CadenceRule, incident_types: list[str]) -> CadenceRule:
    """Say which incident types (none: clear them) meet an exercise rule."""
    permissions.require_unless_operator(by, "edit_exercises")
    with acting_as(by):
        rule.credited_incidents = incident_types
        rule.check()
        db.session.flush()
    return rule


def find_rule(name: str) -> CadenceRule:
    rule = db.session.scalar(select(CadenceRule).where(CadenceRule.name == (name or "").strip()))
    if rule is None:
        raise NotFound(f"No cadence rule called {name!r}")
    return rule


def _credited_incident(rule: CadenceRule, as_of: date) -> Event | None:
    """The latest incident of a type the rule credits with a debrief held by as_of and a
    lesson recorded from it: a response nobody learned from does not count."""
    if not rule.credited_incidents:
        return None
    debriefed = select(Debrief.id).where(Debrief.event_id == Event.id,
                                         Debrief.held_on <= as_of).exists()
    learned = select(Lesson.id).where(Lesson.event_id == Event.id).exists()
    return db.session.scalar(
        select(Event).options(joinedload(Event.lead))
        .where(Event.kind == "incident", Event.event_type.in_(rule.credited_incidents),
               Event.status != "planned", Event.end_date <= as_of, debriefed, learned)
        .order_by(Event.end_date.desc(), Event.id.desc()).limit(1))


def occasions(rule: CadenceRule, since: date, as_of: date) -> list[Event]:
    """Every occasion that met an exercise rule from `since` to `as_of`, oldest first: the
    exercises of its type held (ended) then, and the incidents of the types it credits
    that had a debrief held by as_of and a lesson recorded (as _credited_incident). An
    exercise a partner led counts as our own: we took part."""
    debriefed = select(Debrief.id).where(Debrief.event_id == Event.id,
                                         Debrief.held_on <= as_of).exists()
    learned = select(Lesson.id).where(Lesson.event_id == Event.id).exists()
    exercise = (Event.kind == "exercise") & (Event.event_type == rule.event_type)
    incident = (Event.kind == "incident") & Event.event_type.in_(rule.credited_incidents or [""]) \
        & debriefed & learned
    return list(db.session.scalars(
        select(Event).where(exercise | incident, Event.status != "planned",
                            Event.end_date >= since, Event.end_date <= as_of)
        .order_by(Event.end_date, Event.id)))


def _last_held(rule: CadenceRule, as_of: date) -> tuple[Event | None, Event | None]:
    """The last exercise of the rule's type held by as_of, and the last incident it
    credits if that ended later (else None)."""
    last = db.session.scalar(
        select(Event).options(joinedload(Event.lead))
        .where(Event.kind == "exercise", Event.event_type == rule.event_type,
               Event.status != "planned", Event.start_date <= as_of)
        .order_by(Event.end_date.desc(), Event.id.desc()).limit(1))
    incident = _credited_incident(rule, as_of)
    if incident is not None and last is not None and last.end_date >= incident.end_date:
        incident = None
    return last, incident


@dataclass(frozen=True)
class Credit:
    """An exercise rule met, as of a day, by a real incident rather than an exercise."""

    rule: str
    event_id: int
    event: str
    held_on: date
    next_due: date

    @property
    def words(self) -> str:
        return f"met by incident {self.event} on {self.held_on:%d/%m/%Y}"


def credits(as_of: date) -> list[Credit]:
    """The exercise rules whose latest occasion, as of the day, was an incident."""
    found = []
    for rule in list_rules(active_only=True):
        if rule.kind == "exercise" and rule.credited_incidents:
            incident = _last_held(rule, as_of)[1]
            if incident is not None:
                found.append(Credit(rule.name, incident.id, incident.name, incident.end_date,
                                    after(incident.end_date, rule)))
    return found


def _exercise_due(rule: CadenceRule, as_of: date) -> list[Due]:
    label = vocab.label(vocab.EXERCISE_TYPES, rule.event_type)
    of_type = (Event.kind == "exercise", Event.event_type == rule.event_type)
    last, incident = _last_held(rule, as_of)
    planned = db.session.scalar(
        select(Event).options(joinedload(Event.lead))
        .where(*of_type, Event.status == "planned", Event.start_date >= as_of)
        .order_by(Event.start_date).limit(1))
    next_words = f"; next planned {planned.start_date:%d/%m/%Y} ({planned.name})" \
        if planned else ""
    if incident is not None:
        due_date = after(incident.end_date, rule)
        credit = Credit(rule.name, incident.id, incident.name, incident.end_date, due_date)
        return [Due(rule.name, rule.kind, label, due_date, (as_of - due_date).days,
                    f"{credit.words}{next_words}", _name(incident.lead), _email(incident.lead),
                    event_id=incident.id)]
    if last is None:
        return [Due(rule.name, rule.kind, label, as_of, 0, f"never held{next_words}",
                    _name(planned.lead if planned else None),
                    _email(planned.lead if planned else None), never=True)]
    due_date = after(last.end_date, rule)
    return [Due(rule.name, rule.kind, label, due_date, (as_of - due_date).days,
                f"last held {last.end_date:%d/%m/%Y} ({last.name}){next_words}",
                _name(last.lead), _email(last.lead))]


def _plans_due(rule: CadenceRule, as_of: date) -> list[Due]:
    items = []
    for plan_id, service, name, email, when, event_name in db.session.execute(
            plans_with_last_exercise(as_of)):
        if when is not None:
            due_date, note = after(when, rule), f"last exercised {when:%d/%m/%Y} ({event_name})"
        else:
            due_date, note = as_of, "never exercised"
        items.append(Due(rule.name, rule.kind, service, due_date, (as_of - due_date).days,
                         note, name, email, plan_id=plan_id, never=when is None))
    return items


@dataclass(frozen=True)
class _Owing:
    """A held event not closed, as the follow-up rules read it."""

    event_id: int
    name: str
    type_label: str
    end_date: date
    partner: str  # the lead organisation, for an event a partner led
    partner_report_date: date | None
    improvement_plan_agreed: date | None
    lead: str
    lead_email: str | None
    hot: bool  # a hot debrief held by the day
    cold: bool  # a cold debrief held by the day


NO_LEAD = "No lead named"
_TYPES = {"exercise": vocab.EXERCISE_TYPES, "incident": vocab.INCIDENT_TYPES}


def _owing_follow_ups(as_of: date) -> list[_Owing]:
    """Events held and ended by as_of and not closed, with their leads and which debriefs
    they had by then: one statement of rows, the debriefs asked for in it."""
    def debriefed(kind: str):
        return select(Debrief.id).where(Debrief.event_id == Event.id, Debrief.kind == kind,
                                        Debrief.held_on <= as_of).exists()

    rows = db.session.execute(
        select(Event.id, Event.name, Event.kind, Event.event_type, Event.end_date,
               Event.lead_organisation, Event.partner_report_date,
               Event.improvement_plan_agreed, User.name, User.email,
               debriefed("hot"), debriefed("cold"))
        .outerjoin(User, User.id == Event.lead_id)
        .where(Event.status.not_in(("planned", "closed")), Event.start_date <= as_of,
               Event.end_date <= as_of)
        .order_by(Event.end_date, Event.id))
    return [_Owing(event_id, name, vocab.label(_TYPES[kind], event_type), end, partner,
                   reported if reported is not None and reported <= as_of else None, agreed,
                   lead or NO_LEAD, email, hot, cold)
            for event_id, name, kind, event_type, end, partner, reported, agreed, lead, email,
            hot, cold in rows]


def awaiting_partner_report(as_of: date) -> list[_Owing]:
    """Held events a partner led whose report had not come by as_of: they owe no
    follow-up yet, and are listed so that nobody forgets to chase the report."""
    return [o for o in _owing_follow_ups(as_of) if o.partner and o.partner_report_date is None]


def _follow_ups_due(rule: CadenceRule, owing: list[_Owing], as_of: date) -> list[Due]:
    items = []
    for event in owing:
        start = event.partner_report_date if event.partner else event.end_date
        if start is None:  # a partner's report still awaited: nothing runs yet
            continue
        # A hot debrief cannot be held once the cold one has been: it is no longer owed.
        if rule.kind == "hot_debrief" and (event.hot or event.cold):
            continue
        if rule.kind == "cold_debrief" and event.cold:
            continue
        if rule.kind == "improvement_plan" and event.improvement_plan_agreed \
                and event.improvement_plan_agreed <= as_of:
            continue
        due_date = after(start, rule)
        note = (f"{event.partner}'s report received {start:%d/%m/%Y}" if event.partner else
                f"{event.type_label.lower()} ended {start:%d/%m/%Y}")
        if rule.not_before_days:
            note += f"; not before {start + timedelta(days=rule.not_before_days):%d/%m/%Y}"
        items.append(Due(rule.name, rule.kind, event.name, due_date, (as_of - due_date).days,
                         note, event.lead, event.lead_email, event_id=event.event_id))
    return items


def _name(person: User | None) -> str:
    return person.name if person is not None else NO_LEAD


def _email(person: User | None) -> str | None:
    return person.email if person is not None else None
