"""Archiving an indicator no longer measured: by a manager on its edit page or with
`riskkit indicators archive`; it leaves the proposals, the grid, the dashboard and the
lists, takes no readings, and keeps its readings and history; restoring brings it back."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import HistoryEntry, Indicator, Reading
from riskkit.services import indicators, levels
from tests.factories import gen_indicator, gen_reading, gen_risk, gen_team, gen_user
from tests.web_helpers import error_messages

DAY = date(2026, 1, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(datetime(2026, 1, 10, 10)):
        yield


@pytest.fixture
def black():
    """The staffing indicator, recorded by a team, at OPEL 4 and warning about a risk."""
    team = gen_team("Short Term Pathway Team")
    indicator = gen_indicator(team=team, owner=gen_user("Kim Owner"),
                              risks=[gen_risk(title="Workforce capacity")])
    gen_reading(indicator, 20, on=DAY, today=DAY)
    return indicator


def _readings() -> int:
    return db.session.scalar(select(func.count(Reading.id)))


def test_the_command_archives_and_restores_keeping_readings_and_history(app, runner, black):
    assert levels.propose(DAY).level.rank == 4 and levels.risks_under_pressure(DAY)
    result = runner.invoke(args=["indicators", "archive", black.name])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Archived {black.name}"
    db.session.expire_all()
    assert db.session.get(Indicator, black.id).archived
    # Gone from the proposal, the team's grid, the dashboard's risks under pressure, the lists.
    assert levels.propose(DAY).level.rank == 1 and levels.statuses(DAY) == []
    assert indicators.list_indicators(black.team) == [] and levels.risks_under_pressure(DAY) == []
    # Its reading and history are kept; it takes no more.
    assert _readings() == 1
    assert db.session.scalar(select(HistoryEntry.new_value).where(
        HistoryEntry.entity == "indicator", HistoryEntry.entity_id == black.id,
        HistoryEntry.field == "archived").order_by(HistoryEntry.id.desc()).limit(1)) == "yes"
    refused = runner.invoke(args=["indicators", "record", black.name, "50", "--date",
                                  DAY.isoformat(), "--replace"])
    assert refused.exit_code == 1 and "is archived: restore it to record readings" in refused.output
    assert db.session.scalar(select(Reading.value)) == 20

    again = runner.invoke(args=["indicators", "archive", black.name])
    assert again.exit_code == 1 and "is already archived" in again.output
    restored = runner.invoke(args=["indicators", "archive", black.name, "--restore"])
    assert restored.exit_code == 0 and restored.stdout.strip() == f"Restored {black.name}"
    db.session.expire_all()
    assert levels.propose(DAY).level.rank == 4


def test_a_manager_archives_on_the_edit_page_and_a_stale_form_is_a_409(login, black):
    manager = gen_user("Mia Manager", role="manager")
    client = login(manager)
    edit = client.get(f"/indicators/{black.id}/edit").get_data(as_text=True)
    assert f"/indicators/{black.id}/archive" in edit and "Archive this indicator" in edit
    page = client.get(f"/indicators/{black.id}/archive")
    assert page.status_code == 200 and "Archive indicator" in page.get_data(as_text=True)

    stale = client.post(f"/indicators/{black.id}/archive", data={"version": black.version - 1})
    assert stale.status_code == 409
    assert not db.session.get(Indicator, black.id).archived

    done = client.post(f"/indicators/{black.id}/archive", data={"version": black.version})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Indicator, black.id).archived
    shown = client.get(f"/indicators/{black.id}").get_data(as_text=True)
    assert "Archived: this indicator is no longer measured" in shown
    assert "Record a reading" not in shown
    listed = client.get("/indicators").get_data(as_text=True)
    assert "Archived indicators" in listed and listed.count(black.name) == 1
    assert black.name not in client.get("/").get_data(as_text=True).split("Risks under pressure")[-1]
    restore = client.get(f"/indicators/{black.id}/archive").get_data(as_text=True)
    assert "Restore indicator" in restore


def test_only_managers_may_archive_and_a_post_without_its_version_is_refused(login, black):
    owner = login(black.owner)
    assert owner.get(f"/indicators/{black.id}/archive").status_code == 403
    assert owner.post(f"/indicators/{black.id}/archive",
                      data={"version": black.version}).status_code == 403
    manager = login(gen_user("Mia Manager", role="manager"))
    refused = manager.post(f"/indicators/{black.id}/archive", data={})
    assert refused.status_code == 400 and error_messages(refused)
    db.session.expire_all()
    assert not db.session.get(Indicator, black.id).archived
