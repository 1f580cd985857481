"""Risks at the model and service layer: references, validation, locking, history."""

from datetime import date

import pytest
from sqlalchemy import select

from riskkit.audit import acting_as
from riskkit.errors import Conflict, ValidationError
from riskkit.extensions import db
from riskkit.models import Control, HistoryEntry, Risk
from riskkit.services.risks import commit, get_risk, update_risk
from tests.factories import gen_person, gen_register, gen_risk


def test_references_are_per_register_and_never_reused(app):
    register = gen_register("FIN")
    owner = gen_person()
    first = gen_risk(register, owner)
    second = gen_risk(register, owner)
    assert (first.reference, second.reference) == ("FIN0001", "FIN0002")
    db.session.delete(second)
    db.session.commit()
    assert gen_risk(register, owner).reference == "FIN0003"
    assert gen_risk(gen_register("HR"), owner).reference == "HR0001"


def test_likelihood_outside_the_matrix_is_refused_at_the_model_layer(app):
    risk = gen_risk()
    risk.likelihood = 6  # bypassing every service and form
    with pytest.raises(ValidationError, match="Current likelihood must be a whole number from 1 to 5"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Risk, risk.id).likelihood == 3


def test_target_above_current_is_refused(app):
    with pytest.raises(ValidationError, match="target score \\(20\\) cannot be above"):
        gen_risk(likelihood=3, impact=4, target_likelihood=5, target_impact=4)


def test_empty_title_is_refused(app):
    with pytest.raises(ValidationError, match="Enter a title") as error:
        gen_risk(title="   ")
    assert error.value.field == "title"


def test_new_risk_is_due_for_review_after_its_band_interval(app):
    risk = gen_risk(likelihood=4, impact=4, as_of=date(2026, 1, 5))
    assert risk.next_review_date == date(2026, 4, 5)
    assert risk.version == 1


def test_current_score_cannot_be_edited_without_a_review(app):
    risk = gen_risk()
    with pytest.raises(ValidationError, match="record a review"):
        update_risk(risk, {"likelihood": 5}, by=None)


def test_stale_version_is_a_conflict_and_saves_nothing(app):
    risk = gen_risk()
    update_risk(risk, {"title": "First editor's title"}, by=None, expected_version=1)
    commit()
    with pytest.raises(Conflict, match="changed by someone else"):
        update_risk(risk, {"title": "Second editor's title"}, by=None, expected_version=1)
    db.session.rollback()
    assert get_risk(risk.reference).title == "First editor's title"


def test_concurrent_flush_is_a_conflict(app):
    """Two sessions both read version 1; the second to commit loses, with a message."""
    risk = gen_risk()
    other = db.session.session_factory()
    theirs = other.get(Risk, risk.id)
    theirs.title = "Changed in another session"
    other.commit()
    other.close()
    risk.title = "Changed here"
    with pytest.raises(Conflict, match="Someone else saved this record"):
        commit()
    assert get_risk(risk.reference).title == "Changed in another session"


def test_history_records_who_when_field_old_and_new(app):
    manager = gen_person("Mo Manager", role="manager")
    risk = gen_risk()
    update_risk(risk, {"title": "Payroll outage", "category": "Financial"}, by=manager)
    commit()
    entries = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.risk_id == risk.id, HistoryEntry.change == "update")).all()
    changes = {(e.field, e.old_value, e.new_value, e.actor, e.user_id) for e in entries}
    assert changes == {
        ("title", "Loss of the payroll system", "Payroll outage", "Mo Manager", manager.id),
        ("category", "", "Financial", "Mo Manager", manager.id),
    }
    assert all(e.at is not None for e in entries)


def test_history_of_creation_names_people_not_ids(app):
    owner = gen_person("Olu Owner")
    risk = gen_risk(owner=owner)
    created = {e.field: e.new_value for e in db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.risk_id == risk.id, HistoryEntry.entity == "risk"))}
    assert created["owner"] == "Olu Owner"
    assert created["register"] == "TST"
    assert created["likelihood"] == "3"


def test_control_changes_and_deletes_are_kept(app):
    risk = gen_risk()
    owner = risk.owner
    with acting_as(name="tester"):
        control = Control(risk=risk, description="Daily backups", owner=owner)
        db.session.add(control)
        db.session.commit()
        control.effectiveness = "effective"
        db.session.commit()
        db.session.delete(control)
        db.session.commit()
    entries = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.entity == "control").order_by(HistoryEntry.id)).all()
    assert {e.change for e in entries} == {"create", "update", "delete"}
    update = [e for e in entries if e.change == "update"]
    assert [(e.field, e.old_value, e.new_value) for e in update] == [
        ("effectiveness", "not_tested", "effective")]
    deleted = {e.field: e.old_value for e in entries if e.change == "delete"}
    assert deleted["description"] == "Daily backups"
    assert all(e.risk_id == risk.id and e.actor == "tester" for e in entries)
