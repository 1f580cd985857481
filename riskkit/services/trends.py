"""What a trend chart shows, as plain data, and gathering it: an indicator's readings
over a span of days with its trigger bands, and the level declared day by day over a
winter. The chart renderer (reports/charts.py) draws them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from riskkit import clock
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Area, Declaration, Indicator, LevelScheme, SchemeLevel
from riskkit.models import Reading as ReadingRow
from riskkit.services import indicators

#: The spans a chart may cover, in days.
SPANS = (30, 90)


@dataclass(frozen=True)
class LevelBand:
    """One trigger band: the values from `lower` to `upper` (None: no limit that way)
    are at this level. `rank` is 1 for the least severe level."""

    rank: int
    name: str  # "OPEL 2"
    word: str  # "Amber"
    lower: float | None = None
    upper: float | None = None

    @property
    def label(self) -> str:
        return f"{self.name} {self.word}".strip()


@dataclass(frozen=True)
class Reading:
    day: date
    value: float


@dataclass
class Trend:
    """An indicator over the days `start` to `end`, both included."""

    title: str
    unit: str
    end: date
    span: int = 30
    readings: list[Reading] = field(default_factory=list)
    bands: list[LevelBand] = field(default_factory=list)  # empty: triggers under development
    higher_is_better: bool = True
    least: float | None = None  # the indicator's own range, if it has one
    most: float | None = None

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.span - 1)

    @property
    def shown(self) -> list[Reading]:
        """The readings inside the span, oldest first."""
        return sorted((r for r in self.readings if self.start <= r.day <= self.end), key=lambda r: r.day)


@dataclass(frozen=True)
class LevelDay:
    day: date
    rank: int | None  # None: nothing declared yet


@dataclass
class LevelStrip:
    """The level declared for an area (or the whole organisation) each day of a winter."""

    title: str
    levels: list[LevelBand]  # the scheme's levels, least severe first (bounds unused)
    days: list[LevelDay] = field(default_factory=list)


#: The longest strip drawn: a winter and then some.
LONGEST_STRIP = 366


def check_span(span: int) -> int:
    if span not in SPANS:
        raise ValidationError(f"A chart covers {' or '.join(str(s) for s in SPANS)} days, not {span}", "span")
    return span


def trend_of(indicator: Indicator, readings: list[ReadingRow], end: date, span: int) -> Trend:
    """What the trend chart draws for an indicator: these readings and its bands."""
    bands = [LevelBand(b.level.rank, b.level.name, b.level.word, b.lower, b.upper)
             for b in indicators.bands(indicator)] if indicator.triggers_state == "set" else []
    return Trend(indicator.name, indicator.unit, end, span, [Reading(r.reading_date, r.value) for r in readings],
                 bands, indicator.direction == "higher_is_better", indicator.min_value, indicator.max_value)


def indicator_trend(indicator: Indicator, area: Area | None, end: date, span: int) -> Trend:
    """An indicator's readings (in one of its areas) over the `span` days to `end`."""
    check_span(span)
    if area is not None and area not in indicator.areas:
        raise ValidationError(f"{indicator.name} is not measured in {area.name}", "area")
    start = end - timedelta(days=span - 1)
    rows = db.session.scalars(select(ReadingRow).where(
        ReadingRow.indicator_id == indicator.id,
        ReadingRow.area_id.is_(None) if area is None else ReadingRow.area_id == area.id,
        ReadingRow.reading_date.between(start, end)).order_by(ReadingRow.reading_date))
    trend = trend_of(indicator, list(rows), end, span)
    if area is not None:
        trend.title = f"{indicator.name}: {area.name}"
    return trend


def level_strip(scheme: LevelScheme, start: date, end: date, area: Area | None = None) -> LevelStrip:
    """The level in force at the end of each day from `start` to `end` for the area
    (None: the whole organisation), from its declarations."""
    if end < start or (end - start).days >= LONGEST_STRIP:
        raise ValidationError(f"A strip runs forwards over at most {LONGEST_STRIP} days", "start")
    declared = [(clock.local(at).date(), rank) for at, rank in db.session.execute(
        select(Declaration.declared_at, SchemeLevel.rank).join(SchemeLevel, Declaration.level_id == SchemeLevel.id)
        .where(SchemeLevel.scheme_id == scheme.id, Declaration.declared_at < clock.end_of(end),
               Declaration.area_id.is_(None) if area is None else Declaration.area_id == area.id)
        .order_by(Declaration.declared_at, Declaration.id))]
    where = area.name if area else "the whole organisation"
    strip = LevelStrip(f"Level declared for {where}, {start.day} {start:%b %Y} to {end.day} {end:%b %Y}",
                       [LevelBand(level.rank, level.name, level.word) for level in scheme.levels])
    rank, n = None, 0
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        while n < len(declared) and declared[n][0] <= day:
            rank, n = declared[n][1], n + 1
        strip.days.append(LevelDay(day, rank))
    return strip
