"""Teams and the owners of controls and actions: who may update what, through the CLI,
the web forms and the reminders, with the history each change leaves."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import HistoryEntry, User
from riskkit.services import lifecycle, teams
from riskkit.services.overdue import Item
from riskkit.services.reminders import digests
from tests.conftest import FreshContextClient
from tests.factories import gen_person, gen_register, gen_risk, gen_team

PASSWORD = "a-long-test-password"


def _history(entity: str) -> list[tuple]:
    return [(h.change, h.field, h.old_value, h.new_value) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == entity).order_by(HistoryEntry.id))]


# --- the command line -------------------------------------------------------------------


def test_teams_are_added_listed_and_their_members_changed_with_history(app, runner):
    gen_person("Jo Bloggs", email="jo@x.gov.uk")
    gen_person("Sam Lee")
    db.session.commit()
    added = runner.invoke(args=["teams", "add", "Public Health Commissioning",
                                "--member", "jo@x.gov.uk"])
    assert added.exit_code == 0, added.output
    assert "Added team Public Health Commissioning with 1 member" in added.stdout
    listed = runner.invoke(args=["teams", "list"])
    assert "Public Health Commissioning" in listed.stdout and "Jo Bloggs" in listed.stdout
    changed = runner.invoke(args=["teams", "members", "public health commissioning",
                                  "--add", "Sam Lee", "--remove", "Jo Bloggs"])
    assert changed.exit_code == 0, changed.output
    assert "added 1, removed 1" in changed.stdout and "Sam Lee" in changed.stdout
    assert [m.name for m in teams.get_team("Public Health Commissioning").members] == ["Sam Lee"]
    assert _history("team member") == [
        ("create", "team", None, "Public Health Commissioning"),
        ("create", "member", None, "Jo Bloggs"),
        ("create", "team", None, "Public Health Commissioning"),
        ("create", "member", None, "Sam Lee"),
        ("delete", "team", "Public Health Commissioning", None),
        ("delete", "member", "Jo Bloggs", None),
    ]


@pytest.mark.parametrize("args, message", [
    (["teams", "members", "Nobody Team"], "No team called 'Nobody Team'"),
    (["teams", "members", "Public Health", "--remove", "Sam Lee"],
     "Not a member of Public Health: Sam Lee"),
    (["teams", "members", "Public Health", "--add", "Public Health"],
     "Public Health is a team: a team's members are people"),
    (["teams", "add", "sam lee"], "There is already a person with that name"),
    (["teams", "members", "Sam Lee"], "No team called 'Sam Lee'"),
])
def test_bad_team_commands_say_why_and_change_nothing(app, runner, args, message):
    gen_person("Sam Lee")
    teams.add_team(None, "Public Health")
    db.session.commit()
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert teams.get_team("Public Health").members == []


def test_a_team_cannot_be_given_a_password(app):
    team = teams.add_team(None, "Public Health")
    with pytest.raises(ValidationError, match="A team cannot sign in"):
        team.set_password("long enough password")


# --- owners of controls and actions --------------------------------------------------------


@pytest.fixture
def owned(app):
    """Rita's risk with a control and an action that are Olive's."""
    rita = gen_person("Rita Risk", email="rita@x.gov.uk", password=PASSWORD)
    olive = gen_person("Olive Item", email="olive@x.gov.uk", password=PASSWORD)
    risk = gen_risk(gen_register("PH"), owner=rita)
    control = lifecycle.save_control(risk, rita, None, description="Contract monitoring",
                                     owner=olive, effectiveness="not_tested", last_tested=None)
    action = lifecycle.save_action(risk, rita, None, description="Re-tender", owner=olive,
                                   target_date=date(2026, 3, 1), status="planned",
                                   as_of=date(2026, 1, 5))
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    return risk, control, action, rita, olive


def _signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_a_control_owner_updates_its_progress_with_history_but_not_what_it_is(owned, app):
    risk, control, _, _, olive = owned
    client = _signed_in(app, "olive@x.gov.uk")
    page = client.get(f"/risks/{risk.reference}/controls/{control.id}").get_data(as_text=True)
    assert 'name="description"' not in page and 'name="owner"' not in page
    assert "Only the owner of PH0001 or a manager can change what this control is" in page
    response = client.post(f"/risks/{risk.reference}/controls/{control.id}", data={
        "version": control.version, "effectiveness": "effective",
        "last_tested": ["20", "1", "2026"], "description": "Something else"})
    assert response.status_code == 302
    db.session.refresh(control)
    assert (control.effectiveness, control.last_tested, control.description) == (
        "effective", date(2026, 1, 20), "Contract monitoring")
    updates = [h for h in _history("control") if h[0] == "update"]
    assert updates == [("update", "effectiveness", "not_tested", "effective"),
                       ("update", "last_tested", None, "2026-01-20")]
    actor = db.session.scalars(select(HistoryEntry.actor).where(
        HistoryEntry.entity == "control", HistoryEntry.change == "update")).all()
    assert set(actor) == {olive.name}


def test_an_action_owner_cannot_rename_reassign_or_remove_it(owned):
    risk, _, action, rita, olive = owned
    with pytest.raises(PermissionDenied, match="Only the owner of PH0001 or a manager"):
        lifecycle.save_action(risk, olive, action, description="Something easier", owner=olive,
                              target_date=action.target_date, status="planned",
                              as_of=date(2026, 1, 6))
    with pytest.raises(PermissionDenied, match="Only the owner of PH0001 or a manager"):
        lifecycle.save_action(risk, olive, action, description=action.description, owner=rita,
                              target_date=action.target_date, status="planned",
                              as_of=date(2026, 1, 6))
    with pytest.raises(PermissionDenied):
        lifecycle.remove(risk, olive, action, action.version)
    lifecycle.save_action(risk, olive, action, description=action.description, owner=olive,
                          target_date=date(2026, 4, 1), status="in_progress",
                          as_of=date(2026, 1, 6))
    db.session.commit()
    assert (action.status, action.target_date) == ("in_progress", date(2026, 4, 1))


def test_the_risk_page_offers_an_item_owner_only_their_own_items(owned, app):
    risk, control, action, _, _ = owned
    page = _signed_in(app, "olive@x.gov.uk").get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert f"/controls/{control.id}\"" in page and f"/actions/{action.id}/done" in page
    assert "/remove" not in page and "Add an action" not in page


def test_a_team_owner_is_shown_as_a_team_and_offered_in_owner_lists(app):
    manager = gen_person("Mo Manager", role="manager", email="mo@x.gov.uk", password=PASSWORD)
    team = gen_team("Public Health Commissioning")
    risk = gen_risk(gen_register("PH"), owner=team)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    client = _signed_in(app, manager.email)
    assert "Public Health Commissioning (team)" in client.get(
        f"/risks/{risk.reference}").get_data(as_text=True)
    form = client.get(f"/risks/{risk.reference}/actions/new").get_data(as_text=True)
    assert f'<option value="{team.id}" selected>Public Health Commissioning (team)</option>' in form
    assert "Choose a person or team" in form


# --- reminders --------------------------------------------------------------------------


def _item(owner: str, reference: str, email: str | None = None) -> Item:
    return Item("review", reference, "A risk", owner, email, "PH", None, None,
                date(2026, 1, 1), 5)


def test_a_teams_reminders_go_to_its_members_with_an_address_and_a_team_of_none_once():
    members = {"Public Health": [("Jo Bloggs", "jo@x.gov.uk"), ("Sam Lee", None)],
               "Nobody Team": [("Sam Lee", None)]}
    items = [_item("Public Health", "PH0001"), _item("Nobody Team", "PH0002"),
             _item("Nobody Team", "PH0003"), _item("Pat Owner", "PH0004", "pat@x.gov.uk")]
    planned, problems = digests(items, escalate_after=30, teams=members)
    assert [(d.address, [i.reference for i in d.own]) for d in planned] == [
        ("jo@x.gov.uk", ["PH0001"]), ("pat@x.gov.uk", ["PH0004"])]
    assert problems == ["Nobody Team is a team with nobody to remind (no member has an email"
                        " address): 2 items not sent"]


def test_members_by_team_reads_names_and_addresses(app):
    jo = gen_person("Jo Bloggs", email="jo@x.gov.uk")
    team = teams.add_team(None, "Public Health")
    teams.add_team(None, "Empty Team")
    teams.set_members(None, team, [jo, gen_person("Sam Lee")])
    assert teams.members_by_team() == {
        "Empty Team": [], "Public Health": [("Jo Bloggs", "jo@x.gov.uk"), ("Sam Lee", None)]}
    assert db.session.scalar(select(User.is_team).where(User.name == "Empty Team"))


def test_a_resilience_lead_updates_an_action_they_raised_and_own_from_a_lesson(app):
    from riskkit import permissions
    from riskkit.services import lessons
    from tests.factories import gen_lesson

    lead = gen_person("Rex Resilience", role="resilience")
    risk = gen_risk(gen_register("PH"), owner=gen_person("Rita Risk"))
    action = lessons.raise_action(gen_lesson(), lead, risk=risk, description="Refresh contacts",
                                  owner=lead, target_date=date(2026, 3, 1))
    assert permissions.can(lead, "update_item", action)
    assert not permissions.can(lead, "edit_controls", risk)  # nor remove it, nor reword it
    lifecycle.save_action(risk, lead, action, description=action.description, owner=lead,
                          target_date=action.target_date, status="done", as_of=date(2026, 2, 1))
    assert action.completed_date == date(2026, 2, 1)
    viewer = gen_person("Vic Viewer", role="viewer")
    action.owner = viewer
    assert not permissions.can(viewer, "update_item", action)  # a viewer only reads


def test_a_members_own_work_includes_what_their_team_owns(app):
    from riskkit import clock
    from riskkit.services.overdue import person_due

    with clock.frozen(datetime(2025, 6, 1, 9, tzinfo=UTC)):  # recorded before the day asked about
        jo = gen_person("Jo Bloggs", email="jo@x.gov.uk")
        team = gen_team("Public Health", [jo])
        register = gen_register("PH")
        gen_risk(register, owner=team, as_of=date(2025, 6, 1))
        gen_risk(register, owner=gen_person("Sam Lee"), as_of=date(2025, 6, 1))
        db.session.commit()
    due = {d.kind: d for d in person_due(jo, date(2026, 2, 1))}
    assert due["review"].count == 1
    assert [i.owner for i in due["review"].items] == ["Public Health"]


def test_the_lessons_page_lists_first_what_a_member_or_resilience_lead_owns(app):
    """"Lessons on my risks or owned by me" holds a member's team's lessons and the
    lessons on the team's risks, and a resilience lead's own lessons too."""
    from tests.factories import gen_event, gen_lesson

    jo = gen_person("Jo Bloggs", email="jo@x.gov.uk", password=PASSWORD)
    lead = gen_person("Rex Resilience", role="resilience", email="rex@x.gov.uk", password=PASSWORD)
    team = teams.add_team(None, "Public Health")
    teams.set_members(None, team, [jo])
    risk = gen_risk(gen_register("PH"), owner=team)
    event = gen_event(risks=[risk])
    owned = gen_lesson(event, owner=team, statement="Contacts were out of date")
    on_risk = gen_lesson(event, owner=gen_person("Sam Lee"), statement="The bridge was busy")
    on_risk.risks = [risk]
    theirs = gen_lesson(event, owner=lead, statement="Logs were kept on paper")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient

    def mine(email):
        page = _signed_in(app, email).get("/lessons").get_data(as_text=True)
        return page.split("All lessons", 1)[0]

    listed = mine("jo@x.gov.uk")
    assert owned.reference in listed and on_risk.reference in listed
    assert theirs.reference not in listed
    assert theirs.reference in mine("rex@x.gov.uk")
