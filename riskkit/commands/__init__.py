"""The Click commands, registered on the app so `riskkit` and `flask --app riskkit` agree.
Commands stay thin: parse options, call a service, print.

Each command's module is imported only when that command runs or shows its help, so
starting riskkit does not import what other commands need (Alembic, the importer, the
report renderers): `riskkit --help` lists the commands from the table below without
importing any of them. A test keeps each summary equal to its command's own help."""

import importlib

import click

#: name -> (module in riskkit.commands, the first sentence of the command's help)
TABLE = {
    "actions": ("actions", "Mitigating actions: delivery against their target dates."),
    "backup": ("backup", "Write the whole database to FILE (a zip of one JSON Lines file per"
                         " table and a manifest), consistent while the app is running."),
    "check": ("check", "Print the effective settings (secrets hidden) and where the data is,"
                       " then check that the database answers at the current schema and the"
                       " mail server answers."),
    "clean-uploads": ("imports", "Remove files uploaded for import on the web and never"
                                 " confirmed (the web upload also removes those older than a"
                                 " day itself, each time a file is uploaded)."),
    "controls": ("controls", "Control assurance: record an opinion, import audit opinions, list"
                             " the unassured."),
    "db": ("migrations", "Perform database migrations."),
    "demo": ("database", "Initialise the database and load the demo register from seed_data/"
                         " (safe to rerun)."),
    "evidence": ("evidence", "Write an evidence pack for a period as a PDF or an Excel workbook"
                             " (FILE's suffix chooses): eprr (NHS EPRR training and"
                             " exercising), iso22301 (exercising and corrective action, clauses"
                             " 8.5 and 9.1) or audit (internal audit's view of the register)."),
    "exercises": ("exercises", "Exercises and incidents: the programme, scenario packs, new"
                               " exercises, reports."),
    "export": ("export", "Write FILE.xlsx (sheets Risks, Controls, Actions, Reviews) or FILE.csv"
                         " (risks)."),
    "heatmap": ("heatmap", "Draw a register's heat map as a PDF, PNG and/or accessible HTML."),
    "import": ("imports", "Import risks, controls, actions and reviews from FILE.xlsx or"
                          " FILE.csv, all or nothing."),
    "indicators": ("indicators", "Operational pressure indicators: define them, record"
                                 " readings, propose and declare levels."),
    "init": ("database", "Create the database, or upgrade it to the current schema, and add"
                         " built-in matrices and level schemes, the default themes and the"
                         " default exercise programme."),
    "issues": ("issues", "Issues beside the register: `list`, `raise` (from a risk with"
                         " --from-risk), `close`."),
    "matrices": ("matrices", "List the scoring matrices; `show SLUG` draws one, `import FILE`"
                             " adds one."),
    "not-testable": ("testability", "Mark risks or categories not testable by exercise (left"
                                    " out of \"top-rated risks not exercised\"), each with its"
                                    " reason."),
    "overdue": ("overdue", "List overdue reviews and actions (of risks and of issues), lessons"
                           " and exercise programme items."),
    "registers": ("registers", "List, add and change registers and the tree they make."),
    "report": ("report", "Committee reports: `riskkit report appendix FILE.pdf`, `changes`,"
                         " `publish`, `published`."),
    "restore": ("backup", "Restore a backup made by `riskkit backup` into an empty database"
                          " (or, with --replace, over what is there)."),
    "risk": ("risks", "Show one risk whole: fields, controls, actions and review history."),
    "risks": ("risks", "List risks: reference, title, owner, current and target rating, trend,"
                       " next review."),
    "serve": ("serve", "Run the web app: waitress by default, gunicorn worker processes with"
                       " --workers."),
    "teams": ("teams", "List and add teams, and change who is in them."),
    "tokens": ("tokens", "List, make and revoke API tokens (each acts as its person)."),
    "users": ("users", "Manage the people who sign in and own risks."),
}

#: The commands that serve the web pages: the app they run has its web face; the others
#: start without it.
SERVES = {"serve"}


def load(name: str) -> click.Command | None:
    """The command called name, its module imported now; None for no such command."""
    if name not in TABLE:
        return None
    module = importlib.import_module(f"riskkit.commands.{TABLE[name][0]}")
    return next(command for command in module.COMMANDS if command.name == name)


class Commands(click.Group):
    """riskkit's commands, each loaded from TABLE when it is first asked for."""

    def list_commands(self, ctx):
        return sorted(TABLE.keys() | self.commands.keys())

    def get_command(self, ctx, name):
        if name not in self.commands and (command := load(name)) is not None:
            self.add_command(command, name)
        return self.commands.get(name)

    def format_commands(self, ctx, formatter):
        """The list of commands with their summaries from TABLE, as click would print
        them from each command's help, without importing any."""
        rows = sorted(TABLE.items())
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, click.utils.make_default_short_help(summary, limit))
                                    for name, (_, summary) in rows])


def init_app(app) -> None:
    """The app's own command group (`flask --app riskkit X`) is the same table."""
    app.cli = Commands(name=app.name)
