"""controls: the assurance each control has, by the three lines."""

from pathlib import Path

import click
from flask import current_app

from riskkit import vocab
from riskkit.commands.common import ISO_DATE, RECORD_ID, command, print_json, print_table, today
from riskkit.extensions import db
from riskkit.services import assurance
from riskkit.services.imports.assurance import import_assurance
from riskkit.services.registers import get_register

#: Exit status with --fail-if-any when something is listed (1 is for errors).
EXIT_FOUND = 3


@click.group("controls")
def controls():
    """Control assurance: record an opinion, import audit opinions, list the unassured."""


@command("assure")
@click.argument("control_id", type=RECORD_ID, metavar="CONTROL_ID")
@click.option("--line", required=True, help="1 (management), 2 (oversight) or 3 (internal audit"
                                            " or external).")
@click.option("--source", default="audit_report", show_default=True,
              help=f"One of {', '.join(vocab.values(vocab.ASSURANCE_SOURCES))}.")
@click.option("--reference", default="", help="The report or review it comes from, like"
                                               " 'IA 2026/14 Care market'.")
@click.option("--date", "assured_on", type=ISO_DATE, help="The date of the opinion (default today).")
@click.option("--opinion", required=True,
              help="substantial, reasonable, limited or no_assurance ('no assurance').")
@click.option("--next-due", type=ISO_DATE, help="When the next assurance is due.")
def assure(control_id, line, source, reference, assured_on, opinion, next_due):
    """Record an assurance opinion on a control (its id is on `riskkit risk REF --format json`)."""
    control = assurance.get_control(control_id)
    entry = assurance.save_assurance(
        control, None, line=line, source=source, reference=reference,
        assured_on=assured_on or today(), opinion=opinion, next_due=next_due)
    db.session.commit()
    click.echo(f"Recorded {entry.opinion.replace('_', ' ')} assurance (line {entry.line}) on"
               f" control {control.id} of {control.risk.reference}.")


@command("unassured")
@click.option("--register", "codes", multiple=True, metavar="CODE",
              help="Only this register and those below it (repeat for several).")
@click.option("--as-of", type=ISO_DATE, help="The day to judge by (default today).")
@click.option("--months", type=click.IntRange(1, 120),
              help="No assurance in this many months counts (default RISKKIT_ASSURANCE_MONTHS).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--fail-if-any", is_flag=True, help=f"Exit {EXIT_FOUND} when anything is listed.")
def unassured(codes, as_of, months, fmt, fail_if_any):
    """List controls of live risks with limited or no assurance, or none in the period."""
    months = months or current_app.config["ASSURANCE_MONTHS"]
    listed = assurance.unassured(as_of or today(), months, [get_register(c) for c in codes])
    rows = [{"risk": item.control.risk.reference, "control_id": item.control.id,
             "control": item.control.description, "owner": item.control.owner.name,
             "reason": item.reason} for item in listed]
    if fmt == "json":
        print_json(rows)
    elif rows:
        print_table(["risk", "control", "id", "owner", "why listed"],
                    [[r["risk"], r["control"], r["control_id"], r["owner"], r["reason"]]
                     for r in rows])
    else:
        click.echo(f"Every control of a live risk has had assurance in the last {months} months,"
                   " none limited or no assurance.")
    if fail_if_any and rows:
        raise SystemExit(EXIT_FOUND)


@command("import-assurance")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def import_assurance_file(file):
    """Import audit opinions on controls from FILE.xlsx, all or nothing."""
    count = import_assurance(file, None)
    click.echo(f"Recorded {count} assurance opinion(s) from {file.name}.")


for _command in (assure, unassured, import_assurance_file):
    controls.add_command(_command)

COMMANDS = [controls]
