"""Risk acceptance: tolerating a risk above its category's appetite is a decision, not a
field. The risk's owner asks, with a rationale and an expiry; someone else with the
right decides: a manager of the risk's register (its owner, in person or through a
team), an admin, or any manager recording a decision the DMT took as a body at a
meeting (whose date is kept). Approved, the risk is due for review by the expiry at the
latest; a material change (a review moving its score up a band) voids the acceptance,
and the history says so.

Each step takes the acting user, checks permission and the version counter, and leaves
its history through the session hook (riskkit.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from riskkit import permissions
from riskkit.audit import acting_as, because
from riskkit.errors import NotFound, PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import Acceptance, Register, Risk, User
from riskkit.models.base import clean_text
from riskkit.services.appetite import above, appetites
from riskkit.services.risks import LIVE, check_version

#: The acceptances still standing: asked for and not decided, or approved and not void.
STANDING = ("requested", "approved")


def standing(risk: Risk) -> Acceptance | None:
    """The risk's acceptance asked for or approved (there is at most one), or None."""
    return db.session.scalar(select(Acceptance).where(
        Acceptance.risk_id == risk.id, Acceptance.status.in_(STANDING))
        .order_by(Acceptance.id.desc()).limit(1))


def get_acceptance(acceptance_id: int) -> Acceptance:
    acceptance = db.session.get(Acceptance, acceptance_id)
    if acceptance is None:
        raise NotFound(f"No acceptance with id {acceptance_id}")
    return acceptance


def request(risk: Risk, by: User | None, as_of: date, *, rationale: str, expires_on: date | None,
            requested_by: User | None = None, expected_version: int | None = None) -> Acceptance:
    """Ask for a risk above appetite to be tolerated until `expires_on`, saying why. Its
    owner (or a manager on the owner's behalf) asks; the command line names who asked."""
    requested_by = requested_by or by
    if requested_by is None:
        raise ValidationError("Say who asks for the risk to be accepted", field="requested_by")
    permissions.require(requested_by, "edit_risk", risk)
    check_version(risk, expected_version, risk.reference)
    if risk.status not in LIVE:
        raise ValidationError(f"{risk.reference} is {risk.status}: only a live risk can be"
                              " accepted", field="status")
    limit, over = above(appetites(), risk.category, risk.score)
    if not over:
        raise ValidationError(
            f"{risk.reference} is not above the risk appetite for its category"
            + (f" (score {risk.score}, appetite {limit})" if limit is not None else
               f" ({risk.category or 'no category'} has no appetite set)")
            + ": there is nothing to accept", field="risk")
    if standing(risk) is not None:
        raise ValidationError(f"{risk.reference} already has an acceptance asked for or"
                              " approved", field="risk")
    rationale = clean_text(rationale, "rationale")
    if not rationale:
        raise ValidationError("Enter why the risk should be tolerated above appetite",
                              field="rationale")
    if expires_on is None:
        raise ValidationError("Enter the date the acceptance expires", field="expires_on")
    if expires_on <= as_of:
        raise ValidationError("The expiry must be after today", field="expires_on")
    with acting_as(by or requested_by):
        acceptance = Acceptance(risk=risk, status="requested", requested_by=requested_by,
                                requested_on=as_of, rationale=rationale, expires_on=expires_on,
                                score=risk.score, decision_note="")
        db.session.add(acceptance)
        db.session.flush()
    return acceptance


def may_decide(user: User | None, acceptance: Acceptance) -> bool:
    """Whether user may decide on the acceptance (the DMT-meeting condition aside)."""
    return (permissions.can(user, "approve_acceptance") and user.id != acceptance.requested_by_id
            and not permissions.owns(user, acceptance.risk))


def manages_register(user: User, register: Register) -> bool:
    """An admin, or the register's owner in person or through a team."""
    return user.role == "admin" or register.owner_id in permissions.owner_ids(user)


def decide(acceptance: Acceptance, by: User, as_of: date, *, approve: bool, note: str = "",
           dmt_meeting_on: date | None = None, expected_version: int | None = None) -> None:
    """Approve or decline an acceptance asked for. The decider is not who asked nor the
    risk's owner; a manager who does not manage the risk's register records the DMT
    meeting that decided. Approved, the risk's next review is brought forward to the
    expiry if it fell later. Declining says why."""
    permissions.require(by, "approve_acceptance", acceptance.risk)
    if not may_decide(by, acceptance):
        raise PermissionDenied(f"Someone other than who asked, and other than the owner of"
                               f" {acceptance.risk.reference}, decides on its acceptance")
    check_version(acceptance, expected_version, "This acceptance")
    if acceptance.status != "requested":
        raise ValidationError(f"This acceptance is already {acceptance.status}", field="status")
    risk = acceptance.risk
    if dmt_meeting_on is None and not manages_register(by, risk.register):
        raise ValidationError(f"You do not manage the {risk.register.name} register: enter the"
                              " date of the DMT meeting that took the decision",
                              field="dmt_meeting_on")
    if dmt_meeting_on is not None and dmt_meeting_on > as_of:
        raise ValidationError("The DMT meeting cannot be after today", field="dmt_meeting_on")
    note = clean_text(note, "note")
    if not approve and not note:
        raise ValidationError("Enter why the acceptance is declined", field="note")
    if approve and acceptance.expires_on <= as_of:
        raise ValidationError("The expiry asked for has passed: ask again with a later one",
                              field="expires_on")
    with acting_as(by), because(note or None):
        acceptance.status = "approved" if approve else "declined"
        acceptance.decided_by, acceptance.decided_on = by, as_of
        acceptance.dmt_meeting_on, acceptance.decision_note = dmt_meeting_on, note
        if approve and (risk.next_review_date is None
                        or risk.next_review_date > acceptance.expires_on):
            risk.next_review_date = acceptance.expires_on
        db.session.flush()


def review_by(risk: Risk, next_review_date: date, reviewed_on: date) -> date:
    """The next review a review schedules, brought forward to the expiry of the risk's
    acceptance in force: an accepted risk returns for review when its acceptance ends."""
    acceptance = standing(risk)
    if acceptance is not None and acceptance.in_force(reviewed_on):
        return min(next_review_date, acceptance.expires_on)
    return next_review_date


def void_if_material(risk: Risk, by: User | None, on: date, before: str, after: str,
                     moved_up: bool) -> None:
    """A review that moved the risk up a band (from `before` to `after`) voids its
    approved acceptance: the decision was for the risk as it was."""
    acceptance = standing(risk)
    if not moved_up or acceptance is None or acceptance.status != "approved":
        return
    with acting_as(by), because(f"Acceptance void: the score moved up from {before} to"
                                f" {after}, a material change"):
        acceptance.status, acceptance.voided_on = "void", on
        db.session.flush()


@dataclass(frozen=True)
class Accepted:
    """An approved acceptance as the lists and the appendix show it."""

    acceptance: Acceptance
    risk: Risk
    expired: bool


def accepted(as_of: date, register_ids: list[int] | None = None) -> list[Accepted]:
    """Risks accepted above appetite (approved and not void), soonest expiry first; each
    says whether it has expired, and so is due for review."""
    statement = (select(Acceptance).join(Risk, Risk.id == Acceptance.risk_id)
                 .where(Acceptance.status == "approved")
                 .options(joinedload(Acceptance.risk).joinedload(Risk.owner),
                          joinedload(Acceptance.risk).joinedload(Risk.register),
                          joinedload(Acceptance.decided_by), joinedload(Acceptance.requested_by))
                 .order_by(Acceptance.expires_on, Risk.reference))
    if register_ids:
        statement = statement.where(Risk.register_id.in_(register_ids))
    return [Accepted(a, a.risk, a.expired(as_of)) for a in db.session.scalars(statement)]


def accepted_at(as_of: date, register_ids: list[int]) -> list[Acceptance]:
    """The acceptances in force at the end of `as_of` (approved by then, not voided by
    then, not expired): what the committee appendix lists."""
    rows = db.session.scalars(
        select(Acceptance).join(Risk, Risk.id == Acceptance.risk_id)
        .where(Risk.register_id.in_(register_ids), Acceptance.decided_on <= as_of,
               Acceptance.status.in_(("approved", "void")), Acceptance.expires_on >= as_of)
        .options(joinedload(Acceptance.risk).joinedload(Risk.owner),
                 joinedload(Acceptance.decided_by))
        .order_by(Acceptance.expires_on, Risk.reference))
    return [a for a in rows if a.voided_on is None or a.voided_on > as_of]


def in_force_during(start: date, as_of: date, register_ids: list[int] | None = None
                    ) -> list[Acceptance]:
    """The acceptances in force at some time from `start` to the end of `as_of` (approved
    by then, expiring and voided, if at all, no sooner than `start`), soonest expiry first:
    what internal audit reads for a period."""
    statement = (select(Acceptance).join(Risk, Risk.id == Acceptance.risk_id)
                 .where(Acceptance.decided_on <= as_of, Acceptance.expires_on >= start,
                        Acceptance.status.in_(("approved", "void")))
                 .options(joinedload(Acceptance.risk).joinedload(Risk.owner),
                          joinedload(Acceptance.decided_by))
                 .order_by(Acceptance.expires_on, Risk.reference))
    if register_ids is not None:
        statement = statement.where(Risk.register_id.in_(register_ids))
    return [a for a in db.session.scalars(statement) if a.voided_on is None or a.voided_on >= start]


def asked(user: User | None) -> list[Acceptance]:
    """The acceptances asked for and not yet decided that `user` may decide on."""
    rows = db.session.scalars(
        select(Acceptance).where(Acceptance.status == "requested")
        .options(joinedload(Acceptance.risk).joinedload(Risk.register),
                 joinedload(Acceptance.requested_by)).order_by(Acceptance.requested_on))
    return [a for a in rows if may_decide(user, a)]
