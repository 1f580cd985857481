"""report: the committee papers (register appendix, changes table) as at a day, as PDF
and their accessible HTML versions, and the quarters published."""

from pathlib import Path

import click
from flask import current_app

from riskkit.commands import formats
from riskkit.commands.common import ISO_DATE, command, today
from riskkit.errors import ValidationError
from riskkit.reports.files import write_atomically
from riskkit.services import document_log, publishing
from riskkit.services.appendix import build_appendix, default_since


@click.group("report")
def report():
    """Committee reports: `riskkit report appendix FILE.pdf`, `changes`, `publish`, `published`."""


def _appendix_options(function):
    """The options that choose what an appendix (or its changes table) covers."""
    for option in reversed([
        click.option("--register", "codes", multiple=True, metavar="CODE",
                     help="Only this register (repeat for several); default all."),
        click.option("--as-of", type=ISO_DATE,
                     help="The day the register is shown as it stood at the end of; default today."),
        click.option("--since", type=ISO_DATE,
                     help="Compare with the register at the end of this day; default the last"
                          " published papers before --as-of, or three months before it."),
        click.option("--public", is_flag=True,
                     help="Leave out the detail of exempt risks (counted, titled Exempt)."),
    ]):
        function = option(function)
    return function


def _build(codes, as_of, since, public, indicators=None):
    return build_appendix(codes, as_of, since or default_since(as_of),
                          current_app.config["ORGANISATION_NAME"], public=public,
                          indicators=indicators)


@command("appendix")
# A plain string: write_atomically reports every unwritable path as one line and exit 1.
@click.argument("path", metavar="FILE.pdf")
@_appendix_options
@click.option("--indicators/--no-indicators", default=None,
              help="Include (or leave out) the operational pressure indicators' summary for the"
                   " quarter; default: included when an indicator is linked to a risk on the"
                   " registers.")
@formats.format_option()
def appendix(path, codes, as_of, since, public, indicators, output):
    """Write the committee register appendix: a summary page per register, then each risk whole."""
    from riskkit.reports.appendix import render_appendix  # on first use: the CLI starts fast
    from riskkit.reports.html import appendix_html

    chosen = formats.targets(path, output, "pdf")
    as_of = as_of or today()
    summary = _build(codes, as_of, since, public, indicators)  # refuses a bad register or date before writing
    unused = [summary]

    def data():
        """The appendix built above for the first file, a fresh one for the second: its risks
        are streamed from the database, so each file reads them anew."""
        return unused.pop() if unused else _build(codes, as_of, since, public, indicators)

    written = formats.write(chosen, {"pdf": lambda: render_appendix(data(), generated_on=today()),
                                     "html": lambda: appendix_html(data(), generated_on=today())})
    risks = sum(section.total for section in summary.sections)
    document_log.record(None, "exported", "Register appendix" + (", public version" if public
                                                                  else ""), str(written))
    click.echo(f"Wrote {written}: {risks} risk{'s' if risks != 1 else ''} on"
               f" {', '.join(section.code for section in summary.sections)}"
               + (" (public version)" if public else ""))


@command("changes")
@click.argument("path", metavar="FILE.csv|FILE.html")
@_appendix_options
def changes(path, codes, as_of, since, public):
    """Write the changes table alone: each risk once, its rating then and now, as CSV or
    (FILE.html) as an accessible HTML document."""
    from riskkit.reports.html import changes_html  # on first use: the CLI starts fast
    from riskkit.reports.papers import changes_csv

    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".html"):
        raise ValidationError(f"Cannot write the changes table to {path!r}: the file name must"
                              " end in .csv or .html")
    data = _build(codes, as_of or today(), since, public)
    if suffix == ".html":
        written = formats.write(formats.targets(path, "html", "pdf"),
                                {"html": lambda: changes_html(data, generated_on=today())})
    else:
        written = write_atomically(path, changes_csv(data))
    rows = sum(len(section.changes) for section in data.sections)
    document_log.record(None, "exported", "Changes table" + (", public version" if public
                                                              else ""), str(written))
    click.echo(f"Wrote {written}: {rows} risk{'s' if rows != 1 else ''} from"
               f" {data.since:%d/%m/%Y} to {data.as_of:%d/%m/%Y}")


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


for _command in (appendix, changes, publish, published):
    report.add_command(_command)
# The appendix's first name, kept so that scripts and cron jobs written for it still work.
report.add_command(click.Command("register", params=appendix.params, callback=appendix.callback,
                                 help="The former name of `riskkit report appendix`.", hidden=True))

COMMANDS = [report]
