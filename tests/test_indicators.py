"""Indicators: trigger bands, their evaluation at every boundary, and readings."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from riskkit.errors import Conflict, ValidationError
from riskkit.extensions import db
from riskkit.models import HistoryEntry, Indicator
from riskkit.services import indicators, readings
from tests.factories import STAFFING_BANDS, gen_area, gen_indicator, gen_reading


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
    with pytest.raises(ValidationError, match="in the future"):
        readings.record_reading(None, indicator, None, date(2026, 1, 6), 50,
                                  today=date(2026, 1, 5))


def _opel_bounds(bands):
    """{level id: (lower, upper)} for OPEL 1 to 4 from bands given in that order."""
    from riskkit.services import levels

    return {level.id: band for level, band in zip(levels.get_scheme().levels, bands, strict=True)}


@pytest.mark.parametrize(("bands", "direction", "message"), [
    (((70, None), (50, 65), (35, 50), (None, 35)), "higher_is_better",
     "Gap between OPEL 2 (Amber) and OPEL 1 (Green): values from 65 to below 70"),
    (((70, None), (45, 70), (35, 50), (None, 35)), "higher_is_better",
     "OPEL 3 (Red) and OPEL 2 (Amber) overlap: values from 45 to below 50"),
    (((None, 35), (35, 50), (50, 70), (70, None)), "higher_is_better",
     "For a higher is better indicator the highest values must be OPEL 1 (Green)"),
    (((70, None), (50, 70), (35, 50), (None, 35)), "higher_is_worse",
     "For a higher is worse indicator the highest values must be OPEL 4 (Black)"),
    (((70, 100), (50, 70), (35, 50), (None, 35)), "higher_is_better",
     "OPEL 1 (Green) holds the highest values: leave its upper bound empty"),
    (((70, None), (70, 50), (35, 50), (None, 35)), "higher_is_better",
     "OPEL 2 (Amber): the lower bound 70 must be below the upper bound 50"),
    (((70, None), (50, 70), (None, None), (None, 35)), "higher_is_better",
     "Give a band for OPEL 3 (Red)"),
])
def test_bands_with_gaps_overlaps_or_the_wrong_direction_are_refused_naming_the_levels(
        app, bands, direction, message):
    with pytest.raises(ValidationError) as refused:
        gen_indicator(bands=bands, direction=direction)
    assert message in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 0


def test_higher_is_worse_puts_a_boundary_value_in_the_more_severe_band(app):
    referrals = gen_indicator("Referrals waiting", unit="people", direction="higher_is_worse",
                              bands=((None, 10), (10, 20), (20, 30), (30, None)),
                              max_value=None)
    assert [indicators.level_of(referrals, v).name for v in (0, 9.5, 10, 20, 29, 30, 500)] == [
        "OPEL 1", "OPEL 1", "OPEL 2", "OPEL 3", "OPEL 3", "OPEL 4", "OPEL 4"]


def test_triggers_under_development_have_no_level_and_no_bands(app):
    case_load = gen_indicator("Case load", unit="cases", triggers_state="under_development",
                              max_value=None)
    assert indicators.level_of(case_load, 40) is None
    with pytest.raises(ValidationError, match="under development have no bands"):
        indicators.save_indicator(
            None, case_load, case_load.version, name="Case load", owner=case_load.owner,
            scheme=case_load.scheme, direction="higher_is_worse",
            triggers_state="under_development", triggers=_opel_bounds(
                ((None, 10), (10, 20), (20, 30), (30, None))))


def test_changing_a_bound_is_in_the_history_and_a_stale_edit_is_a_conflict(app):
    staffing = gen_indicator()
    seen = staffing.version
    indicators.save_indicator(None, staffing, seen, name=staffing.name, owner=staffing.owner,
                              scheme=staffing.scheme, direction="higher_is_better",
                              triggers=_opel_bounds(((75, None), (50, 75), (35, 50), (None, 35))))
    db.session.commit()
    changed = db.session.execute(select(HistoryEntry.field, HistoryEntry.old_value,
                                        HistoryEntry.new_value).where(
        HistoryEntry.entity == "trigger", HistoryEntry.change == "update")).all()
    assert sorted(changed) == [("lower", "70", "75"), ("upper", "70", "75")]
    with pytest.raises(Conflict, match="changed by someone else"):
        indicators.save_indicator(None, staffing, seen, name="Renamed", owner=staffing.owner,
                                  scheme=staffing.scheme, direction="higher_is_better",
                                  triggers=_opel_bounds(STAFFING_BANDS))


boundary = st.integers(min_value=-1000, max_value=1000)


@given(cuts=st.lists(boundary, min_size=3, max_size=3, unique=True),
       direction=st.sampled_from(["higher_is_better", "higher_is_worse"]),
       probe=st.integers(min_value=-1100, max_value=1100))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_contiguous_bands_are_accepted_and_put_every_value_at_exactly_one_level(
        app, cuts, direction, probe):
    """Bands cut at any three points are accepted, and every value, the cuts themselves
    included, is at exactly one level, more severe towards the bad end."""
    from riskkit.services import levels

    low, middle, high = sorted(cuts)
    scheme = levels.get_scheme()
    upward = [(None, low), (low, middle), (middle, high), (high, None)]  # lowest values first
    bands = list(reversed(upward)) if direction == "higher_is_better" else upward
    checked = indicators.check_bands(scheme, direction, _opel_bounds(bands))
    for value in (probe, low, middle, high):
        holding = [band.level.rank for band in checked if band.holds(value)]
        assert len(holding) == 1
    ranks = [band.level.rank for band in checked]  # from the highest values down
    assert ranks == ([1, 2, 3, 4] if direction == "higher_is_better" else [4, 3, 2, 1])
