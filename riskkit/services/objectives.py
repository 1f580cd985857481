"""The objectives a register holds (a directorate's business-plan objectives, or the
council's strategic priorities), the risks that threaten each, and their ratings.

A risk may be linked to the objectives of its own register and of the registers above
it: an operational risk can threaten a directorate objective or a council priority."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Register, RegisterObjective, Risk, User
from riskkit.services.risks import LIVE, check_version, rated, register_and_ancestors
from riskkit.services.summaries import HeatMap, heat_map


@dataclass
class ObjectiveView:
    """One objective's page: its live risks, highest score first, and their heat map."""

    objective: RegisterObjective
    risks: list[Risk]
    map: HeatMap

    @property
    def rows(self) -> list[tuple[Risk, dict, dict]]:
        """Each risk with its current and target rating, as the pages print them."""
        return [(r, rated(r.register.matrix, r.likelihood, r.impact),
                 rated(r.register.matrix, r.target_likelihood, r.target_impact))
                for r in self.risks]


def list_objectives(register: Register | None = None) -> list[RegisterObjective]:
    """Every objective (or one register's), by register then the order they were added."""
    statement = (select(RegisterObjective).join(Register)
                 .options(joinedload(RegisterObjective.register))
                 .order_by(Register.code, RegisterObjective.id))
    if register is not None:
        statement = statement.where(RegisterObjective.register_id == register.id)
    return list(db.session.scalars(statement))


def get_objective(objective_id: int) -> RegisterObjective:
    objective = db.session.scalar(select(RegisterObjective).where(
        RegisterObjective.id == objective_id).options(joinedload(RegisterObjective.register)))
    if objective is None:
        raise NotFound(f"No objective with id {objective_id}")
    return objective


def save_objective(register: Register, by: User | None, objective: RegisterObjective | None,
                   *, name: str, description: str = "",
                   expected_version: int | None = None) -> RegisterObjective:
    """Add an objective to a register, or change one's words: for managers."""
    permissions.require_unless_operator(by, "edit_objectives")
    if objective is not None:
        check_version(objective, expected_version, "This objective")
    with acting_as(by):
        if objective is None:
            objective = RegisterObjective(register=register)
            db.session.add(objective)
        objective.name, objective.description = name, description
        db.session.flush()
    return objective


def choosable(register: Register) -> list[RegisterObjective]:
    """The objectives a risk on this register may threaten: its own and its ancestors'."""
    return list(db.session.scalars(select(RegisterObjective).where(
        RegisterObjective.register_id.in_(register_and_ancestors(register))).options(joinedload(RegisterObjective.register))
        .order_by(RegisterObjective.register_id, RegisterObjective.id)))


def objectives_by_id(ids: list[int]) -> list[RegisterObjective]:
    """The objectives with these ids (services.risks checks a risk may threaten them)."""
    found = {o.id: o for o in db.session.scalars(select(RegisterObjective).where(
        RegisterObjective.id.in_(ids)))}
    if len(found) != len(set(ids)):
        raise ValidationError("Choose objectives from the list", field="objectives")
    return [found[i] for i in dict.fromkeys(ids)]


def objective_finder(register: Register):
    """A function that finds an objective a risk on this register may threaten by its
    name in any case (an import's Objectives column), refusing any other naming it: the
    objectives are read once, for every row."""
    known = {objective.name.strip().lower(): objective for objective in choosable(register)}

    def find(words: str) -> RegisterObjective:
        objective = known.get(words.strip().lower())
        if objective is None:
            raise ValidationError(f"No objective {words[:60]!r} on the {register.name} register or"
                                  " above it", field="objectives")
        return objective

    return find


def objective_view(objective: RegisterObjective) -> ObjectiveView:
    """The objective's live risks and their heat map, drawn on its register's matrix
    (risks of a register scored on another matrix are listed but not drawn)."""
    risks = list(db.session.scalars(
        select(Risk).join(Risk.objectives).where(RegisterObjective.id == objective.id,
                                                 Risk.status.in_(LIVE))
        .options(joinedload(Risk.owner), joinedload(Risk.register))
        .order_by(Risk.current_score.desc(), Risk.reference)))
    register = objective.register
    data: dict = {}
    for risk in risks:
        if risk.register.matrix_id == register.matrix_id:
            key = (register.id, risk.likelihood, risk.impact)
            count, references = data.get(key, (0, []))
            data[key] = (count + 1, references + [risk.reference])
    return ObjectiveView(objective, risks, heat_map(register.matrix, [register.id], data=data))
