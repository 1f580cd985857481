"""report appendix and report changes: the committee register appendix as a PDF and its
accessible HTML version, and the changes table alone."""

import click
from flask import current_app

from riskkit.commands import formats
from riskkit.commands.common import ISO_DATE, command, today
from riskkit.services.appendix import build_appendix, default_since


@click.group("report")
def report():
    """Committee reports: `riskkit report appendix FILE.pdf`."""


def _appendix_options(function):
    """The options that choose what an appendix (or its changes table) covers."""
    for option in reversed([
        click.option("--register", "codes", multiple=True, metavar="CODE",
                     help="Only this register (repeat for several); default all."),
        click.option("--as-of", type=ISO_DATE, help="The date the appendix is as at; default today."),
        click.option("--since", type=ISO_DATE,
                     help="Report rating changes, new and closed risks after this date; default three"
                          " months before --as-of."),
        click.option("--public", is_flag=True,
                     help="Leave out the detail of exempt risks (counted, titled Exempt)."),
    ]):
        function = option(function)
    return function


def _build(codes, as_of, since, public):
    return build_appendix(codes, as_of, since or default_since(as_of),
                          current_app.config["ORGANISATION_NAME"], public=public)


@command("appendix")
# A plain string: write_atomically reports every unwritable path as one line and exit 1.
@click.argument("path", metavar="FILE.pdf")
@_appendix_options
@formats.format_option()
def appendix(path, codes, as_of, since, public, output):
    """Write the committee register appendix: a summary page per register, then each risk whole."""
    from riskkit.reports.appendix import render_appendix  # on first use: the CLI starts fast
    from riskkit.reports.html import appendix_html

    chosen = formats.targets(path, output, "pdf")
    as_of = as_of or today()
    summary = _build(codes, as_of, since, public)  # refuses a bad register or date before writing
    unused = [summary]

    def data():
        """The appendix built above for the first file, a fresh one for the second: its risks
        are streamed from the database, so each file reads them anew."""
        return unused.pop() if unused else _build(codes, as_of, since, public)

    written = formats.write(chosen, {"pdf": lambda: render_appendix(data(), generated_on=today()),
                                     "html": lambda: appendix_html(data(), generated_on=today())})
    risks = sum(section.total for section in summary.sections)
    click.echo(f"Wrote {written}: {risks} risk{'s' if risks != 1 else ''} on"
               f" {', '.join(section.code for section in summary.sections)}"
               + (" (public version)" if public else ""))


@command("changes")
@click.argument("path", metavar="FILE.html")
@_appendix_options
def changes(path, codes, as_of, since, public):
    """Write the appendix's changes table alone as an accessible HTML document."""
    from riskkit.reports.html import changes_html  # on first use: the CLI starts fast

    chosen = formats.targets(path, "html", "pdf")
    data = _build(codes, as_of or today(), since, public)
    written = formats.write(chosen, {"html": lambda: changes_html(data, generated_on=today())})
    count = sum(len(section.changes) for section in data.sections)
    click.echo(f"Wrote {written}: {count} change{'s' if count != 1 else ''} since {data.since:%d/%m/%Y}")


report.add_command(appendix)
report.add_command(changes)
# The appendix's first name, kept so that scripts and cron jobs written for it still work.
report.add_command(click.Command("register", params=appendix.params, callback=appendix.callback,
                                 help="The former name of `riskkit report appendix`.", hidden=True))

COMMANDS = [report]
