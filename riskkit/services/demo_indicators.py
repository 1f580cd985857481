"""The demo's operational pressure indicators (seed_data/indicators.yaml): the plan's
indicators and triggers, the areas, links to the workforce risk, and a synthetic winter
of daily readings, invented and said to be, that passes through every level.

The winter ends on the day the demo is loaded, so its pages show live pressure whenever
it is loaded. Its readings are written in one statement with their history (as an import
writes its rows), to keep the demo load fast."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from riskkit import clock
from riskkit.audit import created_entries, write_entries
from riskkit.extensions import db
from riskkit.models import Area, Indicator, Reading, Risk
from riskkit.services import indicators, levels
from riskkit.services.people import find_person
from riskkit.services.teams import get_team


def load_indicators(data: dict, added: Counter) -> None:
    """Add the indicators the database lacks, each with its winter of readings, then the
    winter's declarations if none has been made yet."""
    today = clock.today()
    days = data.get("winter_days", 120)
    groups = data.get("areas", {})
    scheme = levels.get_scheme()
    areas = {}
    for names in groups.values():
        for name in names:
            areas[name] = _area(name, added)
    rows = []
    for number, entry in enumerate(data.get("indicators", [])):
        if db.session.scalar(select(Indicator.id).where(Indicator.name == entry["name"])):
            continue
        chosen = entry.get("areas")
        places = [areas[name] for name in (groups[chosen] if isinstance(chosen, str)
                                           else chosen or [])]
        bands = entry.get("bands")
        indicator = indicators.save_indicator(
            None, name=entry["name"], owner=find_person(entry["owner"]), scheme=scheme,
            direction=entry["direction"], unit=entry.get("unit", ""),
            description=entry.get("description", ""),
            team=get_team(entry["team"]) if entry.get("team") else None,
            triggers_state="set" if bands else "under_development",
            min_value=entry.get("min"), max_value=entry.get("max"),
            triggers={level.id: tuple(band) for level, band in zip(scheme.levels, bands,
                                                                   strict=True)}
            if bands else None,
            areas=places,
            risks=list(db.session.scalars(select(Risk).where(
                Risk.reference.in_(entry.get("risks", []))))))
        added["indicators"] += 1
        rows += _winter(indicator, entry["winter"], places or [None], number, days, today)
    if rows:
        _insert_readings(rows)
        added["readings (invented)"] += len(rows)
    _declare(data, scheme, today, added)


def _area(name: str, added: Counter):
    found = db.session.scalar(select(Area).where(Area.name == name))
    if found is None:
        found = indicators.add_area(None, name)
        added["areas"] += 1
    return found


def pressure(day: int, days: int, offset: int) -> float:
    """How hard-pressed an area is on day `day` of `days` (0 none, 1 the worst): rising to
    a peak a little after midwinter and easing, with a day-to-day wobble; `offset` puts
    each area a few days out of step."""
    peak, width = 0.55 * days, 0.6 * days
    curve = 1.15 * (1 - ((day + offset - peak) / width) ** 2)
    wobble = 0.08 * math.sin(0.9 * day + offset)
    return min(max(curve + wobble, 0.0), 1.0)


def _winter(indicator, ends, places, number, days, today) -> list[dict]:
    """A reading a day for each of the indicator's areas, from the value at no pressure to
    the value at the worst."""
    calm, worst = ends
    rows = []
    for place_number, place in enumerate(places):
        offset = (3 * number + 5 * place_number) % 11 - 5
        for day in range(days):
            value = calm + pressure(day, days, offset) * (worst - calm)
            # The ends of the winter may lie past what a reading can take: it stops there.
            if indicator.min_value is not None:
                value = max(value, indicator.min_value)
            if indicator.max_value is not None:
                value = min(value, indicator.max_value)
            rows.append({"indicator_id": indicator.id, "area_id": place.id if place else None,
                         "reading_date": today - timedelta(days=days - 1 - day),
                         "value": round(value, 1 if indicator.unit == "%" else 0),
                         "note": "", "version": 1})
    return rows


def _insert_readings(rows: list[dict]) -> None:
    """The readings in one statement, then their history in another."""
    at = clock.utcnow()
    db.session.execute(insert(Reading), [{**row, "recorded_at": at} for row in rows])
    ids = {row["indicator_id"] for row in rows}
    stored = db.session.execute(select(*Reading.__table__.c).where(
        Reading.indicator_id.in_(ids))).mappings().all()
    write_entries(db.session.connection(), created_entries(Reading, [dict(r) for r in stored]))


def _declare(data: dict, scheme, today: date, added: Counter) -> None:
    """The winter's declarations, each made at noon on its day, as the proposal then stood."""
    if levels.current_declaration(scheme, None) is not None or not data.get("declarations"):
        return
    person = find_person(data["declared_by"])
    for entry in data["declarations"]:
        day = today - timedelta(days=entry["days_ago"])
        with clock.frozen(datetime.combine(day, time(12))):
            levels.declare(person, None, levels.find_level(scheme, str(entry["level"])),
                           entry["reason"], day)
        added["declarations (invented)"] += 1
