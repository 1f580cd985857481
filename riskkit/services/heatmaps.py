"""The heat map report's data: which registers, which scores, for the renderer."""

from datetime import date

from riskkit.models import Register, User
from riskkit.reports.heatmap import MOST_REFERENCES, HeatMapReport
from riskkit.services.registers import all_registers, rollup_ids
from riskkit.services.summaries import heat_map

SCORES = {"current": ["current"], "target": ["target"], "both": ["current", "target"]}


def build_report(register: Register, scores: str, owner: User | None, as_of: date, generated: date,
                 organisation: str) -> HeatMapReport:
    """The heat map(s) of a register as plain data for the renderer, shared by the CLI
    and the web download so the two give the same page."""
    registers = all_registers()
    ids = rollup_ids(register, registers)
    rolled_up = [r.code for r in registers if r.id in ids and r.id != register.id]
    name = f"{register.name} ({register.code})" + (f", rolling up {', '.join(rolled_up)}" if rolled_up else "")
    maps = [heat_map(register.matrix, ids, which, max_references=MOST_REFERENCES, owner=owner)
            for which in SCORES[scores]]
    return HeatMapReport(maps, name, organisation, as_of, generated,
                         owner=owner.name if owner else None)
