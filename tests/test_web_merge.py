"""A save that lost the race with another person's save: the conflict page (409) shows
their version beside yours field by field, takes into the form what only they changed,
keeps what only you changed, keeps yours where you both did, and carries the version now
stored, so that the next Save is a deliberate merge and never reverts their change."""

import html
import json
import re
from datetime import date
from types import SimpleNamespace

import pytest

from riskkit.extensions import db
from riskkit.models import Action, Control
from riskkit.services.reviews import record_review
from tests.factories import gen_event, gen_lesson, gen_plan, gen_register, gen_risk, gen_user


@pytest.fixture
def world(app):
    admin = gen_user("Ada Admin", role="admin")
    risk = gen_risk(gen_register("PAY"), owner=admin)
    control = Control(risk=risk, description="Backup payroll run", owner=admin)
    action = Action(risk=risk, description="Test the backup run", owner=admin, status="planned")
    db.session.add_all([control, action])
    db.session.commit()
    event = gen_event(risks=[risk])
    return SimpleNamespace(admin=admin, risk=risk, control=control, action=action, event=event,
                           lesson=gen_lesson(event, owner=admin), plan=gen_plan(owner=admin))


@pytest.fixture
def ada(login, world):
    return login(world.admin)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no hidden {name} on the page"
    return html.unescape(match.group(1))


def as_posted(values: dict) -> dict:
    """A form's original values (JSON) as the browser would post them back."""
    data = {}
    for name, value in values.items():
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            year, month, day = value.split("-")
            data[name] = [str(int(day)), str(int(month)), year]
        elif value in ("yes", "no"):  # a tick box is posted only when ticked
            if value == "yes":
                data[name] = "y"
        else:
            data[name] = value
    return data


def opened(client, path: str) -> dict:
    """What a browser posts back from the form as it was opened, unchanged."""
    page = client.get(path).get_data(as_text=True)
    original = hidden(page, "original")
    return as_posted(json.loads(original)) | {
        "version": hidden(page, "version"), "opened_at": hidden(page, "opened_at"),
        "original": original}


def shows_in_form(page: str, value: str) -> bool:
    value = re.escape(html.escape(value, quote=True))
    return bool(re.search(rf'value="{value}"|>\s*{value}\s*</textarea>', page))


#: form: (its path, the record, a field they change and its value, a field you change,
#: your value as posted and as stored)
FORMS = {
    "risk": (lambda w: f"/risks/{w.risk.reference}/edit", "risk", "title",
             "Payroll supplier fails", "category", "Finance", "Finance"),
    "control": (lambda w: f"/risks/{w.risk.reference}/controls/{w.control.id}", "control",
                "description", "Backup payroll run, fortnightly", "effectiveness", "effective",
                "effective"),
    "action": (lambda w: f"/risks/{w.risk.reference}/actions/{w.action.id}", "action",
               "description", "Test the backup run twice a year", "status", "in_progress",
               "in_progress"),
    "exercise": (lambda w: f"/exercises/{w.event.id}/edit", "event", "name", "Exercise Ash",
                 "participants", "Payroll team", "Payroll team"),
    "lesson": (lambda w: f"/lessons/{w.lesson.id}/edit", "lesson", "statement",
               "Contacts were a year old", "recommendation", "Check contacts quarterly",
               "Check contacts quarterly"),
    "plan": (lambda w: f"/plans/{w.plan.id}/edit", "plan", "service", "Payroll and pensions",
             "last_reviewed", ["1", "3", "2026"], date(2026, 3, 1)),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_stale_save_takes_their_change_keeps_yours_and_saves_both_next_time(
        ada, world, name):
    path, whose, their_field, theirs, your_field, yours, stored = FORMS[name]
    record = getattr(world, whose)
    form = opened(ada, path(world))
    # Someone else saves a change to another field meanwhile.
    setattr(record, their_field, theirs)
    db.session.commit()

    conflict = ada.post(path(world), data=form | {your_field: yours})
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert "Someone else changed this while you were editing" in page
    assert "Their version and yours" in page
    assert "Theirs: only they changed it" in page and "Yours: only you changed it" in page
    assert shows_in_form(page, theirs), "their change is in the form, not reverted"
    assert hidden(page, "version") == str(record.version)
    assert getattr(record, your_field) != stored  # nothing of yours saved yet

    # Saving the form as the conflict page left it keeps both changes.
    again = as_posted(json.loads(hidden(page, "original"))) | {
        "version": hidden(page, "version"), "opened_at": hidden(page, "opened_at"),
        "original": hidden(page, "original"), your_field: yours}
    assert ada.post(path(world), data=again).status_code == 302
    assert (getattr(record, their_field), getattr(record, your_field)) == (theirs, stored)


def test_a_field_you_both_changed_keeps_yours_beside_theirs_and_links_to_it(ada, world):
    path = f"/risks/{world.risk.reference}/edit"
    form = opened(ada, path)
    world.risk.title = "Payroll supplier fails"
    db.session.commit()

    conflict = ada.post(path, data=form | {"title": "Payroll system unavailable"})
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert '<a href="#title">Risk title: you both changed it.' in page
    assert re.search(r"Risk title</th>\s*<td[^>]*>Payroll supplier fails</td>\s*"
                     r"<td[^>]*>Payroll system unavailable</td>", page)
    assert shows_in_form(page, "Payroll system unavailable")
    # Saving again is the deliberate choice: theirs is overwritten knowingly.
    assert ada.post(path, data=form | {"title": "Payroll system unavailable",
                                       "version": hidden(page, "version"),
                                       "original": hidden(page, "original")}).status_code == 302
    assert world.risk.title == "Payroll system unavailable"


def test_without_the_original_values_no_difference_is_settled_silently(ada, world):
    """A form posted without the values it was opened with (an old tab): every field that
    differs from theirs is a clash, kept as typed and shown, never taken or dropped."""
    path = f"/risks/{world.risk.reference}/edit"
    form = opened(ada, path)
    world.risk.title = "Payroll supplier fails"
    db.session.commit()
    page = ada.post(path, data=form | {"original": ""}).get_data(as_text=True)
    assert "Risk title: you both changed it" in page
    assert shows_in_form(page, "Loss of the payroll system")


def test_a_review_opened_before_another_review_takes_the_score_it_recorded(ada, world):
    path = f"/risks/{world.risk.reference}/review"
    form = opened(ada, path)
    record_review(world.risk, world.admin, date(2026, 3, 2), 4, 4, "Supplier in administration")
    db.session.commit()

    post = form | {"reviewed_on": ["3", "3", "2026"], "comment": "Reviewed at DMT",
                   "next_review_date": ["", "", ""]}
    conflict = ada.post(path, data=post)
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert re.search(r'<option value="4" selected>4', page), "their likelihood is in the form"
    assert "Theirs: only they changed it" in page
