"""check: the settings in force, and whether the database and the mail server answer."""

import sys

import click
from flask import current_app

from riskkit.commands.common import command
from riskkit.services.checks import check as run_check


@command("check")
@click.option("--no-smtp", is_flag=True, help="Do not try the mail server (no reminders sent).")
def check(no_smtp):
    """Print the effective settings (secrets hidden) and where the data is, then check
    that the database answers at the current schema and the mail server answers. Exits 1
    when something is wrong, with one line per problem on stderr."""
    report = run_check(current_app.config["SETTINGS"], smtp=not no_smtp)
    width = max(len(name) for name, _ in report.settings)
    for name, value in report.settings:
        click.echo(f"{name:<{width}}  {value}")
    click.echo("")
    for finding in report.findings:
        click.echo(f"OK: {finding}")
    for problem in report.problems:
        click.echo(f"Problem: {problem}", err=True)
    if report.problems:
        sys.exit(1)


COMMANDS = [check]
