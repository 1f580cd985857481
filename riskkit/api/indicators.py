"""Operational pressure indicators: the list with each one's level in each area, one
whole with its latest readings, and recording a reading, through the services the web
pages and `riskkit indicators record` use (services.readings: same checks, permissions
and history). A reading already there is not overwritten unless its version is sent."""

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select

from riskkit.api import indicator_schemas as schemas
from riskkit.api.auth import authenticate, writing_user
from riskkit.api.params import path_id, today
from riskkit.api.versions import ETAG, etag, expected_version, save
from riskkit.clock import aware
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Area, Indicator, Reading
from riskkit.services import levels
from riskkit.services.indicators import bands, get_area, get_indicator, level_of, list_indicators
from riskkit.services.readings import find_reading, record_reading

blp = Blueprint("api_indicators", __name__, description="Operational pressure indicators")
blp.before_request(authenticate)  # every route: a token, or a 401

INDICATOR_ID = [path_id("indicator_id", "The indicator's id")]
#: How many of an indicator's readings its whole answer carries.
LATEST = 30


@blp.get("/indicators")
@blp.arguments(schemas.IndicatorQuery, location="query", unknown=RAISE)
@blp.response(200, schemas.IndicatorList)
def list_all(query):
    """Every indicator in use (not archived), with its level in each area on the day."""
    found = list_indicators()
    standing = _standing(found, query.get("as_of") or today())
    return {"items": [_summary(indicator, standing) for indicator in found]}


@blp.route("/indicators/<int:indicator_id>", methods=["GET"], parameters=INDICATOR_ID)
@blp.arguments(schemas.IndicatorQuery, location="query", unknown=RAISE)
@blp.response(200, schemas.Indicator)
def show(query, indicator_id):
    """One indicator whole: its bands, its level in each area on the day, and its latest
    readings, newest first."""
    return _whole(get_indicator(indicator_id), query.get("as_of") or today())


@blp.route("/indicators/<int:indicator_id>/readings", methods=["POST"], parameters=INDICATOR_ID)
@blp.arguments(schemas.ReadingIn)
@blp.response(201, schemas.Reading, headers=ETAG)
@blp.alt_response(200, schema=schemas.Reading, description="A reading already there, changed")
def record(reading, indicator_id):
    """Record an indicator's value for a day (and area), as the quick form does. A reading
    for that day and area already there is a 409 carrying it, nothing saved, unless its
    version is sent (If-Match or `version`) to change it."""
    by = writing_user()
    indicator = get_indicator(indicator_id)
    area = _area(reading["area"])
    expected = expected_version(reading.get("version"), required=False)
    existed = find_reading(indicator, area, reading["date"]) is not None
    conflict = save(lambda: record_reading(
        by, indicator, area, reading["date"], reading["value"], today(), note=reading["note"],
        expected_version=expected), lambda: _current(indicator_id, area, reading["date"]))
    if conflict is not None:
        return conflict
    saved = find_reading(get_indicator(indicator_id), area, reading["date"])
    return _reading(saved), 200 if existed else 201, {
        "ETag": etag(saved), "Location": url_for(".show", indicator_id=indicator_id)}


def _area(name: str | None) -> Area | None:
    if not name:
        return None
    try:
        return get_area(name)
    except NotFound as error:
        raise ValidationError(str(error), "area") from None


def _current(indicator_id: int, area: Area | None, on) -> dict:
    """The reading as it is now (after someone else's change), or {} if it has gone."""
    found = find_reading(get_indicator(indicator_id), area, on)
    return _reading(found) if found else {}


def _standing(found: list[Indicator], as_of) -> dict[int, list[dict]]:
    """indicator id -> its standing in each area on as_of (services.levels.statuses)."""
    standing: dict[int, list[dict]] = {indicator.id: [] for indicator in found}
    for status in levels.statuses(as_of, indicators_=found):
        standing[status.indicator.id].append({
            "area": status.area.name if status.area else None,
            "level": status.level.label if status.level else None,
            "rank": status.level.rank if status.level else None,
            "state": status.state, "stale": status.stale, "trend": status.trend,
            "latest": _reading(status.reading) if status.reading else None})
    return standing


def _summary(indicator: Indicator, standing: dict[int, list[dict]]) -> dict:
    return {
        "id": indicator.id, "name": indicator.name, "unit": indicator.unit,
        "direction": indicator.direction, "scheme": indicator.scheme.code,
        "triggers_state": indicator.triggers_state, "frequency_days": indicator.frequency_days,
        "min_value": indicator.min_value, "max_value": indicator.max_value,
        "owner": indicator.owner.name, "team": indicator.team.name if indicator.team else None,
        "areas": [area.name for area in indicator.areas],
        "risks": [risk.reference for risk in indicator.risks], "archived": indicator.archived,
        "bands": [{"level": band.level.label, "rank": band.level.rank, "lower": band.lower,
                   "upper": band.upper, "words": band.words} for band in bands(indicator)],
        "levels": standing[indicator.id]}


def _whole(indicator: Indicator, as_of) -> dict:
    data = _summary(indicator, _standing([indicator], as_of))
    data["description"] = indicator.description
    data["readings"] = [_reading(reading) for reading in db.session.scalars(
        select(Reading).where(Reading.indicator_id == indicator.id, Reading.reading_date <= as_of)
        .order_by(Reading.reading_date.desc(), Reading.id.desc()).limit(LATEST))]
    return data


def _reading(reading: Reading) -> dict:
    level = level_of(reading.indicator, reading.value)
    return {"id": reading.id, "indicator": reading.indicator_id,
            "date": reading.reading_date.isoformat(),
            "area": reading.area.name if reading.area else None, "value": reading.value,
            "note": reading.note, "level": level.label if level else None,
            "recorded_by": reading.recorded_by.name if reading.recorded_by else None,
            "recorded_at": aware(reading.recorded_at).isoformat(), "version": reading.version}
