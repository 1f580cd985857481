"""actions: how well agreed actions are delivered by their target dates."""

import click
from flask import current_app

from riskkit.commands.common import ISO_DATE, command, print_json, print_table, today
from riskkit.services.delivery import delivery
from riskkit.services.registers import get_register


@click.group("actions")
def actions():
    """Mitigating actions: delivery against their target dates."""


def _share(row) -> str:
    if row.share is None:
        return "–"
    return f"{row.share}%" + ("" if row.meets_target else " below target")


@command("delivery")
@click.option("--from", "start", type=ISO_DATE, required=True, help="The period's first day (YYYY-MM-DD).")
@click.option("--to", "end", type=ISO_DATE, required=True, help="The period's last day (YYYY-MM-DD).")
@click.option("--as-of", type=ISO_DATE, help="The day to judge for (default today).")
@click.option("--register", "codes", multiple=True, metavar="CODE", help="Only this register (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def delivery_command(start, end, as_of, codes, fmt):
    """Per register and per owner, the share of actions due in a period that were
    completed by their target date, against the target share."""
    report = delivery(start, end, as_of or today(), current_app.config["ACTION_DELIVERY_TARGET"],
                      [get_register(code).id for code in codes] or None)
    if fmt == "json":
        print_json(report.as_json())
        return
    total = report.total
    click.echo(f"Actions due {report.start:%d/%m/%Y} to {report.end:%d/%m/%Y}: {total.due},"
               f" {total.on_time} completed by their target date ({_share(total)});"
               f" target {report.target}%")
    for title, rows in (("By register", report.registers), ("By owner", report.owners)):
        click.echo(f"\n{title}")
        print_table(["name", "due", "on time", "late", "share"],
                    [[r.name, r.due, r.on_time, r.late, _share(r)] for r in rows])


actions.add_command(delivery_command)

COMMANDS = [actions]
