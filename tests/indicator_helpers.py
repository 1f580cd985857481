"""Declaring a level in tests of what follows a declaration (cards, log, sitrep)."""

from riskkit.extensions import db
from riskkit.models import Declaration
from riskkit.services.levels import get_scheme


def declare(rank: int, by, area=None, reason="Indicators at this level", scheme="opel") -> Declaration:
    """Declare the scheme's level of this rank for the area (None: the organisation)."""
    level = next(level for level in get_scheme(scheme).levels if level.rank == rank)
    declaration = Declaration(area=area, level=level, declared_by=by, reason=reason)
    db.session.add(declaration)
    db.session.commit()
    return declaration
