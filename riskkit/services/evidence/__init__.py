"""Evidence packs: what an auditor or NHS England asks to see for a period, gathered as
plain data that the page, the PDF and the workbook all show alike.

Each pack (eprr, iso22301, audit) is a module here whose `build` returns a Pack
(evidence.pack). Every pack is judged as of the end of its period, or today if that is
sooner: what happened later does not count, and what has not happened yet cannot be
late."""

from __future__ import annotations

from datetime import date

from riskkit.errors import ValidationError
from riskkit.models import Register, User
from riskkit.services.evidence import audit, eprr, iso22301
from riskkit.services.evidence.pack import TITLES, Pack, Section, default_period

__all__ = ["TITLES", "Pack", "Section", "build", "default_period"]


def build(name: str, start: date | None, end: date | None, today: date, *, target: int,
          assurance_months: int, register: Register | None = None,
          by: User | None = None) -> Pack:
    """The pack called `name` for start to end. Only the audit pack is of a register (the
    exercise programme is the organisation's); a register given to another is refused."""
    if name == "audit":
        return audit.build(start, end, today, target=target, assurance_months=assurance_months,
                           register=register, by=by)
    if name not in TITLES:
        raise ValidationError(f"There is no evidence pack called {name[:40]!r}: choose eprr,"
                              " iso22301 or audit", field="pack")
    if register is not None:
        raise ValidationError("Only the audit pack is of a register: leave out the register"
                              f" for the {name} pack", field="register")
    return (eprr if name == "eprr" else iso22301).build(start, end, today)
