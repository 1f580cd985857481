"""Incidents that count toward the exercise programme: a cadence rule lists the incident
types whose real response (debriefed, with lessons recorded) meets it, as NHS EPRR
accepts; the programme shows the credit, and a rule crediting an incident type that does
not exist is refused with nothing written. Through the CLI and the web pages."""

import html
import json
from datetime import date

import pytest
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import CadenceRule, HistoryEntry
from tests.factories import gen_debrief, gen_event, gen_lesson, gen_user
from tests.web_helpers import error_messages

LIVE = "Live exercise"


def _rule(name=LIVE) -> CadenceRule:
    return db.session.scalar(select(CadenceRule).where(CadenceRule.name == name))


def _live(runner, as_of: str) -> dict:
    result = runner.invoke(args=["exercises", "due", "--as-of", as_of, "--format", "json",
                                 "--due-within", "366"])
    assert result.exit_code == 0, result.output
    return next(i for i in json.loads(result.output or "[]") if i["rule"] == LIVE)


def _power_cut(lessons=True, debrief=True, event_type="power", start=date(2026, 3, 1)):
    """A power cut on 1 March 2026, with its hot debrief and a lesson unless told."""
    incident = gen_event("Power cut at Oak House", kind="incident", event_type=event_type,
                         start_date=start)
    if debrief:
        gen_debrief(incident, held_on=start)
    if lessons:
        gen_lesson(incident, statement="The generator contract had lapsed")
    return incident


def _credit(runner, *types, rule=LIVE):
    return runner.invoke(args=["exercises", "credit", rule,
                               *[arg for t in types for arg in ("--incident-type", t)]])


def test_a_credited_incident_meets_the_rule_from_its_date(site, runner):
    _power_cut()
    assert _live(runner, "2026-06-01")["note"].startswith("never held")
    result = _credit(runner, "power", "evacuation")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{LIVE}: also met by an incident (evacuation, power)"
    item = _live(runner, "2029-06-01")
    assert item["due_date"] == "2029-03-01"  # three years on from the incident
    assert item["note"] == "met by incident Power cut at Oak House on 01/03/2026"
    text = runner.invoke(args=["exercises", "due", "--as-of", "2029-06-01"]).output
    assert "met by incident Power cut at Oak House on 01/03/2026" in text


@pytest.mark.parametrize("incident", [
    {"lessons": False}, {"debrief": False}, {"event_type": "fuel"}])
def test_an_incident_without_debrief_and_lessons_or_of_another_type_does_not(site, runner,
                                                                            incident):
    _power_cut(**incident)
    assert _credit(runner, "power").exit_code == 0
    assert _live(runner, "2026-06-01")["note"].startswith("never held")


def test_a_later_exercise_is_what_the_rule_runs_from(site, runner):
    _power_cut()
    gen_event("Exercise Oak", event_type="full_scale", start_date=date(2026, 4, 2), status="held")
    _credit(runner, "power")
    item = _live(runner, "2029-06-01")
    assert (item["due_date"], item["note"]) == ("2029-04-02", "last held 02/04/2026 (Exercise Oak)")


def test_crediting_an_incident_type_that_does_not_exist_writes_nothing(site, runner):
    _credit(runner, "power")
    before = db.session.scalar(select(HistoryEntry.id).order_by(HistoryEntry.id.desc()).limit(1))
    result = _credit(runner, "power", "volcano")
    assert result.exit_code == 1
    assert "Error: There is no incident type 'volcano': credit one of ict_outage, power" \
        in result.output
    db.session.expire_all()
    assert _rule().credited_incidents == ["power"]
    assert db.session.scalar(select(HistoryEntry.id).order_by(HistoryEntry.id.desc())
                             .limit(1)) == before


def test_only_an_exercise_rule_can_be_met_by_an_incident(site, runner):
    result = _credit(runner, "power", rule="Hot debrief")
    assert result.exit_code == 1
    assert "Only a rule for an exercise type can be met by an incident" in result.output


def test_crediting_leaves_history(site, runner):
    _credit(runner, "power")
    assert db.session.execute(select(HistoryEntry.field, HistoryEntry.new_value).where(
        HistoryEntry.entity == "cadence rule", HistoryEntry.entity_id == _rule().id,
        HistoryEntry.change == "update")).all() == [("incident_types", "power")]


# --- the web pages ----------------------------------------------------------------------


def _rule_form(rule: CadenceRule, **changes) -> dict:
    data = {"name": rule.name, "kind": rule.kind, "event_type": rule.event_type,
            "interval": str(rule.interval), "unit": rule.unit, "not_before_days": "",
            "active": "y"}
    data.update(changes)
    return data


def test_the_rule_form_credits_incidents_and_the_programme_shows_the_credit(login,
                                                                           monkeypatch):
    from riskkit.web import programme as programme_views

    monkeypatch.setattr(programme_views, "today", lambda: date(2026, 6, 1))
    incident = _power_cut()
    client = login(gen_user("Wayne Gough", "resilience"))
    rule = _rule()
    form = html.unescape(client.get(f"/programme/rules/{rule.id}/edit").get_data(as_text=True))
    assert "Incidents that meet it" in form
    response = client.post(f"/programme/rules/{rule.id}/edit",
                           data=_rule_form(rule, incident_types=["power", "evacuation"]))
    assert response.status_code == 302, error_messages(response)
    assert _rule().credited_incidents == ["evacuation", "power"]
    page = html.unescape(client.get("/programme").get_data(as_text=True))
    credits = page.split('id="credits"', 1)[1].split("</table>", 1)[0]
    assert "Met by incident" in credits and "Power cut at Oak House" in credits
    assert f'href="/exercises/{incident.id}"' in credits and "01/03/2026" in credits
    assert "also met by an incident (evacuation, power)" in page


def test_the_rule_form_refuses_an_incident_type_that_does_not_exist(login):
    client = login(gen_user("Wayne Gough", "resilience"))
    rule = _rule()
    response = client.post(f"/programme/rules/{rule.id}/edit",
                           data=_rule_form(rule, incident_types=["power", "volcano"]))
    assert response.status_code == 400
    assert [html.unescape(m) for m in error_messages(response)] == [
        "There is no incident type 'volcano': credit one of ict_outage, power, fuel, weather,"
        " infection_outbreak, evacuation, staffing, other"]
    db.session.expire_all()
    assert _rule().credited_incidents == []
