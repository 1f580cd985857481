"""Readings: an indicator's value on a day, for one of its areas. Recorded one at a time
(a form, the command line), for all of a team's indicators in one grid, or from a CSV
file; the grid and the file are all or nothing. A reading is never overwritten unseen:
changing one needs the version that was read (409 otherwise), and is in the history."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import Conflict, NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Area, Indicator, Reading, User
from riskkit.services.indicators import find_indicator, get_area, number, parse_measure
from riskkit.services.names import as_number
from riskkit.services.risks import check_version


def find_reading(indicator: Indicator, area: Area | None, on: date) -> Reading | None:
    area_test = Reading.area_id.is_(None) if area is None else Reading.area_id == area.id
    return db.session.scalar(select(Reading).where(
        Reading.indicator_id == indicator.id, area_test, Reading.reading_date == on))


def check_reading(indicator: Indicator, area: Area | None, on: date | None, value, today: date,
                  where: str = "") -> float:
    """The value of a reading, refused (naming what is wrong) if it is not a number, out
    of the indicator's range, for a future date or for an area it is not measured in."""
    prefix = f"{where}: " if where else ""
    if indicator.archived:
        raise ValidationError(prefix + f"{indicator.name} is archived: restore it to record"
                              " readings", "indicator")
    try:
        parsed = parse_measure(value, "value", required=True)
    except ValidationError as error:
        raise ValidationError(prefix + str(error), "value") from None
    if on is None:
        raise ValidationError(prefix + "Enter the date of the reading", "reading_date")
    if on > today:
        raise ValidationError(prefix + f"{on:%-d %B %Y} is in the future: a reading is of a"
                              " day that has happened", "reading_date")
    if indicator.min_value is not None and parsed < indicator.min_value:
        raise ValidationError(prefix + f"{number(parsed)} is below the smallest value"
                              f" {indicator.name} can take ({number(indicator.min_value)})",
                              "value")
    if indicator.max_value is not None and parsed > indicator.max_value:
        raise ValidationError(prefix + f"{number(parsed)} is above the largest value"
                              f" {indicator.name} can take ({number(indicator.max_value)})",
                              "value")
    if area is not None and area not in indicator.areas:
        raise ValidationError(prefix + f"{indicator.name} is not measured in {area.name}",
                              "area")
    if area is None and indicator.areas:
        raise ValidationError(prefix + f"Say which area: {indicator.name} is measured in"
                              f" {', '.join(a.name for a in indicator.areas)}", "area")
    return parsed


def record_reading(by: User | None, indicator: Indicator, area: Area | None, on: date | None,
                   value, today: date, note: str = "", expected_version: int | None = None,
                   replace: bool = False) -> Reading:
    """Record an indicator's value for a day (and area). A reading already there is
    changed only by someone who says which version they saw (or, on the command line,
    --replace): never overwritten unseen. Each change is in the history."""
    permissions.require_unless_operator(by, "record_readings", indicator)
    parsed = check_reading(indicator, area, on, value, today)
    with acting_as(by):
        reading = find_reading(indicator, area, on)
        if reading is None:
            if expected_version is not None:
                raise Conflict(f"The reading of {indicator.name} for {_where(area, on)} has been"
                               " removed since you opened it. Nothing of yours was saved yet.")
            reading = Reading(indicator=indicator, area=area, reading_date=on, value=parsed,
                              note=note, recorded_by=by)
            db.session.add(reading)
        else:
            if expected_version is None and not replace:
                raise Conflict(
                    f"There is already a reading of {indicator.name} for {_where(area, on)}"
                    f" ({number(reading.value)}, version {reading.version}): open it to change"
                    " it. Nothing of yours was saved yet.")
            check_version(reading, expected_version,
                          f"The reading of {indicator.name} for {_where(area, on)}")
            if reading.value != parsed or reading.note != (note or "").strip():
                reading.value, reading.note, reading.recorded_by = parsed, note, by
        db.session.flush()
    return reading


def _where(area: Area | None, on: date) -> str:
    return f"{area.name} on {on:%-d %B %Y}" if area else f"{on:%-d %B %Y}"


def latest_reading_dates() -> dict[tuple[int, int | None], date]:
    """(indicator id, area id) -> the date of its latest reading."""
    rows = db.session.execute(select(Reading.indicator_id, Reading.area_id,
                                     func.max(Reading.reading_date))
                              .group_by(Reading.indicator_id, Reading.area_id))
    return {(indicator_id, area_id): on for indicator_id, area_id, on in rows}


# --- a team's daily grid ------------------------------------------------------------------


@dataclass
class Cell:
    """One box of the grid: an indicator in an area, its reading that day if any."""

    indicator: Indicator
    area: Area | None
    reading: Reading | None

    @property
    def key(self) -> str:
        """The name of the cell's boxes in the form: r-<indicator id>-<area id or 0>."""
        return f"r-{self.indicator.id}-{self.area.id if self.area else 0}"


def grid(indicators: list[Indicator], on: date) -> list[Cell]:
    """Every (indicator, area) box of the grid for a day, with the reading already there."""
    found = {(r.indicator_id, r.area_id): r for r in db.session.scalars(select(Reading).where(
        Reading.indicator_id.in_([i.id for i in indicators]), Reading.reading_date == on))}
    return [Cell(indicator, area, found.get((indicator.id, area.id if area else None)))
            for indicator in indicators for area in (indicator.areas or [None])]


@dataclass
class GridResult:
    saved: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # cell key -> message
    conflict: bool = False  # a reading changed (or added) by someone else meanwhile


def record_grid(by: User | None, cells: list[Cell], on: date | None, posted: dict,
                today: date) -> GridResult:
    """Record every filled box of the grid (posted: cell key -> (value text, version text
    or "")), all or nothing: if any box is refused, nothing is saved and each refusal is
    returned against its box. A box whose reading is already there and unchanged is left
    alone; one changed must carry the version it was read at."""
    result = GridResult()
    if on is None:
        raise ValidationError("Enter the date of the readings", "reading_date")
    with db.session.no_autoflush:
        for cell in cells:
            text, version = posted.get(cell.key, ("", ""))
            if not str(text or "").strip():
                continue
            where = f"{cell.indicator.name}" + (f", {cell.area.name}" if cell.area else "")
            try:
                value = check_reading(cell.indicator, cell.area, on, text, today, where)
                if cell.reading is not None and cell.reading.value == value:
                    continue
                record_reading(by, cell.indicator, cell.area, on, value, today,
                               expected_version=_version(version))
                result.saved += 1
            except ValidationError as error:
                result.errors[cell.key] = str(error)
            except Conflict as error:
                result.errors[cell.key], result.conflict = str(error), True
    if result.errors:
        db.session.rollback()
        result.saved = 0
    return result


def _version(text) -> int | None:
    return as_number(text)


# --- CSV files ----------------------------------------------------------------------------

#: The columns of a readings file, in any order; note may be left out.
CSV_COLUMNS = ("date", "indicator", "area", "value", "note")


def record_csv(by: User | None, content: bytes, today: date) -> int:
    """Record every row of a CSV file of readings, all or nothing; returns how many. A
    refusal names the row (counting the header as row 1) and the column."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text: save it from the spreadsheet as"
                              " CSV UTF-8", "file") from None
    rows = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in rows.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c != "note" and c not in headers]
    if missing:
        raise ValidationError(f"The file needs the columns {', '.join(CSV_COLUMNS[:4])} (and"
                              f" optionally note); missing: {', '.join(missing)}", "file")
    problems, count = [], 0
    for number_, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
               if isinstance(v, str)}
        try:
            _record_row(by, row, today)
            count += 1
        except (ValidationError, NotFound, Conflict) as error:
            column = getattr(error, "field", None) or "indicator"
            column = {"reading_date": "date", "area": "area"}.get(column, column)
            problems.append(f"Row {number_}, column {column}: {error}")
    if problems:
        db.session.rollback()
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20
                                 else [])
        raise ValidationError("Nothing was recorded. " + "; ".join(shown), "file")
    if count == 0:
        raise ValidationError("The file has no readings in it", "file")
    return count


def _record_row(by, row: dict, today: date) -> None:
    try:
        on = date.fromisoformat(row.get("date", ""))
    except ValueError:
        raise ValidationError(f"{row.get('date', '')!r} is not a date in the form YYYY-MM-DD",
                              "reading_date") from None
    indicator = find_indicator(row.get("indicator", ""))
    area = None
    if row.get("area"):
        try:
            area = get_area(row["area"])
        except NotFound as error:
            raise ValidationError(str(error), "area") from None
    with db.session.no_autoflush:
        record_reading(by, indicator, area, on, row.get("value"), today, note=row.get("note", ""))
