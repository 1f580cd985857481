"""What a management team looks at first: the rating summary, the heat map and what
changed since the last meeting (what is overdue is services.overdue). Shared by the
dashboard and the reports, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from riskkit import scoring
from riskkit.extensions import db
from riskkit.models import Register, Risk, User
from riskkit.services.as_of import RiskAt
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


#: Up to this many references a cell, each is read by a walk of a few index entries (the
#: pages); beyond it (a PDF lists a cell's references whole) one window over the roll-up.
FEW_REFERENCES = 8


def cell_data(register_ids: list[int], which: str = "current", owner: User | None = None,
              statuses=LIVE, max_references: int = 8) -> CellData:
    """(register id, likelihood, impact) -> (count, first references) for every occupied
    cell of every register asked for, in one statement whatever the number of risks."""
    lk_col, im_col = ((Risk.likelihood, Risk.impact) if which == "current"
                      else (Risk.target_likelihood, Risk.target_impact))
    scope = [Risk.register_id.in_(register_ids), Risk.status.in_(statuses)]
    if owner is not None:
        scope.append(Risk.owner_id == owner.id)
    keys = (Risk.register_id, lk_col, im_col)
    if max_references > FEW_REFERENCES:
        return _cells_by_window(keys, scope, max_references)
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


def _cells_by_window(keys, scope, max_references: int) -> CellData:
    """Counts and first references by cell from one sort of the roll-up's risks: the
    n-th-reference walks above grow with the square of the references asked for."""
    ranked = select(*keys, Risk.reference,
                    func.row_number().over(partition_by=keys, order_by=Risk.reference)
                    .label("n"),
                    func.count().over(partition_by=keys).label("total")).where(*scope).subquery()
    data: CellData = {}
    for reg, lk, im, reference, _, total in db.session.execute(
            select(ranked).where(ranked.c.n <= max_references)):
        data.setdefault((reg, lk, im), (total, []))[1].append(reference)
    return data


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


def heat_map_of(register: Register, live: list[RiskAt], which: str = "current",
                  max_references: int = 8) -> HeatMap:
    """The heat map of these risks as they stood (services.as_of), drawn on the register's
    matrix: the whole roll-up when they come from the registers below it too."""
    data: dict = {}
    for r in live:
        risk = r.risk
        cell = ((risk.likelihood, risk.impact) if which == "current"
                else (risk.target_likelihood, risk.target_impact))
        count, references = data.get((register.id, *cell), (0, []))
        data[(register.id, *cell)] = (count + 1, references + [risk.reference])
    return heat_map(register.matrix, [register.id], which, data=data, max_references=max_references)


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


#: The scores a heat map can be drawn from.
WHICH = ("current", "target")


def home_register(registers: list[Register], person: User) -> Register | None:
    """The register a person's dashboard draws first: the first they own, else the first
    at the top of the tree."""
    own = [r for r in registers if r.owner_id == person.id]
    tops = [r for r in registers if r.parent_id is None]
    return next(iter(own or tops or registers), None)


def chosen_heat_map(summaries: list[RegisterSummary], register: Register,
                    which: str = "current") -> RegisterSummary:
    """One register's heat map, counts only, as the dashboard draws it: the current one
    from the rating summary already read, the target one read now (one GROUP BY)."""
    summary = next(s for s in summaries if s.register.id == register.id)
    if which == "current":
        return summary
    ids = [register.id, *(r.id for r in summary.rolled_up)]
    return RegisterSummary(register, heat_map(register.matrix, ids, which, max_references=0),
                           summary.rolled_up)


@dataclass
class Change:
    risk: Risk
    before: scoring.Band
    after: scoring.Band
    before_score: int
    direction: str  # up or down


def _band_rank(registers: list[Register], likelihood, impact):
    """SQL for the rank of a cell's band (0 the lowest) on each register's own matrix,
    so that bands are compared in the database: from the score's thresholds, or cell by
    cell for a matrix with a grid."""
    by_matrix: dict[str, tuple[scoring.Matrix, list[int]]] = {}
    for register in registers:
        by_matrix.setdefault(register.matrix.slug, (register.matrix, []))[1].append(register.id)
    ranks = []
    for matrix, ids in by_matrix.values():
        if matrix.grid:
            rank = case({lk * 100 + im: scoring.band_rank(matrix, scoring.rating(matrix, lk, im))
                         for lk in matrix.levels("likelihood") for im in matrix.levels("impact")},
                        value=likelihood * 100 + impact)
        else:
            rank = case(*[(likelihood * impact >= band.min_score, position)
                          for position, band in reversed(list(enumerate(matrix.bands)))
                          if position and band.min_score is not None], else_=0)
        ranks.append((Risk.register_id.in_(ids), rank))
    # One matrix (the usual case): the registers are already chosen by the WHERE clause.
    return ranks[0][1] if len(ranks) == 1 else case(*ranks)


def rating_changes(register_ids: list[int], since: date,
                   limit: int | None = None) -> tuple[list[Change], int]:
    """Live risks whose latest review, after `since`, moved them to another band (the
    stored score before that review against the score now): the first `limit` of them
    by reference, and how many there are. Reads the risks reviewed since then through an
    index (never the reviews) and compares bands in the database: three statements
    whatever the size of the register."""
    registers = list(db.session.scalars(select(Register).where(Register.id.in_(register_ids))))
    if not registers:
        return [], 0
    before = _band_rank(registers, Risk.previous_likelihood, Risk.previous_impact)
    after = _band_rank(registers, Risk.likelihood, Risk.impact)
    where = (Risk.last_review_date > since, Risk.status.in_(LIVE),
             Risk.register_id.in_(register_ids),
             # Only a changed cell can change the band: the cheap test first.
             or_(Risk.previous_likelihood != Risk.likelihood, Risk.previous_impact != Risk.impact),
             before != after)
    # The page's risks and how many there are in one pass over the index (sorted by an
    # expression, so that the database sorts the changed risks found through the index
    # rather than walking every risk in reference order in the hope of meeting them),
    # then the page's risks loaded whole.
    shown = db.session.execute(select(Risk.id, before < after, func.count().over()).where(*where)
                               .order_by(Risk.reference.concat("")).limit(limit)).all()
    count = shown[0][2] if shown else 0
    risks = {r.id: r for r in db.session.scalars(
        select(Risk).where(Risk.id.in_([row[0] for row in shown])).options(joinedload(Risk.register)))}
    changes = []
    for risk_id, up, _ in shown:
        risk = risks[risk_id]
        matrix = risk.register.matrix
        changes.append(Change(
            risk, scoring.rating(matrix, risk.previous_likelihood, risk.previous_impact),
            scoring.rating(matrix, risk.likelihood, risk.impact), risk.previous_score,
            "up" if up else "down"))
    return changes, count
