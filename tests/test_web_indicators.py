"""The indicator and level pages through the Flask test client: defining an indicator
and its bands, the quick reading form, changing a reading (409 when stale), the team's
daily grid (all or nothing), the CSV upload, and declaring a level."""

import html
import io
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import DecisionLogEntry, Declaration, Indicator, Reading
from riskkit.services import levels, teams
from tests.factories import (
    gen_area,
    gen_indicator,
    gen_reading,
    gen_risk,
    gen_team,
    gen_user,
)
from tests.web_helpers import error_messages

DAY = date(2026, 1, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(datetime(2026, 1, 10, 10)):
        yield


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _indicator_form(**changes):
    scheme = levels.get_scheme()
    data = {"name": "Short-term Pathway Team staffing", "unit": "%",
            "direction": "higher_is_better", "owner": "", "frequency_days": "1",
            "min_value": "0", "max_value": "100", "triggers_state": "set"}
    for index, (level, (lower, upper)) in enumerate(zip(scheme.levels, (
            ("70", ""), ("50", "70"), ("35", "50"), ("", "35")), strict=True)):
        data[f"bands-{index}-level_id"] = level.id
        data[f"bands-{index}-lower"], data[f"bands-{index}-upper"] = lower, upper
    data.update(changes)
    return data


def test_a_manager_adds_an_indicator_with_its_bands(login):
    manager = gen_user("Mia Manager", role="manager")
    area = gen_area("Ashford")
    client = login(manager)
    form = client.get("/indicators/new")
    assert form.status_code == 200
    assert "OPEL 2 (Amber): from (this value and above)" in form.get_data(as_text=True)
    response = client.post("/indicators/new", data=_indicator_form(owner=manager.id,
                                                                    areas=[area.id]))
    assert response.status_code == 302, error_messages(response)
    page = client.get(response.location).get_data(as_text=True)
    assert "70 and above" in page and "50 to below 70" in page and "below 35" in page


def test_a_gap_between_bands_is_shown_naming_the_levels_and_nothing_is_saved(login):
    manager = gen_user("Mia Manager", role="manager")
    client = login(manager)
    response = client.post("/indicators/new", data=_indicator_form(
        owner=manager.id, **{"bands-1-lower": "55"}))
    assert response.status_code == 400
    assert error_messages(response) == [
        "Gap between OPEL 3 (Red) and OPEL 2 (Amber): values from 50 to below 55 would be at"
        " no level"]
    assert _count(Indicator) == 0


def test_an_owner_cannot_define_indicators(login):
    owner = gen_user("Oli Owner", role="owner")
    assert login(owner).post("/indicators/new", data=_indicator_form(
        owner=owner.id)).status_code == 403
    assert _count(Indicator) == 0


def test_the_quick_form_records_a_reading_and_refuses_bad_ones_clearly(login):
    area = gen_area("Ashford")
    owner = gen_user("Oli Owner", role="owner")
    staffing = gen_indicator(owner=owner, areas=[area])
    client = login(owner)
    url = f"/indicators/{staffing.id}"
    base = {"area": area.id, "reading_date": ["10", "1", "2026"], "note": ""}
    high = client.post(url, data={**base, "value": "120"})
    assert high.status_code == 400
    assert error_messages(high) == [
        "120 is above the largest value Short-term Pathway Team staffing can take (100)"]
    future = client.post(url, data={**base, "value": "60",
                                       "reading_date": ["11", "1", "2026"]})
    assert error_messages(future) == ["11 January 2026 is in the future: a reading is of a day"
                                      " that has happened"]
    assert client.post(url, data={**base, "value": "64"}).status_code == 302
    again = client.post(url, data={**base, "value": "30"})
    assert again.status_code == 409
    assert "There is already a reading" in error_messages(again)[0]
    assert db.session.scalar(select(Reading.value)) == 64


def test_a_stale_edit_of_a_reading_is_a_conflict_and_keeps_the_other_value(login):
    manager = gen_user("Mia Manager", role="manager")
    staffing = gen_indicator()
    reading = gen_reading(staffing, 64, on=DAY, today=DAY)
    client = login(manager)
    form = {"version": "1", "opened_at": "2026-01-10T09:00:00+00:00", "value": "60", "note": ""}
    assert client.post(f"/indicators/readings/{reading.id}", data=form).status_code == 302
    stale = client.post(f"/indicators/readings/{reading.id}", data={**form, "value": "40"})
    assert stale.status_code == 409
    db.session.refresh(reading)
    assert (reading.value, reading.version) == (60, 2)


def test_the_daily_grid_saves_all_or_nothing(login):
    team = gen_team("Short-term Pathway Team")
    member = gen_user("Tess Member", role="owner")
    teams.set_members(None, team, [member])  # the team's members record its indicators
    north, south = gen_area("North"), gen_area("South")
    staffing = gen_indicator(areas=[north, south], team=team)
    beds = gen_indicator("Assessment beds", unit="beds", team=team, max_value=None,
                         bands=((10, None), (5, 10), (1, 5), (None, 1)))
    client = login(member)
    url = f"/indicators/grid?team={team.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'name="r-{staffing.id}-{north.id}"' in page and f'name="r-{beds.id}-0"' in page
    bad = client.post(url, data={"date": "2026-01-10", f"r-{staffing.id}-{north.id}": "64",
                                 f"r-{staffing.id}-{south.id}": "lots", f"r-{beds.id}-0": "3"})
    assert bad.status_code == 400
    assert [html.unescape(m) for m in error_messages(bad)] == [
        "Short-term Pathway Team staffing, South: Value must be a number, not 'lots'"]
    assert _count(Reading) == 0
    good = client.post(url, data={"date": "2026-01-10", f"r-{staffing.id}-{north.id}": "64",
                                  f"r-{staffing.id}-{south.id}": "45", f"r-{beds.id}-0": "3"})
    assert good.status_code == 302 and good.location.endswith("/levels")
    assert _count(Reading) == 3


def test_a_csv_upload_names_the_row_and_column_and_records_nothing(login):
    manager = gen_user("Mia Manager", role="manager")
    gen_indicator()
    client = login(manager)
    bad = client.post("/indicators/upload", data={"file": (io.BytesIO(
        b"date,indicator,area,value\n2026-01-09,Short-term Pathway Team staffing,,64\n"
        b"2026-01-10,Nothing such,,64\n"), "readings.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 400
    assert ("Row 3, column indicator: No indicator called 'Nothing such'"
            in html.unescape(error_messages(bad)[0]))
    assert _count(Reading) == 0


def test_declaring_needs_a_reason_then_logs_the_declaration(login):
    manager = gen_user("Mia Manager", role="manager")
    staffing = gen_indicator()
    gen_reading(staffing, 40, on=DAY, today=DAY)
    client = login(manager)
    page = client.get("/levels").get_data(as_text=True)
    assert "OPEL 3 (Red)" in page and "No level declared yet" in page
    red = next(level for level in levels.get_scheme().levels if level.rank == 3)
    refused = client.post("/levels/declare", data={"level": red.id, "reason": ""})
    assert refused.status_code == 400
    assert error_messages(refused) == ["Enter a reason"]
    assert _count(Declaration) == 0
    done = client.post("/levels/declare", data={"level": red.id, "reason": "Staffing at 40%"})
    assert done.status_code == 302
    assert "by Mia Manager" in client.get("/levels").get_data(as_text=True)
    assert _count(DecisionLogEntry) == 1


def test_only_managers_may_declare(login):
    owner = gen_user("Oli Owner", role="owner")
    assert login(owner).get("/levels/declare").status_code == 403


def test_a_risk_shows_its_indicators_and_is_flagged_under_pressure_at_opel_3(login):
    viewer = gen_user("Vic Viewer", role="viewer")
    risk = gen_risk(title="Workforce capacity in the short-term pathway")
    calm = gen_risk(risk.register, title="Loss of the payroll system")
    staffing = gen_indicator(risks=[risk])
    gen_reading(staffing, 55, on=date(2026, 1, 9), today=DAY)
    gen_reading(staffing, 45, on=DAY, today=DAY)
    client = login(viewer)
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    indicators_table = page.split('id="indicators-table"', 1)[1].split("</table>", 1)[0]
    assert "Short-term Pathway Team staffing" in indicators_table
    assert "OPEL 3 (Red)" in indicators_table and "Down" in indicators_table
    listing = client.get("/risks").get_data(as_text=True)
    assert listing.count("Under pressure: OPEL 3") == 1
    dashboard = client.get("/").get_data(as_text=True)
    assert f"{risk.reference}</a> {risk.title}: " in dashboard
    assert "Under pressure: OPEL 3" in dashboard and calm.reference not in dashboard.split(
        'id="under-pressure-list"', 1)[1].split("</ul>", 1)[0]


def test_a_risk_whose_indicators_are_at_opel_2_is_not_flagged(login):
    risk = gen_risk()
    gen_reading(gen_indicator(risks=[risk]), 60, on=DAY, today=DAY)
    client = login(gen_user("Vic Viewer", role="viewer"))
    assert "Under pressure" not in client.get("/risks").get_data(as_text=True)
    assert "Under pressure" not in client.get("/").get_data(as_text=True)
