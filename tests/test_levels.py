"""Levels: each indicator's from its latest reading, the proposal by rule with hysteresis
on the way down, and declaring by a named person with a reason."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import DecisionLogEntry, Declaration
from riskkit.services import levels
from tests.factories import gen_area, gen_indicator, gen_person, gen_reading

DAY = date(2026, 1, 10)


def _winter(indicator, values, area=None, last=DAY):
    """Daily readings ending on `last`, one per value."""
    for back, value in enumerate(reversed(values)):
        gen_reading(indicator, value, on=last - timedelta(days=back), area=area, today=last)


def _level(rank):
    return next(level for level in levels.get_scheme().levels if level.rank == rank)


def test_each_indicator_is_at_the_level_of_its_latest_reading_with_its_trend(app):
    staffing = gen_indicator()
    _winter(staffing, [72, 61])
    (status,) = levels.statuses(DAY)
    assert (status.level.name, status.trend, status.stale) == ("OPEL 2", "down", False)
    assert levels.statuses(DAY + timedelta(days=2))[0].stale  # read daily: 2 days is stale


def test_the_highest_rule_proposes_the_worst_indicator_level(app):
    _winter(gen_indicator("Staffing"), [80])
    _winter(gen_indicator("Beds", unit="beds"), [40])
    assert levels.propose(DAY).level.name == "OPEL 3"


def test_the_at_least_rule_needs_that_many_indicators_at_or_above_the_level(app):
    scheme = levels.get_scheme()
    scheme.proposal_rule, scheme.proposal_count = "at_least", 2
    for name, value in (("A", 80), ("B", 40), ("C", 20)):
        _winter(gen_indicator(name), [value])
    proposal = levels.propose(DAY)
    assert proposal.level.name == "OPEL 3"  # B and C are at OPEL 3 or above; only C at 4
    assert "at least 2 indicators" in proposal.reason


def test_an_area_has_its_own_rule_and_only_its_own_readings(app):
    north, south = gen_area("North"), gen_area("South")
    north.proposal_rule, north.proposal_count = "at_least", 2
    staffing = gen_indicator(areas=[north, south])
    _winter(staffing, [20], area=north)
    _winter(staffing, [75], area=south)
    assert levels.propose(DAY, area=south).level.name == "OPEL 1"
    assert levels.propose(DAY, area=north).level.name == "OPEL 1"  # one indicator, two needed
    assert levels.propose(DAY).level.name == "OPEL 4"


def test_stepping_down_waits_for_the_step_down_days_and_says_why(app):
    boss = gen_person("Dee Director", role="manager")
    staffing = gen_indicator()
    _winter(staffing, [30], last=DAY - timedelta(days=3))
    levels.declare(boss, None, _level(4), "Staffing below 35%", DAY - timedelta(days=3))
    _winter(staffing, [75, 75], last=DAY - timedelta(days=1))
    gen_reading(staffing, 75, on=DAY, today=DAY)  # 3 days at OPEL 1 by DAY
    early = levels.propose(DAY - timedelta(days=1))
    assert (early.level.name, early.reached.name) == ("OPEL 4", "OPEL 1")
    assert "needs them below it for 3 days in a row" in early.reason
    settled = levels.propose(DAY)
    assert settled.level.name == "OPEL 1"
    assert "below OPEL 4 (Black) for 3 days" in settled.reason


def test_stepping_down_goes_to_the_highest_level_seen_in_the_window(app):
    boss = gen_person("Dee Director", role="manager")
    staffing = gen_indicator()
    _winter(staffing, [30], last=DAY - timedelta(days=3))
    levels.declare(boss, None, _level(4), "Staffing below 35%", DAY - timedelta(days=3))
    _winter(staffing, [45, 60, 75])
    assert levels.propose(DAY).level.name == "OPEL 3"


def test_going_up_is_proposed_at_once(app):
    boss = gen_person("Dee Director", role="manager")
    staffing = gen_indicator()
    _winter(staffing, [75], last=DAY - timedelta(days=1))
    levels.declare(boss, None, _level(1), "Normal", DAY - timedelta(days=1))
    gen_reading(staffing, 30, on=DAY, today=DAY)
    assert levels.propose(DAY).level.name == "OPEL 4"


def test_a_declaration_keeps_the_proposal_and_writes_the_decision_log(app):
    boss = gen_person("Dee Director", role="manager")
    _winter(gen_indicator(), [45])
    declaration = levels.declare(boss, None, _level(2), "Agency staff start tomorrow", DAY)
    db.session.commit()
    assert (declaration.level.name, declaration.proposed_level.name) == ("OPEL 2", "OPEL 3")
    entry = db.session.scalar(select(DecisionLogEntry))
    assert (entry.kind, entry.author, entry.declaration) == ("declaration", boss, declaration)
    assert entry.text == ("Dee Director declared OPEL 2 (Amber) for the organisation, where"
                          " OPEL 3 (Red) was proposed. Reason: Agency staff start tomorrow")
    assert levels.current_declaration(levels.get_scheme(), None) == declaration


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_level_declared_without_a_reason_is_refused_and_nothing_written(app, reason):
    boss = gen_person("Dee Director", role="manager")
    with pytest.raises(ValidationError, match="Enter a reason"):
        levels.declare(boss, None, _level(3), reason, DAY)
    assert db.session.scalar(select(func.count()).select_from(Declaration)) == 0
    assert db.session.scalar(select(func.count()).select_from(DecisionLogEntry)) == 0


def test_only_managers_declare(app):
    with pytest.raises(PermissionDenied):
        levels.declare(gen_person("Oli Owner", role="owner"), None, _level(3), "Busy", DAY)
