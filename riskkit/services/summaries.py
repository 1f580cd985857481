"""What a management team looks at first: the rating summary, the heat map, what
changed since the last meeting, and what is overdue. Shared by the dashboard and
the reports, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from riskkit import scoring, vocab
from riskkit.extensions import db
from riskkit.models import Action, Review, Risk, User


@dataclass
class Cell:
    likelihood: int
    impact: int
    band: scoring.Band
    references: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return scoring.score(self.likelihood, self.impact)

    @property
    def count(self) -> int:
        return len(self.references)


def heat_map(matrix: scoring.Matrix, risks: list[Risk], which: str = "current") -> list[list[Cell]]:
    """Rows of cells, highest likelihood first (as a heat map is drawn), each holding the
    references of the risks scored there. `which` is current or target."""
    rows = [[Cell(lk, im, scoring.rating(matrix, lk, im)) for im in matrix.levels("impact")]
            for lk in reversed(matrix.levels("likelihood"))]
    top = len(matrix.likelihood)
    for risk in sorted(risks, key=lambda r: r.reference):
        lk, im = ((risk.likelihood, risk.impact) if which == "current"
                  else (risk.target_likelihood, risk.target_impact))
        rows[top - lk][im - 1].references.append(risk.reference)
    return rows


def rating_counts(matrix: scoring.Matrix, risks: list[Risk]) -> list[tuple[scoring.Band, int]]:
    names = [scoring.rating(matrix, r.likelihood, r.impact).name for r in risks]
    return scoring.rag_summary(matrix, names)


@dataclass
class Change:
    risk: Risk
    before: scoring.Band
    after: scoring.Band
    before_score: int
    direction: str  # up or down


def rating_changes(risks: list[Risk], since: date) -> list[Change]:
    """Risks whose rating is higher or lower now than it was on `since`, from the review
    history (one query, whatever the number of risks)."""
    if not risks:
        return []
    by_id = {r.id: r for r in risks}
    first_after: dict[int, Review] = {}
    for review in db.session.scalars(
        select(Review).where(Review.risk_id.in_(by_id), Review.reviewed_on > since)
        .order_by(Review.reviewed_on, Review.id)
    ):
        first_after.setdefault(review.risk_id, review)
    changes = []
    for risk_id, review in first_after.items():
        risk = by_id[risk_id]
        matrix = risk.register.matrix
        before = scoring.rating(matrix, review.before_likelihood, review.before_impact)
        after = scoring.rating(matrix, risk.likelihood, risk.impact)
        rank_before, rank_after = scoring.band_rank(matrix, before), scoring.band_rank(matrix, after)
        if rank_before != rank_after:
            changes.append(Change(risk, before, after, review.before_score,
                                  "up" if rank_after > rank_before else "down"))
    return sorted(changes, key=lambda c: c.risk.reference)


def actions_overdue(as_of: date, risk_ids: list[int] | None = None,
                    owner: User | None = None) -> list[Action]:
    """Open actions whose target date is before `as_of`, on live risks, oldest first."""
    statement = (
        select(Action).join(Action.risk)
        .where(Action.status.not_in(vocab.ACTION_CLOSED), Action.target_date < as_of,
               Risk.status != "closed")
        .options(joinedload(Action.owner), joinedload(Action.risk))
        .order_by(Action.target_date, Action.id)
    )
    if risk_ids is not None:
        statement = statement.where(Action.risk_id.in_(risk_ids))
    if owner is not None:
        statement = statement.where(Action.owner_id == owner.id)
    return list(db.session.scalars(statement))
