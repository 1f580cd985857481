"""Exercises a partner led (the LRF, an NHS trust, a neighbouring council): our debriefs
and improvement plan fall due from the partner's report, nothing is due while it is
awaited, and lessons for the partner are noted only. Through the CLI and the web pages,
with the demo's partner-led pandemic workshop as the case that used to show a debrief
years overdue."""

import html
import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import Event, HistoryEntry
from riskkit.services import lessons as lesson_service
from riskkit.services.events import find_event
from tests.factories import gen_debrief, gen_event, gen_lesson, gen_observation, gen_user
from tests.web_helpers import error_messages

LRF = "Kent Resilience Forum"


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _due(runner, as_of: str) -> list[dict]:
    result = runner.invoke(args=["exercises", "due", "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output or "[]")


def _partner_workshop(report=None) -> Event:
    """A workshop the LRF led on 1 March 2026, held, its report received on `report`."""
    return gen_event("Exercise Cedar", event_type="workshop", start_date=date(2026, 3, 1),
                     status="held", lead_organisation=LRF, partner_report_date=report)


# --- the demo's partner-led pandemic workshop -------------------------------------------


def test_the_demo_pandemic_workshop_awaits_its_partners_report_not_years_overdue(demo, runner):
    """It was listed as a hot debrief 1,725 days overdue (run from our exercise date)."""
    items = _due(runner, "2026-12-06")
    assert not [i for i in items if i["subject"] == "KCC pandemic exercise"]
    text = runner.invoke(args=["exercises", "due", "--as-of", "2026-12-06"]).output
    assert "Awaiting a partner's report (nothing falls due until it arrives): 1" in text
    assert ("KCC pandemic exercise: led by KCC Resilience and Emergency Planning Service,"
            " ended 16/03/2022") in text


def test_the_demo_programme_and_event_pages_say_awaiting_partner_report(web, client):
    from tests.web_helpers import sign_in

    sign_in(client, "resilience")
    page = _page(client.get("/programme?as_of=2026-12-06"))
    due = page.split('id="due"', 1)[1].split("</table>", 1)[0]
    assert "KCC pandemic exercise" not in due
    awaiting = page.split('id="awaiting"', 1)[1].split("</ul>", 1)[0]
    assert "KCC pandemic exercise</a>, led by KCC Resilience and Emergency Planning Service" \
        in awaiting
    event = find_event("KCC pandemic exercise")
    shown = _page(client.get(f"/exercises/{event.id}"))
    assert "KCC Resilience and Emergency Planning Service" in shown
    assert "Awaiting partner report" in shown


# --- deadlines run from the partner's report --------------------------------------------


def test_follow_ups_run_from_the_partners_report_date(site, runner):
    _partner_workshop(report=date(2026, 5, 4))
    items = {i["rule"]: i for i in _due(runner, "2026-07-10")
             if i["subject"] == "Exercise Cedar"}
    assert items["Hot debrief"]["due_date"] == "2026-05-05"
    assert items["Cold debrief"]["due_date"] == "2026-06-15"  # 42 days from the report
    assert items["Improvement plan"]["due_date"] == "2026-07-03"  # 60 days from the report
    assert items["Cold debrief"]["note"] == (f"{LRF}'s report received 04/05/2026;"
                                             " not before 18/05/2026")


def test_before_the_report_came_nothing_was_due(site, runner):
    """As of a day before the report arrived, the report was still awaited."""
    _partner_workshop(report=date(2026, 5, 4))
    assert not [i for i in _due(runner, "2026-05-03") if i["subject"] == "Exercise Cedar"]
    text = runner.invoke(args=["exercises", "due", "--as-of", "2026-05-03"]).output
    assert f"Exercise Cedar: led by {LRF}, ended 01/03/2026" in text


def test_an_exercise_we_led_still_runs_from_its_end(site, runner):
    gen_event("Exercise Ash", start_date=date(2026, 3, 1), status="held")
    items = {i["rule"]: i for i in _due(runner, "2026-07-10") if i["subject"] == "Exercise Ash"}
    assert items["Hot debrief"]["due_date"] == "2026-03-02"


# --- recording the lead and the report: the CLI ---------------------------------------------


def test_the_cli_records_the_lead_and_report_with_history(site, runner):
    gen_event("Exercise Cedar", event_type="workshop", start_date=date(2026, 3, 1), status="held")
    result = runner.invoke(args=["exercises", "lead", "Exercise Cedar", "--organisation", LRF])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Exercise Cedar: led by {LRF}, awaiting partner report"
    result = runner.invoke(args=["exercises", "lead", "Exercise Cedar", "--organisation", LRF,
                                 "--report-date", "2026-04-20"])
    assert result.output.strip() == f"Exercise Cedar: led by {LRF}, report received 20/04/2026"
    event = find_event("Exercise Cedar")
    changes = db.session.execute(select(HistoryEntry.field, HistoryEntry.old_value,
                                        HistoryEntry.new_value).where(
        HistoryEntry.entity == "event", HistoryEntry.entity_id == event.id,
        HistoryEntry.change == "update")).all()
    assert ("lead_organisation", "", LRF) in changes
    assert ("partner_report_date", None, "2026-04-20") in changes


@pytest.mark.parametrize("args, message", [
    (["--report-date", "2026-04-20"],
     "Only an event led by a partner has a partner report date: name the lead organisation"),
    (["--organisation", LRF, "--report-date", "2026-02-01"],
     "The partner's report date must be on or after the start date"),
    (["--organisation", "x" * 201], "Lead organisation must be 200 characters or fewer"),
])
def test_the_cli_refuses_a_bad_lead_and_changes_nothing(site, runner, args, message):
    event = gen_event("Exercise Cedar", start_date=date(2026, 3, 1), status="held")
    version = event.version
    result = runner.invoke(args=["exercises", "lead", "Exercise Cedar", *args])
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    db.session.expire_all()
    assert (event.version, event.lead_organisation, event.partner_report_date) == (version, "", None)


# --- recording the lead and the report: the web form --------------------------------------


def _form(event, **changes) -> dict:
    data = {"name": event.name, "event_type": event.event_type, "start_date": _day(event.start_date),
            "end_date": ["", "", ""], "lead": "", "scenario": "", "objectives": "",
            "participants": "", "version": str(event.version)}
    data.update(changes)
    return data


def test_the_event_form_records_a_partner_lead_and_report(login):
    lead = gen_user("Wayne Gough", "resilience")
    event = gen_event("Exercise Cedar", event_type="workshop", start_date=date(2026, 3, 1),
                      status="held")
    client = login(lead)
    assert "Lead organisation, if a partner led it" in _page(client.get(f"/exercises/{event.id}/edit"))
    response = client.post(f"/exercises/{event.id}/edit", data=_form(
        event, lead_organisation=LRF, partner_report_date=_day(date(2026, 4, 20))))
    assert response.status_code == 302, error_messages(response)
    assert (event.lead_organisation, event.partner_report_date) == (LRF, date(2026, 4, 20))
    page = _page(client.get(f"/exercises/{event.id}"))
    assert LRF in page and "20/04/2026" in page


def test_the_event_form_refuses_a_report_date_without_a_partner(login):
    event = gen_event("Exercise Cedar", start_date=date(2026, 3, 1), status="held")
    client = login(gen_user("Wayne Gough", "resilience"))
    response = client.post(f"/exercises/{event.id}/edit", data=_form(
        event, partner_report_date=_day(date(2026, 4, 20))))
    assert response.status_code == 400
    assert error_messages(response) == [
        "Only an event led by a partner has a partner report date: name the lead organisation"]
    db.session.expire_all()
    assert event.partner_report_date is None


# --- lessons for the partner are noted, not tracked ---------------------------------------


def test_a_lesson_for_the_partner_is_never_open_or_overdue(site, runner):
    with clock.frozen(datetime(2026, 4, 20, 9, tzinfo=UTC)):  # recorded before the day asked
        event = _partner_workshop(report=date(2026, 4, 1))
        ours = gen_lesson(event, statement="Our rest centre role is not defined",
                          due_date=date(2026, 5, 1))
        theirs = gen_lesson(event, statement="The LRF call tree missed two councils",
                            due_date=date(2026, 5, 1), for_partner=True)
    assert ours.is_open and not theirs.is_open
    assert lesson_service.list_lessons(open_only=True) == [ours]
    result = runner.invoke(args=["overdue", "--as-of", "2026-06-01"])
    assert ours.reference in result.output
    assert theirs.reference not in result.output


def test_only_a_partner_led_events_lesson_may_be_for_the_partner(site):
    from riskkit.errors import ValidationError

    event = gen_event("Exercise Ash", start_date=date(2026, 3, 1), status="held")
    with pytest.raises(ValidationError, match="was not led by a partner"):
        gen_lesson(event, for_partner=True)


def test_the_lesson_form_offers_for_the_partner_only_on_a_partner_led_event(login):
    lead = gen_user("Wayne Gough", "resilience")
    event = _partner_workshop(report=date(2026, 4, 1))
    observation = gen_observation(gen_debrief(event, kind="cold", held_on=date(2026, 4, 20)))
    ours = gen_event("Exercise Ash", start_date=date(2026, 3, 1), status="held")
    our_observation = gen_observation(gen_debrief(ours, kind="cold", held_on=date(2026, 4, 20)),
                                      text="The bridge was busy")
    client = login(lead)
    assert "A lesson for the partner" not in _page(
        client.get(f"/observations/{our_observation.id}/lesson"))
    assert "A lesson for the partner" in _page(client.get(f"/observations/{observation.id}/lesson"))
    response = client.post(f"/observations/{observation.id}/lesson", data={
        "statement": "The LRF call tree missed two councils", "owner": str(lead.id),
        "due_date": _day(date(2026, 5, 1)), "priority": "medium", "for_partner": "y",
        "version": ""})
    assert response.status_code == 302, error_messages(response)
    lesson = observation.lessons[0]
    assert lesson.for_partner
    page = _page(client.get(f"/lessons/{lesson.id}"))
    assert f"For {LRF}, which led the event: noted only, not tracked here" in page
    listing = _page(client.get("/lessons?open=yes")).split('id="lessons"', 1)[1]
    assert lesson.reference not in re.sub(r"<[^>]+>", " ", listing.split("</table>", 1)[0])
    assert "For the partner: noted only" in _page(client.get("/lessons"))


def test_the_exercise_report_names_the_partner_and_notes_its_lessons(login):
    event = _partner_workshop(report=date(2026, 4, 1))
    gen_lesson(event, statement="The LRF call tree missed two councils", for_partner=True)
    client = login(gen_user("Wayne Gough", "resilience"))
    report = _page(client.get(f"/exercises/{event.id}/report.html"))
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", report))
    assert f"Led by {LRF}; report received 01/04/2026" in words
    assert "Identified (for the partner: noted only)" in words


def test_the_cli_marks_a_lesson_for_the_partner_and_back_with_history(site, runner):
    cedar = _partner_workshop()
    lesson = gen_lesson(cedar, statement="The LRF's call cascade missed us", due_date=date(2026, 4, 1))
    result = runner.invoke(args=["exercises", "partner-lesson", lesson.reference,
                                 "--note", "The cascade is the LRF's to fix"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f"{lesson.reference}: for {LRF}, noted only"
                                     " (never open or overdue)")
    db.session.expire_all()
    assert lesson_service.get_lesson(lesson.id).for_partner is True
    assert _overdue_lessons(runner) == []
    change = db.session.execute(select(HistoryEntry.old_value, HistoryEntry.new_value, HistoryEntry.reason)
                                .where(HistoryEntry.entity == "lesson", HistoryEntry.field == "for_partner",
                                       HistoryEntry.change == "update")).one()
    assert tuple(change) == ("no", "yes", "The cascade is the LRF's to fix")
    result = runner.invoke(args=["exercises", "partner-lesson", lesson.reference.lower(), "--ours"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{lesson.reference}: ours to track"
    assert _overdue_lessons(runner) == [lesson.reference]


def _overdue_lessons(runner) -> list[str]:
    # As of today (not yet over): the lesson as it is, just marked.
    result = runner.invoke(args=["overdue", "--as-of", clock.today().isoformat(), "--format", "json"])
    return [i["reference"] for i in json.loads(result.output or "[]") if i["kind"] == "lesson"]


@pytest.mark.parametrize("reference, message", [
    ("L9999", "No lesson L9999"), ("oak", "'oak' is not a lesson: give its reference, like L0012")])
def test_the_cli_refuses_an_unknown_lesson_or_one_from_an_event_we_led(site, runner, reference, message):
    ours = gen_lesson(gen_event("Exercise Oak"))
    result = runner.invoke(args=["exercises", "partner-lesson", reference])
    assert result.exit_code == 1 and message in result.stderr
    result = runner.invoke(args=["exercises", "partner-lesson", ours.reference])
    assert result.exit_code == 1
    assert "Exercise Oak was not led by a partner: a lesson from it is ours to track" in result.stderr
    db.session.expire_all()
    assert lesson_service.get_lesson(ours.id).for_partner is False
