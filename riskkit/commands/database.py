"""init and demo."""

import click
from flask import current_app

from riskkit.commands.common import command, counted, say_where
from riskkit.database import upgrade_database
from riskkit.extensions import db
from riskkit.services import levels, matrices, programme, themes
from riskkit.services.demo import load_demo


@command("init")
def init():
    """Create the database, or upgrade it to the current schema, and add built-in matrices
    and level schemes, the default themes and the default exercise programme."""
    upgrade_database()
    added = matrices.ensure_builtin()
    schemes = levels.ensure_builtin()
    themes.ensure_defaults()
    programme.ensure_defaults()
    db.session.commit()
    say_where()
    if added:
        click.echo(f"Added matrices: {', '.join(m.slug for m in added)}")
    if schemes:
        click.echo(f"Added level schemes: {', '.join(s.code for s in schemes)}")


@command("demo")
def demo():
    """Initialise the database and load the demo register from seed_data/ (safe to rerun)."""
    upgrade_database()
    say_where()
    added = load_demo(current_app.config["SEED_DATA_DIR"])
    if not added:
        click.echo("Demo data already loaded: nothing to add.")
        return
    click.echo(f"Loaded {counted(added)}.")


COMMANDS = [init, demo]
