"""Escalation by rule: a register's threshold (admin form and CLI, with history), the
risks it proposes on the parent register's managers' dashboard, accepting (the ordinary
escalation) and declining with a reason, proposal again after a score change, and the
comment a review must give when it moves a risk to another band."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import HistoryEntry
from riskkit.services import escalation
from riskkit.services.lifecycle import de_escalate, escalate
from riskkit.services.registers import save_register
from riskkit.services.reviews import record_review
from tests.conftest import FreshContextClient
from tests.factories import gen_person, gen_register, gen_risk
from tests.web_helpers import error_messages

PASSWORD = "escalation-test-1"
REVIEWED = date(2026, 3, 2)


@pytest.fixture
def world(app):
    """CORP (owned by Mo, a manager) above DIR, whose threshold is 15 (on the council
    5 x 5: Medium is 8 to 15, High 16 to 25); DIR has a risk at 16, one at 12 and one
    closed at 20. Nia is a manager who owns no register; Ada an admin; Vi a viewer."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    people = {name: gen_person(f"{name} Person", role, f"{name.lower()}@example.gov.uk", PASSWORD)
              for name, role in (("Mo", "manager"), ("Nia", "manager"), ("Ada", "admin"),
                                 ("Vi", "viewer"))}
    corp = gen_register("CORP", level="corporate")
    corp.owner = people["Mo"]
    directorate = gen_register("DIR", parent=corp)
    directorate.escalate_at = 15
    db.session.commit()
    high = gen_risk(directorate, people["Mo"], 4, 4, title="Care market failure")
    medium = gen_risk(directorate, people["Mo"], 3, 4, title="Payroll outage")
    closed = gen_risk(directorate, people["Mo"], 4, 5, title="Closed long ago")
    closed.status = "closed"
    db.session.commit()
    return SimpleNamespace(corp=corp, directorate=directorate, high=high, medium=medium,
                           closed=closed, **people)


def _client(app, name):
    client = app.test_client()
    signed_in = client.post("/login", data={"email": f"{name.lower()}@example.gov.uk",
                                            "password": PASSWORD})
    assert signed_in.status_code == 302
    return client


def _history(entity, entity_id, field):
    return [(h.old_value, h.new_value, h.reason, h.actor) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == entity,
                                   HistoryEntry.entity_id == entity_id,
                                   HistoryEntry.field == field).order_by(HistoryEntry.id))]


# --- the threshold ----------------------------------------------------------------------


def _save(register, by=None, **changes):
    values = {"code": register.code, "name": register.name, "level": register.level,
              "parent": register.parent, "matrix": register.matrix_definition,
              "owner": register.owner, "escalate_at": register.escalate_at} | changes
    return save_register(by, register, **values)


def test_a_threshold_is_refused_without_a_parent_or_outside_the_matrix(world):
    with pytest.raises(ValidationError, match="no parent register") as refused:
        _save(world.corp, escalate_at=15)
    assert refused.value.field == "escalate_at"
    for score in (0, 26, -3):
        with pytest.raises(ValidationError, match="from 1 to 25 on the Council 5 x 5") as refused:
            _save(world.directorate, escalate_at=score)
        assert refused.value.field == "escalate_at"
    db.session.rollback()
    assert world.corp.escalate_at is None and world.directorate.escalate_at == 15


def test_a_threshold_change_is_in_the_history(world):
    _save(world.directorate, world.Ada, escalate_at=16)
    db.session.commit()
    assert _history("register", world.directorate.id, "escalate_at")[-1][:2] == ("15", "16")


def test_only_admins_set_a_threshold(world):
    with pytest.raises(PermissionDenied):
        _save(world.directorate, world.Mo, escalate_at=20)


# --- proposals ----------------------------------------------------------------------------


def test_open_risks_at_or_above_the_threshold_are_proposed_to_the_parent_manager(world):
    assert escalation.proposed(world.Mo) == [world.high]
    assert escalation.proposed(world.Ada) == [world.high]
    assert escalation.proposed(world.Nia) == []  # a manager, but CORP is not hers
    assert escalation.proposed(world.Vi) == []
    world.directorate.escalate_at = 12
    db.session.commit()
    assert escalation.proposed(world.Mo) == [world.high, world.medium]


def test_proposals_take_one_statement_however_many_risks(world):
    for n in range(5):
        gen_risk(world.directorate, world.Nia, 5, 5, title=f"Another high risk {n}")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expire_all()
        found = escalation.proposed(world.Mo)
        for risk in found:  # what the dashboard shows of each
            assert (risk.owner.name, risk.register.parent.code) != ("", "")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(found) == 6
    assert len([s for s in statements if "risks" in s]) == 1


def test_an_escalated_risk_is_not_proposed_nor_when_returned_until_its_score_changes(world):
    escalate(world.high, world.Mo, reason="Needs the corporate team")
    db.session.commit()
    assert escalation.proposed(world.Mo) == []
    de_escalate(world.high, world.Mo, reason="Back to the directorate")
    db.session.commit()
    assert world.high.register.code == "DIR" and escalation.proposed(world.Mo) == []
    record_review(world.high, world.Mo, REVIEWED, 4, 5)
    db.session.commit()
    assert escalation.proposed(world.Mo) == [world.high]


def test_a_declined_risk_is_proposed_again_only_when_its_score_changes(world):
    with pytest.raises(ValidationError, match="Enter why DIR0001 is not being escalated") as e:
        escalation.decline(world.high, world.Mo, world.high.version, "  ")
    assert e.value.field == "reason"
    escalation.decline(world.high, world.Mo, world.high.version, "The directorate has it in hand")
    db.session.commit()
    assert escalation.proposed(world.Mo) == []
    assert _history("risk", world.high.id, "escalation_declined_score") == [
        (None, "16", "The directorate has it in hand", "Mo Person")]
    with pytest.raises(ValidationError, match="not proposed for escalation"):
        escalation.decline(world.high, world.Mo, world.high.version, "Again")
    # The same score again: still declined.
    record_review(world.high, world.Mo, REVIEWED, 4, 4)
    db.session.commit()
    assert escalation.proposed(world.Mo) == []
    # Down and back up: a new score each time, so it is proposed again.
    record_review(world.high, world.Mo, REVIEWED, 3, 5, "Back to Medium", lower_confirmed=True)
    record_review(world.high, world.Mo, REVIEWED, 4, 4, "High again")
    db.session.commit()
    assert escalation.proposed(world.Mo) == [world.high]


def test_declining_needs_a_manager(world):
    with pytest.raises(PermissionDenied):
        escalation.decline(world.high, world.Vi, world.high.version, "Not mine to decide")


# --- a reason for a band change -------------------------------------------------------------


def test_a_review_that_moves_the_risk_to_another_band_needs_a_comment(world):
    with pytest.raises(ValidationError, match="why the risk moves from Medium to High") as e:
        record_review(world.medium, world.Mo, REVIEWED, 4, 5)
    assert e.value.field == "comment"
    db.session.rollback()
    assert world.medium.score == 12
    record_review(world.medium, world.Mo, REVIEWED, 3, 5)  # 15: still Medium, no comment needed
    record_review(world.medium, world.Mo, REVIEWED, 4, 5, "The provider gave notice")
    db.session.commit()
    assert world.medium.score == 20


def test_the_review_form_asks_for_the_comment_on_a_band_change(app, world):
    client = _client(app, "Mo")
    answer = client.post(f"/risks/{world.medium.reference}/review", data={
        "version": world.medium.version, "reviewed_on": ["2", "3", "2026"], "likelihood": "4",
        "impact": "5", "comment": ""})
    assert answer.status_code == 400
    assert error_messages(answer) == ["Enter a comment saying why the risk moves from Medium to"
                                      " High"]
    assert '<a href="#comment">' in answer.get_data(as_text=True)
    assert world.medium.score == 12


# --- the web pages ----------------------------------------------------------------------------


def test_the_admin_form_sets_and_refuses_a_threshold(app, world):
    client = _client(app, "Ada")
    form = {"code": "DIR", "name": "DIR register", "level": "directorate",
            "parent": str(world.corp.id), "matrix": str(world.directorate.matrix_id),
            "owner": "", "escalate_at": "16"}
    page = client.get(f"/admin/registers/{world.directorate.id}").get_data(as_text=True)
    assert 'name="escalate_at"' in page and 'value="15"' in page
    assert client.post(f"/admin/registers/{world.directorate.id}", data=form).status_code == 302
    assert world.directorate.escalate_at == 16
    refused = client.post(f"/admin/registers/{world.directorate.id}",
                          data=form | {"escalate_at": "30"})
    assert refused.status_code == 400
    assert error_messages(refused) == ["The escalation threshold must be a score from 1 to 25"
                                       " on the Council 5 x 5 matrix, not 30"]
    assert '<a href="#escalate_at">' in refused.get_data(as_text=True)
    top = client.post(f"/admin/registers/{world.corp.id}", data={
        "code": "CORP", "name": "CORP register", "level": "corporate", "parent": "",
        "matrix": str(world.corp.matrix_id), "owner": str(world.Mo.id), "escalate_at": "15"})
    assert top.status_code == 400 and "no parent register" in error_messages(top)[0]
    cleared = client.post(f"/admin/registers/{world.directorate.id}",
                          data=form | {"escalate_at": ""})
    assert cleared.status_code == 302 and world.directorate.escalate_at is None
    assert [h[:2] for h in _history("register", world.directorate.id, "escalate_at")][-2:] == [
        ("15", "16"), ("16", None)]


@pytest.mark.parametrize("name, shown", [("Mo", True), ("Ada", True), ("Nia", False),
                                         ("Vi", False)])
def test_the_dashboard_lists_proposals_for_the_parent_manager_only(app, world, name, shown):
    page = _client(app, name).get("/").get_data(as_text=True)
    assert ("Proposed for escalation (1)" in page) is shown
    assert (f'href="/risks/{world.high.reference}/decline"' in page) is shown
    assert (f'href="/risks/{world.high.reference}/escalate"' in page) is shown
    if shown:
        listed = page.split('id="proposed-table"')[1].split("</table>")[0]
        assert world.high.reference in listed and world.medium.reference not in listed


def test_accepting_is_the_ordinary_escalation(app, world):
    client = _client(app, "Mo")
    ref = world.high.reference
    taken = client.post(f"/risks/{ref}/escalate", data={"version": world.high.version,
                                                        "reason": "Corporate grip needed"})
    assert taken.status_code == 302
    assert world.high.register.code == "CORP" and world.high.status == "escalated"
    assert "Proposed for escalation" not in client.get("/").get_data(as_text=True)


def test_declining_asks_for_a_reason_and_keeps_it(app, world):
    client = _client(app, "Mo")
    ref = world.high.reference
    page = client.get(f"/risks/{ref}/decline").get_data(as_text=True)
    assert f"Decline escalating {ref} to the CORP register register?" in page
    refused = client.post(f"/risks/{ref}/decline", data={"version": world.high.version,
                                                         "reason": ""})
    assert refused.status_code == 400
    assert error_messages(refused) == [f"Enter why {ref} is not being escalated to CORP register"]
    taken = client.post(f"/risks/{ref}/decline", data={"version": world.high.version,
                                                       "reason": "In hand locally"})
    assert taken.status_code == 302
    assert world.high.escalation_declined_score == 16 and world.high.register.code == "DIR"
    assert "Proposed for escalation" not in client.get("/").get_data(as_text=True)
    shown = client.get(f"/risks/{ref}").get_data(as_text=True)
    assert "In hand locally" in shown and "Escalation declined at score" in shown


@pytest.mark.parametrize("step", ["decline", "escalate"])
def test_a_stale_accept_or_decline_is_a_conflict(app, world, step):
    client = _client(app, "Mo")
    ref, version = world.high.reference, world.high.version
    escalation.decline(world.high, world.Ada, version, "Decided at DMT")
    db.session.commit()
    stale = client.post(f"/risks/{ref}/{step}", data={"version": version, "reason": "Too"})
    assert stale.status_code == 409
    assert world.high.register.code == "DIR"
    assert _history("risk", world.high.id, "escalation_declined_score")[-1][2] == "Decided at DMT"


def test_a_viewer_cannot_decline(app, world):
    answer = _client(app, "Vi").post(f"/risks/{world.high.reference}/decline",
                                     data={"version": world.high.version, "reason": "No"})
    assert answer.status_code == 403
    assert world.high.escalation_declined_score is None


# --- the command line -------------------------------------------------------------------------


def test_the_cli_sets_clears_and_refuses_a_threshold(runner, world):
    set_ = runner.invoke(args=["registers", "edit", "DIR", "--escalate-at", "16"])
    assert set_.exit_code == 0, set_.stderr
    assert "escalating at 16" in set_.stdout
    db.session.expire_all()
    assert world.directorate.escalate_at == 16
    refused = runner.invoke(args=["registers", "edit", "CORP", "--escalate-at", "16"])
    assert refused.exit_code == 1 and "no parent register" in refused.stderr
    outside = runner.invoke(args=["registers", "edit", "DIR", "--escalate-at", "40"])
    assert outside.exit_code == 1 and "from 1 to 25" in outside.stderr
    cleared = runner.invoke(args=["registers", "edit", "DIR", "--no-escalate"])
    assert cleared.exit_code == 0, cleared.stderr
    db.session.expire_all()
    assert world.directorate.escalate_at is None
