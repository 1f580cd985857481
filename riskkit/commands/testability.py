"""not-testable: mark risks, or categories of risk, that no exercise could test."""

import click

from riskkit.commands.common import command, print_table
from riskkit.extensions import db
from riskkit.services import testability
from riskkit.services.risks import get_risk


@click.group("not-testable")
def not_testable():
    """Mark risks or categories not testable by exercise (left out of "top-rated risks not
    exercised"), each with its reason."""


@command("list")
def list_marked():
    """List the categories and the risks marked not testable by exercise, with reasons."""
    rows = [["category", c.category, c.reason] for c in testability.list_categories()]
    rows += [["risk", r.reference, r.not_testable_reason] for r in testability.marked_risks()]
    print_table(["what", "name", "reason"], rows)


@command("risk")
@click.argument("reference")
@click.option("--reason", default="", help="Why no exercise could test it (required unless --testable).")
@click.option("--testable", is_flag=True, help="An exercise can test it after all: count it again.")
def mark_risk(reference, reason, testable):
    """Mark one risk not testable by exercise, with the reason (or --testable again)."""
    risk = testability.mark_risk(get_risk(reference), None, testable=testable, reason=reason)
    db.session.commit()
    click.echo(f"{risk.reference}: testable by exercise" if testable else
               f"{risk.reference}: not testable by exercise ({risk.not_testable_reason})")


@command("category")
@click.argument("category")
@click.option("--reason", default="", help="Why no exercise could test its risks (required unless --testable).")
@click.option("--testable", is_flag=True, help="Its risks count again.")
def mark_category(category, reason, testable):
    """Mark a category of risk not testable by exercise, with the reason (or --testable again)."""
    if testable:
        testability.unmark_category(None, category)
        click.echo(f"{category}: testable by exercise")
    else:
        item = testability.mark_category(None, category, reason)
        click.echo(f"{item.category}: not testable by exercise ({item.reason})")
    db.session.commit()


for subcommand in (list_marked, mark_risk, mark_category):
    not_testable.add_command(subcommand)

COMMANDS = [not_testable]
