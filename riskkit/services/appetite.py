"""Risk appetite: per category of risk, the highest current score the organisation
tolerates and its appetite in words. The demo's YAML seeds it (services.demo); admins
change it in the web app, and every change is in the history. Whether a risk is above
appetite is decided here and nowhere else."""

from __future__ import annotations

from sqlalchemy import false, func, or_, select

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import Conflict, NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Appetite, MatrixDefinition, Risk, User
from riskkit.services.names import same_name


def appetites() -> dict[str, int]:
    """Highest tolerated score per category (lower-cased), read once per request or command."""
    return {a.category.lower(): a.max_score for a in db.session.scalars(select(Appetite))}


def above(limits: dict[str, int], category: str | None, score: int) -> tuple[int | None, bool]:
    """The appetite for a category (None if it has none), and whether score is above it."""
    limit = limits.get((category or "").lower())
    return limit, limit is not None and score > limit


def above_condition(limits: dict[str, int]):
    """SQL for 'the risk is above its category's appetite', as above() decides it."""
    return or_(false(), *[(func.lower(Risk.category) == category) & (Risk.current_score > limit)
                          for category, limit in limits.items()])


def list_appetites() -> list[Appetite]:
    return list(db.session.scalars(select(Appetite).order_by(func.lower(Appetite.category))))


def get_appetite(appetite_id: int) -> Appetite:
    appetite = db.session.get(Appetite, appetite_id)
    if appetite is None:
        raise NotFound(f"No risk appetite with id {appetite_id}")
    return appetite


def highest_score() -> int:
    """The largest score any scoring matrix in use can give (25 on a 5x5)."""
    return max((len(m.matrix.levels("likelihood")) * len(m.matrix.levels("impact"))
                for m in db.session.scalars(select(MatrixDefinition))), default=25)


def save_appetite(by: User | None, appetite: Appetite | None, *, category: str,
                  max_score: int, statement: str = "",
                  expected_version: int | None = None) -> Appetite:
    """Add a category's appetite or change one (admins; None is the operator)."""
    permissions.require_unless_operator(by, "administer")
    top = highest_score()
    if not isinstance(max_score, int) or not 1 <= max_score <= top:
        raise ValidationError(f"The highest tolerated score must be a whole number from 1 to"
                              f" {top}", field="max_score")
    clash = select(Appetite.id).where(
        same_name(Appetite.category, category))
    if appetite is not None:
        if expected_version is not None and appetite.version != expected_version:
            raise Conflict(f"The {appetite.category} appetite was changed by someone else since"
                           " you opened it. Nothing of yours was saved: look at their change,"
                           " then make yours again.")
        clash = clash.where(Appetite.id != appetite.id)
    with db.session.no_autoflush:
        if db.session.scalar(clash) is not None:
            raise ValidationError(f"There is already an appetite for {category.strip()}",
                                  field="category")
    with acting_as(by):
        if appetite is None:
            appetite = Appetite(category=category, max_score=max_score, statement=statement)
            db.session.add(appetite)
        else:
            appetite.category, appetite.max_score = category, max_score
            appetite.statement = statement
        db.session.flush()
    return appetite
