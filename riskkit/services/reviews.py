"""Reviews: recording one, and which risks are due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from riskkit import permissions, scoring
from riskkit.audit import acting_as
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import HistoryEntry, Review, Risk, User
from riskkit.services import acceptance
from riskkit.services.risks import LIVE, check_version

#: Why a lower score is refused until confirmed: scores tend to drift down unmerited.
UNCONFIRMED_LOWER = ("No control or action has changed since the last review: confirm the lower"
                     " score, or record what changed first")


def record_review(risk: Risk, by: User | None, reviewed_on: date, likelihood: int, impact: int,
                  comment: str = "", next_review_date: date | None = None,
                  next_review_reason: str = "", expected_version: int | None = None,
                  reviewer: User | None = None, lower_confirmed: bool = False) -> Review:
    """Record a review: the score before is kept, the new score applied, and the next
    review scheduled from the new rating unless a date is given with a reason. A lower
    score when no control or action has changed since the last review must be
    confirmed (`lower_confirmed`); an import of reviews already held confirms its own.
    A score that moves the risk to another band needs a comment saying why.

    `by` is the signed-in user, who is also the reviewer; an import run by the operator
    passes by=None and names the `reviewer` (a review held at DMT, say)."""
    if by is not None:
        permissions.require(by, "record_review", risk)
    reviewer = reviewer or by
    if reviewer is None:
        raise ValidationError("Say who reviewed the risk", field="reviewer")
    check_version(risk, expected_version, risk.reference)
    matrix = risk.register.matrix
    scoring.check_scores(matrix, likelihood, impact)
    if (not lower_confirmed and scoring.score(likelihood, impact) < risk.score
            and not mitigation_changed_since_review(risk)):
        raise ValidationError(UNCONFIRMED_LOWER, field="confirm_lower")
    if risk.last_review_date and reviewed_on < risk.last_review_date:
        raise ValidationError(
            f"The review date cannot be before the last review ({risk.last_review_date:%d/%m/%Y})",
            field="reviewed_on")
    scheduled = scoring.next_review_date(matrix, likelihood, impact, reviewed_on)
    if next_review_date is None or next_review_date == scheduled:
        next_review_date, next_review_reason = scheduled, ""
    else:
        if next_review_date <= reviewed_on:
            raise ValidationError("The next review must be after the review date",
                                  field="next_review_date")
        if not next_review_reason.strip():
            raise ValidationError(
                f"Give a reason for reviewing on {next_review_date:%d/%m/%Y} rather than"
                f" {scheduled:%d/%m/%Y} as the rating schedules", field="next_review_reason")
    # An accepted risk returns for review when its acceptance expires, whatever its band.
    next_review_date = acceptance.review_by(risk, next_review_date, reviewed_on)
    comment = (comment or "").strip()
    before, after = (scoring.rating(matrix, risk.likelihood, risk.impact),
                     scoring.rating(matrix, likelihood, impact))
    if before != after and not comment:
        raise ValidationError(f"Enter a comment saying why the risk moves from {before.name} to"
                              f" {after.name}", field="comment")
    with acting_as(by):
        review = Review(
            risk=risk, reviewer=reviewer, reviewed_on=reviewed_on, comment=comment,
            before_likelihood=risk.likelihood, before_impact=risk.impact,
            after_likelihood=likelihood, after_impact=impact,
            next_review_date=next_review_date, next_review_reason=next_review_reason.strip(),
        )
        db.session.add(review)
        if scoring.score(likelihood, impact) != risk.score:
            risk.escalation_declined_score = None  # a new score: the rule may propose it again
        risk.previous_likelihood, risk.previous_impact = risk.likelihood, risk.impact
        risk.likelihood, risk.impact = likelihood, impact
        risk.last_review_date = reviewed_on
        risk.next_review_date = next_review_date
        db.session.flush()
    acceptance.void_if_material(risk, by, reviewed_on, before.name, after.name,
                                scoring.band_rank(matrix, after) > scoring.band_rank(matrix, before))
    return review


def mitigation_changed_since_review(risk: Risk) -> bool:
    """Whether any control or action of the risk changed since its last review."""
    since = risk.reviews[-1].created_at if risk.reviews else risk.created_at
    return db.session.scalar(select(HistoryEntry.id).where(
        HistoryEntry.risk_id == risk.id, HistoryEntry.entity.in_(("control", "action")),
        HistoryEntry.at > since).limit(1)) is not None


def reviews_due(as_of: date, register_ids: list[int] | None = None,
                owner: User | None = None, limit: int | None = None) -> list[Risk]:
    """Live risks whose next review date is before `as_of`, oldest first (the first
    `limit` of them: at council scale they are thousands)."""
    statement = (
        select(Risk)
        # IN rather than != so the (status, next_review_date) index is used.
        .where(Risk.status.in_(LIVE), Risk.next_review_date < as_of)
        .options(joinedload(Risk.owner), joinedload(Risk.register))
        .order_by(Risk.next_review_date, Risk.reference)
    )
    if register_ids:
        statement = statement.where(Risk.register_id.in_(register_ids))
    if owner is not None:
        statement = statement.where(Risk.owner_id == owner.id)
    return list(db.session.scalars(statement.limit(limit)))


@dataclass(frozen=True)
class ReviewDue:
    """A review that fell due: the date the one before set, and when the next was held."""

    reference: str
    title: str
    owner: str
    due: date
    held_on: date | None  # the risk's next review, if held by the day judged for

    @property
    def on_time(self) -> bool:
        return self.held_on is not None and self.held_on <= self.due


def reviews_fallen_due(start: date, end: date, as_of: date,
                       register_ids: list[int] | None = None) -> list[ReviewDue]:
    """The reviews due from start to end (and by as_of: one not yet due cannot be late),
    in risk reference order: each review sets the next one's date, and the risk's next
    review held (by as_of) answers it. A risk closed, or turned into an issue, without
    that next review owes it no more, and is left out; a live one counts against.
    Owners are the risks' owners now. One statement: the next review is read beside each
    by a window function."""
    following = func.lead(Review.reviewed_on, type_=Review.reviewed_on.type).over(partition_by=Review.risk_id,
                                                   order_by=(Review.reviewed_on, Review.id))
    reviews = (select(Review.risk_id, Review.next_review_date.label("due"),
                      following.label("held_on"))
               .where(Review.reviewed_on <= as_of).subquery())
    statement = (select(Risk.reference, Risk.title, User.name, reviews.c.due, reviews.c.held_on)
                 .join(Risk, Risk.id == reviews.c.risk_id).join(User, User.id == Risk.owner_id)
                 .where(reviews.c.due >= start, reviews.c.due <= min(end, as_of),
                        reviews.c.held_on.is_not(None) | Risk.status.in_(LIVE))
                 .order_by(Risk.reference, reviews.c.due))
    if register_ids is not None:
        statement = statement.where(Risk.register_id.in_(register_ids))
    return [ReviewDue(*row) for row in db.session.execute(statement)]
