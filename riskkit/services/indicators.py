"""Indicators, their trigger bands and their readings.

A band runs from its lower bound (inclusive) up to its upper bound (exclusive); an empty
bound is open. So a value on a boundary belongs to the band above it: with the plan's
staffing triggers ("70% and above Green; below 70% and above 50% Amber; below 50% and
above 35% Red; below 35% Black"), 70 is Green, 50 Amber and 35 Red, the words leaving
50 and 35 to no level. The bands of an indicator whose triggers are set cover every value
once: no gaps, no overlaps, most severe level at the bad end for its direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit import permissions, vocab
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import (
    Area,
    HistoryEntry,
    Indicator,
    IndicatorTrigger,
    LevelScheme,
    SchemeLevel,
    User,
)
from riskkit.models.indicators import DIRECTIONS, TRIGGER_STATES
from riskkit.services.names import as_number, same_name
from riskkit.services.risks import check_version

#: Measures are kept to 4 decimal places (models.indicators.Measure), within this size.
PLACES = 4
LARGEST = 10**9


@dataclass(frozen=True)
class Band:
    """A level's values: lower (inclusive) to upper (exclusive); None is open."""

    level: SchemeLevel
    lower: float | None
    upper: float | None

    def holds(self, value: float) -> bool:
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value < self.upper)

    @property
    def words(self) -> str:
        """The band as the plan words it: "70 and above", "below 70 and from 50"."""
        if self.lower is None and self.upper is None:
            return "any value"
        if self.lower is None:
            return f"below {number(self.upper)}"
        if self.upper is None:
            return f"{number(self.lower)} and above"
        return f"{number(self.lower)} to below {number(self.upper)}"


def number(value: float | None) -> str:
    """A measure as people write it: 70, not 70.0; 12.5 as it is."""
    if value is None:
        return ""
    return f"{value:.{PLACES}f}".rstrip("0").rstrip(".")


def parse_measure(text, field: str, required: bool = False) -> float | None:
    """A number typed into a form, a CSV cell or the command line; empty is None.
    Refused, naming the field: words, infinities, more than 4 decimal places."""
    if text is None or (isinstance(text, str) and not text.strip()):
        if required:
            raise ValidationError(f"Enter a {field.replace('_', ' ')}", field)
        return None
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(f"{_label(field)} must be a number, not {str(text).strip()!r}",
                              field) from None
    if not value.is_finite() or abs(value) >= LARGEST:
        raise ValidationError(f"{_label(field)} must be a number below {LARGEST:,}", field)
    if value.as_tuple().exponent < -PLACES:
        raise ValidationError(f"{_label(field)} may have at most {PLACES} decimal places",
                              field)
    return float(value)


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


# --- trigger bands ------------------------------------------------------------------------


def check_bands(scheme: LevelScheme, direction: str, bounds: dict[int, tuple]) -> list[Band]:
    """The bands for each level of the scheme from {level id: (lower, upper)}, refused
    with a message naming the levels if they leave a gap, overlap, or run the wrong
    way for the direction. Returned from the highest values to the lowest."""
    levels = list(scheme.levels)
    missing = [level.label for level in levels if level.id not in bounds]
    if missing:
        raise ValidationError(f"Give a band for {', '.join(missing)}", "triggers")
    bands = [Band(level, *bounds[level.id]) for level in levels]
    for band in bands:
        if band.lower is not None and band.upper is not None and band.lower >= band.upper:
            raise ValidationError(
                f"{band.level.label}: the lower bound {number(band.lower)} must be below the"
                f" upper bound {number(band.upper)}", "triggers")
    # Highest values first: the least severe level for higher-is-better, the most for worse.
    if direction == "higher_is_better":
        expected = bands
    else:
        expected = list(reversed(bands))
    if len(bands) > 1 and _middle(expected[0]) < _middle(expected[-1]):
        top, bottom = expected[-1].level.label, expected[0].level.label
        raise ValidationError(
            f"For a {vocab.label(DIRECTIONS, direction).lower()} indicator the highest values"
            f" must be {expected[0].level.label} and the lowest {expected[-1].level.label}:"
            f" these bands put {top} at the top and {bottom} at the bottom", "triggers")
    if expected[0].upper is not None:
        raise ValidationError(f"{expected[0].level.label} holds the highest values: leave its"
                              " upper bound empty", "triggers")
    if expected[-1].lower is not None:
        raise ValidationError(f"{expected[-1].level.label} holds the lowest values: leave its"
                              " lower bound empty", "triggers")
    for above, below in zip(expected, expected[1:], strict=False):
        names = f"{below.level.label} and {above.level.label}"
        if above.lower is None or below.upper is None:
            raise ValidationError(f"Give the boundary between {names}", "triggers")
        if below.upper < above.lower:
            raise ValidationError(
                f"Gap between {names}: values from {number(below.upper)} to below"
                f" {number(above.lower)} would be at no level", "triggers")
        if below.upper > above.lower:
            raise ValidationError(
                f"{names} overlap: values from {number(above.lower)} to below"
                f" {number(below.upper)} would be at both", "triggers")
    return expected


def _middle(band: Band) -> float:
    """Somewhere inside the band, to tell which way the bands run."""
    if band.lower is None and band.upper is None:
        return 0.0
    if band.lower is None:
        return band.upper - 1
    if band.upper is None:
        return band.lower + 1
    return (band.lower + band.upper) / 2


def bands(indicator: Indicator) -> list[Band]:
    """The indicator's bands, highest values first (none while under development)."""
    by_level = {t.level_id: t for t in indicator.triggers}
    found = [Band(level, by_level[level.id].lower, by_level[level.id].upper)
             for level in indicator.scheme.levels if level.id in by_level]
    return found if indicator.direction == "higher_is_better" else list(reversed(found))


def level_of(indicator: Indicator, value: float) -> SchemeLevel | None:
    """The level a value puts the indicator at; None while its triggers are under
    development."""
    if indicator.triggers_state != "set":
        return None
    for band in bands(indicator):
        if band.holds(value):
            return band.level
    return None


# --- areas --------------------------------------------------------------------------------


def list_areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def get_area(name_or_id: str | int) -> Area:
    if isinstance(name_or_id, int):
        area = db.session.get(Area, name_or_id)
    else:
        area = db.session.scalar(select(Area).where(same_name(Area.name, name_or_id)))
    if area is None:
        raise NotFound(f"No area called {name_or_id!r}")
    return area


def add_area(by: User | None, name: str, team: User | None = None) -> Area:
    permissions.require_unless_operator(by, "define_indicators")
    with acting_as(by):
        area = Area(name=name, team=team)
        db.session.add(area)
        db.session.flush()
    return area


# --- indicators ---------------------------------------------------------------------------


def list_indicators(team: User | None = None, archived: bool = False) -> list[Indicator]:
    statement = select(Indicator).where(Indicator.archived == archived).order_by(
        Indicator.name).options(selectinload(Indicator.triggers), selectinload(Indicator.areas))
    if team is not None:
        statement = statement.where(Indicator.team_id == team.id)
    return list(db.session.scalars(statement))


def get_indicator(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound(f"No indicator number {indicator_id}")
    return indicator


def find_indicator(name: str) -> Indicator:
    """The indicator with this name (case-insensitive) or number."""
    if (number := as_number(name)) is not None:
        return get_indicator(number)
    indicator = db.session.scalar(select(Indicator).where(same_name(Indicator.name, name)))
    if indicator is None:
        raise NotFound(f"No indicator called {name!r}: see `riskkit indicators list`")
    return indicator


def save_indicator(by: User | None, indicator: Indicator | None = None,
                   expected_version: int | None = None, *, name: str, owner: User,
                   scheme: LevelScheme, direction: str, unit: str = "", description: str = "",
                   team: User | None = None, frequency_days=1, triggers_state: str = "set",
                   min_value=None, max_value=None, triggers: dict[int, tuple] | None = None,
                   areas: list[Area] | None = None, risks: list | None = None,
                   plans: list | None = None) -> Indicator:
    """Create (indicator None) or edit an indicator and its trigger bands ({level id:
    (lower, upper)}), all or nothing; every change is in the history."""
    permissions.require_unless_operator(by, "define_indicators")
    if indicator is not None:
        check_version(indicator, expected_version, f"Indicator {indicator.name!r}")
    vocab.check(DIRECTIONS, direction, "direction")
    vocab.check(TRIGGER_STATES, triggers_state, "triggers_state")
    frequency = _whole_number(frequency_days, "frequency_days", 1, 366)
    low = parse_measure(min_value, "min_value")
    high = parse_measure(max_value, "max_value")
    if low is not None and high is not None and low >= high:
        raise ValidationError("The smallest value must be below the largest", "max_value")
    bounds = {level_id: (parse_measure(lower, "lower"), parse_measure(upper, "upper"))
              for level_id, (lower, upper) in (triggers or {}).items()}
    bounds = {key: pair for key, pair in bounds.items() if pair != (None, None)}
    if triggers_state == "set":
        checked = check_bands(scheme, direction, bounds)
    elif bounds:
        raise ValidationError("Triggers under development have no bands yet: clear the bands,"
                              " or mark the triggers as set", "triggers_state")
    else:
        checked = []
    with acting_as(by):
        if indicator is None:
            indicator = Indicator(name=name, owner=owner, scheme=scheme, direction=direction)
            db.session.add(indicator)
        indicator.name, indicator.owner, indicator.scheme = name, owner, scheme
        indicator.direction, indicator.unit, indicator.description = direction, unit, description
        indicator.team, indicator.frequency_days = team, frequency
        indicator.triggers_state, indicator.min_value, indicator.max_value = (
            triggers_state, low, high)
        _set_triggers(indicator, checked)
        for key, value in (("areas", areas), ("risks", risks), ("plans", plans)):
            if value is not None:
                setattr(indicator, key, value)
        db.session.flush()
    return indicator


def set_archived(by: User | None, indicator: Indicator, archived: bool,
                 expected_version: int | None = None) -> Indicator:
    """Archive an indicator no longer measured (or restore one): it leaves the proposals,
    the grids, the dashboard and the lists, and takes no readings, but keeps its readings,
    links and history. A stale version is a conflict; in the history as any change."""
    permissions.require_unless_operator(by, "define_indicators")
    check_version(indicator, expected_version, f"Indicator {indicator.name!r}")
    if indicator.archived == archived:
        raise ValidationError(f"{indicator.name} is {'already' if archived else 'not'} archived",
                              "archived")
    with acting_as(by):
        indicator.archived = archived
        db.session.flush()
    return indicator


def _set_triggers(indicator: Indicator, checked: list[Band]) -> None:
    """Change the indicator's trigger rows to the bands, keeping rows whose level stays,
    so the history says which bound moved."""
    rows = {row.level_id: row for row in indicator.triggers}
    wanted = {band.level.id: band for band in checked}
    for level_id, row in list(rows.items()):
        if level_id not in wanted:
            indicator.triggers.remove(row)
    for level_id, band in wanted.items():
        row = rows.get(level_id)
        if row is None:
            indicator.triggers.append(IndicatorTrigger(level=band.level, lower=band.lower,
                                                       upper=band.upper))
        else:
            row.lower, row.upper = band.lower, band.upper


def _whole_number(value, field: str, least: int, most: int) -> int:
    try:
        number_ = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{_label(field)} must be a whole number", field) from None
    if not least <= number_ <= most:
        raise ValidationError(f"{_label(field)} must be from {least} to {most}", field)
    return number_


def indicator_history(indicator: Indicator, limit: int = 100) -> list[HistoryEntry]:
    """The history of an indicator and of its trigger bands (those removed since too),
    newest first."""
    bands = select(HistoryEntry.entity_id).where(
        HistoryEntry.entity == "trigger", HistoryEntry.field == "indicator_id",
        HistoryEntry.new_value == str(indicator.id))
    return list(db.session.scalars(select(HistoryEntry).where(
        ((HistoryEntry.entity == "indicator") & (HistoryEntry.entity_id == indicator.id))
        | ((HistoryEntry.entity == "trigger") & HistoryEntry.entity_id.in_(bands)))
        .order_by(HistoryEntry.id.desc()).limit(limit)))


def trigger_names(entries: list[HistoryEntry]) -> dict[tuple[str, int], str]:
    """(entity, id) -> "OPEL 2 (Amber) band", for the trigger rows of a history."""
    level_ids = {int(e.new_value or e.old_value) for e in entries
                 if e.entity == "trigger" and e.field == "level_id"}
    labels = {level.id: level.label for level in db.session.scalars(
        select(SchemeLevel).where(SchemeLevel.id.in_(level_ids)))} if level_ids else {}
    return {("trigger", e.entity_id): f"{labels.get(int(e.new_value or e.old_value), 'a')}"
            " band" for e in entries if e.entity == "trigger" and e.field == "level_id"}
