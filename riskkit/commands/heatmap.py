"""heatmap: the heat map as an A4 landscape PDF for committee papers, or a PNG for slides."""

import click
from flask import current_app

from riskkit.commands.common import ISO_DATE, command, today
from riskkit.errors import ValidationError
from riskkit.models import Register, User
from riskkit.reports.files import write_atomically
from riskkit.reports.heatmap import MOST_REFERENCES, HeatMapReport, to_pdf, to_png
from riskkit.services.people import find_person
from riskkit.services.registers import all_registers, get_register, register_and_children
from riskkit.services.summaries import heat_map

SCORES = {"current": ["current"], "target": ["target"], "both": ["current", "target"]}


def default_register() -> Register:
    """The corporate register at the top of the tree, when there is exactly one."""
    registers = all_registers()
    tops = [r for r in registers if r.level == "corporate" and r.parent_id is None]
    if len(tops) != 1:
        known = ", ".join(r.code for r in registers) or "none yet"
        raise ValidationError(f"No single corporate register to show by default: name a register"
                              f" (known registers: {known})", field="register")
    return tops[0]


def build_report(register: Register, scores: str, owner: User | None, as_of, generated) -> HeatMapReport:
    """The heat map(s) of a register as plain data for the renderer. Shared with the web
    download so the two give the same page. A corporate register rolls up the registers
    below it that score on the same matrix, as the dashboard does (cells of different
    matrices cannot be added together)."""
    ids, registers = [register.id], all_registers()
    if register.level == "corporate":
        below = register_and_children(register)
        ids = [r.id for r in registers if r.id in below and r.matrix_id == register.matrix_id]
    rolled_up = [r.code for r in registers if r.id in ids and r.id != register.id]
    name = f"{register.name} ({register.code})" + (f", rolling up {', '.join(rolled_up)}" if rolled_up else "")
    maps = [heat_map(register.matrix, ids, which, max_references=MOST_REFERENCES, owner=owner)
            for which in SCORES[scores]]
    return HeatMapReport(maps, name, current_app.config["ORGANISATION_NAME"], as_of, generated,
                         owner=owner.name if owner else None)


@command("heatmap")
@click.option("--pdf", "pdf_file", metavar="FILE", help="Write the heat map as an A4 landscape PDF.")
@click.option("--png", "png_file", metavar="FILE", help="Write the same page as a PNG picture (150 dpi).")
@click.option("--register", "code", metavar="CODE",
              help="The register (default: the corporate register, rolling up those below it).")
@click.option("--owner", help="Only risks this person owns (name or email).")
@click.option("--as-of", type=ISO_DATE, help="The date the report is labelled with (default today).")
@click.option("--scores", type=click.Choice(list(SCORES)), default="current", show_default=True,
              help="Current risk, target risk, or both side by side.")
def heatmap(pdf_file, png_file, code, owner, as_of, scores):
    """Draw a register's heat map as a PDF and/or PNG."""
    if not pdf_file and not png_file:
        raise ValidationError("Say where to write the heat map: --pdf FILE, --png FILE or both", field="file")
    generated = today()
    register = get_register(code) if code else default_register()
    report = build_report(register, scores, find_person(owner) if owner else None, as_of or generated, generated)
    for path, render in ((pdf_file, to_pdf), (png_file, to_png)):
        if path:
            click.echo(f"Wrote {write_atomically(path, render(report))}")


COMMANDS = [heatmap]
