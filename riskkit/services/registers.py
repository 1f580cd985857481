"""Registers: finding them by code, and the tree below a register."""

from sqlalchemy import select

from riskkit.errors import NotFound, ValidationError
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


def rollup_ids(register: Register, registers: list[Register]) -> list[int]:
    """The registers a register's heat map and summary count: a corporate register rolls
    up the registers below it that score on the same matrix (cells of different matrices
    cannot be added together); any other register counts its own risks only."""
    if register.level != "corporate":
        return [register.id]
    below = register_and_children(register)
    return [r.id for r in registers if r.id in below and r.matrix_id == register.matrix_id]


def default_register() -> Register:
    """The corporate register at the top of the tree, when there is exactly one."""
    registers = all_registers()
    tops = [r for r in registers if r.level == "corporate" and r.parent_id is None]
    if len(tops) != 1:
        known = ", ".join(r.code for r in registers) or "none yet"
        raise ValidationError(f"No single corporate register to show by default: name a register"
                              f" (known registers: {known})", field="register")
    return tops[0]
