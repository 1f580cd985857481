"""What a management team looks at first: the rating summary, the heat map, what
changed since the last meeting, and what is overdue. Shared by the dashboard and
the reports, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from riskkit import scoring, vocab
from riskkit.extensions import db
from riskkit.models import Action, Review, Risk, User
from riskkit.services.risks import LIVE


@dataclass
class Cell:
    likelihood: int
    impact: int
    band: scoring.Band
    count: int = 0
    references: list[str] = field(default_factory=list)  # the first few, in order

    @property
    def score(self) -> int:
        return scoring.score(self.likelihood, self.impact)

    @property
    def more(self) -> int:
        """How many risks in the cell are not among `references`."""
        return self.count - len(self.references)


@dataclass
class HeatMap:
    matrix: scoring.Matrix
    rows: list[list[Cell]]  # highest likelihood first, as a heat map is drawn
    which: str  # current or target

    @property
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row]

    def band_counts(self) -> list[tuple[scoring.Band, int]]:
        """Risks per band, lowest first, every band listed even at 0."""
        totals = {band.name: 0 for band in self.matrix.bands}
        for cell in self.cells:
            totals[cell.band.name] += cell.count
        return [(band, totals[band.name]) for band in self.matrix.bands]

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)

    def summary_text(self) -> str:
        return scoring.format_rag_summary(self.band_counts())


def heat_map(matrix: scoring.Matrix, register_ids: list[int], which: str = "current",
             owner: User | None = None, statuses=LIVE,
             max_references: int = 8) -> HeatMap:
    """Count the risks in each cell, keeping the first few references of each. Two
    queries whatever the number of risks: counts by cell, then the first references
    of each cell by a window function."""
    lk_col, im_col = ((Risk.likelihood, Risk.impact) if which == "current"
                      else (Risk.target_likelihood, Risk.target_impact))
    scope = [Risk.register_id.in_(register_ids), Risk.status.in_(statuses)]
    if owner is not None:
        scope.append(Risk.owner_id == owner.id)
    counts = {(lk, im): n for lk, im, n in db.session.execute(
        select(lk_col, im_col, func.count()).where(*scope).group_by(lk_col, im_col))}
    position = func.row_number().over(partition_by=(lk_col, im_col),
                                      order_by=Risk.reference).label("position")
    ranked = select(lk_col.label("lk"), im_col.label("im"), Risk.reference, position) \
        .where(*scope).subquery()
    references: dict[tuple[int, int], list[str]] = {}
    for lk, im, reference in db.session.execute(
            select(ranked.c.lk, ranked.c.im, ranked.c.reference)
            .where(ranked.c.position <= max_references)
            .order_by(ranked.c.lk, ranked.c.im, ranked.c.position)):
        references.setdefault((lk, im), []).append(reference)
    rows = [[Cell(lk, im, scoring.rating(matrix, lk, im), counts.get((lk, im), 0),
                  references.get((lk, im), []))
             for im in matrix.levels("impact")]
            for lk in reversed(matrix.levels("likelihood"))]
    return HeatMap(matrix, rows, which)


@dataclass
class Change:
    risk: Risk
    before: scoring.Band
    after: scoring.Band
    before_score: int
    direction: str  # up or down


def rating_changes(register_ids: list[int], since: date) -> list[Change]:
    """Live risks whose rating is higher or lower now than on `since`, read from the
    reviews held after that date (one query, whatever the size of the register)."""
    first_after: dict[int, Review] = {}
    for review in db.session.scalars(
        select(Review).join(Review.risk)
        .where(Risk.register_id.in_(register_ids), Risk.status.in_(LIVE),
               Review.reviewed_on > since)
        .options(contains_eager(Review.risk))
        .order_by(Review.reviewed_on, Review.id)
    ):
        first_after.setdefault(review.risk_id, review)
    changes = []
    for review in first_after.values():
        risk = review.risk
        matrix = risk.register.matrix
        before = scoring.rating(matrix, review.before_likelihood, review.before_impact)
        after = scoring.rating(matrix, risk.likelihood, risk.impact)
        rank_before, rank_after = scoring.band_rank(matrix, before), scoring.band_rank(matrix, after)
        if rank_before != rank_after:
            changes.append(Change(risk, before, after, review.before_score,
                                  "up" if rank_after > rank_before else "down"))
    return sorted(changes, key=lambda c: c.risk.reference)


def _overdue_actions_statement(as_of: date, owner: User | None):
    statement = (
        select(Action).join(Action.risk)
        .where(Action.status.not_in(vocab.ACTION_CLOSED), Action.target_date < as_of,
               Risk.status.in_(LIVE))
    )
    if owner is not None:
        statement = statement.where(Action.owner_id == owner.id)
    return statement


def actions_overdue(as_of: date, owner: User | None = None,
                    limit: int | None = None) -> list[Action]:
    """Open actions whose target date is before `as_of`, on live risks, oldest first."""
    statement = (
        _overdue_actions_statement(as_of, owner)
        .options(joinedload(Action.owner), contains_eager(Action.risk))
        .order_by(Action.target_date, Action.id).limit(limit)
    )
    return list(db.session.scalars(statement))


def count_actions_overdue(as_of: date, owner: User | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(
        _overdue_actions_statement(as_of, owner).subquery()))
