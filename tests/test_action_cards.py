"""Action cards: roles and holders, the card each holder sees at the declared level,
steps marked done (history and decision log), and the email of a new level's steps."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from riskkit import clock
from riskkit.errors import Conflict, NotFound, PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import DecisionLogEntry, HistoryEntry
from riskkit.reports.card_mail import card_message
from riskkit.services import action_cards, decision_log
from riskkit.services.levels import current_declaration, get_scheme
from tests.factories import gen_area, gen_person, gen_user
from tests.indicator_helpers import declare

CARDS = {"scheme": "opel", "roles": [
    {"name": "Service Manager", "holders": ["Sam Service"],
     "levels": {1: ["Business as usual"], 2: ["Represent KCC at conference calls."],
                3: {"continue": [2], "steps": ["Redeploy staff across the Area."]}}},
    {"name": "Director", "holders": ["Dee Director", "Sam Service"],
     "levels": {1: ["Business as usual"], 3: ["Discuss beds with health partners."]}},
]}
SENT_AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


@pytest.fixture
def people(app):
    sam, dee = gen_user("Sam Service", "owner"), gen_user("Dee Director", "owner")
    action_cards.load_cards(CARDS)
    db.session.commit()
    return sam, dee


def test_loading_cards_adds_roles_steps_and_holders_once(people):
    roles = action_cards.list_roles(get_scheme("opel"))
    assert [r.name for r in roles] == ["Director", "Service Manager"]
    manager = roles[1]
    assert [h.name for h in manager.holders] == ["Sam Service"]
    assert [(s.level.rank, s.position, s.text) for s in manager.steps] == [
        (1, 1, "Business as usual"), (2, 1, "Represent KCC at conference calls."),
        (3, 1, "Represent KCC at conference calls."), (3, 2, "Redeploy staff across the Area.")]
    assert action_cards.load_cards(CARDS) == {}  # a second load adds nothing


def test_loading_cards_naming_someone_unknown_adds_nothing(app):
    with pytest.raises(NotFound, match="No person called 'Sam Service'"):
        action_cards.load_cards(CARDS)
    db.session.rollback()
    assert action_cards.list_roles() == []


def test_holders_see_their_cards_at_the_declared_level_and_others_none(people):
    sam, dee = people
    outsider = gen_user("Olly Outsider", "owner")
    assert action_cards.cards_for(sam) == []  # nothing declared yet
    declare(3)
    cards = {c.role.name: c for c in action_cards.cards_for(sam)}
    assert [line.step.text for line in cards["Service Manager"].lines] == [
        "Represent KCC at conference calls.", "Redeploy staff across the Area."]
    assert [line.step.text for line in cards["Director"].lines] == ["Discuss beds with health partners."]
    assert [c.role.name for c in action_cards.cards_for(dee)] == ["Director"]
    assert action_cards.cards_for(outsider) == []
    declare(2)
    assert [line.step.text for c in action_cards.cards_for(sam) for line in c.lines] == [
        "Represent KCC at conference calls."]  # the Director has no OPEL 2 steps: an empty card
    assert [len(c.lines) for c in action_cards.cards_for(dee)] == [0]


def test_an_area_declaration_leaves_the_cards_at_the_organisations_level(people):
    sam, _ = people
    declare(2)
    declare(4, area=gen_area("Ashford patch"))
    assert {c.declaration.level.rank for c in action_cards.cards_for(sam)} == {2}


def test_marking_a_step_done_keeps_the_note_in_history_and_the_decision_log(people):
    sam, _ = people
    declaration = declare(3)
    step = action_cards.cards_for(sam)[1].lines[1].step
    with clock.frozen(SENT_AT):
        done = action_cards.mark_done(sam, declaration.id, step.id, "  Two staff moved from Dover.  ")
        db.session.commit()
    assert (done.person, done.note, clock.local(done.done_at)) == (sam, "Two staff moved from Dover.", SENT_AT)
    card = action_cards.cards_for(sam)[1]
    assert [line.done is not None for line in card.lines] == [False, True]
    assert [line.step.text for line in card.open] == ["Represent KCC at conference calls."]
    logged = db.session.scalars(select(DecisionLogEntry).where(DecisionLogEntry.kind == "step")).one()
    assert logged.text == ("Service Manager, OPEL 3 (Red): Redeploy staff across the Area. Done."
                           " Two staff moved from Dover.")
    assert (logged.author, logged.declaration, clock.local(logged.at)) == (sam, declaration, SENT_AT)
    history = db.session.scalars(select(HistoryEntry).where(HistoryEntry.entity == "step done")).all()
    assert {(h.field, h.new_value) for h in history} >= {("note", "Two staff moved from Dover."),
                                                        ("step_id", str(step.id))}
    assert {h.actor for h in history} == {"Sam Service"}


def test_a_step_cannot_be_marked_twice_by_a_stranger_or_after_the_level_changed(people):
    sam, dee = people
    declaration = declare(3)
    manager_card, director_card = action_cards.cards_for(sam)[1], action_cards.cards_for(dee)[0]
    step = manager_card.lines[0].step
    action_cards.mark_done(sam, declaration.id, step.id)
    db.session.commit()
    with pytest.raises(Conflict, match="Sam Service marked that step done already"):
        action_cards.mark_done(sam, declaration.id, step.id)
    with pytest.raises(PermissionDenied, match="Only a holder of Service Manager"):
        action_cards.mark_done(dee, declaration.id, manager_card.lines[1].step.id)
    boss = gen_user("Bo Boss", "manager")
    action_cards.mark_done(boss, declaration.id, director_card.lines[0].step.id, "For Dee, by phone")
    db.session.commit()
    declare(4, boss)
    with pytest.raises(Conflict, match="OPEL 3 \\(Red\\) is no longer the level in force"):
        action_cards.mark_done(sam, declaration.id, manager_card.lines[1].step.id)
    level_two = next(s for s in manager_card.role.steps if s.level.rank == 2)
    with pytest.raises(ValidationError, match="on the OPEL 2 \\(Amber\\) card"):
        action_cards.mark_done(sam, current_declaration(get_scheme(), None).id, level_two.id)
    with pytest.raises(NotFound):
        action_cards.mark_done(sam, declaration.id, 10**6)
    assert len(decision_log.entries(kind="step")) == 2


def test_holders_are_changed_with_history_and_a_stale_form_is_refused(people):
    sam, dee = people
    role = action_cards.get_role("service manager")
    admin = gen_user("Ada Admin", "admin")
    added, removed = action_cards.set_holders(admin, role, [dee], expected=[sam.id])
    db.session.commit()
    assert (added, removed, role.holders) == ([dee], [sam], [dee])
    row = db.session.scalars(select(HistoryEntry).where(HistoryEntry.entity == "response role",
                                                        HistoryEntry.field == "holders",
                                                        HistoryEntry.change == "update")).one()
    assert (row.old_value, row.new_value, row.actor) == ("Sam Service", "Dee Director", "Ada Admin")
    with pytest.raises(Conflict, match="changed by someone else"):
        action_cards.set_holders(admin, role, [sam], expected=[sam.id])
    with pytest.raises(PermissionDenied):
        action_cards.set_holders(sam, role, [sam])
    assert role.holders == [dee]


def test_a_new_levels_steps_are_emailed_to_each_holder_once(people):
    sam, dee = people
    gen_person("Nora Noemail")
    action_cards.set_holders(None, action_cards.get_role("Director"),
                             [dee, sam, db.session.scalar(select(type(sam)).where(type(sam).name == "Nora Noemail"))])
    declaration = declare(3, reason="Five triggers at Red")
    sent = []

    def render(digest):
        message = card_message(digest, action_cards.declared_words(declaration), "riskkit@example.gov.uk",
                               "https://risks.example.gov.uk", SENT_AT)
        sent.append(message)
        return message

    outcome = action_cards.mail_cards(declaration, {}, render, dry_run=True, echo=lambda _: None)
    assert outcome.sent == 2 and sorted(m["To"].addresses[0].addr_spec for m in sent) == [
        "dee.director@example.gov.uk", "sam.service@example.gov.uk"]
    assert outcome.undeliverable == ["Nora Noemail has no email address: 1 item not sent"]
    assert outcome.words() == ("Action cards emailed to 2 people. Not sent: Nora Noemail has no email"
                               " address: 1 item not sent.")
    to_sam = next(m for m in sent if "sam.service" in m["To"])
    assert to_sam["Subject"] == "OPEL 3 (Red) declared: your action card"
    body = to_sam.get_body(("plain",)).get_content()
    assert "OPEL 3 (Red) was declared for the whole organisation by Mo Manager" in body
    assert "Five triggers at Red" in body
    assert "Director\n--------\n1. Discuss beds with health partners." in body
    assert ("Service Manager\n---------------\n1. Represent KCC at conference calls.\n"
            "2. Redeploy staff across the Area.") in body
    assert "https://risks.example.gov.uk/#cards" in body
    html = to_sam.get_body(("html",)).get_content()
    assert "<li>Redeploy staff across the Area.</li>" in html


def test_decisions_are_logged_by_those_responding_and_read_back_by_day(people):
    sam, _ = people
    viewer = gen_user("Vic Viewer", "viewer")
    with clock.frozen(datetime(2026, 12, 5, 23, 50, tzinfo=UTC)):
        decision_log.record_decision(sam, "Open ten spot-purchase beds.")
    with clock.frozen(datetime(2026, 12, 6, 8, 0, tzinfo=UTC)):
        entry = decision_log.record_decision(sam, "Stand up the escalation call at 10:00.",
                                             area=gen_area("Dover patch"))
    db.session.commit()
    assert [e.text for e in decision_log.of_day(date(2026, 12, 6))] == ["Stand up the escalation call at 10:00."]
    assert [e.text for e in decision_log.entries(since=date(2026, 12, 5))] == [
        "Open ten spot-purchase beds.", "Stand up the escalation call at 10:00."]
    assert (entry.author, entry.kind, entry.area.name) == (sam, "decision", "Dover patch")
    with pytest.raises(PermissionDenied, match="Only managers, resilience leads and holders"):
        decision_log.record_decision(viewer, "Close the wards.")
    with pytest.raises(ValidationError, match="Enter a decision"):
        decision_log.record_decision(sam, "   ")
