"""What a management team looks at first: the rating summary, the heat map, what
changed since the last meeting, and what is overdue. Shared by the dashboard and
the reports, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from riskkit import scoring, vocab
from riskkit.extensions import db
from riskkit.models import Action, Register, Review, Risk, User
from riskkit.services.registers import rollup_ids
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


CellData = dict[tuple[int, int, int], tuple[int, list[str]]]


def cell_data(register_ids: list[int], which: str = "current", owner: User | None = None,
              statuses=LIVE, max_references: int = 8) -> CellData:
    """(register id, likelihood, impact) -> (count, first references) for every occupied
    cell of every register asked for. One statement whatever the number of risks: counts
    by cell, each with its first references read by the index a few at a time."""
    lk_col, im_col = ((Risk.likelihood, Risk.impact) if which == "current"
                      else (Risk.target_likelihood, Risk.target_impact))
    scope = [Risk.register_id.in_(register_ids), Risk.status.in_(statuses)]
    if owner is not None:
        scope.append(Risk.owner_id == owner.id)
    keys = (Risk.register_id, lk_col, im_col)
    inner = aliased(Risk)
    same_cell = [inner.register_id == Risk.register_id, getattr(inner, lk_col.key) == lk_col,
                 getattr(inner, im_col.key) == im_col, inner.status.in_(statuses)]
    if owner is not None:
        same_cell.append(inner.owner_id == owner.id)
    # The n-th reference of the cell, for n < max_references: a walk of a few index
    # entries each, where a window over the roll-up would sort every risk in it.
    nth = [select(inner.reference).where(*same_cell).order_by(inner.reference)
           .limit(1).offset(n).scalar_subquery() for n in range(max_references)]
    return {(reg, lk, im): (n, [ref for ref in refs if ref is not None])
            for reg, lk, im, n, *refs in db.session.execute(
                select(*keys, func.count(), *nth).where(*scope).group_by(*keys))}


def heat_map(matrix: scoring.Matrix, register_ids: list[int], which: str = "current",
             data: CellData | None = None, max_references: int = 8, **scope) -> HeatMap:
    """The heat map of the risks on these registers (a roll-up when there are several),
    from `data` already read by cell_data, or read now."""
    if data is None:
        data = cell_data(register_ids, which, max_references=max_references, **scope)
    counts: dict[tuple[int, int], int] = {}
    references: dict[tuple[int, int], list[str]] = {}
    for (reg, lk, im), (count, refs) in data.items():
        if reg in register_ids:
            counts[(lk, im)] = counts.get((lk, im), 0) + count
            references.setdefault((lk, im), []).extend(refs)
    rows = [[Cell(lk, im, scoring.rating(matrix, lk, im), counts.get((lk, im), 0),
                  sorted(references.get((lk, im), []))[:max_references])
             for im in matrix.levels("impact")]
            for lk in reversed(matrix.levels("likelihood"))]
    return HeatMap(matrix, rows, which)


@dataclass
class RegisterSummary:
    register: Register
    map: HeatMap  # counts only, no references
    rolled_up: list[Register]  # the registers below it that it counts


def register_summaries(registers: list[Register], which: str = "current") -> list[RegisterSummary]:
    """Every register's rating summary and heat map (a corporate register's rolled up),
    counts only: one GROUP BY over the whole organisation, then sums in Python. A single
    register's map with its references is heat_map()."""
    by_register: dict[int, CellData] = {}
    for key, value in cell_data([r.id for r in registers], which, max_references=0).items():
        by_register.setdefault(key[0], {})[key] = value
    summaries = []
    for register in registers:
        ids = rollup_ids(register, registers)
        data = {key: value for i in ids for key, value in by_register.get(i, {}).items()}
        summaries.append(RegisterSummary(
            register, heat_map(register.matrix, ids, which, data=data, max_references=0),
            [r for r in registers if r.id in ids and r.id != register.id]))
    return summaries


@dataclass
class Change:
    risk: Risk
    before: scoring.Band
    after: scoring.Band
    before_score: int
    direction: str  # up or down


def rating_changes(register_ids: list[int], since: date,
                   limit: int | None = None) -> tuple[list[Change], int]:
    """Live risks whose rating is higher or lower now than on `since` (by the score
    before their first review after that date), the first `limit` of them by reference,
    and how many there are. Reads only score columns for the scan, then loads the risks
    shown: two queries whatever the size of the register."""
    first = func.row_number().over(partition_by=Review.risk_id,
                                   order_by=(Review.reviewed_on, Review.id))
    ranked = (
        select(Review.risk_id, Review.before_likelihood, Review.before_impact,
               first.label("position"))
        .join(Review.risk)
        .where(Risk.register_id.in_(register_ids), Risk.status.in_(LIVE),
               Review.reviewed_on > since)
        .subquery()
    )
    # Each matrix's cells rated once (25 of them), not each row: a month of reviews at
    # council scale is tens of thousands of rows.
    rated: dict[str, dict[tuple[int, int], tuple[scoring.Band, int]]] = {}
    cells_of = {}
    for register in db.session.scalars(select(Register).where(Register.id.in_(register_ids))):
        matrix = register.matrix
        if matrix.slug not in rated:
            rated[matrix.slug] = {
                (lk, im): (band, scoring.band_rank(matrix, band))
                for lk in matrix.levels("likelihood") for im in matrix.levels("impact")
                for band in [scoring.rating(matrix, lk, im)]}
        cells_of[register.id] = rated[matrix.slug]
    found = []
    for risk_id, register_id, b_lk, b_im, lk, im in db.session.execute(
        select(Risk.id, Risk.register_id, ranked.c.before_likelihood,
               ranked.c.before_impact, Risk.likelihood, Risk.impact)
        .join(ranked, ranked.c.risk_id == Risk.id)
        # Only a changed cell can change the rating.
        .where(ranked.c.position == 1, or_(ranked.c.before_likelihood != Risk.likelihood,
                                            ranked.c.before_impact != Risk.impact))
        .order_by(Risk.reference)
    ):
        cells = cells_of[register_id]
        (before, rank_before), (after, rank_after) = cells[(b_lk, b_im)], cells[(lk, im)]
        if rank_before != rank_after:
            found.append((risk_id, before, after, scoring.score(b_lk, b_im),
                          "up" if rank_after > rank_before else "down"))
    shown = found if limit is None else found[:limit]
    risks = {r.id: r for r in db.session.scalars(
        select(Risk).where(Risk.id.in_([f[0] for f in shown])).options(joinedload(Risk.register)))}
    return [Change(risks[i], before, after, score, d) for i, before, after, score, d in shown], len(found)


def _overdue_actions_statement(as_of: date, owner: User | None):
    statement = (
        select(Action).join(Action.risk)
        # IN the open statuses, not NOT IN the closed ones, so the index is used.
        .where(Action.status.in_(vocab.ACTION_OPEN), Action.target_date < as_of,
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
