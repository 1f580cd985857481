"""Risk acceptance: a risk above its appetite is accepted only when its owner asks and
someone else with the right approves (a manager of its register, or a manager recording
the DMT's decision with the meeting date); the risk is due for review by the expiry; a
review moving its score up a band voids the acceptance. Through the web and the CLI."""

from datetime import date

import pytest
from sqlalchemy import select

from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import Acceptance, HistoryEntry
from riskkit.services import acceptance, appetite
from riskkit.services.reviews import record_review
from riskkit.web.params import today
from tests.factories import gen_acceptance, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages

ASKED = date(2026, 2, 1)


@pytest.fixture
def world(app):
    """AH (managed by Mo) with a Financial risk of Olu's at 12 (Medium), above the
    Financial appetite of 8; Nia is a manager who does not manage AH."""
    people = {name: gen_user(f"{name} Person", role) for name, role in (
        ("Olu", "owner"), ("Mo", "manager"), ("Nia", "manager"), ("Vi", "viewer"))}
    register = gen_register("AH", owner=people["Mo"])
    appetite.save_appetite(None, None, category="Financial", max_score=8)
    risk = gen_risk(register, people["Olu"], 3, 4, category="Financial", as_of=ASKED)
    return people, risk


def _day(when: date) -> list[str]:
    return [str(when.day), str(when.month), str(when.year)]


def test_owner_asks_and_the_register_manager_approves_on_the_web(world, login):
    people, risk = world
    owner = login(people["Olu"])
    assert 'id="ask-acceptance"' in owner.get(f"/risks/{risk.reference}").get_data(as_text=True)
    expiry = date(today().year + 1, 3, 31)
    asked = owner.post(f"/risks/{risk.reference}/accept", data={
        "version": risk.version, "rationale": "Treating it costs more than it saves",
        "expires_on": _day(expiry)})
    assert asked.status_code == 302, error_messages(asked)
    row = db.session.scalar(select(Acceptance))
    assert (row.status, row.requested_by, row.score) == ("requested", people["Olu"], 12)
    # The owner cannot approve their own request.
    assert owner.post(f"/acceptances/{row.id}/decide", data={
        "version": row.version, "decision": "approve"}).status_code == 403
    manager = login(people["Mo"])
    waiting = manager.get("/accepted").get_data(as_text=True)
    assert f"/acceptances/{row.id}/decide" in waiting
    decided = manager.post(f"/acceptances/{row.id}/decide", data={
        "version": row.version, "decision": "approve"})
    assert decided.status_code == 302, error_messages(decided)
    db.session.expire_all()
    assert (row.status, row.decided_by, row.decided_on) == ("approved", people["Mo"], today())
    page = manager.get("/accepted").get_data(as_text=True)
    assert risk.reference in page and expiry.strftime("%d/%m/%Y") in page
    assert "Accepted above appetite until" in manager.get(f"/risks/{risk.reference}").get_data(
        as_text=True)


def test_a_risk_within_appetite_has_nothing_to_accept(world, login):
    people, _ = world
    within = gen_risk(world[1].register, people["Olu"], 2, 2, category="Financial",
                      title="Small overspend")
    response = login(people["Olu"]).post(f"/risks/{within.reference}/accept", data={
        "version": within.version, "rationale": "Small", "expires_on": _day(date(2099, 1, 1))})
    assert response.status_code == 400
    assert error_messages(response) == [
        f"{within.reference} is not above the risk appetite for its category (score 4,"
        " appetite 8): there is nothing to accept"]
    assert db.session.scalar(select(Acceptance)) is None


def test_a_manager_of_another_register_records_the_dmt_meeting(world, login):
    people, risk = world
    row = gen_acceptance(risk, expires_on=date(2099, 1, 1), as_of=today())
    nia = login(people["Nia"])
    refused = nia.post(f"/acceptances/{row.id}/decide", data={
        "version": row.version, "decision": "approve"})
    assert refused.status_code == 400
    assert error_messages(refused) == [
        "You do not manage the AH register register: enter the date of the DMT meeting that"
        " took the decision"]
    db.session.expire_all()
    assert row.status == "requested"
    meeting = date(2026, 11, 3)
    decided = nia.post(f"/acceptances/{row.id}/decide", data={
        "version": row.version, "decision": "approve", "dmt_meeting_on": _day(meeting)})
    assert decided.status_code == 302, error_messages(decided)
    db.session.expire_all()
    assert (row.status, row.decided_by, row.dmt_meeting_on) == ("approved", people["Nia"], meeting)


def test_a_stale_decision_is_a_conflict(world, login):
    people, risk = world
    row = gen_acceptance(risk, expires_on=date(2099, 1, 1), as_of=today())
    response = login(people["Mo"]).post(f"/acceptances/{row.id}/decide", data={
        "version": row.version + 1, "decision": "approve"})
    assert response.status_code == 409
    db.session.expire_all()
    assert row.status == "requested"


def test_declining_needs_a_reason(world):
    people, risk = world
    row = gen_acceptance(risk)
    with pytest.raises(ValidationError, match="Enter why the acceptance is declined"):
        acceptance.decide(row, people["Mo"], ASKED, approve=False)
    acceptance.decide(row, people["Mo"], ASKED, approve=False, note="Treat it")
    assert row.status == "declined"


def test_the_risk_owner_cannot_approve_even_as_a_manager(world):
    people, risk = world
    risk.owner = people["Mo"]
    row = gen_acceptance(risk, requested_by=people["Nia"])
    with pytest.raises(PermissionDenied):
        acceptance.decide(row, people["Mo"], ASKED, approve=True)


def test_approval_brings_the_review_forward_to_the_expiry_and_then_it_is_due(world, runner):
    people, risk = world
    expiry = date(2026, 3, 31)  # before the review its band schedules (every 6 months)
    gen_acceptance(risk, approver=people["Mo"], expires_on=expiry)
    assert risk.next_review_date == expiry
    # A review while the acceptance is in force schedules no later than the expiry.
    record_review(risk, people["Olu"], date(2026, 3, 1), 3, 4, "No change")
    assert risk.next_review_date == expiry
    in_force = runner.invoke(args=["risks", "accepted", "--as-of", "2026-03-31"])
    assert "in force" in in_force.output and risk.reference in in_force.output
    expired = runner.invoke(args=["risks", "accepted", "--as-of", "2026-04-01",
                                  "--format", "json"])
    assert '"state": "expired"' in expired.output
    # Past the expiry it is due: today (the data is recorded today, so a report as of a
    # past day would not hold it yet).
    assert risk.reference in runner.invoke(args=["overdue"]).output


def test_a_score_moving_up_a_band_voids_the_acceptance(world):
    people, risk = world
    row = gen_acceptance(risk, approver=people["Mo"])
    record_review(risk, people["Olu"], date(2026, 3, 1), 3, 5, "Within Medium: still 15")
    assert row.status == "approved"
    record_review(risk, people["Olu"], date(2026, 4, 1), 4, 5, "Contract lost")
    db.session.commit()
    assert (row.status, row.voided_on) == ("void", date(2026, 4, 1))
    entry = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.entity == "acceptance", HistoryEntry.field == "status",
        HistoryEntry.new_value == "void")).one()
    assert entry.reason == ("Acceptance void: the score moved up from Medium to High, a"
                            " material change")
    assert entry.risk_id == risk.id
    assert acceptance.accepted(date(2026, 4, 2)) == []


def test_accept_and_approve_on_the_command_line(world, runner):
    people, risk = world
    nothing = runner.invoke(args=["risks", "approve", risk.reference, "--by", "Mo Person"])
    assert nothing.exit_code == 1 and "waiting for a decision" in nothing.output
    asked = runner.invoke(args=["risks", "accept", risk.reference, "--by", "Olu Person",
                                "--rationale", "Costs more to treat", "--expires", "2099-01-01"])
    assert asked.exit_code == 0, asked.output
    own = runner.invoke(args=["risks", "approve", risk.reference, "--by", "Olu Person"])
    assert own.exit_code == 1 and "Your role does not allow" in own.output
    approved = runner.invoke(args=["risks", "approve", risk.reference, "--by", "Mo Person"])
    assert approved.exit_code == 0, approved.output
    listed = runner.invoke(args=["risks", "accepted", "--format", "csv"])
    assert f"{risk.reference},Loss of the payroll system,Olu Person,12,2099-01-01,in force,Mo Person" \
        in listed.output
