"""`riskkit db`: Flask-Migrate's migration commands (`riskkit db upgrade`, `current`,
`migrate`), with Flask-Migrate, and so Alembic, wired in only when one is run."""

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate.cli import db as migration_commands

from riskkit.database import configure_migrations


@click.group("db", help=migration_commands.help)
@with_appcontext
def db():
    configure_migrations(current_app)


for _name, _command in migration_commands.commands.items():
    db.add_command(_command, _name)

COMMANDS = [db]
