"""The Click commands, registered on the app so `riskkit` and `flask --app riskkit` agree.
Commands stay thin: parse options, call a service, print."""

from flask import Flask

from riskkit.commands import (
    backup,
    check,
    database,
    exercises,
    export,
    heatmap,
    imports,
    matrices,
    overdue,
    registers,
    report,
    risks,
    serve,
    teams,
    users,
)


def init_app(app: Flask) -> None:
    for module in (database, risks, registers, matrices, users, teams, overdue, heatmap, report,
                   export, exercises, backup, check, serve, imports):
        for command in module.COMMANDS:
            app.cli.add_command(command)
