"""init, demo and serve."""

import click
from flask import current_app

from riskkit.commands.common import command
from riskkit.database import upgrade_database
from riskkit.extensions import db
from riskkit.services import matrices, programme, themes
from riskkit.services.demo import load_demo


@command("init")
def init():
    """Create the database, or upgrade it to the current schema, and add built-in matrices,
    the default themes and the default exercise programme."""
    upgrade_database()
    added = matrices.ensure_builtin()
    themes.ensure_defaults()
    programme.ensure_defaults()
    db.session.commit()
    _where()
    if added:
        click.echo(f"Added matrices: {', '.join(m.slug for m in added)}")


@command("demo")
def demo():
    """Initialise the database and load the demo register from seed_data/ (safe to rerun)."""
    upgrade_database()
    _where()
    added = load_demo(current_app.config["SEED_DATA_DIR"])
    if not added:
        click.echo("Demo data already loaded: nothing to add.")
        return
    click.echo("Loaded " + ", ".join(f"{count} {what}" for what, count in added.items()) + ".")


@command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host, port, threads):
    """Run the web app with the waitress server."""
    import waitress

    _where()
    click.echo(f"riskkit on http://{host}:{port}/ (Ctrl+C to stop)")
    waitress.serve(current_app._get_current_object(), host=host, port=port, threads=threads,
                   ident="riskkit")


def _where() -> None:
    """Say where the data is, so nobody has to guess which database a command used."""
    click.echo(f"Data directory: {current_app.instance_path}")
    click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")


COMMANDS = [init, demo, serve]
