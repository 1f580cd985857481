"""The `riskkit` command: the commands of riskkit.commands, run against an app built by
create_app from the environment when a command needs it (listing them needs none)."""

import click

from riskkit import __version__
from riskkit.commands import SERVES, Commands


class BadSetting(click.ClickException):
    """A setting riskkit cannot start with: one line, exit status 2 (as for bad usage)."""

    exit_code = 2


class RiskkitGroup(Commands):
    """The same commands as `flask --app riskkit`; the app is built (and the settings
    checked) only when one of them runs, through Flask's ScriptInfo, and with its web
    face only for a command that serves pages."""

    def resolve_command(self, ctx, args):
        from flask.cli import ScriptInfo

        from riskkit import create_app

        name, command, rest = super().resolve_command(ctx, args)
        if ctx.obj is None:
            ctx.obj = ScriptInfo(create_app=lambda: create_app(web=name in SERVES),
                                 set_debug_flag=False)
        return name, command, rest

    def invoke(self, ctx):
        from riskkit.errors import SettingError

        try:
            return super().invoke(ctx)
        except SettingError as error:
            raise BadSetting(str(error)) from None


@click.group(cls=RiskkitGroup)
@click.version_option(__version__, prog_name="riskkit")
def cli():
    """riskkit: risk register and resilience exercises.

    The database is RISKKIT_DATABASE_URL (default: a SQLite file in the data directory,
    RISKKIT_DATA_DIR; `riskkit init` prints where it is).
    Run a command with --help for its options.
    """


def main() -> None:
    cli.main(prog_name="riskkit")
