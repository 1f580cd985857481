"""Level schemes (OPEL 1-4 built in, others added as data, as the scoring matrices are),
and the levels of areas and the organisation: proposed from the indicators by the
scheme's (or area's) rule, with hysteresis on the way down, and declared by a named
person with a reason."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from riskkit.errors import NotFound
from riskkit.extensions import db
from riskkit.models import LevelScheme, SchemeLevel

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "levels"
DEFAULT_SCHEME = "opel"


def builtin_definitions() -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(BUILTIN_DIR.glob("*.yaml"))]


def ensure_builtin() -> list[LevelScheme]:
    """Add any built-in level scheme the database does not have yet; return those added."""
    added = []
    for definition in builtin_definitions():
        if db.session.scalar(select(LevelScheme).where(
                LevelScheme.code == definition["code"])) is None:
            added.append(store_scheme(definition, builtin=True))
    return added


def store_scheme(definition: dict, builtin: bool = False) -> LevelScheme:
    """A scheme from its definition: code, name, the proposal rule and step-down days,
    and its levels from least to most severe."""
    scheme = LevelScheme(
        code=definition["code"], name=definition["name"], builtin=builtin,
        proposal_rule=definition.get("proposal_rule", "highest"),
        proposal_count=definition.get("proposal_count"),
        step_down_days=definition.get("step_down_days", 3),
        levels=[SchemeLevel(rank=rank, name=level["name"], word=level.get("word", ""),
                            description=level.get("description", ""))
                for rank, level in enumerate(definition["levels"], start=1)])
    db.session.add(scheme)
    db.session.flush()
    return scheme


def all_schemes() -> list[LevelScheme]:
    return list(db.session.scalars(select(LevelScheme).order_by(LevelScheme.code)))


def get_scheme(code: str = DEFAULT_SCHEME) -> LevelScheme:
    found = db.session.scalar(select(LevelScheme).where(LevelScheme.code == code))
    if found is None:
        known = ", ".join(s.code for s in all_schemes()) or "none"
        raise NotFound(f"No level scheme called {code!r}; known schemes: {known}")
    return found
