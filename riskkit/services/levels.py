"""Level schemes (OPEL 1-4 built in, others added as data, as the scoring matrices are),
and the levels of areas and the organisation: proposed from the indicators by the
scheme's (or area's) rule, with hysteresis on the way down, and declared by a named
person with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import (
    Area,
    DecisionLogEntry,
    Declaration,
    Indicator,
    LevelScheme,
    Reading,
    Risk,
    SchemeLevel,
    User,
)
from riskkit.models.base import clean_text
from riskkit.models.indicators import indicator_risks
from riskkit.services import indicators as indicator_service

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "levels"
DEFAULT_SCHEME = "opel"


def builtin_definitions() -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(BUILTIN_DIR.glob("*.yaml"))]


def ensure_builtin() -> list[LevelScheme]:
    """Add any built-in level scheme the database does not have yet; return those added."""
    added = []
    for definition in builtin_definitions():
        if db.session.scalar(select(LevelScheme).where(
                LevelScheme.code == definition["code"])) is None:
            added.append(store_scheme(definition, builtin=True))
    return added


def store_scheme(definition: dict, builtin: bool = False) -> LevelScheme:
    """A scheme from its definition: code, name, the proposal rule and step-down days,
    and its levels from least to most severe."""
    scheme = LevelScheme(
        code=definition["code"], name=definition["name"], builtin=builtin,
        proposal_rule=definition.get("proposal_rule", "highest"),
        proposal_count=definition.get("proposal_count"),
        step_down_days=definition.get("step_down_days", 3),
        levels=[SchemeLevel(rank=rank, name=level["name"], word=level.get("word", ""),
                            description=level.get("description", ""))
                for rank, level in enumerate(definition["levels"], start=1)])
    db.session.add(scheme)
    db.session.flush()
    return scheme


def all_schemes() -> list[LevelScheme]:
    return list(db.session.scalars(select(LevelScheme).order_by(LevelScheme.code)))


def get_scheme(code: str = DEFAULT_SCHEME) -> LevelScheme:
    found = db.session.scalar(select(LevelScheme).where(LevelScheme.code == code))
    if found is None:
        known = ", ".join(s.code for s in all_schemes()) or "none"
        raise NotFound(f"No level scheme called {code!r}; known schemes: {known}")
    return found


# --- where each indicator stands ----------------------------------------------------------


@dataclass
class Status:
    """An indicator in one area (or as a whole) as of a day: its latest reading, the
    level it puts it at, whether it is stale, and which way it moved since the one before."""

    indicator: Indicator
    area: Area | None
    reading: Reading | None
    level: SchemeLevel | None
    stale: bool
    trend: str  # "up", "down", "same", or "" with fewer than two readings

    @property
    def state(self) -> str:
        """What the level column says: the level, or why there is none."""
        if self.indicator.triggers_state != "set":
            return "Triggers under development"
        if self.reading is None:
            return "No reading yet"
        return self.level.label if self.level else "No level"


def statuses(as_of: date, scheme: LevelScheme | None = None, area: Area | None = None,
             indicators_: list[Indicator] | None = None) -> list[Status]:
    """Each (indicator, area) pair's standing on as_of, by indicator name then area: every
    pair measured (the indicators of the scheme, in the area if one is given)."""
    if indicators_ is None:
        statement = select(Indicator).where(Indicator.archived.is_(False)).options(
            selectinload(Indicator.triggers), selectinload(Indicator.areas))
        if scheme is not None:
            statement = statement.where(Indicator.scheme_id == scheme.id)
        indicators_ = list(db.session.scalars(statement.order_by(Indicator.name)))
    pairs = [(indicator, place) for indicator in indicators_
             for place in (indicator.areas or [None]) if area is None or place == area]
    latest = _latest_two(as_of, [indicator.id for indicator, _ in pairs])
    found = []
    for indicator, place in pairs:
        recent = latest.get((indicator.id, place.id if place else None), [])
        reading = recent[0] if recent else None
        level = indicator_service.level_of(indicator, reading.value) if reading else None
        stale = reading is None or (as_of - reading.reading_date).days > indicator.frequency_days
        trend = "" if len(recent) < 2 else (
            "up" if recent[0].value > recent[1].value else
            "down" if recent[0].value < recent[1].value else "same")
        found.append(Status(indicator, place, reading, level, stale, trend))
    return found


def _latest_two(as_of: date, indicator_ids: list[int]) -> dict[tuple, list[Reading]]:
    """(indicator id, area id) -> its latest two readings on or before as_of, newest first."""
    if not indicator_ids:
        return {}
    ranked = select(Reading.id, func.row_number().over(
        partition_by=(Reading.indicator_id, Reading.area_id),
        order_by=Reading.reading_date.desc()).label("rank")).where(
        Reading.indicator_id.in_(indicator_ids), Reading.reading_date <= as_of).subquery()
    rows = db.session.scalars(select(Reading).join(ranked, ranked.c.id == Reading.id)
                              .where(ranked.c.rank <= 2).order_by(Reading.reading_date.desc()))
    found: dict[tuple, list[Reading]] = {}
    for reading in rows:
        found.setdefault((reading.indicator_id, reading.area_id), []).append(reading)
    return found


# --- proposing a level ----------------------------------------------------------------------


@dataclass
class Proposal:
    """The level proposed for an area (or the organisation), and why."""

    scheme: LevelScheme
    area: Area | None
    level: SchemeLevel
    reached: SchemeLevel  # what the rule gives today, before the step-down wait
    current: Declaration | None
    reason: str
    statuses: list[Status]

    @property
    def place(self) -> str:
        return self.area.name if self.area else "The organisation"


def rule_of(scheme: LevelScheme, area: Area | None) -> tuple[str, int | None, int]:
    """(rule, N, step-down days) for the area: its own where set, else the scheme's."""
    rule = (area.proposal_rule if area and area.proposal_rule else scheme.proposal_rule)
    count = (area.proposal_count if area and area.proposal_rule else scheme.proposal_count)
    days = (area.step_down_days if area and area.step_down_days is not None
            else scheme.step_down_days)
    return rule, count, days


def rule_words(scheme: LevelScheme, area: Area | None) -> str:
    rule, count, days = rule_of(scheme, area)
    how = (f"the highest level at least {count} indicator{'s' if count != 1 else ''} are at"
           f" or above" if rule == "at_least" else "the highest level any indicator is at")
    return (f"Proposed level: {how}. Stepping down waits until the indicators have been"
            f" below the current level for {days} day{'s' if days != 1 else ''}.")


def reached(scheme: LevelScheme, area: Area | None, found: list[Status]) -> SchemeLevel:
    """The level the rule gives from these statuses (the lowest when none counts)."""
    rule, count, _ = rule_of(scheme, area)
    ranks = sorted((s.level.rank for s in found if s.level is not None), reverse=True)
    if rule == "at_least":
        needed = max(count or 1, 1)
        rank = ranks[needed - 1] if len(ranks) >= needed else 1
    else:
        rank = ranks[0] if ranks else 1
    return next(level for level in scheme.levels if level.rank == rank)


def current_declaration(scheme: LevelScheme, area: Area | None,
                        before: datetime | None = None) -> Declaration | None:
    """The latest declaration of one of the scheme's levels for the area (None: the
    organisation), made before `before` if given."""
    statement = select(Declaration).join(SchemeLevel, SchemeLevel.id == Declaration.level_id) \
        .where(SchemeLevel.scheme_id == scheme.id,
               Declaration.area_id.is_(None) if area is None else Declaration.area_id == area.id)
    if before is not None:
        statement = statement.where(Declaration.declared_at < before)
    return db.session.scalars(statement.order_by(Declaration.declared_at.desc(),
                                                 Declaration.id.desc()).limit(1)).first()


def propose(as_of: date, scheme: LevelScheme | None = None,
            area: Area | None = None) -> Proposal:
    """The level to propose on as_of: the rule's level on the way up at once; on the way
    down, the highest level the rule gave on any of the last step-down days, so the level
    comes down only once the indicators have stayed lower for that long."""
    scheme = scheme or get_scheme()
    found = statuses(as_of, scheme, area)
    today_level = reached(scheme, area, found)
    current = current_declaration(scheme, area)
    words = rule_words(scheme, area)
    if current is None or today_level.rank >= current.level.rank:
        return Proposal(scheme, area, today_level, today_level, current, words, found)
    _, _, days = rule_of(scheme, area)
    window = [as_of - timedelta(days=back) for back in range(1, days)]
    highest = max([today_level] + [reached(scheme, area, statuses(day, scheme, area))
                                   for day in window], key=lambda level: level.rank)
    if highest.rank >= current.level.rank:
        return Proposal(
            scheme, area, current.level, today_level, current,
            f"The indicators give {today_level.label} today, but stepping down from"
            f" {current.level.label} needs them below it for {days} days in a row"
            f" ({as_of - timedelta(days=days - 1):%-d %B} to {as_of:%-d %B}): the proposal"
            f" stays at {current.level.label}. {words}", found)
    return Proposal(scheme, area, highest, today_level, current,
                    f"The indicators have been below {current.level.label} for {days} days:"
                    f" stepping down to {highest.label} is proposed. {words}", found)


# --- declaring ----------------------------------------------------------------------------


def declare(by: User, area: Area | None, level: SchemeLevel, reason: str, as_of: date,
            proposal: Proposal | None = None) -> Declaration:
    """A named person declares the level for the area (None: the organisation), with a
    reason; the proposal at the time is kept beside it, and the decision log says so."""
    if by is None:
        raise ValidationError("Say who is declaring the level", "declared_by")
    permissions.require(by, "declare_level")
    reason = clean_text(reason, "reason", required=True)
    proposal = proposal or propose(as_of, level.scheme, area)
    place = area.name if area else "the organisation"
    with acting_as(by):
        declaration = Declaration(area=area, level=level, proposed_level=proposal.level,
                                  declared_by=by, reason=reason)
        db.session.add(declaration)
        db.session.flush()
        note = "" if proposal.level.id == level.id else f", where {proposal.level.label} was proposed"
        db.session.add(DecisionLogEntry(
            at=declaration.declared_at, author=by, area=area, kind="declaration",
            declaration=declaration,
            text=f"{by.name} declared {level.label} for {place}{note}. Reason: {reason}"))
        db.session.flush()
    return declaration


def find_level(scheme: LevelScheme, text: str) -> SchemeLevel:
    """A level by rank ("3"), name ("OPEL 3") or word ("Red")."""
    wanted = str(text or "").strip().lower()
    for level in scheme.levels:
        if wanted in (str(level.rank), level.name.lower(), level.word.lower()):
            return level
    known = ", ".join(level.label for level in scheme.levels)
    raise ValidationError(f"No level {text!r} in {scheme.name}: choose from {known}", "level")


def declarations(area: Area | None = None, limit: int = 20) -> list[Declaration]:
    statement = select(Declaration).order_by(Declaration.declared_at.desc(), Declaration.id.desc())
    if area is not None:
        statement = statement.where(Declaration.area_id == area.id)
    return list(db.session.scalars(statement.limit(limit)))


# --- the register's view of the indicators --------------------------------------------------

#: A risk whose linked indicators reach this rank (OPEL 3, Red) or above is flagged as
#: under pressure on the dashboard and the register list.
PRESSURE_RANK = 3


def risk_statuses(risk, as_of: date) -> list[Status]:
    """The indicators linked to a risk, each in each of its areas, as of a day."""
    linked = list(db.session.scalars(
        select(Indicator).join(indicator_risks, indicator_risks.c.indicator_id == Indicator.id)
        .where(indicator_risks.c.risk_id == risk.id, Indicator.archived.is_(False))
        .order_by(Indicator.name)))
    return statuses(as_of, indicators_=linked) if linked else []


def pressure_by_risk(risk_ids: list[int], as_of: date) -> dict[int, SchemeLevel]:
    """risk id -> the highest level its linked indicators are at, for the risks among
    risk_ids whose indicators reach PRESSURE_RANK or above (the rest are left out)."""
    links = db.session.execute(select(indicator_risks.c.risk_id, indicator_risks.c.indicator_id)
                               .where(indicator_risks.c.risk_id.in_(risk_ids))).all()
    if not links:
        return {}
    wanted = {indicator_id for _, indicator_id in links}
    linked = [i for i in db.session.scalars(select(Indicator).where(
        Indicator.id.in_(wanted), Indicator.archived.is_(False)))]
    highest: dict[int, SchemeLevel] = {}
    for status in statuses(as_of, indicators_=linked):
        level = status.level
        if level is not None and (status.indicator.id not in highest
                                  or level.rank > highest[status.indicator.id].rank):
            highest[status.indicator.id] = level
    found = {}
    for risk_id, indicator_id in links:
        level = highest.get(indicator_id)
        if level is not None and level.rank >= PRESSURE_RANK and (
                risk_id not in found or level.rank > found[risk_id].rank):
            found[risk_id] = level
    return found


def risks_under_pressure(as_of: date) -> list[tuple]:
    """(risk, level) for each open risk whose linked indicators reach PRESSURE_RANK, most
    severe first, then by reference."""
    ids = list(db.session.scalars(select(indicator_risks.c.risk_id).distinct()))
    found = pressure_by_risk(ids, as_of) if ids else {}
    if not found:
        return []
    risks = db.session.scalars(select(Risk).where(Risk.id.in_(found), Risk.status != "closed"))
    return sorted(((risk, found[risk.id]) for risk in risks),
                  key=lambda pair: (-pair[1].rank, pair[0].reference))
