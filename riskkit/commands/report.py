"""report register: the committee register appendix as a PDF."""

import click
from flask import current_app

from riskkit.commands.common import ISO_DATE, command, today
from riskkit.reports.files import write_atomically
from riskkit.services.appendix import build_appendix, default_since


@click.group("report")
def report():
    """Committee reports: `riskkit report register FILE.pdf`."""


@command("register")
# A plain string: write_atomically reports every unwritable path as one line and exit 1.
@click.argument("path", metavar="FILE.pdf")
@click.option("--register", "codes", multiple=True, metavar="CODE",
              help="Only this register (repeat for several); default all.")
@click.option("--as-of", type=ISO_DATE, help="The date the appendix is as at; default today.")
@click.option("--since", type=ISO_DATE,
              help="Report rating changes, new and closed risks after this date; default three"
                   " months before --as-of.")
@click.option("--public", is_flag=True,
              help="Leave out the detail of exempt risks (counted, titled Exempt).")
def register(path, codes, as_of, since, public):
    """Write the committee register appendix: a summary page per register, then each risk whole."""
    from riskkit.reports.appendix import (
        render_appendix,  # on first use: the CLI starts fast
    )
    as_of = as_of or today()
    appendix = build_appendix(codes, as_of, since or default_since(as_of),
                              current_app.config["ORGANISATION_NAME"], public=public)
    target = write_atomically(path, render_appendix(appendix, generated_on=today()))
    risks = sum(section.total for section in appendix.sections)
    click.echo(f"Wrote {target}: {risks} risk{'s' if risks != 1 else ''} on"
               f" {', '.join(section.code for section in appendix.sections)}"
               + (" (public version)" if public else ""))


report.add_command(register)

COMMANDS = [report]
