"""The committee appendix's indicators summary: each indicator linked to a risk on the
registers, in each of its areas, with its level on the as-of day, the highest level it
reached in the quarter and the days it spent at each level.

The quarter is the calendar quarter holding the as-of day (which the financial year's
quarters follow: April, July, October, January), from its first day to the as-of day.
An indicator's level on a day is the level of its latest reading on or before that day,
as on the levels page; a day before its first reading, or while its triggers are under
development, is at no level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit.extensions import db
from riskkit.models import Indicator, Reading, Risk
from riskkit.models.indicators import indicator_risks
from riskkit.services.indicators import level_of

#: What a day at no level is called in the days column.
NO_LEVEL = "No level"


@dataclass(frozen=True)
class QuarterRow:
    """An indicator in one area (or as a whole) over the quarter."""

    indicator: str
    unit: str
    area: str  # empty for an indicator measured as a whole
    risks: list[str]  # references of the linked risks on the registers
    level: str  # on the as-of day: a level's label, or NO_LEVEL
    highest: str  # the highest level any day of the quarter, or NO_LEVEL
    days: list[tuple[str, int]]  # (level label, days) for each level of its scheme, then NO_LEVEL

    @property
    def days_words(self) -> str:
        """"OPEL 1 (Green) 60, OPEL 2 (Amber) 20, ...": the days column in words."""
        return ", ".join(f"{label} {days}" for label, days in self.days if days)


@dataclass(frozen=True)
class QuarterSummary:
    start: date
    end: date
    rows: list[QuarterRow]

    @property
    def total_days(self) -> int:
        return (self.end - self.start).days + 1


def quarter_start(as_of: date) -> date:
    return date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)


def linked_indicators(register_ids: list[int]) -> list[Indicator]:
    """The indicators in use (not archived) linked to a risk on these registers, by name."""
    linked = select(indicator_risks.c.indicator_id).join(
        Risk, Risk.id == indicator_risks.c.risk_id).where(Risk.register_id.in_(register_ids))
    return list(db.session.scalars(select(Indicator).where(
        Indicator.id.in_(linked), Indicator.archived.is_(False)).order_by(Indicator.name)
        .options(selectinload(Indicator.triggers), selectinload(Indicator.areas),
                 selectinload(Indicator.risks))))


def quarter_summary(register_ids: list[int], as_of: date) -> QuarterSummary:
    start = quarter_start(as_of)
    found = linked_indicators(register_ids)
    readings: dict[tuple[int, int | None], list[Reading]] = {}
    for reading in db.session.scalars(select(Reading).where(
            Reading.indicator_id.in_([i.id for i in found]), Reading.reading_date <= as_of)
            .order_by(Reading.reading_date)):
        readings.setdefault((reading.indicator_id, reading.area_id), []).append(reading)
    rows = []
    for indicator in found:
        risks = [r.reference for r in indicator.risks if r.register_id in register_ids]
        for area in indicator.areas or [None]:
            daily = _daily_levels(indicator, readings.get(
                (indicator.id, area.id if area else None), []), start, as_of)
            rows.append(_row(indicator, area.name if area else "", risks, daily))
    return QuarterSummary(start, as_of, rows)


def _daily_levels(indicator: Indicator, readings: list[Reading], start: date, end: date) -> list:
    """The level (or None) on each day from start to end; readings oldest first."""
    levels, latest, index = [], None, 0
    day = start
    while day <= end:
        while index < len(readings) and readings[index].reading_date <= day:
            latest, index = readings[index], index + 1
        levels.append(level_of(indicator, latest.value) if latest else None)
        day += timedelta(days=1)
    return levels


def _row(indicator: Indicator, area: str, risks: list[str], daily: list) -> QuarterRow:
    reached = [level for level in daily if level is not None]
    highest = max(reached, key=lambda level: level.rank) if reached else None
    days = [(level.label, sum(1 for day in daily if day is not None and day.id == level.id))
            for level in indicator.scheme.levels]
    days.append((NO_LEVEL, sum(1 for day in daily if day is None)))
    return QuarterRow(indicator.name, indicator.unit, area, risks,
                      daily[-1].label if daily[-1] else NO_LEVEL,
                      highest.label if highest else NO_LEVEL, days)


#: The section's title, in the PDF and its HTML version alike.
TITLE = "Operational pressure indicators"


def quarter_words(summary: QuarterSummary) -> str:
    """The sentence above the table, saying what it covers."""
    return (f"Each operational pressure indicator linked to a risk on these registers, in each"
            f" of its areas, over the quarter so far: {summary.start:%-d %B %Y} to"
            f" {summary.end:%-d %B %Y} ({summary.total_days} days). Its level on the last day,"
            " the highest level it reached, and the days it spent at each level (a day's level"
            " is that of the latest reading on or before it).")


def headings(summary: QuarterSummary) -> tuple[str, ...]:
    return ("Indicator", "Risks", f"Level on {summary.end:%d/%m/%Y}", "Highest this quarter",
            "Days at each level")
