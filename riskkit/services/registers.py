"""Registers: finding them by code, and the tree below a register."""

from sqlalchemy import select

from riskkit.errors import NotFound
from riskkit.extensions import db
from riskkit.models import Register


def all_registers() -> list[Register]:
    return list(db.session.scalars(select(Register).order_by(Register.code)))


def get_register(code: str) -> Register:
    """The register with this code, or NotFound listing the codes there are."""
    register = db.session.scalar(select(Register).where(Register.code == (code or "").upper()))
    if register is None:
        known = ", ".join(r.code for r in all_registers()) or "none yet"
        raise NotFound(f"No register with code {code!r}; known registers: {known}")
    return register


def register_and_children(register: Register) -> list[int]:
    """Ids of a register and every register below it, for a corporate roll-up."""
    ids, frontier = [register.id], [register.id]
    while frontier:
        frontier = list(db.session.scalars(select(Register.id).where(Register.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids
