"""Rows whose reference is already in riskkit (with --update): the risk's fields changed
through the risk service, a new score recorded as a review, and the controls, actions and
reviews it does not have yet added, each change in the history as the import's."""

from __future__ import annotations

from datetime import date

from riskkit.audit import write_entries
from riskkit.errors import RiskkitError
from riskkit.extensions import db
from riskkit.models import Action, Control, Review, Risk
from riskkit.scoring import Matrix
from riskkit.services.imports.columns import action_values, control_values, review_values
from riskkit.services.imports.owners import People
from riskkit.services.imports.results import ImportResult
from riskkit.services.imports.rows import RiskPlan
from riskkit.services.reviews import record_review
from riskkit.services.risks import update_risk


def direction_note(risk_id: int, direction: str) -> tuple:
    """The direction of travel column is the author's note on the risk, not a field: a
    history entry of its own."""
    return ("risk", risk_id, risk_id, "note", "direction of travel", None, direction)


class Updater:
    def __init__(self, result: ImportResult, matrix: Matrix, as_of: date, people: People):
        self.result, self.matrix, self.as_of, self.people = result, matrix, as_of, people

    def update(self, plan: RiskPlan) -> None:
        row, risk = plan.result, plan.existing
        try:
            changed = self.change(plan, risk)
            row.outcome = "updated" if changed else "unchanged"
            row.detail = ", ".join(changed)
            added = self.add_children(plan, risk)
            db.session.flush()
        except RiskkitError as error:
            self.result.problem(row, getattr(error, "field", "") or "", str(error))
            return
        # Saved rows leave the session: every flush looks at every object in it, so a
        # session holding thousands of risks would make each row slower than the last.
        for obj in [risk, *added]:
            db.session.expunge(obj)

    def change(self, plan: RiskPlan, risk: Risk) -> list[str]:
        changes = dict(plan.fields)
        changes["owner"] = self.people.get(plan.owner)
        if plan.target[0]:
            changes["target_likelihood"], changes["target_impact"] = plan.target
        if plan.inherent[0]:
            changes["inherent_likelihood"], changes["inherent_impact"] = plan.inherent
        if plan.objectives is not None and {o.id for o in plan.objectives} != {o.id for o in risk.objectives}:
            changes["objectives"] = plan.objectives
        changed = update_risk(risk, changes, None)
        if (risk.likelihood, risk.impact) != plan.current:
            comment = f"Imported from {self.result.file_name}"
            if plan.direction:
                comment += f"; direction of travel: {plan.direction}"
            record_review(risk, None, plan.last_review or self.as_of, *plan.current,
                          comment=comment, reviewer=risk.owner,
                          lower_confirmed=True)  # the workbook's score, agreed already
            changed.append("score")
        elif plan.direction and changed:
            write_entries(db.session.connection(), [direction_note(risk.id, plan.direction)])
        return changed

    def add_children(self, plan: RiskPlan, risk: Risk) -> list:
        """Controls, actions and reviews not already on the risk (so a second import of
        the same file adds nothing); the file's own repeats are kept, as written."""
        added = []
        have = {c.description.lower() for c in risk.controls}
        for item in plan.controls:
            if item["description"].lower() not in have:
                added.append(Control(risk_id=risk.id, owner=self.people.get(item["owner"]),
                                     **control_values(item)))
        have = {a.description.lower() for a in risk.actions}
        for item in plan.actions:
            if item["description"].lower() not in have:
                added.append(Action(risk_id=risk.id, owner=self.people.get(item["owner"]),
                                    **action_values(item, self.as_of)))
        have = {(r.reviewed_on, r.after_likelihood, r.after_impact) for r in risk.reviews}
        for item in plan.reviews:
            if (item["reviewed_on"], item["after_likelihood"], item["after_impact"]) in have:
                continue
            added.append(Review(risk_id=risk.id, reviewer=self.people.get(item["reviewer"]),
                                **review_values(item, self.matrix)))
        db.session.add_all(added)
        return added

