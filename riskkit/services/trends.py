"""What a trend chart shows, as plain data: an indicator's readings over a span of days
with its trigger bands, and the organisation's declared level day by day. The services
that gather them fill these in; the chart renderer (reports/charts.py) draws them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

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
