"""Declaring a level in tests of what follows a declaration (cards, log, sitrep)."""

from datetime import date

from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import Declaration, User
from riskkit.services import levels
from tests.factories import gen_user


def declare(rank: int, by: User | None = None, area=None, reason="Indicators at this level",
            scheme="opel", as_of=date(2026, 12, 6)) -> Declaration:
    """Declare the scheme's level of this rank for the area (None: the organisation),
    through services.levels, by `by` (a manager, Mo Manager, unless told)."""
    by = by or db.session.scalar(select(User).where(User.name == "Mo Manager")) or gen_user(
        "Mo Manager", "manager")
    found = levels.get_scheme(scheme)
    level = next(level for level in found.levels if level.rank == rank)
    declaration = levels.declare(by, area, level, reason, as_of)
    db.session.commit()
    return declaration
