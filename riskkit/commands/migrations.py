"""`riskkit db`: Flask-Migrate's migration commands (`riskkit db upgrade`, `current`,
`migrate`), with Flask-Migrate, and so Alembic, wired in only when one is run."""

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate.cli import db as migration_commands


@with_appcontext
def _configure_then_run(**options):
    from riskkit.database import configure_migrations

    configure_migrations(current_app)
    click.get_current_context().invoke(migration_commands.callback, **options)


# Flask-Migrate's own group (its options, its subcommands), wired in first.
db = click.Group("db", commands=dict(migration_commands.commands),
                 params=migration_commands.params, help=migration_commands.help,
                 callback=_configure_then_run)

COMMANDS = [db]
