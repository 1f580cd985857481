"""Exercises, incidents, debriefs, lessons, plans, themes and the exercise programme at
the service layer and through the CLI, on the demo data from seed_data/resilience.yaml."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import CadenceRule, Event, HistoryEntry, Lesson
from riskkit.services import events, lessons, packs, plans, programme, themes
from riskkit.services.debriefs import add_observation, earlier_observations, record_debrief
from riskkit.services.overdue import due_items
from riskkit.services.people import find_person
from riskkit.services.risks import get_risk

PACKS = Path(__file__).parent.parent / "exercises"


# The exercise programme on the demo data, one assertion per cadence rule.

def _due(runner, as_of):
    result = runner.invoke(args=["exercises", "due", "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {(i["rule"], i["subject"]): i for i in json.loads(result.stdout)}


def test_every_cadence_rule_on_the_demo_data(demo, runner):
    due = _due(runner, "2026-11-23")
    # Communications test every 6 months: last held at the Crisis Communications Exercise.
    assert due[("Communications cascade test", "Communications cascade test")]["due_date"] == "2022-03-15"
    # Tabletop every 12 months: Exercise Lemur was the last one held (the fuel exercise
    # of November 2023 is still planned, so it does not count).
    assert due[("Tabletop exercise", "Tabletop")]["due_date"] == "2023-11-16"
    # Live every 3 years: there has never been one.
    live = due[("Live exercise", "Full-scale / live")]
    assert live["never"] is True and live["due_date"] == "2026-11-23" and live["days_overdue"] == 0
    # Command post every 3 years: Exercise Mighty Oak ended on 8 March 2023.
    assert due[("Command post exercise", "Functional / command post")]["due_date"] == "2026-03-08"
    # Each plan every 12 months; the MOSAIC plan was last exercised by a real incident
    # that activated it and was debriefed with lessons (the ICT outages of 2021).
    plan_rule = "Business continuity plan exercised"
    assert due[(plan_rule, "Case management system (MOSAIC) outage procedures")]["due_date"] == "2022-06-25"
    assert due[(plan_rule, "Community and home care services")]["due_date"] == "2024-03-08"
    assert due[(plan_rule, "In-house residential services")]["due_date"] == "2024-08-25"
    # Follow-ups: the pandemic exercise was led by KCC's resilience service, whose report
    # has not come: its debriefs and improvement plan are not due yet (test_partner_exercises).
    assert not any(subject == "KCC pandemic exercise" for _, subject in due)
    assert due[("Improvement plan", "Care home evacuation 2023")]["due_date"] == "2023-09-17"
    # A closed event owes nothing; a hot debrief is not owed once the cold one is held.
    assert not any(subject == "Exercise Lemur" for _, subject in due)
    assert ("Hot debrief", "Service power outage exercise programme") not in due
    assert len(due) == 9


def test_the_programme_is_judged_as_it_stood_on_the_day(demo, runner):
    due = _due(runner, "2023-09-01")
    # The power outage programme ended on 25 August with no debrief yet: hot debrief
    # overdue, cold debrief not yet due (14 to 42 days after).
    hot = due[("Hot debrief", "Service power outage exercise programme")]
    assert (hot["due_date"], hot["days_overdue"]) == ("2023-08-26", 6)
    assert ("Cold debrief", "Service power outage exercise programme") not in due
    soon = _due(runner, "2023-09-01")  # and with --due-within the cold debrief shows
    assert soon == due
    within = json.loads(runner.invoke(args=["exercises", "due", "--as-of", "2023-09-01",
                                            "--due-within", "40", "--format", "json"]).stdout)
    cold = next(i for i in within if i["rule"] == "Cold debrief"
                and i["subject"] == "Service power outage exercise programme")
    assert cold["due_date"] == "2023-10-06" and "not before 08/09/2023" in cold["note"]


def test_exercises_due_text_and_fail_if_any(demo, runner):
    result = runner.invoke(args=["exercises", "due", "--as-of", "2026-11-23", "--fail-if-any"])
    assert result.exit_code == 3
    assert result.stdout.startswith("Exercise programme as of 23/11/2026: 9 due")
    assert "Live exercise\n    due 23/11/2026, due now; never held" in result.stdout
    empty = runner.invoke(args=["exercises", "due", "--as-of", "2021-01-01", "--fail-if-any"])
    # Before anything was held every exercise type is "never held": due now.
    assert empty.exit_code == 3 and "never held" in empty.stdout


def test_a_rule_change_changes_what_is_due(demo, runner):
    rule = db.session.scalar(select(CadenceRule).where(CadenceRule.name == "Tabletop exercise"))
    programme.save_rule(None, rule, name=rule.name, kind="exercise", event_type="tabletop",
                        interval=48, unit="months")
    db.session.commit()
    assert _due(runner, "2026-11-23")[("Tabletop exercise", "Tabletop")]["due_date"] == "2026-11-16"
    programme.save_rule(None, rule, name=rule.name, kind="exercise", event_type="tabletop",
                        interval=48, unit="months", active=False)
    db.session.commit()
    assert ("Tabletop exercise", "Tabletop") not in _due(runner, "2026-11-23")


@pytest.mark.parametrize("interval", [0, -3])
def test_a_zero_or_negative_interval_is_refused_naming_the_field(demo, interval):
    rule = db.session.scalar(select(CadenceRule).where(CadenceRule.name == "Hot debrief"))
    with pytest.raises(ValidationError) as error:
        programme.save_rule(None, rule, name="Hot debrief", kind="hot_debrief", interval=interval,
                            unit="days")
    assert error.value.field == "interval"
    db.session.rollback()
    assert db.session.get(CadenceRule, rule.id).interval == 1


def test_an_incident_counts_as_a_plan_exercise_only_once_debriefed_with_lessons(demo):
    plan = plans.find_plan("Case management system (MOSAIC) outage procedures")
    incident = events.save_event(None, None, kind="incident", name="Network outage 2026",
                                 event_type="ict_outage", start_date=date(2026, 2, 2),
                                 plans=[plan])
    db.session.commit()
    assert plans.last_exercised()[plan.id] == (date(2021, 6, 25), "ICT outages 2021")
    debrief = record_debrief(incident, None, kind="cold", held_on=date(2026, 2, 20))
    observation = add_observation(debrief, None, prompt="did_not_go_well", kind="improvement",
                                  text="Paper forms ran out", themes=[])
    db.session.commit()
    assert plans.last_exercised()[plan.id][1] == "ICT outages 2021"  # a debrief alone is not enough
    lessons.save_lesson(None, None, event=incident, observation=observation,
                        statement="Keep more paper forms", owner=find_person("Matt Chatfield"),
                        due_date=date(2026, 4, 1))
    db.session.commit()
    assert plans.last_exercised()[plan.id] == (date(2026, 2, 2), "Network outage 2026")


# Events

def test_an_end_date_before_the_start_is_refused_and_nothing_saved(demo):
    before = db.session.scalar(select(db.func.count(Event.id)))
    with pytest.raises(ValidationError) as error:
        events.save_event(None, None, kind="exercise", name="Backwards", event_type="tabletop",
                          start_date=date(2026, 5, 2), end_date=date(2026, 5, 1))
    assert error.value.field == "end_date"
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Event.id))) == before


def test_an_incident_type_is_checked_against_the_kind(demo):
    with pytest.raises(ValidationError, match="Type must be one of ict_outage"):
        events.save_event(None, None, kind="incident", name="Odd", event_type="tabletop",
                          start_date=date(2026, 5, 2))
    db.session.rollback()


def test_recording_an_outcome_rates_objectives_and_dates_the_tested_controls(demo):
    risk = get_risk("AH0011")
    control = risk.controls[0]
    pack = packs.get_pack(PACKS, "power-outage")
    event = events.create_from_pack(None, pack, name="Exercise Oakfield",
                                    start_date=date(2026, 11, 2), risks=[risk])
    event.controls = [control]
    db.session.commit()
    assert event.status == "planned" and len(event.objectives) == len(pack.objectives)
    first, second = event.objectives[:2]
    events.record_outcome(event, find_person("Wayne Gough"), as_of=date(2026, 11, 23),
                          ratings={first.id: ("met", "Generator ran"), second.id: ("not_met", "")},
                          control_results={control.id: "partly_effective"})
    db.session.commit()
    assert event.status == "held" and (first.rating, second.rating) == ("met", "not_met")
    assert (control.last_tested, control.effectiveness, control.tested_by_event) == (
        date(2026, 11, 2), "partly_effective", event)
    changed = {(h.field, h.new_value) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == "control",
                                   HistoryEntry.entity_id == control.id))}
    assert ("effectiveness", "partly_effective") in changed and ("last_tested", "2026-11-02") in changed
    assert risk.id in events.exercised_risk_ids([risk.id], date(2026, 11, 23))
    assert risk.id not in events.exercised_risk_ids([risk.id], date(2027, 11, 3))


def test_a_future_exercise_cannot_be_marked_held(demo):
    event = events.save_event(None, None, kind="exercise", name="Next year", event_type="drill",
                              start_date=date(2027, 3, 1))
    with pytest.raises(ValidationError, match="has not happened yet"):
        events.set_status(event, None, "held", as_of=date(2026, 11, 23))
    with pytest.raises(ValidationError, match="mark it held before recording its debrief"):
        record_debrief(event, None, kind="hot", held_on=date(2027, 3, 1))
    db.session.rollback()


def test_a_viewer_or_owner_cannot_edit_exercises(demo):
    event = events.find_event("Exercise Lemur")
    for email in ("clerk@example.gov.uk", "chris.mckenzie@example.gov.uk"):
        with pytest.raises(PermissionDenied):
            events.set_status(event, find_person(email), "closed")


# Lessons

def _lesson_from_lemur(statement="Fuel for generators runs short"):
    lemur = events.find_event("Exercise Lemur")
    # An observation of its own: one that is a lesson already cannot become another.
    observation = add_observation(lemur.debriefs[-1], None, prompt="did_not_go_well",
                                  kind="improvement", text=statement, themes=[])
    lesson = lessons.save_lesson(find_person("Wayne Gough"), None, event=lemur,
                                 observation=observation, statement=statement,
                                 owner=find_person("Chris McKenzie"), due_date=date(2027, 1, 31))
    db.session.commit()
    return lesson


def test_a_lesson_moves_one_step_on_or_back(demo):
    lesson = _lesson_from_lemur()
    assert lessons.allowed_moves(lesson) == ["action_planned"]
    with pytest.raises(ValidationError, match="can move to action planned, not implemented"):
        lessons.move_lesson(lesson, None, "implemented")
    for status in ("action_planned", "in_progress", "implemented"):
        lessons.move_lesson(lesson, None, status)
    assert lessons.allowed_moves(lesson) == ["identified", "action_planned", "in_progress",
                                             "validated"]
    lessons.move_lesson(lesson, None, "in_progress")
    db.session.commit()
    history = [(h.old_value, h.new_value) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == "lesson", HistoryEntry.entity_id == lesson.id,
                                   HistoryEntry.field == "status").order_by(HistoryEntry.id))]
    assert history[-2:] == [("in_progress", "implemented"), ("implemented", "in_progress")]


def test_validation_needs_actions_done_and_a_later_event_as_evidence(demo):
    lesson = _lesson_from_lemur()
    ah0011 = get_risk("AH0011")
    action = lessons.raise_action(lesson, find_person("Wayne Gough"), risk=ah0011,
                                  description="Agree generator fuel contract",
                                  owner=find_person("Wayne Gough"), target_date=date(2027, 1, 31))
    db.session.commit()
    assert lesson.status == "action_planned" and action.lessons == [lesson]
    assert action in get_risk("AH0011").actions and ah0011 in lesson.risks
    lessons.move_lesson(lesson, None, "in_progress")
    lessons.move_lesson(lesson, None, "implemented")
    db.session.commit()
    with pytest.raises(ValidationError, match="while 1 of its actions is not done") as error:
        lessons.move_lesson(lesson, None, "validated",
                            evidence_event=events.find_event("Exercise Mighty Oak"))
    assert error.value.field == "status"
    action.status = "done"
    with pytest.raises(ValidationError, match="Choose the later exercise") as error:
        lessons.move_lesson(lesson, None, "validated")
    assert error.value.field == "evidence_event"
    with pytest.raises(ValidationError, match="after Exercise Lemur"):
        lessons.move_lesson(lesson, None, "validated",
                            evidence_event=events.find_event("Crisis Communications Exercise"))
    with pytest.raises(ValidationError, match="still planned"):
        lessons.move_lesson(lesson, None, "validated", evidence_event=events.find_event(
            "Service fuel supply disruption exercise programme"))
    db.session.rollback()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.status == "implemented" and lesson.evidence_event is None
    lesson.actions[0].status = "done"
    mighty_oak = events.find_event("Exercise Mighty Oak")
    assert mighty_oak in lessons.evidence_candidates(lesson)
    lessons.move_lesson(lesson, None, "validated", evidence_event=mighty_oak,
                        evidence_note="Fuel held for 72 hours")
    db.session.commit()
    assert (lesson.status, lesson.evidence_event) == ("validated", mighty_oak)
    assert lessons.allowed_moves(lesson)[-1] == "closed"


def test_one_action_answers_lessons_from_two_events(demo):
    lesson = _lesson_from_lemur()
    shared = next(a for a in get_risk("AH0011").actions if len(a.lessons) >= 2)
    assert len({lesson.event_id for lesson in shared.lessons}) == 2  # the demo's contact directory action
    lessons.link_action(lesson, None, shared)
    db.session.commit()
    assert lesson in shared.lessons and lesson.status == "action_planned"


def test_the_lesson_owner_may_move_it_but_not_edit_it(demo):
    lesson = _lesson_from_lemur()
    owner = find_person("Chris McKenzie")
    lessons.move_lesson(lesson, owner, "action_planned")
    with pytest.raises(PermissionDenied):
        lessons.save_lesson(owner, lesson, event=lesson.event, statement="changed", owner=owner,
                            due_date=None)
    with pytest.raises(PermissionDenied):
        lessons.move_lesson(lesson, find_person("clerk@example.gov.uk"), "in_progress")


def test_lessons_concerning_a_risk(demo):
    found = lessons.lessons_for_risk(get_risk("AH0011"))
    assert {lesson.event.name for lesson in found} >= {"ICT outages 2021", "Exercise Lemur",
                                                       "Care home evacuation 2023"}
    assert "Exercise Lemur" in {e.name for e in events.events_for_risk(get_risk("AH0011"))}


def test_open_lessons_past_due_are_in_the_overdue_report(demo, runner):
    lesson = _lesson_from_lemur()
    items = [i for i in due_items(date(2027, 2, 1)) if i.kind == "lesson"]
    assert (lesson.reference, "Exercise Lemur", "Chris McKenzie") in {
        (i.reference, i.title, i.owner) for i in items}
    assert lesson.reference not in {i.reference for i in due_items(date(2027, 1, 31))}
    result = runner.invoke(args=["overdue", "--as-of", "2027-02-01", "--owner", "Chris McKenzie"])
    assert f"lesson    {lesson.reference}  Exercise Lemur – Fuel for generators runs short" in result.stdout
    lessons.move_lesson(lesson, None, "action_planned")
    lessons.move_lesson(lesson, None, "in_progress")
    lessons.move_lesson(lesson, None, "implemented")
    db.session.commit()
    assert lesson.reference not in {i.reference for i in due_items(date(2027, 2, 1))}


def test_programme_items_in_the_overdue_report(demo, runner):
    items = json.loads(runner.invoke(args=["overdue", "--as-of", "2026-11-23", "--format", "json"]).stdout)
    programme_items = {(i["reference"], i["title"]) for i in items if i["kind"] == "exercise"}
    assert ("Improvement plan", "Care home evacuation 2023") in programme_items
    # "never held" is due now, not overdue: it is in `exercises due`, not here.
    assert ("Live exercise", "Full-scale / live") not in programme_items
    only_ops = json.loads(runner.invoke(args=["overdue", "--as-of", "2026-11-23", "--register", "OPS",
                                              "--format", "json"]).stdout)
    assert {i["kind"] for i in only_ops} <= {"review", "action"}


# Debriefs, observations and themes

def test_a_cold_debrief_makes_a_held_event_debriefed(demo):
    event = events.find_event("KCC pandemic exercise")
    assert event.status == "held"
    record_debrief(event, None, kind="hot", held_on=date(2022, 3, 16))
    assert event.status == "held"
    with pytest.raises(ValidationError) as error:
        record_debrief(event, None, kind="cold", held_on=date(2022, 3, 1))
    assert error.value.field == "held_on"
    record_debrief(event, None, kind="cold", held_on=date(2022, 4, 6))
    assert event.status == "debriefed"


def test_earlier_observations_with_the_same_themes(demo):
    communications = themes.find_themes(["Communications"])
    event = events.find_event("Care home evacuation 2023")
    earlier = earlier_observations([t.id for t in communications], exclude_event=event)
    assert earlier and all(communications[0] in o.themes for o in earlier)
    assert all(o.debrief.event_id != event.id for o in earlier)
    dates = [o.debrief.held_on for o in earlier]
    assert dates == sorted(dates, reverse=True)


def test_the_cross_reference_counts_observations_and_open_lessons(demo):
    table = themes.cross_reference()
    by_name = {t.name: t for t in table.themes}
    evacuation = events.find_event("Care home evacuation 2023")
    observations, open_lessons = table.cell(by_name["Vulnerable people"], evacuation)
    seen = [o for d in evacuation.debriefs for o in d.observations
            if by_name["Vulnerable people"] in o.themes]
    still_open = {lesson.id for o in seen for lesson in o.lessons if lesson.is_open}
    assert (observations, open_lessons) == (len(seen), len(still_open)) and observations > 0
    assert by_name["Communications"] in table.recurring()
    headers, rows = themes.cross_reference_rows(table)
    assert headers[:2] == ["theme", "event"] and rows


def test_theme_names_are_unique_and_unknown_themes_refused(demo):
    with pytest.raises(ValidationError) as error:
        themes.save_theme(None, None, name="communications")
    assert error.value.field == "name"
    with pytest.raises(ValidationError, match="Unknown theme: Weather"):
        themes.find_themes(["Weather"])


# Scenario packs

def test_every_pack_is_valid(app):
    found = packs.list_packs(PACKS)
    assert {p.slug for p in found} >= {
        "power-outage", "fuel-supply-disruption", "ict-cyber-outage", "severe-weather",
        "infection-outbreak-care", "care-home-evacuation", "comms-cascade"}
    for pack in found:
        assert pack.objectives and pack.injects and pack.risks_tested
        assert set(pack.themes) <= {t.name for t in themes.list_themes()}
        times = [inject.at for inject in pack.injects]
        assert times == sorted(set(times)) and times[-1] < pack.duration_minutes
        assert all(inject.questions for inject in pack.injects)


def _broken_pack(tmp_path, old, new):
    text = (PACKS / "power-outage.yaml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "broken.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path / "broken.yaml"


def test_a_pack_with_a_missing_field_is_refused_with_file_and_line(app, tmp_path):
    path = _broken_pack(tmp_path, "\nscenario:", "\nsetting:")
    with pytest.raises(ValidationError, match=r"broken.yaml, line \d+: The pack has an unknown field 'setting'"):
        packs.read_pack(path)
    text = (PACKS / "power-outage.yaml").read_text(encoding="utf-8")
    first_questions = text.index("    questions:")
    line = text[:first_questions].count("\n") + 1
    (tmp_path / "noquestions.yaml").write_text(
        text[:first_questions] + text[first_questions:].replace("    questions:", "    asks:", 1))
    with pytest.raises(ValidationError) as error:
        packs.read_pack(tmp_path / "noquestions.yaml")
    assert str(error.value).startswith("noquestions.yaml, line ")
    assert "unknown field 'asks'" in str(error.value) and f"line {line}:" in str(error.value)


def test_a_pack_with_an_unknown_theme_or_type_is_refused(app, tmp_path):
    with pytest.raises(ValidationError, match="'type' must be one of"):
        packs.read_pack(_broken_pack(tmp_path, "type: tabletop", "type: picnic"))
    with pytest.raises(ValidationError, match="unknown theme 'Weather'"):
        packs.read_pack(_broken_pack(tmp_path, "themes: [", "themes: [Weather, "))


def test_exercises_new_from_a_pack(demo, runner):
    result = runner.invoke(args=["exercises", "new", "--pack", "power-outage", "--name", "Exercise Oakfield",
                                 "--date", "2026-12-03", "--lead", "Wayne Gough", "--risk", "AH0011"])
    assert result.exit_code == 0, result.output
    assert "Planned exercise" in result.stdout and "from the power-outage pack" in result.stdout
    event = events.find_event("Exercise Oakfield")
    assert (event.status, event.event_type, event.pack, event.lead.name) == (
        "planned", "tabletop", "power-outage", "Wayne Gough")
    assert [r.reference for r in event.risks] == ["AH0011"]
    listed = runner.invoke(args=["exercises", "list", "--status", "planned"]).stdout
    assert "Exercise Oakfield" in listed and "Exercise Lemur" not in listed


@pytest.mark.parametrize("args, message", [
    (["--pack", "volcano", "--name", "X", "--date", "2026-12-03"], "No scenario pack called 'volcano'"),
    (["--pack", "power-outage", "--name", "X", "--date", "2026-12-03", "--end", "2026-12-01"],
     "The end date must be the same as or after the start date"),
    (["--pack", "power-outage", "--name", " ", "--date", "2026-12-03"], "Enter a name"),
    (["--pack", "power-outage", "--name", "X", "--date", "3/12/2026"], "is not a date in the form YYYY-MM-DD"),
])
def test_exercises_new_refuses_bad_input_in_one_line(demo, runner, args, message):
    before = db.session.scalar(select(db.func.count(Event.id)))
    result = runner.invoke(args=["exercises", "new", *args])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error:") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert db.session.scalar(select(db.func.count(Event.id))) == before


def test_exercises_packs_lists_them_and_names_a_broken_file(app, runner, tmp_path):
    listed = runner.invoke(args=["exercises", "packs"])
    assert listed.exit_code == 0 and "power-outage" in listed.stdout
    _broken_pack(tmp_path, "\ninjects:", "\nevents:")
    app.config["EXERCISE_PACKS_DIR"] = str(tmp_path)
    broken = runner.invoke(args=["exercises", "packs"])
    assert broken.exit_code == 1 and "broken.yaml, line " in broken.stderr


def test_links_are_kept_in_the_history(demo):
    lesson = _lesson_from_lemur()
    lessons.raise_action(lesson, None, risk=get_risk("AH0011"), description="Buy fuel",
                         owner=find_person("Wayne Gough"), target_date=date(2027, 1, 1))
    db.session.commit()
    rows = {(h.field, h.old_value, h.new_value) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == "lesson", HistoryEntry.entity_id == lesson.id))}
    assert ("risks", None, "AH0011") in rows and ("status", "identified", "action_planned") in rows
    assert any(field == "actions" and new.startswith("action ") for field, _, new in rows)
    lesson.risks = []
    db.session.commit()
    assert db.session.scalar(select(HistoryEntry).where(
        HistoryEntry.entity == "lesson", HistoryEntry.entity_id == lesson.id,
        HistoryEntry.field == "risks", HistoryEntry.old_value == "AH0011",
        HistoryEntry.new_value.is_(None))) is not None


def test_a_control_is_linked_only_with_its_risk(demo):
    control = get_risk("AH0037").controls[0]
    with pytest.raises(ValidationError, match="Tick the risk of each control chosen: AH0037") as error:
        events.save_event(None, None, kind="exercise", name="Stray", event_type="drill",
                          start_date=date(2026, 5, 2), risks=[get_risk("AH0011")], controls=[control])
    assert error.value.field == "controls"
    db.session.rollback()
    with pytest.raises(ValidationError, match="AH0037"):
        lessons.save_lesson(None, None, event=events.find_event("Exercise Lemur"), statement="x",
                            owner=find_person("Wayne Gough"), due_date=None, controls=[control])
    db.session.rollback()
