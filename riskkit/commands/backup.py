"""backup and restore: the whole database as one portable archive."""

from pathlib import Path

import click

from riskkit.commands.common import command
from riskkit.services import backup as backups


@command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file):
    """Write the whole database to FILE (a zip of one JSON Lines file per table and a
    manifest), consistent while the app is running. Either database can restore it."""
    summary = backups.backup(file)
    click.echo(f"Backed up {summary.total} rows from {len(summary.rows)} tables"
               f" (schema {summary.revision}) to {file}")


@command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Delete everything in the database first (asks to confirm).")
@click.option("--yes", is_flag=True, help="Do not ask before --replace (for scripts).")
def restore(file, replace, yes):
    """Restore a backup made by `riskkit backup` into an empty database (or, with
    --replace, over what is there). The archive is checked whole first, a newer schema
    is refused, and the restore is all or nothing."""
    if replace and not yes:
        click.confirm("Delete everything in this database and restore the backup?", abort=True,
                      err=True)
    summary = backups.restore(file, replace=replace)
    click.echo(f"Restored {summary.total} rows into {len(summary.rows)} tables"
               f" (schema {summary.revision}) from {file}")


COMMANDS = [backup, restore]
