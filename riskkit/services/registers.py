"""Registers: finding them by code, adding and changing them, and the tree below a
register. The tree is kept a tree (save_register refuses a parent that would make a
cycle), and every walk of it is cycle-safe all the same, so that a database edited by
hand cannot make a page loop for ever."""

from sqlalchemy import select

from riskkit import permissions
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import MatrixDefinition, Register, Risk, User
from riskkit.scoring import Matrix


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
    """Ids of a register and every register below it, for a corporate roll-up. Each
    register is visited once, so a cycle in the data ends the walk instead of looping."""
    ids, frontier = [register.id], [register.id]
    while frontier:
        below = db.session.scalars(select(Register.id).where(Register.parent_id.in_(frontier)))
        frontier = [i for i in below if i not in ids]
        ids.extend(frontier)
    return ids


def save_register(by: User | None, register: Register | None, *, code: str, name: str,
                  level: str, parent: Register | None, matrix: MatrixDefinition,
                  owner: User | None = None, escalate_at: int | None = None) -> Register:
    """Add a register (register None) or change one. The code is unique, and neither
    the code nor the matrix changes once the register has risks (their references and
    scores use them). The parent may be neither the register itself nor one below it:
    that would make a cycle, and a register would be its own ancestor. An escalation
    threshold needs a parent and a score the matrix reaches."""
    permissions.require_unless_operator(by, "administer")
    check_threshold(escalate_at, parent, matrix.matrix)
    code = (code or "").strip().upper()
    clash = db.session.scalar(select(Register).where(Register.code == code))
    if clash is not None and clash is not register:
        raise ValidationError(f"There is already a register with the code {code}", "code")
    if register is not None and register.id is not None:
        has_risks = db.session.scalar(
            select(Risk.id).where(Risk.register_id == register.id).limit(1)) is not None
        if has_risks and code != register.code:
            raise ValidationError("The code cannot change once the register has risks:"
                                  " their references use it", "code")
        if has_risks and matrix.id != register.matrix_id:
            raise ValidationError("The matrix cannot change once the register has risks",
                                  "matrix")
        if parent is not None and parent.id in register_and_children(register):
            where = "the register itself" if parent.id == register.id else f"below {register.code}"
            raise ValidationError(f"{parent.code} cannot be the parent of {register.code}: it is"
                                  f" {where}, so the tree would go round in a circle", "parent")
    if register is None:
        register = Register(next_number=1)
        db.session.add(register)
    register.code, register.name, register.level = code, name, level
    register.parent, register.matrix_definition, register.owner = parent, matrix, owner
    register.escalate_at = escalate_at
    db.session.flush()
    return register


def check_threshold(escalate_at: int | None, parent: Register | None, matrix: Matrix) -> None:
    """A threshold needs a parent register to escalate to, and a score the register's
    matrix can reach (1 up to its highest likelihood x impact)."""
    if escalate_at is None:
        return
    if parent is None:
        raise ValidationError("A register with no parent register has nowhere to escalate"
                              " to: choose a parent or leave the threshold blank", "escalate_at")
    highest = max(matrix.reachable_scores())
    if isinstance(escalate_at, bool) or not isinstance(escalate_at, int) or \
            not 1 <= escalate_at <= highest:
        raise ValidationError(f"The escalation threshold must be a score from 1 to {highest}"
                              f" on the {matrix.name} matrix, not {escalate_at!r}", "escalate_at")


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
