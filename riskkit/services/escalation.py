"""Escalation by rule: a register may set a threshold, a current score at or above which
its open risks are proposed for escalation to the parent register. The parent register's
owner (a manager, in person or through a team) and admins see the proposals on their
dashboard and accept one (the ordinary escalation, services.lifecycle.escalate) or
decline it with a reason.

A proposal is worked out by a query, not stored: the only state kept per risk is the
score at which a proposal was declined, so that a declined risk is proposed again only
when its score changes."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload

from riskkit import permissions
from riskkit.audit import acting_as, because
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Register, Risk, User
from riskkit.models.base import clean_text
from riskkit.services.risks import check_version


def proposed(user: User | None) -> list[Risk]:
    """The open risks proposed for escalation that `user` decides on: every one for an
    admin, those going up to a register they own for a manager, none for anyone else.
    One statement whatever the number of risks."""
    if not permissions.can(user, "escalate_risk"):
        return []
    parent = aliased(Register)
    statement = (
        select(Risk)
        .join(Register, Risk.register_id == Register.id)
        .join(parent, Register.parent_id == parent.id)
        .where(Risk.status == "open", Register.escalate_at.is_not(None),
               Risk.current_score >= Register.escalate_at,
               or_(Risk.escalation_declined_score.is_(None),
                   Risk.escalation_declined_score != Risk.current_score))
        .options(joinedload(Risk.owner), joinedload(Risk.register).joinedload(Register.parent))
        .order_by(Risk.current_score.desc(), Risk.reference)
    )
    if user.role != "admin":
        statement = statement.where(parent.owner_id.in_(permissions.owner_ids(user)))
    return list(db.session.scalars(statement))


def is_proposed(risk: Risk) -> bool:
    """Whether the rule proposes this risk now (the same test as `proposed`, on one risk)."""
    threshold = risk.register.escalate_at
    return (risk.status == "open" and threshold is not None and risk.register.parent is not None
            and risk.score >= threshold and risk.escalation_declined_score != risk.score)


def decline(risk: Risk, by: User, expected_version: int | None = None, reason: str = "") -> None:
    """Decline a proposal to escalate, saying why: the score it was declined at is kept (the
    history has who, when and the reason), and the risk is not proposed again until its
    score changes."""
    permissions.require(by, "escalate_risk", risk)
    check_version(risk, expected_version, risk.reference)
    if not is_proposed(risk):
        raise ValidationError(f"{risk.reference} is not proposed for escalation",
                              field="register")
    reason = clean_text(reason, "reason")
    if not reason:
        raise ValidationError(f"Enter why {risk.reference} is not being escalated to"
                              f" {risk.register.parent.name}", field="reason")
    with acting_as(by), because(reason):
        risk.escalation_declined_score = risk.score
        db.session.flush()
