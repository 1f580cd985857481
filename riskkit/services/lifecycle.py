"""Closing, reopening, escalating and de-escalating a risk, and its controls and
actions. Each takes the acting user, checks permission and the version counter,
and leaves its history through the session hook.

Closing and escalating a risk need a reason, and marking an action done a completion
note: the words are kept on the history rows of the change (audit.because), where the
committee changes table reads them. Every step can be undone by a manager: reopen,
return to the register it came from, set the action's status back on its edit page, or add
a removed control or action back from the history (`removed_item` fills the add form)."""

from __future__ import annotations

from datetime import date

from riskkit import permissions, vocab
from riskkit.audit import acting_as, because
from riskkit.errors import PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, Risk, User
from riskkit.models.base import clean_text
from riskkit.services import history
from riskkit.services.risks import check_version
from riskkit.services.teams import owners


def _words(text: str | None, required_message: str | None, field: str = "reason") -> str:
    """The reason or note given, cleaned; refused when blank and one is required."""
    text = clean_text(text, field)
    if required_message and not text:
        raise ValidationError(required_message, field=field)
    return text


def set_status(risk: Risk, status: str, by: User, expected_version: int | None = None,
               reason: str = "") -> None:
    """Close (with a reason) or reopen a risk (escalation has its own functions)."""
    permissions.require(by, "close_risk", risk)
    check_version(risk, expected_version, risk.reference)
    if status not in ("open", "closed"):
        raise ValidationError("A risk can only be closed or reopened here", field="status")
    if status == risk.status:
        raise ValidationError(f"{risk.reference} is already {status}", field="status")
    reason = _words(reason, "Enter why the risk is being closed" if status == "closed" else None)
    with acting_as(by), because(reason):
        risk.status = status
        db.session.flush()


def escalate(risk: Risk, by: User, expected_version: int | None = None,
             reason: str = "") -> None:
    """Move a risk up to its register's parent, saying why: one risk, one owner, one
    score; it keeps its reference and remembers where it came from."""
    permissions.require(by, "escalate_risk", risk)
    check_version(risk, expected_version, risk.reference)
    parent = risk.register.parent
    if parent is None:
        raise ValidationError(f"{risk.register.name} has no parent register to escalate to",
                              field="register")
    if risk.status == "closed":
        raise ValidationError("Reopen the risk before escalating it", field="status")
    reason = _words(reason, f"Enter why the risk is being escalated to {parent.name}")
    with acting_as(by), because(reason):
        if risk.origin_register_id is None:
            risk.origin_register_id = risk.register_id
        risk.register = parent
        risk.status = "escalated"
        db.session.flush()


def de_escalate(risk: Risk, by: User, expected_version: int | None = None,
                reason: str = "") -> None:
    """Send an escalated risk back to the register it came from (a reason is optional).
    Returning it is the parent's decision against escalation at this score, so the
    register's threshold does not propose it again until its score changes."""
    permissions.require(by, "escalate_risk", risk)
    check_version(risk, expected_version, risk.reference)
    if risk.origin_register is None:
        raise ValidationError(f"{risk.reference} was not escalated", field="register")
    with acting_as(by), because(_words(reason, None)):
        risk.register = risk.origin_register
        risk.origin_register_id = None
        risk.status = "open"
        risk.escalation_declined_score = risk.score
        db.session.flush()


def _require_may_save(by: User, risk: Risk, item: Control | Action | None, kind: str,
                      description: str, owner: User) -> None:
    """Adding a control or action, or changing what it is or who owns it, is for the
    risk's owner or a manager; its owner may change the rest (its progress)."""
    if item is None or permissions.can(by, "edit_controls", risk):
        permissions.require(by, "edit_controls", risk)
        return
    permissions.require(by, "update_item", item)
    if item.description != description or item.owner_id != owner.id:
        raise PermissionDenied(f"Only the owner of {risk.reference} or a manager can change"
                               f" what this {kind} is or who owns it")


def save_control(risk: Risk, by: User, control: Control | None, *, description: str,
                 owner: User, effectiveness: str, last_tested: date | None,
                 expected_version: int | None = None) -> Control:
    _require_may_save(by, risk, control, "control", description, owner)
    with acting_as(by):
        if control is None:
            control = Control(risk=risk)
            db.session.add(control)
        else:
            check_version(control, expected_version, "This control")
        control.description, control.owner = description, owner
        control.effectiveness = vocab.check(vocab.EFFECTIVENESS, effectiveness, "effectiveness")
        control.last_tested = last_tested
        db.session.flush()
    return control


def save_action(risk: Risk, by: User, action: Action | None, *, description: str,
                owner: User, target_date: date | None, status: str,
                completed_date: date | None = None, as_of: date,
                expected_version: int | None = None) -> Action:
    _require_may_save(by, risk, action, "action", description, owner)
    vocab.check(vocab.ACTION_STATUSES, status, "status")
    if status == "done":
        completed_date = completed_date or as_of
    else:
        completed_date = None
    with acting_as(by):
        if action is None:
            action = Action(risk=risk)
            db.session.add(action)
        else:
            check_version(action, expected_version, "This action")
        action.description, action.owner, action.target_date = description, owner, target_date
        action.status, action.completed_date = status, completed_date
        db.session.flush()
    return action


def mark_done(risk: Risk, by: User, action: Action, note: str, as_of: date,
              expected_version: int | None = None) -> Action:
    """Mark an action done today, with a note of what was done (kept in the history): for
    the risk's owner, a manager or the action's own owner."""
    _require_may_save(by, risk, action, "action", action.description, action.owner)
    check_version(action, expected_version, "This action")
    if not action.is_open:
        raise ValidationError("This action is already done", field="note")
    note = _words(note, "Enter a completion note: what was done", field="note")
    with because(note):
        return save_action(risk, by, action, description=action.description,
                           owner=action.owner, target_date=action.target_date, status="done",
                           as_of=as_of, expected_version=expected_version)


def remove(risk: Risk, by: User, item: Control | Action, expected_version: int | None) -> None:
    """Only the risk's owner or a manager removes a control or action, not its owner."""
    permissions.require(by, "edit_controls", risk)
    check_version(item, expected_version, "This item")
    with acting_as(by):
        db.session.delete(item)
        db.session.flush()



def removed_item(risk: Risk, by: User, kind: str, item_id: int) -> dict:
    """A control or action removed from this risk, as it was when removed: what the add form
    is filled with to put it back (an ordinary addition, made knowingly, with its own
    history). The owner is found by name among today's owners, if exactly one has it.
    None if this risk never had that item removed."""
    permissions.require(by, "edit_controls", risk)
    values = history.removed(risk.id, kind, item_id)
    if not values:
        return {}
    named = [o for o in owners() if o.name == values.get("owner")]
    item = {"description": values.get("description") or "",
            "owner": named[0] if len(named) == 1 else None}
    for field in ("last_tested", "target_date"):
        if values.get(field):
            item[field] = date.fromisoformat(values[field])
    for field, choices in (("effectiveness", vocab.EFFECTIVENESS),
                           ("status", vocab.ACTION_STATUSES)):
        if values.get(field) in dict(choices):
            item[field] = values[field]
    return item
