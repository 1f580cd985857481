"""heatmap: the heat map as an A4 landscape PDF for committee papers, or a PNG for slides."""

import click
from flask import current_app

from riskkit.commands import formats
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
@click.option("--html", "html_file", metavar="FILE.html",
              help="Write the accessible HTML version: the heat map as a table, with each cell in words.")
@click.option("--register", "code", metavar="CODE",
              help="The register (default: the corporate register, rolling up those below it).")
@click.option("--owner", help="Only risks this person owns (name or email).")
@click.option("--as-of", type=ISO_DATE,
              help="Draw the register as it stood at the end of this day (default today).")
@click.option("--scores", type=click.Choice(list(SCORES)), default="current", show_default=True,
              help="Current risk, target risk, or both side by side.")
def heatmap(pdf_file, png_file, html_file, code, owner, as_of, scores):
    """Draw a register's heat map as a PDF, PNG and/or accessible HTML."""
    from riskkit.reports.heatmap import to_pdf, to_png  # on first use: the CLI starts fast
    from riskkit.reports.html import heat_map_html
    if not pdf_file and not png_file and not html_file:
        raise ValidationError("Say where to write the heat map: --pdf FILE, --png FILE, --html FILE or"
                              " more than one", field="file")
    if html_file:
        formats.targets(html_file, "html", "pdf")  # a name ending .html, checked before drawing
    generated = today()
    register = get_register(code) if code else default_register()
    report = build_report(register, scores, find_person(owner) if owner else None, as_of or generated, generated,
                          current_app.config["ORGANISATION_NAME"])
    for path, render in ((pdf_file, to_pdf), (png_file, to_png), (html_file, heat_map_html)):
        if path:
            click.echo(f"Wrote {write_atomically(path, render(report))}")


COMMANDS = [heatmap]
