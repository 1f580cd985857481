"""The day's situation report: the level declared for the organisation and each area,
every indicator's latest reading with its level and trend, the decision log of the day
and the card steps still open. Gathered as plain data for the renderers (PDF, text,
accessible HTML: reports/sitrep.py) and the web page; as of the end of the day asked
for, so a past day's report reads as it would have then."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import Declaration, LevelScheme, Reading, SchemeLevel
from riskkit.models.indicators import LOG_KINDS
from riskkit.services import action_cards, decision_log, indicators, levels, trends
from riskkit.services.trends import LevelBand, Trend

WHOLE = "Whole organisation"
KIND_WORDS = dict(LOG_KINDS)
#: services.levels' trend of a reading since the one before, in words.
TREND_WORDS = {"up": "Up", "down": "Down", "same": "No change", "": "First reading"}
#: How far back the sitrep's charts look.
CHART_DAYS = 30


@dataclass
class AreaLevel:
    area: str
    level: str | None  # "OPEL 3 (Red)"; None: never declared
    rank: int | None
    declared_by: str = ""
    declared_at: datetime | None = None  # local time
    reason: str = ""


@dataclass
class IndicatorRow:
    name: str
    unit: str
    area: str  # "" for an indicator measured as a whole
    value: float | None
    on: date | None
    level: str | None  # None: no reading, or triggers under development
    change: str  # TREND_WORDS
    stale: bool
    under_development: bool
    trend: Trend
    indicator_id: int | None = None
    area_id: int | None = None

    @property
    def name_words(self) -> str:
        return f"{self.name}: {self.area}" if self.area else self.name

    @property
    def latest_words(self) -> str:
        """"62 % on 06/12/2026", with "(stale)" when the reading is older than its
        frequency allows."""
        if self.value is None:
            return "No reading"
        unit = f" {self.unit}" if self.unit else ""
        return f"{indicators.number(self.value)}{unit} on {self.on:%d/%m/%Y}" + (" (stale)" if self.stale else "")

    @property
    def level_words(self) -> str:
        if self.under_development:
            return "Triggers under development"
        return self.level or "No level"


@dataclass
class LogRow:
    at: datetime  # local time
    author: str
    kind: str
    area: str
    text: str


@dataclass
class OpenStep:
    role: str
    holders: str
    text: str


@dataclass
class Sitrep:
    organisation: str
    day: date
    levels: list[AreaLevel] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    log: list[LogRow] = field(default_factory=list)
    open_level: str | None = None  # the organisation level whose steps are listed
    open_steps: list[OpenStep] = field(default_factory=list)
    scheme: list[LevelBand] = field(default_factory=list)  # the levels, least severe first

    @property
    def title(self) -> str:
        return f"Situation report, {self.day.day} {self.day:%B %Y}"


def gather(day: date, organisation: str, scheme_code: str = "opel") -> Sitrep:
    """The sitrep for `day`, as of the end of it."""
    scheme = levels.get_scheme(scheme_code)
    end = clock.end_of(day)
    report = Sitrep(organisation, day, scheme=[LevelBand(level.rank, level.name, level.word)
                                               for level in scheme.levels])
    declarations = _latest_declarations(scheme.id, end)
    report.levels = [_area_level(declarations.get(None), WHOLE)] + [
        _area_level(d, d.area.name) for key, d in sorted(
            declarations.items(), key=lambda kv: kv[1].area.name if kv[0] else "") if key is not None]
    report.indicators = _indicator_rows(day, scheme)
    report.log = [LogRow(clock.local(e.at), e.author.name, e.kind, e.area.name if e.area else WHOLE, e.text)
                  for e in decision_log.of_day(day)]
    organisation_level = declarations.get(None)
    if organisation_level is not None:
        report.open_level = organisation_level.level.label
        for card in action_cards.open_cards(organisation_level, until=end):
            holders = ", ".join(h.name for h in card.role.holders) or "nobody holds this role"
            report.open_steps += [OpenStep(card.role.name, holders, line.step.text) for line in card.open]
    return report


def _latest_declarations(scheme_id: int, end: datetime) -> dict[int | None, Declaration]:
    """Area id (None: the organisation) -> its latest declaration before `end`."""
    rows = db.session.scalars(
        select(Declaration).join(SchemeLevel, Declaration.level_id == SchemeLevel.id)
        .where(SchemeLevel.scheme_id == scheme_id, Declaration.declared_at < end)
        .order_by(Declaration.declared_at, Declaration.id)
        .options(selectinload(Declaration.area), selectinload(Declaration.declared_by)))
    return {d.area_id: d for d in rows}


def _area_level(declaration: Declaration | None, name: str) -> AreaLevel:
    if declaration is None:
        return AreaLevel(name, None, None)
    return AreaLevel(name, declaration.level.label, declaration.level.rank, declaration.declared_by.name,
                     clock.local(declaration.declared_at), declaration.reason)


def _indicator_rows(day: date, scheme: LevelScheme) -> list[IndicatorRow]:
    """Each indicator (and each of its areas) as services.levels stands it on the day,
    with its readings of the chart's span."""
    found = levels.statuses(day, scheme)
    start = day - timedelta(days=CHART_DAYS - 1)
    series: dict[tuple[int, int | None], list[Reading]] = {}
    for reading in db.session.scalars(
            select(Reading).where(Reading.indicator_id.in_({s.indicator.id for s in found}),
                                  Reading.reading_date.between(start, day))
            .order_by(Reading.reading_date)):
        series.setdefault((reading.indicator_id, reading.area_id), []).append(reading)
    rows = []
    for status in found:
        indicator, area, reading = status.indicator, status.area, status.reading
        trend = trends.trend_of(indicator, series.get((indicator.id, area.id if area else None), []), day, CHART_DAYS)
        if area:
            trend.title = f"{indicator.name}: {area.name}"
        rows.append(IndicatorRow(
            indicator.name, indicator.unit, area.name if area else "", reading.value if reading else None,
            reading.reading_date if reading else None, status.level.label if status.level else None,
            TREND_WORDS[status.trend] if reading else "No readings", status.stale,
            indicator.triggers_state != "set", trend, indicator.id, area.id if area else None))
    return rows
