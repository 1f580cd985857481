"""Indicators through the JSON API (the test client, tokens in the header): the list and
one indicator with their levels, and recording a reading with the checks, permissions,
history and conflicts of the web form."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from riskkit.extensions import db
from riskkit.models import HistoryEntry, Reading
from tests.conftest import FreshContextClient
from tests.factories import gen_area, gen_indicator, gen_reading, gen_token, gen_user

PROBLEM = "application/problem+json"
TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def api(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


def bearer(person, scope="read-write") -> dict:
    return {"Authorization": f"Bearer {gen_token(person, scope)}"}


@pytest.fixture
def staffing():
    """The plan's staffing indicator in two patches, with yesterday's Ashford reading."""
    ashford, dover = gen_area("Ashford patch"), gen_area("Dover patch")
    indicator = gen_indicator(areas=[ashford, dover])
    gen_reading(indicator, 64, on=YESTERDAY, area=ashford, today=TODAY)
    return indicator


def _readings() -> int:
    return db.session.scalar(select(func.count(Reading.id)))


def test_the_list_and_one_indicator_give_each_areas_level(api, staffing):
    headers = bearer(gen_user("Val Viewer", "viewer"), "read")
    listed = api.get("/api/v1/indicators", headers=headers)
    assert listed.status_code == 200
    [item] = listed.json["items"]
    assert item["name"] == staffing.name and item["areas"] == ["Ashford patch", "Dover patch"]
    assert [band["words"] for band in item["bands"]] == [
        "70 and above", "50 to below 70", "35 to below 50", "below 35"]
    ashford, dover = item["levels"]
    assert (ashford["level"], ashford["latest"]["value"], ashford["stale"]) == (
        "OPEL 2 (Amber)", 64, False)
    assert (dover["level"], dover["state"], dover["latest"]) == (None, "No reading yet", None)

    whole = api.get(f"/api/v1/indicators/{staffing.id}", headers=headers).json
    assert [(r["date"], r["area"], r["value"], r["level"]) for r in whole["readings"]] == [
        (YESTERDAY.isoformat(), "Ashford patch", 64, "OPEL 2 (Amber)")]
    assert api.get("/api/v1/indicators/999999", headers=headers).status_code == 404


def test_recording_a_reading_keeps_who_and_its_history(api, staffing):
    manager = gen_user("Mo Manager", "manager")
    answer = api.post(f"/api/v1/indicators/{staffing.id}/readings", headers=bearer(manager),
                      json={"date": TODAY.isoformat(), "area": "Dover patch", "value": 34.5,
                            "note": "Two off sick"})
    assert answer.status_code == 201, answer.json
    assert (answer.json["level"], answer.json["recorded_by"], answer.json["note"]) == (
        "OPEL 4 (Black)", "Mo Manager", "Two off sick")
    assert answer.headers["ETag"] == '"1"'
    reading = db.session.get(Reading, answer.json["id"])
    assert (reading.value, reading.area.name, reading.recorded_by.name) == (
        34.5, "Dover patch", "Mo Manager")
    assert db.session.scalar(select(func.count(HistoryEntry.id)).where(
        HistoryEntry.entity == "reading", HistoryEntry.entity_id == reading.id)) > 0


def test_a_reading_already_there_is_a_409_with_it_unless_its_version_is_sent(api, staffing):
    headers = bearer(gen_user("Mo Manager", "manager"))
    url = f"/api/v1/indicators/{staffing.id}/readings"
    body = {"date": YESTERDAY.isoformat(), "area": "Ashford patch", "value": 40}
    refused = api.post(url, headers=headers, json=body)
    assert refused.status_code == 409 and refused.content_type == PROBLEM
    assert "already a reading" in refused.json["detail"]
    assert (refused.json["current"]["value"], refused.json["current"]["version"]) == (64, 1)
    assert db.session.scalar(select(Reading.value)) == 64

    changed = api.post(url, headers={**headers, "If-Match": '"1"'}, json=body)
    assert changed.status_code == 200 and changed.json["value"] == 40
    assert changed.json["level"] == "OPEL 3 (Red)" and changed.headers["ETag"] == '"2"'

    stale = api.post(url, headers=headers, json={**body, "value": 55, "version": 1})
    assert stale.status_code == 409 and stale.json["current"]["value"] == 40
    assert db.session.scalar(select(Reading.value)) == 40 and _readings() == 1


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"value": 101}, "value", "above the largest value"),
    ({"date": (TODAY + timedelta(days=1)).isoformat()}, "reading_date", "in the future"),
    ({"area": "Nowhere"}, "area", "No area called"),
    ({"area": None}, "area", "Say which area"),
    ({"value": "lots"}, "value", "Not a valid number"),
    ({"date": "yesterday"}, "date", "Not a valid date"),
])
def test_a_refused_reading_names_its_field_and_records_nothing(api, staffing, body, field, words):
    sent = {"date": TODAY.isoformat(), "area": "Dover patch", "value": 60, **body}
    answer = api.post(f"/api/v1/indicators/{staffing.id}/readings",
                      headers=bearer(gen_user("Mo Manager", "manager")), json=sent)
    assert answer.status_code == 422 and answer.content_type == PROBLEM
    assert answer.json["field"] == field and words in answer.json["detail"]
    assert _readings() == 1


def test_only_those_who_may_record_readings_may_through_the_api(api, staffing):
    owner, stranger = gen_user("Kim Owner", "owner"), gen_user("Sam Other", "owner")
    staffing.owner = owner
    db.session.commit()
    url = f"/api/v1/indicators/{staffing.id}/readings"
    body = {"date": TODAY.isoformat(), "area": "Dover patch", "value": 60}
    assert api.post(url, headers=bearer(stranger), json=body).status_code == 403
    assert api.post(url, headers=bearer(owner, "read"), json=body).status_code == 403
    assert _readings() == 1
    assert api.post(url, headers=bearer(owner), json=body).status_code == 201
