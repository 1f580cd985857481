"""serve: the web app, with waitress (one process, for trying riskkit out and small
teams) or, with --workers, gunicorn's worker processes (Linux, production)."""

import os
import socket

import click
from flask import current_app

from riskkit.commands.common import command, say_where


class CannotListen(click.ClickException):
    exit_code = 2


@command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Threads of the one waitress process (without --workers).")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Run gunicorn with this many worker processes instead of waitress.")
def serve(host, port, threads, workers):
    """Run the web app: waitress by default, gunicorn worker processes with --workers."""
    _check_free(host, port)
    say_where()
    click.echo(f"riskkit on http://{host}:{port}/ (Ctrl+C to stop)")
    if workers:
        _gunicorn(host, port, workers)
    else:
        import waitress

        waitress.serve(current_app._get_current_object(), host=host, port=port, threads=threads,
                       ident="riskkit")


def _check_free(host: str, port: int) -> None:
    """Refuse at once, in one line, an address another program is listening on."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise CannotListen(f"Cannot listen on {host}:{port} (--host, --port):"
                           f" {os.strerror(error.errno) if error.errno else error}") from None


def _gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from riskkit import create_app

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", None)  # riskkit logs one line per request itself

        def load(self):
            # Each worker builds its own app after the fork: it must share neither this
            # command's app context (requests would share its `g` and database session)
            # nor its database connections.
            return create_app()

    Server().run()


COMMANDS = [serve]
