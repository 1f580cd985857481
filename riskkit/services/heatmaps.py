"""The heat map report's data: which registers, which scores, for the renderer."""

from dataclasses import dataclass
from datetime import date

from riskkit import clock
from riskkit.models import Register, User
from riskkit.services.as_of import risks_at
from riskkit.services.registers import all_registers, rollup_ids
from riskkit.services.risks import LIVE
from riskkit.services.summaries import HeatMap, heat_map, heat_map_of

#: More references than the largest cell (a 2 x 2 matrix shows 128) can show, so no more
#: need be read from the database however big the register.
MOST_REFERENCES = 150
SCORES = {"current": ["current"], "target": ["target"], "both": ["current", "target"]}


@dataclass
class HeatMapReport:
    """What the heat map renderer (reports/heatmap.py) draws."""

    maps: list[HeatMap]  # one, or current and target drawn side by side
    register: str  # as printed: "Corporate Risk Register (CORP), rolling up AH, OPS"
    organisation: str
    as_of: date
    generated: date
    title: str = "Risk heat map"
    owner: str | None = None  # the owner the risks were chosen by, if any


def build_report(register: Register, scores: str, owner: User | None, as_of: date, generated: date,
                 organisation: str) -> HeatMapReport:
    """The heat map(s) of a register as it stood at the end of `as_of`, as plain data for
    the renderer, shared by the CLI and the web download so the two give the same page."""
    registers = all_registers()
    ids = rollup_ids(register, registers)
    rolled_up = [r.code for r in registers if r.id in ids and r.id != register.id]
    name = f"{register.name} ({register.code})" + (f", rolling up {', '.join(rolled_up)}" if rolled_up else "")
    if as_of < clock.today():
        # A past day: the risks as they stood then, rebuilt from the history.
        codes = [r.code for r in registers if r.id in ids]
        live = [r for r in risks_at(as_of, codes) if r.risk.status in LIVE
                and (owner is None or r.risk.owner == owner.name)]
        maps = [heat_map_of(register, live, which, MOST_REFERENCES) for which in SCORES[scores]]
    else:
        maps = [heat_map(register.matrix, ids, which, max_references=MOST_REFERENCES, owner=owner)
                for which in SCORES[scores]]
    return HeatMapReport(maps, name, organisation, as_of, generated,
                         owner=owner.name if owner else None)
