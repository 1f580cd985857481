"""The exercise programme, business continuity plan and theme pages: what is due, the
cadence rules, plans, themes and the cross-reference of themes against events, with its
CSV. The rules and themes are the ones `riskkit init` starts with; people and plans are
made by the factories. What is due, when each plan was last exercised and the
cross-reference are read from the demo's years of exercises and incidents
(seed_data/resilience.yaml), and use the `demo` fixture for that."""

import csv
import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import CadenceRule, ContinuityPlan, Theme
from riskkit.services.plans import find_plan
from riskkit.web import programme as programme_views
from tests.factories import gen_person, gen_plan, gen_user
from tests.web_helpers import error_messages, sign_in

ROLES = ["anonymous", "viewer", "owner", "resilience", "manager", "admin"]
NAMES = {"viewer": "Val Viewer", "owner": "Chris McKenzie", "resilience": "Wayne Gough",
         "manager": "Mo Manager", "admin": "Ada Admin"}


def _as(login, role):
    """A client signed in as a new person of this role (or as nobody, for anonymous)."""
    return login(None if role == "anonymous" else gen_user(NAMES[role], role))


def _text(fragment: str) -> str:
    """A cell's visible words: visually hidden text and tags dropped."""
    fragment = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", fragment, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def _rows(response, table_id: str) -> list[list[str]]:
    """The rows (header row included) of the table with this id, as cell words."""
    page = response.get_data(as_text=True)
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [[_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def _row(response, table_id: str, first: str) -> list[str]:
    matches = [r for r in _rows(response, table_id) if r and r[0] == first]
    assert len(matches) == 1, f"{first!r} in {_rows(response, table_id)}"
    return matches[0]


def _rule(name: str) -> CadenceRule:
    return db.session.scalar(select(CadenceRule).where(CadenceRule.name == name))


def _rule_form(rule: CadenceRule, **changes) -> dict:
    data = {"name": rule.name, "kind": rule.kind, "event_type": rule.event_type,
            "interval": str(rule.interval), "unit": rule.unit,
            "not_before_days": "" if rule.not_before_days is None else str(rule.not_before_days),
            "active": "y" if rule.active else ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# --- the programme ----------------------------------------------------------------------


def test_programme_lists_what_is_due_as_of_the_date(client):
    sign_in(client, "viewer")
    response = client.get("/programme?as_of=2026-11-23")
    assert response.status_code == 200
    assert "<title>Exercise programme – riskkit</title>" in response.get_data(as_text=True)
    cascade = _row(response, "due", "Communications cascade test")
    assert cascade == ["Communications cascade test", "15/03/2022", "1714 days overdue",
                       "last held 15/09/2021 (Crisis Communications Exercise)", "Wayne Gough"]
    assert _row(response, "due", "Live exercise")[2:4] == ["due now", "never held"]
    # Non-exercise rules name what they are for.
    assert _row(response, "due", "Business continuity plan exercised: In-house residential"
                                 " services")[1] == "25/08/2024"


def test_an_earlier_date_gives_the_earlier_answer_and_due_within_looks_ahead(client):
    sign_in(client, "viewer")
    early = client.get("/programme?as_of=2021-10-01")
    whats = [r[0] for r in _rows(early, "due")[1:]]
    assert "Live exercise" in whats and "Communications cascade test" not in whats
    ahead = client.get("/programme?as_of=2021-10-01&due_within=200")
    assert _row(ahead, "due", "Communications cascade test")[1:3] == [
        "15/03/2022", "due in 165 days"]


def test_a_bad_date_is_refused_naming_as_of(login):
    client = _as(login, "viewer")
    response = client.get("/programme?as_of=23/11/2026")
    assert response.status_code == 400
    assert ("The as_of date in the address is wrong: '23/11/2026' is not a date: use the form 2021-09-29"
            in html.unescape(response.get_data(as_text=True)))


def test_rules_table_says_what_each_schedules_and_editors_see_change_links(login):
    client = _as(login, "resilience")
    response = client.get("/programme")
    assert _row(response, "rules", "Live exercise")[1:4] == [
        "Full-scale / live", "every 36 months", "Yes"]
    assert _row(response, "rules", "Cold debrief")[1:3] == [
        "Cold debrief", "14 to 42 days after the event"]
    page = response.get_data(as_text=True)
    assert f'/programme/rules/{_rule("Live exercise").id}/edit' in page and "Add a rule" in page
    viewer = _as(login, "viewer").get("/programme").get_data(as_text=True)
    assert "/programme/rules/" not in viewer and "Add a rule" not in viewer


@pytest.mark.parametrize("interval", ["0", "-3", "two", "1.5"])
def test_an_interval_that_is_not_a_whole_number_above_zero_is_refused(login, interval):
    client = _as(login, "resilience")
    rule = _rule("Communications cascade test")
    response = client.post(f"/programme/rules/{rule.id}/edit", data=_rule_form(
        rule, name="Cascade test renamed", interval=interval))
    assert response.status_code == 400
    assert error_messages(response) == ["The interval must be a whole number greater than zero"]
    page = response.get_data(as_text=True)
    assert 'href="#interval"' in page and 'id="interval-error"' in page
    db.session.expire_all()
    assert db.session.get(CadenceRule, rule.id).name == "Communications cascade test"
    assert db.session.get(CadenceRule, rule.id).interval == 6


def test_a_new_rule_is_listed_and_changes_what_is_due(client):
    sign_in(client, "resilience")
    before = client.get("/programme?as_of=2026-11-23")
    assert "Drill" not in [r[0] for r in _rows(before, "due")]
    response = client.post("/programme/rules/new", data={
        "name": "Drill", "kind": "exercise", "event_type": "drill", "interval": "12",
        "unit": "months", "active": "y"})
    assert response.status_code == 302
    after = client.get("/programme?as_of=2026-11-23")
    assert _row(after, "rules", "Drill")[1:4] == ["Drill", "every 12 months", "Yes"]
    assert _row(after, "due", "Drill")[1:4] == [
        "25/08/2024", "820 days overdue",
        "last held 25/08/2023 (Service power outage exercise programme)"]


def test_an_exercise_rule_needs_its_type_and_nothing_is_saved_without_it(login):
    client = _as(login, "resilience")
    count = len(db.session.scalars(select(CadenceRule)).all())
    response = client.post("/programme/rules/new", data={
        "name": "Drill", "kind": "exercise", "event_type": "", "interval": "12",
        "unit": "months", "active": "y"})
    assert response.status_code == 400
    assert error_messages(response) == ["Choose the type of exercise the rule schedules"]
    assert len(db.session.scalars(select(CadenceRule)).all()) == count


def test_every_mistake_is_named_at_once_and_a_huge_interval_is_refused(login):
    client = _as(login, "resilience")
    both = client.post("/programme/rules/new", data={
        "name": "Drill", "kind": "exercise", "interval": "0", "unit": "months"})
    assert sorted(error_messages(both)) == [
        "Choose the type of exercise the rule schedules",
        "The interval must be a whole number greater than zero"]
    huge = client.post("/programme/rules/new", data={
        "name": "Drill", "kind": "exercise", "event_type": "drill", "interval": "100000",
        "unit": "months"})
    assert error_messages(huge) == ["The interval must be 999 or fewer"]
    assert _rule("Drill") is None


def test_not_before_must_be_sooner_than_the_interval(login):
    client = _as(login, "resilience")
    rule = _rule("Cold debrief")
    response = client.post(f"/programme/rules/{rule.id}/edit", data=_rule_form(
        rule, not_before_days="50"))
    assert response.status_code == 400
    assert error_messages(response) == ["Not before must be fewer days than the interval"]
    assert db.session.get(CadenceRule, rule.id).not_before_days == 14


def test_a_rule_made_inactive_drops_out_of_the_due_list(login):
    client = _as(login, "resilience")
    rule = _rule("Live exercise")
    before = client.get("/programme?as_of=2026-11-23")
    assert _row(before, "due", "Live exercise")[2:4] == ["due now", "never held"]
    response = client.post(f"/programme/rules/{rule.id}/edit", data=_rule_form(rule, active=""))
    assert response.status_code == 302
    assert db.session.get(CadenceRule, rule.id).active is False
    page = client.get("/programme?as_of=2026-11-23")
    assert "Live exercise" not in [r[0] for r in _rows(page, "due")]
    assert _row(page, "rules", "Live exercise")[3] == "No"


# --- business continuity plans ----------------------------------------------------------


def test_plans_show_when_each_was_last_exercised_and_flag_overdue_reviews(client, monkeypatch):
    monkeypatch.setattr(programme_views, "today", lambda: date(2024, 4, 1))
    sign_in(client, "viewer")
    response = client.get("/plans")
    assert response.status_code == 200
    assert _row(response, "plans", "In-house residential services")[:5] == [
        "In-house residential services", "Wayne Gough", "28/04/2023",
        "25/08/2023 Service power outage exercise programme", "28/04/2024"]
    mosaic = _row(response, "plans", "Case management system (MOSAIC) outage procedures")
    assert mosaic[3] == "25/06/2021 ICT outages 2021"
    assert mosaic[4] == "31/03/2024 Overdue"
    assert "Add a plan" not in response.get_data(as_text=True)


def test_a_new_plan_is_listed_never_exercised(login):
    owner = gen_user("Wayne Gough", "resilience")
    client = login(owner)
    response = client.post("/plans/new", data={
        "service": "Day services", "owner": str(owner.id), "last_reviewed": ["1", "4", "2024"],
        "next_review": ["1", "4", "2025"]})
    assert response.status_code == 302
    plan = find_plan("Day services")
    assert (plan.owner_id, plan.last_reviewed, plan.next_review) == (
        owner.id, date(2024, 4, 1), date(2025, 4, 1))
    assert _row(client.get("/plans"), "plans", "Day services")[3] == "Never"


def test_editing_a_plan_saves_and_refusals_name_the_field(login):
    wayne = gen_user("Wayne Gough", "resilience")
    plan = gen_plan("In-house residential services", owner=wayne)
    gen_plan("Community and home care services", owner=wayne)
    sydney = gen_person("Sydney Hill")
    client = login(wayne)
    form = {"service": plan.service, "owner": str(sydney.id), "version": str(plan.version),
            "last_reviewed": ["28", "4", "2024"], "next_review": ["1", "1", "2024"]}
    backwards = client.post(f"/plans/{plan.id}/edit", data=form)
    assert backwards.status_code == 400
    assert error_messages(backwards) == ["The next review must be after the last review"]
    clash = client.post(f"/plans/{plan.id}/edit", data={
        **form, "service": "community AND home care services", "next_review": ["", "", ""]})
    assert error_messages(clash) == ["There is already a plan for that service"]
    assert find_plan("In-house residential services").owner.name == "Wayne Gough"
    saved = client.post(f"/plans/{plan.id}/edit", data={**form, "next_review": ["28", "4", "2025"]})
    assert saved.status_code == 302
    plan = find_plan("In-house residential services")
    assert (plan.owner.name, plan.next_review) == ("Sydney Hill", date(2025, 4, 28))


def test_a_stale_plan_form_gets_a_conflict_and_saves_nothing(login):
    wayne = gen_user("Wayne Gough", "resilience")
    plan = gen_plan("In-house residential services", owner=wayne)
    client = login(wayne)
    stale = plan.version
    first = client.post(f"/plans/{plan.id}/edit", data={
        "service": plan.service, "owner": str(plan.owner_id), "version": str(stale),
        "last_reviewed": ["28", "4", "2023"], "next_review": ["1", "6", "2024"]})
    assert first.status_code == 302
    second = client.post(f"/plans/{plan.id}/edit", data={
        "service": "Renamed", "owner": str(plan.owner_id), "version": str(stale),
        "last_reviewed": ["28", "4", "2023"], "next_review": ["1", "7", "2024"]})
    assert second.status_code == 409
    assert "changed by someone else" in second.get_data(as_text=True)
    plan = db.session.get(ContinuityPlan, plan.id)
    assert (plan.service, plan.next_review) == ("In-house residential services", date(2024, 6, 1))


# --- themes ------------------------------------------------------------------------------


def test_themes_add_rename_deactivate_and_duplicates_refused(login):
    client = _as(login, "resilience")
    assert client.post("/themes", data={"name": "Safeguarding"}).status_code == 302
    assert _row(client.get("/themes"), "themes", "Safeguarding")[1] == "Yes"
    duplicate = client.post("/themes", data={"name": "  communications "})
    assert duplicate.status_code == 400
    assert error_messages(duplicate) == ["There is already a theme with that name"]
    blank = client.post("/themes", data={"name": ""})
    assert error_messages(blank) == ["Enter a name for the theme"]
    theme = db.session.scalar(select(Theme).where(Theme.name == "Safeguarding"))
    clash = client.post(f"/themes/{theme.id}/edit", data={"name": "Staffing", "active": "y"})
    assert error_messages(clash) == ["There is already a theme with that name"]
    renamed = client.post(f"/themes/{theme.id}/edit", data={"name": "Safeguarding adults"})
    assert renamed.status_code == 302
    assert _row(client.get("/themes"), "themes", "Safeguarding adults")[1] == "No"
    names = [t.name for t in db.session.scalars(select(Theme))]
    assert "Safeguarding" not in names and names.count("Communications") == 1


# --- the cross-reference -----------------------------------------------------------------


def _cell(response, theme: str, event: str) -> str:
    header = _rows(response, "cross-reference")[0]
    column = [n for n, words in enumerate(header) if words.startswith(event + " ")]
    assert len(column) == 1, header
    return _row(response, "cross-reference", theme)[column[0]]


def test_cross_reference_counts_observations_and_open_lessons(client):
    sign_in(client, "viewer")
    response = client.get("/themes/cross-reference")
    assert response.status_code == 200
    # Care home evacuation 2023: three observations tagged Vulnerable people, two of them
    # with lessons still open (action planned, identified).
    assert _cell(response, "Vulnerable people", "Care home evacuation 2023") == "3 obs, 2 open"
    # Exercise Lemur: three on Power and utilities; their lessons validated or implemented.
    assert _cell(response, "Power and utilities", "Exercise Lemur") == "3 obs, 0 open"
    assert _cell(response, "Power and utilities",
                 "Service power outage exercise programme") == "2 obs, 1 open"
    assert _cell(response, "Fuel and transport", "Exercise Lemur") == ""
    vulnerable = _row(response, "cross-reference", "Vulnerable people")
    assert vulnerable[-2:] == ["6", "8 obs, 2 open"]
    page = response.get_data(as_text=True)
    assert "3 observations, 2 open lessons" in page  # the words a screen reader hears
    assert 'role="region"' in page and 'tabindex="0"' in page
    recurring = _text(page.split('id="recurring">', 1)[1].split("</ul>", 1)[0])
    assert recurring.startswith("Vulnerable people : seen at 6 events, 8 observations,"
                                " 2 open lessons")


def test_cross_reference_csv(client):
    sign_in(client, "viewer")
    response = client.get("/themes/cross-reference.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=cross-reference.csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["theme", "event", "kind", "start_date", "observations", "open_lessons"]
    assert ["Vulnerable people", "Care home evacuation 2023", "incident", "2023-07-19", "3",
            "2"] in rows
    assert ["Power and utilities", "Exercise Lemur", "exercise", "2022-11-16", "3", "0"] in rows
    assert not any(r[:2] == ["Fuel and transport", "Exercise Lemur"] for r in rows)


# --- who may do what ---------------------------------------------------------------------


def _ids():
    """A rule, a plan and a theme to open and change."""
    return {"rule": _rule("Live exercise").id,
            "plan": gen_plan("In-house residential services").id,
            "theme": db.session.scalar(select(Theme).where(Theme.name == "Premises")).id}


READ_ONLY = ["/programme", "/programme?as_of=2026-11-23&due_within=30", "/plans", "/themes",
             "/themes/cross-reference", "/themes/cross-reference.csv"]
EDIT_PAGES = ["/programme/rules/new", "/programme/rules/{rule}/edit", "/plans/new",
              "/plans/{plan}/edit", "/themes/{theme}/edit"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_which_page(login, role):
    ids = _ids()
    client = _as(login, role)
    for route in READ_ONLY:
        response = client.get(route)
        assert response.status_code == (302 if role == "anonymous" else 200), route
    for route in EDIT_PAGES:
        response = client.get(route.format(**ids))
        expected = {"anonymous": 302, "viewer": 403, "owner": 403}.get(role, 200)
        assert response.status_code == expected, f"{role} GET {route}"
        if role == "anonymous":
            assert response.location.startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_the_programme_plans_and_themes(login, role):
    """Each role on a fresh database; a refused change saves nothing."""
    ids = _ids()
    client = _as(login, role)
    plan = db.session.get(ContinuityPlan, ids["plan"])
    owner = plan.owner
    posts = {
        "/programme/rules/new": {"name": "Seminar", "kind": "exercise", "event_type": "seminar",
                                 "interval": "24", "unit": "months", "active": "y"},
        f"/programme/rules/{ids['rule']}/edit": {"name": "Live exercise", "kind": "exercise",
                                                 "event_type": "full_scale", "interval": "48",
                                                 "unit": "months", "active": "y"},
        "/plans/new": {"service": "Day services", "owner": str(owner.id)},
        f"/plans/{ids['plan']}/edit": {"service": plan.service, "owner": str(owner.id),
                                       "version": str(plan.version),
                                       "next_review": ["1", "6", "2026"]},
        "/themes": {"name": "Safeguarding"},
        f"/themes/{ids['theme']}/edit": {"name": "Buildings", "active": "y"},
    }
    allowed = role in ("resilience", "manager", "admin")
    for route, data in posts.items():
        response = client.post(route, data=data)
        expected = 302 if role == "anonymous" or allowed else 403
        assert response.status_code == expected, f"{role} POST {route}"
        if role == "anonymous":
            assert response.location.startswith("/login")
        elif allowed:
            assert "/login" not in response.location
    db.session.expire_all()
    changed = (_rule("Seminar") is not None, _rule("Live exercise").interval == 48,
               db.session.scalar(select(ContinuityPlan).where(
                   ContinuityPlan.service == "Day services")) is not None,
               db.session.get(ContinuityPlan, ids["plan"]).next_review == date(2026, 6, 1),
               db.session.scalar(select(Theme).where(Theme.name == "Safeguarding")) is not None,
               db.session.get(Theme, ids["theme"]).name == "Buildings")
    assert changed == ((True,) * 6 if allowed else (False,) * 6)


def test_unknown_ids_are_not_found(login):
    client = _as(login, "resilience")
    for route in ("/programme/rules/9999/edit", "/plans/9999/edit", "/themes/9999/edit"):
        assert client.get(route).status_code == 404, route
