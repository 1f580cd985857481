"""heatmap: the heat map as an A4 landscape PDF for committee papers, or a PNG for slides."""

import click
from flask import current_app

from riskkit.commands.common import ISO_DATE, command, today
from riskkit.errors import ValidationError
from riskkit.reports.files import write_atomically
from riskkit.services.heatmaps import SCORES, build_report
from riskkit.services.people import find_person
from riskkit.services.registers import default_register, get_register


@command("heatmap")
@click.option("--pdf", "pdf_file", metavar="FILE", help="Write the heat map as an A4 landscape PDF.")
@click.option("--png", "png_file", metavar="FILE",
              help="Write the same page as a PNG picture (1754 x 1240 pixels, marked 300 dpi).")
@click.option("--register", "code", metavar="CODE",
              help="The register (default: the corporate register, rolling up those below it).")
@click.option("--owner", help="Only risks this person owns (name or email).")
@click.option("--as-of", type=ISO_DATE, help="The date the report is labelled with (default today).")
@click.option("--scores", type=click.Choice(list(SCORES)), default="current", show_default=True,
              help="Current risk, target risk, or both side by side.")
def heatmap(pdf_file, png_file, code, owner, as_of, scores):
    """Draw a register's heat map as a PDF and/or PNG."""
    from riskkit.reports.heatmap import to_pdf, to_png  # on first use: the CLI starts fast
    if not pdf_file and not png_file:
        raise ValidationError("Say where to write the heat map: --pdf FILE, --png FILE or both", field="file")
    generated = today()
    register = get_register(code) if code else default_register()
    report = build_report(register, scores, find_person(owner) if owner else None, as_of or generated, generated,
                          current_app.config["ORGANISATION_NAME"])
    for path, render in ((pdf_file, to_pdf), (png_file, to_png)):
        if path:
            click.echo(f"Wrote {write_atomically(path, render(report))}")


COMMANDS = [heatmap]
