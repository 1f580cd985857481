"""Hostile input is turned back at the boundary, with a message naming the field or
parameter, and nothing is written: query strings and addresses, form fields, command
options, and the last check before anything reaches the database. The people,
registers, risk and exercise are made by the factories (the `world` fixture)."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Register, ReminderSent, User
from riskkit.services.lessons import save_lesson
from riskkit.services.registers import get_register
from riskkit.services.reviews import record_review
from riskkit.services.risks import get_risk
from tests.factories import PASSWORD, gen_event, gen_person, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages

HUGE = "9" * 30  # more than any database integer holds
NAMES = {"admin": "Ada Admin", "manager": "Mo Manager", "resilience": "Wayne Gough",
         "owner": "Chris McKenzie", "viewer": "Val Viewer"}


@pytest.fixture
def world(site):
    """One person of each role (by role: world.admin, world.owner...); CORP above AH above
    OPS; Chris's risk on AH, added on 1 June 2021; and Exercise Lemur, planned."""
    people = {role: gen_user(name, role) for role, name in NAMES.items()}
    corp = gen_register("CORP", level="corporate")
    ah = gen_register("AH", parent=corp, owner=people["manager"])
    gen_register("OPS", parent=ah)
    risk = gen_risk(ah, people["owner"], 3, 4, as_of=date(2021, 6, 1), title="Care market failure")
    event = gen_event("Exercise Lemur", start_date=date(2022, 11, 16))
    return SimpleNamespace(**people, ah=ah, risk=risk, event=event)


def rows() -> dict[str, int]:
    """How many rows each table has: what "nothing was written" is checked against."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


def page(response) -> str:
    return response.get_data(as_text=True)


# --- query strings and addresses ---------------------------------------------------------


@pytest.mark.parametrize("url, named", [
    (f"/risks?page={HUGE}", "page"),
    ("/risks?page=0", "page"),
    (f"/risks?likelihood={10**30}", "likelihood"),
    (f"/risks?owner={HUGE}", "owner"),
    (f"/overdue?owner={HUGE}", "owner"),
    ("/overdue?as_of=2200-12-31&due_within=9999", "due_within"),
    ("/programme?due_within=-1", "due_within"),
    (f"/lessons?owner={HUGE}", "owner"),
    (f"/improvement-plan.xlsx?event={HUGE}", "is not an exercise or incident number"),
])
def test_a_number_out_of_range_in_the_query_is_a_400_naming_it(world, login, url, named):
    client = login(world.viewer)
    before = rows()
    response = client.get(url)
    assert response.status_code == 400
    assert named in page(response)
    assert rows() == before


@pytest.mark.parametrize("url", ["/risks?category=Care%00", "/overdue?register=AH%00",
                                 "/appendix.pdf?register=AH%00", "/lessons?status=open%1b",
                                 "/exercises/new?pack=power%00outage", "/risks?%00=1"])
def test_a_control_character_in_the_query_is_a_400(world, login, url):
    client = login(world.viewer)
    response = client.get(url)
    assert response.status_code == 400
    assert "contains a control character" in page(response)


@pytest.mark.parametrize("url", ["/risks/{risk}%00", "/risks/AH%000001/edit",
                                 "/calendar/%00.ics", f"/exercises/{HUGE}",
                                 f"/exercises/{HUGE}/report.pdf", f"/lessons/{2**31}",
                                 "/risks/{risk}/controls/" + HUGE, f"/admin/users/{HUGE}",
                                 f"/themes/{HUGE}/edit", f"/debriefs/{HUGE}"])
def test_an_address_with_a_control_character_or_a_huge_id_is_not_found(world, login, url):
    client = login(world.admin)
    assert client.get(f"/risks/{world.risk.reference}").status_code == 200
    assert client.get(url.format(risk=world.risk.reference)).status_code == 404


def test_a_date_beyond_the_calendar_in_the_query_is_named(world, login):
    client = login(world.viewer)
    for url in ("/overdue?as_of=9999-12-31", "/programme?as_of=9999-12-31&due_within=366", "/?as_of=0001-01-01",
                "/risks?overdue=yes&as_of=9999-12-31"):
        response = client.get(url)
        assert response.status_code == 400, url  # web.params.as_of_arg, as every page taking as_of
        assert "As of must be in the years 1900 to 2200" in response.get_data(as_text=True), url
    latest = client.get("/programme?as_of=2200-12-31&due_within=366")
    assert latest.status_code == 200 and not error_messages(latest)


def test_a_scenario_pack_name_never_reaches_the_file_system(world, login, runner):
    client = login(world.resilience)
    for name in ("x" * 10_000, "../seed_data/users", "power-outage.yaml"):
        response = client.get("/exercises/new", query_string={"pack": name})
        assert response.status_code == 404 and "No scenario pack called" in page(response)
    result = runner.invoke(args=["exercises", "new", "--pack", "x" * 10_000, "--name", "X",
                                 "--date", "2026-03-01"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: No scenario pack called")
    assert "Traceback" not in result.stderr


# --- form fields -------------------------------------------------------------------------


def _risk_form(person, **changes):
    data = {"register": str(get_register("AH").id), "title": "Loss of the care records system",
            "description": "Outage", "cause": "Supplier failure", "consequence": "Care delayed",
            "category": "Business continuity", "owner": str(person.id), "likelihood": "3",
            "impact": "4", "target_likelihood": "2", "target_impact": "4",
            "target_date": ["31", "3", "2027"], "response": "treat"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("changes, message", [
    ({"title": "Payroll\x00 system"}, "Risk title must not contain the control character U+0000"),
    ({"title": "Two\nlines"}, "Risk title must be one line"),
    ({"description": "Outage\x1b[31m"}, "must not contain the control character U+001B"),
    ({"description": "x" * 10_001}, "must be 10000 characters or fewer"),
    ({"category": "c" * 81}, "Category must be 80 characters or fewer"),
    ({"likelihood": str(10**30)}, "Current likelihood must be a whole number from 1 to 5"),
    ({"impact": "four"}, "Current impact must be a whole number from 1 to 5"),
    ({"owner": HUGE}, "Choose an owner from the list"),
    ({"register": "AH\x00"}, "Choose a register from the list"),
    ({"register": HUGE}, "Choose a register from the list"),
    ({"target_date": ["1", "1", "9999"]}, "Target date must be in the years 1900 to 2200"),
    ({"target_date": ["31", "12", "1899"]}, "Target date must be in the years 1900 to 2200"),
])
def test_a_hostile_risk_form_is_given_back_with_the_field_named(world, login, changes, message):
    client = login(world.manager)
    before = rows()
    response = client.post("/risks/new", data=_risk_form(world.owner, **changes))
    assert response.status_code == 400
    assert any(message in m for m in error_messages(response)), error_messages(response)
    assert rows() == before


def test_a_form_with_its_text_boxes_left_out_saves_them_empty(world, login):
    """Not a NOT NULL failure: a box a post leaves out is an empty box."""
    client = login(world.manager)
    risk = world.risk
    data = {name: value for name, value in _risk_form(world.owner).items() if name not in (
        "register", "likelihood", "impact", "description", "cause", "category")}
    response = client.post(f"/risks/{risk.reference}/edit", data={**data, "version": str(risk.version)})
    assert response.status_code == 302
    risk = get_risk(risk.reference)
    assert (risk.description, risk.cause, risk.category) == ("", "", "")


@pytest.mark.parametrize("changes, message", [
    ({"likelihood": "abc"}, "Likelihood now must be a whole number from 1 to 5"),
    ({"likelihood": str(10**30), "impact": "x"}, "Likelihood now must be a whole number from 1 to 5"),
    ({"reviewed_on": ["31", "12", "9999"]}, "Date of review must be in the years 1900 to 2200"),
    ({"reviewed_on": ["1", "1", "99999"]}, "Not a valid date value."),
    ({"comment": "Fine\x00"}, "Review comment must not contain the control character U+0000"),
    ({"next_review_reason": "why\nnot"}, "Reason for a different next review date must be one line"),
])
def test_a_hostile_review_is_given_back_with_the_field_named(world, login, changes, message):
    client = login(world.manager)
    risk = world.risk
    data = {"reviewed_on": ["1", "10", "2021"], "likelihood": "4", "impact": "4",
            "comment": "Checked", "version": str(risk.version), "opened_at": ""}
    before = rows()
    response = client.post(f"/risks/{risk.reference}/review", data={**data, **changes})
    assert response.status_code == 400
    assert any(message in m for m in error_messages(response)), error_messages(response)
    assert rows() == before


def _register_form(**changes):
    corp = get_register("CORP")
    data = {"code": "FIN", "name": "Finance", "level": "directorate", "parent": str(corp.id),
            "matrix": str(corp.matrix_id), "owner": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, message", [
    ({"code": "AH"}, "There is already a register with the code AH"),
    ({"parent": "424242"}, "Choose a parent register from the list"),
    ({"parent": "x'; DROP TABLE registers; --"}, "Choose a parent register from the list"),
    ({"owner": str(2**31 - 1)}, "Choose a register owner from the list"),
    ({"matrix": HUGE}, "Choose a scoring matrix from the list"),
    ({"name": "n" * 201}, "Name must be 200 characters or fewer"),
])
def test_a_hostile_register_form_is_given_back_with_the_field_named(world, login, changes, message):
    client = login(world.admin)
    before = rows()
    response = client.post("/admin/registers/new", data=_register_form(**changes))
    assert response.status_code == 400
    assert message in error_messages(response), error_messages(response)
    assert rows() == before


def test_a_register_cannot_be_its_own_parent(world, login):
    client = login(world.admin)
    ops = get_register("OPS")
    response = client.post(f"/admin/registers/{ops.id}", data=_register_form(
        code="OPS", name=ops.name, level=ops.level, parent=str(ops.id)))
    assert response.status_code == 400
    assert "Choose a parent register from the list" in error_messages(response)
    assert get_register("OPS").parent_id != ops.id


@pytest.mark.parametrize("field, value, message", [
    ("name", "Chris McKenzie", "There is already a person with that name"),
    ("name", "CHRIS MCKENZIE", "There is already a person with that name"),
    ("email", "ada.admin@example.gov.uk", "There is already a person with that email"),
    ("name", "N" * 121, "Full name must be 120 characters or fewer"),
    ("email", "a@" + "b" * 253, "Email address must be 254 characters or fewer"),
])
def test_a_user_cannot_take_a_name_or_email_another_has(world, login, field, value, message):
    client = login(world.admin)
    viewer = world.viewer
    data = {"name": viewer.name, "email": viewer.email, "role": "viewer", "active": "y",
            field: value}
    before = rows()
    response = client.post(f"/admin/users/{viewer.id}", data=data)
    assert response.status_code == 400
    assert message in error_messages(response)
    assert rows() == before
    assert db.session.get(User, viewer.id).name == viewer.name


def test_every_kind_of_form_refuses_control_characters(world, login):
    """Forms defined elsewhere than forms.py get the same text rules: a debrief, a
    theme, a cadence rule, sign-in."""
    client = login(world.resilience)
    event = world.event
    before = rows()
    debrief = client.post(f"/exercises/{event.id}/debriefs/new", data={
        "kind": "hot", "held_on": ["1", "3", "2024"], "facilitator": "Pat\x00"})
    assert "Facilitator must not contain the control character U+0000" in error_messages(debrief)
    theme = client.post("/themes", data={"name": "Comms\x07"})
    assert "Theme name must not contain the control character U+0007" in error_messages(theme)
    rule = client.post("/programme/rules/new", data={
        "name": "Weekly\r\ndrill", "kind": "exercise", "event_type": "drill", "interval": "1",
        "unit": "weeks"})
    assert "Name must be one line" in error_messages(rule)
    assert rows() == before
    signed_out = client.application.test_client()
    refused = signed_out.post("/login", data={"email": f"{world.admin.email}\x00",
                                              "password": PASSWORD})
    assert refused.status_code == 400
    assert "Email address must not contain the control character U+0000" in error_messages(refused)


# --- the command line --------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["users", "add", "new@example.gov.uk", "--name", "Bad\x1b[2JName", "--password-stdin"],
     "Error: Invalid value for --name: it contains a control character"),
    (["risk", "AH0001\x00"], "Error: Invalid value for REFERENCE: it contains a control character"),
    (["overdue", "--as-of", "9999-12-31"],
     "Error: Invalid value for --as-of: Date must be in the years 1900 to 2200"),
    (["exercises", "due", "--as-of", "0001-01-01"],
     "Error: Invalid value for --as-of: Date must be in the years 1900 to 2200"),
    (["exercises", "report", HUGE, "report.pdf"], "Error: No exercise or incident numbered or"),
])
def test_command_line_options_are_checked_like_form_fields(runner, world, args, message):
    before = rows()
    result = runner.invoke(args=args, input="a long enough password\n")
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert rows() == before


# --- the last check before the database ---------------------------------------------------


def test_nothing_the_database_would_refuse_is_sent_to_it(world):
    """Whatever the face (an import, a script), a row is checked against its columns
    before it is written, and the refusal names the field."""
    lemur, wayne = world.event, world.resilience
    cases = [
        (dict(statement="Comms failed", recommendation="Fix\x00it"), "recommendation",
         "Recommendation must not contain the control character U+0000"),
        (dict(statement="Comms failed", recommendation="r" * 10_001), "recommendation",
         "Recommendation must be 10000 characters or fewer"),
        (dict(statement="Comms failed", due_date=date(9999, 1, 1)), "due_date",
         "Due date must be in the years 1900 to 2200"),
    ]
    before = rows()
    for fields, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            save_lesson(None, None, event=lemur, owner=wayne, **{"due_date": None, **fields})
            db.session.flush()
        db.session.rollback()
        assert (refused.value.field, str(refused.value)) == (field, message)
    person = gen_person("Dup Code")
    db.session.add(Register(code="AH", name="Again", level="directorate",
                            matrix_definition=get_register("AH").matrix_definition, owner=person))
    with pytest.raises(ValidationError, match="There is already a register with that code"):
        db.session.flush()
    db.session.rollback()
    assert rows() == before


def test_a_review_date_at_the_end_of_the_calendar_cannot_overflow(world):
    risk = world.risk
    with pytest.raises(ValidationError) as refused:
        record_review(risk, None, date(9999, 12, 1), 4, 4, "", reviewer=world.manager)
    db.session.rollback()
    assert refused.value.field == "reviewed_on"
    assert [r.reviewed_on for r in get_risk(risk.reference).reviews] != [date(9999, 12, 1)]


def test_a_refusal_no_page_expected_is_a_400_not_a_500(world, site, login):
    """Should a page let the last check's refusal through, the answer is a 400 saying
    what was wrong, and nothing is written."""
    def careless():
        db.session.add(ReminderSent(sent_on=date(2021, 9, 29), recipient="clerk@example.gov.uk",
                                    item="review:" + "X" * 100))
        db.session.commit()

    site.add_url_rule("/careless", view_func=careless)
    client = login(world.viewer)
    before = rows()
    response = client.get("/careless")
    assert response.status_code == 400
    assert "Item must be 80 characters or fewer" in page(response)
    assert rows() == before
