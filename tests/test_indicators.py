"""Indicators: trigger bands, their evaluation at every boundary, and readings."""

from datetime import date

import pytest
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import HistoryEntry
from riskkit.services import indicators
from tests.factories import gen_area, gen_indicator, gen_reading


def test_the_factories_make_an_indicator_with_areas_and_a_reading(app):
    area = gen_area()
    indicator = gen_indicator(areas=[area])
    reading = gen_reading(indicator, 64, area=area)
    assert reading.version == 1 and reading.value == 64
    assert indicators.level_of(indicator, reading.value).name == "OPEL 2"
    assert db.session.scalars(select(HistoryEntry.entity).where(
        HistoryEntry.entity == "reading")).first() == "reading"


@pytest.mark.parametrize(("value", "level"), [
    (100, "OPEL 1"), (70, "OPEL 1"), (69.9999, "OPEL 2"), (50, "OPEL 2"), (49.9999, "OPEL 3"),
    (35, "OPEL 3"), (34.9999, "OPEL 4"), (0, "OPEL 4")])
def test_staffing_levels_at_every_boundary(app, value, level):
    assert indicators.level_of(gen_indicator(), value).name == level


def test_a_reading_for_a_future_date_is_refused(app):
    indicator = gen_indicator()
    with pytest.raises(Exception, match="in the future"):
        indicators.record_reading(None, indicator, None, date(2026, 1, 6), 50,
                                  today=date(2026, 1, 5))
