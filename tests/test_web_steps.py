"""Closing, reopening, escalating, returning and removing, and marking an action done:
each is confirmed on a page of its own; closing and escalating ask for a reason and
marking done for a completion note, which go into the history; a refusal is shown on
that page (never in the green banner); a manager undoes each through the ordinary pages."""

import ast
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import Action, Control, HistoryEntry
from tests.factories import gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages


@pytest.fixture
def world(app):
    manager = gen_user("Mo Manager", role="manager")
    viewer = gen_user("Vi Viewer", role="viewer")
    parent = gen_register("CRR", level="corporate")
    risk = gen_risk(gen_register("PAY", parent=parent), owner=manager)
    control = Control(risk=risk, description="Backup payroll run", owner=manager)
    action = Action(risk=risk, description="Test the backup run", owner=manager, status="planned")
    db.session.add_all([control, action])
    db.session.commit()
    return SimpleNamespace(manager=manager, viewer=viewer, risk=risk, control=control,
                           action=action)


@pytest.fixture
def manager(login, world):
    return login(world.manager)


def _reasons(entity: str, entity_id: int) -> list[tuple[str, str | None, str | None]]:
    return [(h.field, h.new_value, h.reason) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == entity,
                                   HistoryEntry.entity_id == entity_id,
                                   HistoryEntry.change == "update").order_by(HistoryEntry.id))]


def test_the_risk_page_links_to_each_confirmation_page_and_changes_nothing_by_itself(
        manager, world):
    ref = world.risk.reference
    page = manager.get(f"/risks/{ref}").get_data(as_text=True)
    for path in (f"/risks/{ref}/close", f"/risks/{ref}/escalate",
                 f"/risks/{ref}/controls/{world.control.id}/remove",
                 f"/risks/{ref}/actions/{world.action.id}/done",
                 f"/risks/{ref}/actions/{world.action.id}/remove"):
        assert f'href="{path}"' in page
        confirm = manager.get(path)
        assert confirm.status_code == 200, path
        assert 'name="version"' in confirm.get_data(as_text=True)
    assert world.risk.status == "open" and world.risk.register.code == "PAY"
    assert world.action.status == "planned"
    assert "<form" not in page.split('id="controls"', 1)[1].split('id="exercises"', 1)[0]


@pytest.mark.parametrize("step, message", [
    ("close", "Enter why the risk is being closed"),
    ("escalate", "Enter why the risk is being escalated to CRR register"),
])
def test_closing_and_escalating_need_a_reason_which_the_history_keeps(
        manager, world, step, message):
    ref, version = world.risk.reference, world.risk.version
    refused = manager.post(f"/risks/{ref}/{step}", data={"version": version, "reason": "  "})
    assert refused.status_code == 400
    assert error_messages(refused) == [message]
    assert '<a href="#reason">' in refused.get_data(as_text=True)
    assert "govuk-notification-banner" not in refused.get_data(as_text=True)
    assert world.risk.version == version

    done = manager.post(f"/risks/{ref}/{step}", data={"version": version,
                                                       "reason": "Payroll moved to the county"})
    assert done.status_code == 302 and done.location == f"/risks/{ref}"
    status = "closed" if step == "close" else "escalated"
    assert ("status", status, "Payroll moved to the county") in _reasons("risk", world.risk.id)
    shown = manager.get(f"/risks/{ref}").get_data(as_text=True)
    assert "govuk-notification-banner--success" in shown
    assert (f"{ref} closed." if step == "close"
            else f"{ref} escalated to the CRR register register.") in shown
    assert "Reason: Payroll moved to the county" in shown  # in the change history


def test_a_stale_step_is_a_conflict_on_its_page_not_a_green_banner(manager, world):
    ref, version = world.risk.reference, world.risk.version
    world.risk.title = "Payroll supplier fails"
    db.session.commit()
    stale = manager.post(f"/risks/{ref}/close", data={"version": version, "reason": "Gone"})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else changed this while you were editing" in page
    assert "govuk-notification-banner" not in page
    assert hidden_version(page) == str(world.risk.version)
    assert world.risk.status == "open"


def hidden_version(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def test_marking_done_needs_a_completion_note_and_a_manager_can_set_it_back(manager, world):
    ref, action = world.risk.reference, world.action
    path = f"/risks/{ref}/actions/{action.id}/done"
    refused = manager.post(path, data={"version": action.version})
    assert refused.status_code == 400
    assert error_messages(refused) == ["Enter a completion note: what was done"]
    assert manager.post(path, data={"version": action.version,
                                    "reason": "Restored a month's payroll in 2 hours"}
                        ).status_code == 302
    assert action.status == "done"
    assert ("status", "done", "Restored a month's payroll in 2 hours") in _reasons(
        "action", action.id)
    # Undo through the ordinary edit page.
    undo = manager.post(f"/risks/{ref}/actions/{action.id}", data={
        "description": action.description, "owner": str(world.manager.id),
        "target_date": ["", "", ""], "status": "in_progress", "version": action.version})
    assert undo.status_code == 302
    assert (action.status, action.completed_date) == ("in_progress", None)


def test_escalation_and_closing_are_undone_by_return_and_reopen(manager, world):
    risk, ref = world.risk, world.risk.reference
    assert manager.post(f"/risks/{ref}/escalate", data={
        "version": risk.version, "reason": "County-wide"}).status_code == 302
    assert manager.get(f"/risks/{ref}/de_escalate").status_code == 200
    assert manager.post(f"/risks/{ref}/de_escalate", data={"version": risk.version}
                        ).status_code == 302
    assert (risk.register.code, risk.status) == ("PAY", "open")
    assert manager.post(f"/risks/{ref}/close", data={
        "version": risk.version, "reason": "Outsourced"}).status_code == 302
    assert manager.post(f"/risks/{ref}/reopen", data={"version": risk.version}
                        ).status_code == 302
    assert risk.status == "open"


def test_removing_is_confirmed_and_keeps_the_history(manager, world):
    ref, control_id = world.risk.reference, world.control.id
    page = manager.get(f"/risks/{ref}/controls/{control_id}/remove").get_data(as_text=True)
    assert "Remove this control from" in page and "Backup payroll run" in page
    assert 'name="reason"' not in page
    assert manager.post(f"/risks/{ref}/controls/{control_id}/remove",
                        data={"version": world.control.version}).status_code == 302
    assert db.session.get(Control, control_id) is None
    assert db.session.scalar(select(HistoryEntry.id).where(
        HistoryEntry.entity == "control", HistoryEntry.entity_id == control_id,
        HistoryEntry.change == "delete").limit(1)) is not None


def test_a_removed_action_is_added_back_from_the_history(manager, world):
    """Removing is undone through the ordinary add page, filled from the history."""
    ref, action = world.risk.reference, world.action
    owner = gen_user("Ola Owner", role="viewer")
    action.owner = owner
    action.target_date = date(2027, 3, 31)
    action.status = "in_progress"
    db.session.commit()
    action_id = action.id
    manager.post(f"/risks/{ref}/actions/{action_id}/remove", data={"version": action.version})
    history = manager.get(f"/risks/{ref}/history").get_data(as_text=True)
    link = f"/risks/{ref}/actions/new?restore={action_id}"
    assert f'href="{link}"' in history and "Add this action back" in history

    form = manager.get(link).get_data(as_text=True)
    assert "Test the backup run</textarea>" in form
    assert re.search(r'name="target_date" type="text"[^>]*value="31"', form)
    assert f'<option value="{owner.id}" selected>Ola Owner' in form
    assert "<title>Add an action" in form
    assert re.search(r'value="in_progress" checked|checked[^>]*value="in_progress"', form)

    saved = manager.post(f"/risks/{ref}/actions/new", data={
        "description": "Test the backup run", "owner": owner.id,
        "target_date": ["31", "3", "2027"], "status": "in_progress"})
    assert saved.status_code == 302
    back = db.session.scalar(select(Action).where(Action.risk_id == world.risk.id))
    assert (back.description, back.owner, back.status, back.target_date) == (
        "Test the backup run", owner, "in_progress", date(2027, 3, 31))


def test_only_a_removed_item_of_this_risk_can_be_added_back(login, manager, world):
    ref, control_id = world.risk.reference, world.control.id
    assert manager.get(f"/risks/{ref}/actions/new?restore={world.action.id}").status_code == 404
    assert manager.get(f"/risks/{ref}/controls/new?restore=99999999999999").status_code == 400
    other = gen_risk(gen_register("HR"), owner=world.manager)
    db.session.commit()
    manager.post(f"/risks/{ref}/controls/{control_id}/remove",
                 data={"version": world.control.version})
    assert manager.get(f"/risks/{ref}/controls/new?restore={control_id}").status_code == 200
    assert manager.get(f"/risks/{other.reference}/controls/new?restore={control_id}"
                       ).status_code == 404
    viewer = login(world.viewer)
    assert viewer.get(f"/risks/{ref}/controls/new?restore={control_id}").status_code == 403
    assert "Add this control back" not in viewer.get(f"/risks/{ref}/history").get_data(
        as_text=True)


def test_a_step_with_nothing_to_do_is_not_offered(manager, world):
    assert manager.get(f"/risks/{world.risk.reference}/de_escalate").status_code == 404


def test_a_step_the_service_refuses_is_shown_on_its_page(manager, world):
    ref = world.risk.reference
    assert manager.post(f"/risks/{ref}/close", data={
        "version": world.risk.version, "reason": "Outsourced"}).status_code == 302
    manager.get(f"/risks/{ref}")  # where the redirect leads, showing its banner
    again = manager.post(f"/risks/{ref}/close", data={
        "version": world.risk.version, "reason": "Outsourced"})
    page = again.get_data(as_text=True)
    assert again.status_code == 400
    assert f'<a href="#submit">{ref} is already closed</a>' in page
    assert "<title>Error: " in page
    assert "govuk-notification-banner" not in page


@pytest.mark.parametrize("step", ["close", "escalate", "reopen", "de_escalate"])
def test_a_viewer_cannot_open_a_confirmation_page(login, world, step):
    viewer = login(world.viewer)
    assert viewer.get(f"/risks/{world.risk.reference}/{step}").status_code == 403


# --- flash categories --------------------------------------------------------------------

WEB = Path(__file__).resolve().parents[1] / "riskkit" / "web"
CATEGORIES = {"success", "info"}


def test_every_flash_says_whether_it_is_a_success_or_information():
    """Green is for a change saved; refusals are shown with their form, never flashed."""
    found = []
    for path in sorted(WEB.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "flash":
                category = node.args[1] if len(node.args) > 1 else None
                assert isinstance(category, ast.Constant) and category.value in CATEGORIES, (
                    f"{path.name}:{node.lineno} flash without a category, or not one of"
                    f" {sorted(CATEGORIES)}")
                found.append(category.value)
    assert set(found) == CATEGORIES


def test_each_category_has_its_own_banner(manager, world):
    ref = world.risk.reference
    edit = manager.get(f"/risks/{ref}/edit").get_data(as_text=True)
    version = hidden_version(edit)
    form = {"title": world.risk.title, "description": "", "cause": "", "consequence": "",
            "category": "", "owner": str(world.manager.id), "target_likelihood": "3",
            "target_impact": "4", "target_date": ["", "", ""], "inherent_likelihood": "",
            "inherent_impact": "", "response": "treat", "version": version}
    # Saving the form as it was: information, in the neutral banner.
    assert manager.post(f"/risks/{ref}/edit", data=form).status_code == 302
    neutral = manager.get(f"/risks/{ref}").get_data(as_text=True)
    assert "Nothing had changed on" in neutral
    assert 'class="govuk-notification-banner"' in neutral
    assert "govuk-notification-banner--success" not in neutral
    # A change saved: success, green, announced and focused.
    assert manager.post(f"/risks/{ref}/edit", data=form | {"category": "Finance"}
                        ).status_code == 302
    success = manager.get(f"/risks/{ref}").get_data(as_text=True)
    banner = success.split("govuk-notification-banner--success", 1)[1].split(">", 1)[0]
    assert 'role="alert"' in banner and 'data-module="govuk-notification-banner"' in banner
    assert "Saved " + ref + ": category." in success


def test_after_saving_a_control_or_action_the_page_opens_at_the_banner(manager, world):
    """No fragment in the redirect: the page does not jump past its confirmation."""
    ref = world.risk.reference
    saved = manager.post(f"/risks/{ref}/controls/{world.control.id}", data={
        "description": "Backup payroll run, weekly", "owner": str(world.manager.id),
        "effectiveness": "effective", "last_tested": ["", "", ""],
        "version": world.control.version})
    assert saved.status_code == 302 and saved.location == f"/risks/{ref}"
    saved = manager.post(f"/risks/{ref}/actions/new", data={
        "description": "Run a payroll from the backup", "owner": str(world.manager.id),
        "target_date": ["", "", ""], "status": "planned", "version": ""})
    assert saved.status_code == 302 and saved.location == f"/risks/{ref}"


def test_no_redirect_after_a_save_jumps_past_its_banner():
    """The confirmation banner is at the top of the page: a fragment would scroll it away."""
    jumps = [f"{path.name}:{node.lineno}" for path in sorted(WEB.glob("*.py"))
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "url_for"
             and any(keyword.arg == "_anchor" for keyword in node.keywords)]
    assert not jumps, f"redirects with a fragment: {jumps}"
