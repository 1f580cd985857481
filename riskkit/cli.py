"""The `riskkit` command: the commands registered on the app (riskkit.commands),
run against an app built by create_app from the environment."""

import click
from flask.cli import ScriptInfo

from riskkit import __version__, create_app
from riskkit.errors import SettingError


class BadSetting(click.ClickException):
    """A setting riskkit cannot start with: one line, exit status 2 (as for bad usage)."""

    exit_code = 2


class RiskkitGroup(click.Group):
    """Lists and finds commands on the app's own `app.cli`, so that `riskkit X`,
    `python cli.py X` and `flask --app riskkit X` run the same command."""

    def _app_cli(self, ctx):
        try:
            return ctx.ensure_object(ScriptInfo).load_app().cli
        except SettingError as error:
            raise BadSetting(str(error)) from None

    def list_commands(self, ctx):
        return sorted(self._app_cli(ctx).list_commands(ctx))

    def get_command(self, ctx, name):
        return self._app_cli(ctx).get_command(ctx, name)


@click.group(cls=RiskkitGroup)
@click.version_option(__version__, prog_name="riskkit")
def cli():
    """riskkit: risk register and resilience exercises.

    The database is RISKKIT_DATABASE_URL (default: a SQLite file in the data directory,
    RISKKIT_DATA_DIR; `riskkit init` prints where it is).
    Run a command with --help for its options.
    """


def main() -> None:
    cli.main(prog_name="riskkit", obj=ScriptInfo(create_app=lambda: create_app(),
                                                  set_debug_flag=False))
