"""Business continuity plans, and when each was last exercised.

Last exercised is read from the events, never typed in: the latest held exercise
that tested the plan, or the latest incident that activated it and was debriefed
with lessons recorded (a real activation that was learned from counts as an exercise).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import ContinuityPlan, Debrief, Event, Lesson, User
from riskkit.models.events import event_plans
from riskkit.services.names import same_name
from riskkit.services.risks import check_version


def get_plan(plan_id: int) -> ContinuityPlan:
    plan = db.session.get(ContinuityPlan, plan_id)
    if plan is None:
        raise NotFound(f"No business continuity plan number {plan_id}")
    return plan


def find_plan(service: str) -> ContinuityPlan:
    plan = db.session.scalar(select(ContinuityPlan).where(
        same_name(ContinuityPlan.service, service)))
    if plan is None:
        raise NotFound(f"No business continuity plan for {service!r}")
    return plan


def list_plans() -> list[ContinuityPlan]:
    return list(db.session.scalars(plans_statement()))


def plans_statement():
    """The plans by service, with their owners: to read whole, or a page at a time
    (services.paging)."""
    return select(ContinuityPlan).options(joinedload(ContinuityPlan.owner)) \
        .order_by(ContinuityPlan.service)


def counts_as_exercise():
    """The condition on Event for an event that exercises the plans it names."""
    learned_from = select(Lesson.event_id).join(Debrief, Debrief.event_id == Lesson.event_id)
    return (Event.status != "planned") & or_(Event.kind == "exercise", Event.id.in_(learned_from))


def _latest_exercises(as_of: date | None):
    """Each plan's latest exercise on or before as_of, ranked in the database: a subquery
    of (plan id, date, event name), one row per plan ever exercised."""
    ranked = (select(event_plans.c.plan_id, Event.end_date, Event.name, func.row_number().over(
        partition_by=event_plans.c.plan_id, order_by=(Event.end_date.desc(), Event.id.desc()))
        .label("rank"))
        .join(Event, Event.id == event_plans.c.event_id).where(counts_as_exercise()))
    if as_of is not None:
        ranked = ranked.where(Event.end_date <= as_of)
    ranked = ranked.subquery()
    return select(ranked.c.plan_id, ranked.c.end_date, ranked.c.name) \
        .where(ranked.c.rank == 1).subquery()


def last_exercised(as_of: date | None = None,
                   plans: list[ContinuityPlan] | None = None) -> dict[int, tuple[date, str]]:
    """plan id -> (date, event name) of its latest exercise on or before as_of, for these
    plans (None: every plan)."""
    latest = _latest_exercises(as_of)
    statement = select(latest.c.plan_id, latest.c.end_date, latest.c.name)
    if plans is not None:
        statement = statement.where(latest.c.plan_id.in_([plan.id for plan in plans]))
    return {plan_id: (end, name) for plan_id, end, name in db.session.execute(statement)}


def plans_with_last_exercise(as_of: date):
    """Every plan as rows of (id, service, owner's name, owner's email, last exercised,
    by which event), by service; the last two None for a plan never exercised."""
    latest = _latest_exercises(as_of)
    return (select(ContinuityPlan.id, ContinuityPlan.service, User.name, User.email,
                   latest.c.end_date, latest.c.name)
            .join(User, User.id == ContinuityPlan.owner_id)
            .outerjoin(latest, latest.c.plan_id == ContinuityPlan.id)
            .order_by(ContinuityPlan.service))


def save_plan(by: User | None, plan: ContinuityPlan | None, *, service: str, owner: User,
              last_reviewed: date | None, next_review: date | None,
              expected_version: int | None = None) -> ContinuityPlan:
    permissions.require_unless_operator(by, "edit_exercises")
    if last_reviewed and next_review and next_review < last_reviewed:
        raise ValidationError("The next review must be after the last review",
                              field="next_review")
    clash = db.session.scalar(select(ContinuityPlan).where(
        same_name(ContinuityPlan.service, service)))
    if clash is not None and clash is not plan:
        raise ValidationError("There is already a plan for that service", field="service")
    with acting_as(by):
        if plan is None:
            plan = ContinuityPlan()
            db.session.add(plan)
        else:
            check_version(plan, expected_version, f"The plan for {plan.service}")
        plan.service, plan.owner = service, owner
        plan.last_reviewed, plan.next_review = last_reviewed, next_review
        db.session.flush()
    return plan
