"""The `riskkit` command: a Flask CLI group bound to riskkit's app factory."""

import sys

from flask.cli import FlaskGroup

from riskkit import create_app


def _create_app(*_args):
    return create_app()


cli = FlaskGroup(
    name="riskkit",
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    help="riskkit: risk register and resilience exercises. Run a command with --help for more.",
)


def main() -> None:
    cli.main(args=sys.argv[1:], prog_name="riskkit")
