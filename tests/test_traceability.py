"""Risk-control-exercise traceability: what the risk page, the dashboard, the overdue
page, the reminder emails and the register appendix say about exercises and lessons."""

import subprocess
from datetime import UTC, date, datetime

from riskkit.extensions import db
from riskkit.reports.reminders import build_message
from riskkit.services import events, lessons
from riskkit.services.overdue import due_items
from riskkit.services.people import find_person
from riskkit.services.reminders import Digest
from riskkit.services.risks import get_risk
from tests.web_helpers import sign_in


def _raise_on_ah0011():
    lemur = events.find_event("Exercise Lemur")
    lesson = lessons.save_lesson(None, None, event=lemur, statement="Generator fuel runs short",
                                 owner=find_person("Wayne Gough"), due_date=date(2026, 12, 31))
    action = lessons.raise_action(lesson, None, risk=get_risk("AH0011"),
                                  description="Agree a generator fuel contract",
                                  owner=find_person("Wayne Gough"), target_date=date(2026, 12, 31))
    db.session.commit()
    return lesson, action


def test_the_risk_page_shows_its_exercises_lessons_and_where_an_action_came_from(web, client):
    lesson, _ = _raise_on_ah0011()
    html = sign_in(client, "viewer").get("/risks/AH0011").get_data(as_text=True)
    exercises = html.split('id="exercises"', 1)[1].split('id="lessons"', 1)[0]
    assert "Exercise Lemur" in exercises and "Care home evacuation 2023" in exercises
    lessons_part = html.split('id="lessons"', 1)[1].split('id="reviews"', 1)[0]
    assert lesson.reference in lessons_part and "Generator fuel runs short" in lessons_part
    actions = html.split('id="actions-table"', 1)[1].split("</table>", 1)[0]
    row = actions.split("Agree a generator fuel contract", 1)[1].split("</td>", 1)[0]
    assert f'From lesson <a class="govuk-link" href="/lessons/{lesson.id}">{lesson.reference}</a>' \
        " (Exercise Lemur)" in row


def test_a_risk_with_nothing_to_show_says_so(web, client):
    html = sign_in(client, "viewer").get("/risks/OPS0005").get_data(as_text=True)
    assert "No exercise or incident has tested this risk or its controls." in html
    assert "No lessons concern this risk." in html


def test_a_control_shows_the_exercise_that_last_tested_it(web, client):
    risk = get_risk("AH0011")
    event = events.save_event(None, None, kind="exercise", name="Exercise Oakfield",
                              event_type="tabletop", start_date=date(2026, 11, 2), risks=[risk],
                              controls=[risk.controls[0]])
    events.record_outcome(event, None, ratings={}, control_results={risk.controls[0].id: "effective"},
                          as_of=date(2026, 11, 23))
    db.session.commit()
    html = sign_in(client, "viewer").get("/risks/AH0011").get_data(as_text=True)
    controls = html.split('id="controls-table"', 1)[1].split("</table>", 1)[0]
    assert f'02/11/2026<br><span class="govuk-body-s">by <a class="govuk-link" href="/exercises/{event.id}">' \
           "Exercise Oakfield</a>" in controls


def test_dashboard_flags_top_rated_risks_with_no_recent_exercise(web, client):
    sign_in(client, "manager")
    section = client.get("/?as_of=2026-11-23").get_data(as_text=True).split('id="unexercised"', 1)[1] \
        .split('id="heat-map"', 1)[0]
    assert "not exercised since 23/11/2025 (5)" in section
    for reference in ("AH0005", "AH0033", "OPS0003", "OPS0005", "OPS0059"):
        assert f">{reference}</a>" in section
    assert ">AH0011</a>" not in section  # rated Medium: not in the top band
    ah0033 = get_risk("AH0033")
    events.save_event(None, None, kind="exercise", name="Workforce tabletop", event_type="tabletop",
                      start_date=date(2026, 6, 1), status="held", risks=[ah0033])
    db.session.commit()
    section = client.get("/?as_of=2026-11-23").get_data(as_text=True).split('id="unexercised"', 1)[1] \
        .split('id="heat-map"', 1)[0]
    assert "(4)" in section.split("</h2>", 1)[0] and ">AH0033</a>" not in section
    # A year and a day later the evidence has lapsed.
    later = client.get("/?as_of=2027-06-02").get_data(as_text=True).split('id="unexercised"', 1)[1]
    assert ">AH0033</a>" in later.split('id="heat-map"', 1)[0]


def test_the_overdue_page_lists_lessons_and_the_programme(web, client):
    lesson, _ = _raise_on_ah0011()
    sign_in(client, "manager")
    html = client.get("/overdue?as_of=2027-01-05").get_data(as_text=True)
    assert f'<a class="govuk-link" href="/lessons/{lesson.id}">{lesson.reference}</a> from Exercise Lemur' in html
    assert "Lesson: Generator fuel runs short" in html
    assert "Action: Agree a generator fuel contract" in html
    assert '<a class="govuk-link" href="/programme?as_of=2027-01-05">KCC pandemic exercise</a>' in html
    only_lessons = client.get("/overdue?as_of=2027-01-05&kind=lesson").get_data(as_text=True)
    assert "Lesson: Generator fuel runs short" in only_lessons and "Action: Agree" not in only_lessons


def test_a_reminder_email_links_a_lesson_to_its_page(web):
    lesson, _ = _raise_on_ah0011()
    items = [i for i in due_items(date(2027, 1, 5)) if i.reference == lesson.reference]
    message = build_message(Digest("Wayne Gough", "wayne.gough@example.gov.uk", items),
                            date(2027, 1, 5), "risk@example.gov.uk", "Example County Council",
                            "https://risk.example.gov.uk", datetime(2027, 1, 5, 6, 30, tzinfo=UTC))
    assert message["Date"] == "Tue, 05 Jan 2027 06:30:00 +0000"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Lesson {lesson.reference} from Exercise Lemur: Generator fuel runs short" in text
    assert f'href="https://risk.example.gov.uk/lessons/{lesson.id}"' in html


def test_the_appendix_says_which_lesson_an_action_answers(demo, runner, tmp_path):
    lesson, _ = _raise_on_ah0011()
    path = tmp_path / "appendix.pdf"
    result = runner.invoke(args=["report", "register", str(path), "--register", "AH"])
    assert result.exit_code == 0, result.output
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert f"Agree a generator fuel contract (From lesson {lesson.reference}, Exercise Lemur.)" in text


def test_the_event_and_lessons_pages_link_the_reports(web, client):
    sign_in(client, "viewer")
    lemur = events.find_event("Exercise Lemur")
    page = client.get(f"/exercises/{lemur.id}").get_data(as_text=True)
    assert f'href="/exercises/{lemur.id}/report.pdf"' in page
    assert f'href="/improvement-plan.xlsx?event={lemur.id}"' in page
    assert client.get(f"/improvement-plan.xlsx?event={lemur.id}").status_code == 200
    assert 'href="/improvement-plan.xlsx"' in client.get("/lessons").get_data(as_text=True)
