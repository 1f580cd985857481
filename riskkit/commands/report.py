"""report: the committee papers (register appendix, changes table) as at a day, and the
quarters published."""

from pathlib import Path

import click
from flask import current_app

from riskkit.commands.common import ISO_DATE, command, today
from riskkit.reports.files import write_atomically
from riskkit.services import publishing
from riskkit.services.appendix import build_appendix, default_since


@click.group("report")
def report():
    """Committee reports: `riskkit report register FILE.pdf`, `changes`, `publish`, `published`."""


# A plain string: write_atomically reports every unwritable path as one line and exit 1.
_REGISTERS = click.option("--register", "codes", multiple=True, metavar="CODE",
                          help="Only this register (repeat for several); default all.")
_AS_OF = click.option("--as-of", type=ISO_DATE,
                      help="The day the register is shown as it stood at the end of; default today.")
_SINCE = click.option("--since", type=ISO_DATE,
                      help="Compare with the register at the end of this day; default the last"
                           " published papers before --as-of, or three months before it.")
_PUBLIC = click.option("--public", is_flag=True,
                       help="Leave out the detail of exempt risks (counted, titled Exempt).")


def _appendix(codes, as_of, since, public):
    as_of = as_of or today()
    return build_appendix(codes, as_of, since or default_since(as_of),
                          current_app.config["ORGANISATION_NAME"], public=public)


@command("register")
@click.argument("path", metavar="FILE.pdf")
@_REGISTERS
@_AS_OF
@_SINCE
@_PUBLIC
def register(path, codes, as_of, since, public):
    """Write the committee register appendix: a summary page per register, then each risk whole."""
    from riskkit.reports.appendix import (
        render_appendix,  # on first use: the CLI starts fast
    )
    appendix = _appendix(codes, as_of, since, public)
    target = write_atomically(path, render_appendix(appendix, generated_on=today()))
    risks = sum(section.total for section in appendix.sections)
    click.echo(f"Wrote {target}: {risks} risk{'s' if risks != 1 else ''} on"
               f" {', '.join(section.code for section in appendix.sections)}"
               + (" (public version)" if public else ""))


@command("changes")
@click.argument("path", metavar="FILE.csv")
@_REGISTERS
@_AS_OF
@_SINCE
@_PUBLIC
def changes(path, codes, as_of, since, public):
    """Write the changes table as CSV: each risk once, its rating then and now."""
    from riskkit.reports.papers import changes_csv  # on first use: the CLI starts fast

    appendix = _appendix(codes, as_of, since, public)
    target = write_atomically(path, changes_csv(appendix))
    rows = sum(len(section.changes) for section in appendix.sections)
    click.echo(f"Wrote {target}: {rows} risk{'s' if rows != 1 else ''} from"
               f" {appendix.since:%d/%m/%Y} to {appendix.as_of:%d/%m/%Y}")


@command("publish")
@click.option("--quarter", required=True, metavar="YYYYQN",
              help="The calendar quarter to publish, like 2025Q1 (January to March).")
def publish(quarter):
    """Freeze a quarter's appendix, heat map and changes table as published papers."""
    from riskkit.reports.papers import renderers  # on first use: the CLI starts fast

    publication = publishing.publish(quarter, None, current_app.config["ORGANISATION_NAME"],
                                     renderers())
    click.echo(f"Published {publication.quarter} as at {publication.as_of:%d/%m/%Y}"
               f" (changes since {publication.since:%d/%m/%Y}):")
    for document in publication.documents:
        click.echo(f"  {document.name}  sha256 {document.sha256}")


@command("published")
@click.option("--save", "folder", metavar="DIR",
              help="Also write every published document into DIR (with --quarter, that quarter's).")
@click.option("--quarter", metavar="YYYYQN", help="Only this quarter.")
def published(folder, quarter):
    """List the published quarters and their documents, with their checksums."""
    chosen = [p for p in publishing.publications()
              if quarter is None or p.quarter == quarter.strip().upper()]
    for publication in chosen:
        click.echo(f"{publication.quarter}  as at {publication.as_of:%d/%m/%Y}, changes since"
                   f" {publication.since:%d/%m/%Y}; published"
                   f" {publication.published_at.astimezone():%d/%m/%Y %H:%M} by {publication.published_by}")
        for document in publication.documents:
            click.echo(f"  {document.name}  {document.size} bytes  sha256 {document.sha256}")
            if folder:
                click.echo(f"  Wrote {write_atomically(Path(folder) / document.name, document.content)}")
    if not chosen:
        click.echo("Nothing has been published" + (f" for {quarter}" if quarter else "") + ".")


for _command in (register, changes, publish, published):
    report.add_command(_command)

COMMANDS = [report]
