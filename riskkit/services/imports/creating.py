"""New risks written in bulk: each row's columns built and checked in Python (the
model's own checks), then a batch of risks, their controls, actions and reviews, and the
history of all of them, each written with one bulk insert (riskkit.bulk). Nothing goes
through the ORM session, whose per-object bookkeeping made a large import take minutes;
the caller's transaction holds it all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update

from riskkit import bulk, scoring
from riskkit.audit import created_entries, entry_rows
from riskkit.errors import RiskkitError, ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, HistoryEntry, Register, Review, Risk
from riskkit.models.base import check_values, utcnow
from riskkit.models.objectives import risk_objectives
from riskkit.services.imports.columns import action_values, control_values, review_values
from riskkit.services.imports.owners import People
from riskkit.services.imports.results import ImportResult
from riskkit.services.imports.rows import CHUNK, RiskPlan
from riskkit.services.imports.updating import direction_note

#: Risks written per batch: large enough that statements are few, small enough that
#: a batch's rows and history stay a few megabytes.
BATCH = 1000
CHILDREN = ((Control, "controls"), (Action, "actions"), (Review, "reviews"))


@dataclass
class _Rows:
    """One plan's rows, checked, waiting for the risk's id."""

    plan: RiskPlan
    risk: dict
    children: dict = field(default_factory=dict)  # model: [row, ...]


class Creator:
    def __init__(self, result: ImportResult, register: Register, as_of: date, people: People):
        self.result, self.register, self.as_of, self.people = result, register, as_of, people
        self.matrix = register.matrix
        self.connection = db.session.connection()
        self.defaults = {model: _scalar_defaults(model) for model in (Risk, *dict(CHILDREN))}
        self.next_number = 0  # the register's, once create() has locked it

    def create(self, plans: list[RiskPlan]) -> None:
        """Write the new risks (in file order) and everything the file gives them."""
        self.next_number = self._lock_counter()
        references = [self._reference(plan) for plan in plans]
        taken = self._taken(references)
        for start in range(0, len(plans), BATCH):
            batch = []
            for plan, reference in zip(plans[start:start + BATCH],
                                       references[start:start + BATCH], strict=True):
                try:
                    if reference in taken:
                        raise ValidationError(f"Reference {reference} is already used",
                                              field="reference")
                    batch.append(self._rows(plan, reference))
                except RiskkitError as error:
                    self.result.problem(plan.result, getattr(error, "field", "") or "",
                                        str(error))
            self._insert(batch)
        db.session.execute(update(Register).where(Register.id == self.register.id)
                           .values(next_number=self.next_number)
                           .execution_options(synchronize_session=False))

    # --- references -------------------------------------------------------------------

    def _lock_counter(self) -> int:
        """The register's next reference number. Moving it to itself locks the register's
        row until the import commits, so that nobody takes a number meanwhile."""
        return db.session.execute(
            update(Register).where(Register.id == self.register.id)
            .values(next_number=Register.next_number).returning(Register.next_number)
            .execution_options(synchronize_session=False)).scalar_one()

    def _reference(self, plan: RiskPlan) -> str:
        """A new risk's reference: the file's own (later numbers follow it, as with
        services.risks.create_risk), or the register's next."""
        given = plan.result.reference
        if given:
            digits = re.search(r"(\d+)$", given)
            self.next_number = max(self.next_number, int(digits.group(1)) + 1 if digits else 1)
            return given
        self.next_number += 1
        return self.register.reference(self.next_number - 1)

    def _taken(self, references: list[str]) -> set[str]:
        """References used twice, or already in riskkit (only generated ones can be: the
        file's own were checked against riskkit when it was read)."""
        seen, taken = set(), set()
        for reference in references:
            if reference in seen:
                taken.add(reference)
            seen.add(reference)
        for start in range(0, len(references), CHUNK):
            taken.update(db.session.scalars(select(Risk.reference).where(
                Risk.reference.in_(references[start:start + CHUNK]))))
        return taken

    # --- rows -------------------------------------------------------------------------

    def _rows(self, plan: RiskPlan, reference: str) -> _Rows:
        """A plan's risk, controls, actions and reviews as checked rows (raising the
        first problem, as saving them one by one would)."""
        now = utcnow()
        stamps = {"created_at": now, "updated_at": now}
        current = plan.current
        target = plan.target if plan.target[0] else current
        next_review = plan.next_review or scoring.next_review_date(
            self.matrix, *current, plan.last_review or self.as_of)
        risk = {**self.defaults[Risk], **stamps, "version": 1,
                "register_id": self.register.id, "origin_register_id": None,
                "reference": reference, "owner_id": self.people.get(plan.owner).id,
                "likelihood": current[0], "impact": current[1],
                "current_score": scoring.score(*current),
                "previous_likelihood": plan.previous[0], "previous_impact": plan.previous[1],
                "target_likelihood": target[0], "target_impact": target[1],
                "inherent_likelihood": plan.inherent[0], "inherent_impact": plan.inherent[1],
                "target_date": None, "last_review_date": plan.last_review,
                "next_review_date": next_review, **plan.fields}
        rows = _Rows(plan, check_values(Risk, risk))
        for model, name in CHILDREN:
            rows.children[model] = [check_values(model, {
                **self.defaults[model], **stamps, **self._child(model, item)})
                for item in getattr(plan, name)]
        return rows

    def _child(self, model, item: dict) -> dict:
        if model is Control:
            return {"owner_id": self.people.get(item["owner"]).id, "tested_by_event_id": None,
                    "version": 1, **control_values(item)}
        if model is Action:
            return {"owner_id": self.people.get(item["owner"]).id, "version": 1,
                    **action_values(item, self.as_of)}
        return {"reviewer_id": self.people.get(item["reviewer"]).id,
                **review_values(item, self.matrix)}

    # --- writing ----------------------------------------------------------------------

    def _insert(self, batch: list[_Rows]) -> None:
        """A batch of risks, then their children, then the history of all of them."""
        if not batch:
            return
        risks = [rows.risk for rows in batch]
        self._insert_with_ids(Risk, risks)
        history = created_entries(Risk, risks)
        links = []
        for rows in batch:
            rows.plan.result.outcome, rows.plan.result.reference = "created", rows.risk["reference"]
            if rows.plan.direction:
                history.append(direction_note(rows.risk["id"], rows.plan.direction))
            if rows.plan.objectives:  # as the history names links made with a new record
                links += [{"risk_id": rows.risk["id"], "objective_id": o.id} for o in rows.plan.objectives]
                history.append(("risk", rows.risk["id"], rows.risk["id"], "create", "objectives", None,
                                ", ".join(o.name for o in rows.plan.objectives)))
        if links:
            bulk.insert_rows(self.connection, risk_objectives, links)
        for model, _ in CHILDREN:
            children = []
            for rows in batch:
                for child in rows.children[model]:
                    child["risk_id"] = rows.risk["id"]
                    children.append(child)
            self._insert_with_ids(model, children)
            history += created_entries(model, children)
        bulk.insert_rows(self.connection, HistoryEntry.__table__,
                         entry_rows(self.connection, history))

    def _insert_with_ids(self, model, rows: list[dict]) -> None:
        """Give the rows their ids (the history names them), then insert them. The
        register's counter was moved first, so on SQLite this transaction holds the
        write lock that bulk.take_ids needs."""
        for row, new_id in zip(rows, bulk.take_ids(self.connection, model.__table__, len(rows)),
                               strict=True):
            row["id"] = new_id
        bulk.insert_rows(self.connection, model.__table__, rows)


def _scalar_defaults(model) -> dict:
    """The plain defaults of a model's columns ("" for text, "open" for a status): what
    the session would fill in for a column a row does not give."""
    return {column.key: column.default.arg for column in model.__table__.columns
            if column.default is not None and column.default.is_scalar}
