"""What the commands share: user-error handling, dates, tables and output formats."""

import csv
import functools
import io
import json
import sys
from datetime import date, datetime

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from riskkit import clock
from riskkit.audit import acting_as, command_line_actor
from riskkit.errors import RiskkitError, ValidationError
from riskkit.extensions import db
from riskkit.formulas import neutralise
from riskkit.models.base import LARGEST_INT, check_date, control_character


def command(*args, **kwargs):
    """A riskkit command: runs in an app context, with changes attributed to the
    command line, and a user error printed as one line on stderr with exit 1."""

    def decorate(function):
        @functools.wraps(function)
        def run(*a, **kw):
            _refuse_control_characters(kw)
            try:
                with acting_as(name=command_line_actor()):
                    return function(*a, **kw)
            except RiskkitError as error:
                db.session.rollback()  # nothing half-made is left for a later flush
                raise click.ClickException(str(error)) from None
            except (OperationalError, ProgrammingError) as error:
                # An unreachable or uninitialised database is the operator's to fix.
                reason = str(error.orig).strip().splitlines()[0]
                raise click.ClickException(
                    f"Database problem: {reason}. Check RISKKIT_DATABASE_URL and run"
                    " `riskkit init` to create or upgrade the database."
                ) from None

        return click.command(*args, **kwargs)(with_appcontext(run))

    return decorate


def say_where() -> None:
    """Say where the data is, so nobody has to guess which database a command used."""
    from flask import current_app

    click.echo(f"Data directory: {current_app.instance_path}")
    click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
def _refuse_control_characters(values: dict) -> None:
    """No option or argument may hold NUL or another control character: nothing typed
    on a command line needs one, and the database cannot keep or compare some."""
    params = {p.name: p for p in click.get_current_context().command.params}
    for name, value in values.items():
        for text in value if isinstance(value, tuple | list) else [value]:
            if isinstance(text, str) and control_character(text) is not None:
                param = params[name]
                shown = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
                raise click.ClickException(f"Invalid value for {shown}: it contains a control"
                                           " character")


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        # A bad value is a user error like any other: one line and exit 1 (click's
        # usage errors exit 2, which cron wrappers would read as a crash).
        name = param.opts[0] if param is not None and param.opts else "date"
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise click.ClickException(
                f"Invalid value for {name}: {value[:40]!r} is not a date in the form YYYY-MM-DD"
            ) from None
        try:
            return check_date(day, "date")
        except ValidationError as error:
            raise click.ClickException(f"Invalid value for {name}: {error}") from None


ISO_DATE = IsoDate()
#: A record's number (a control's, a token's, an incident's): within the range every id
#: column holds, so a mistyped 99999999999999999999 is a usage error, not a crash.
RECORD_ID = click.IntRange(1, LARGEST_INT)


def today() -> date:
    return clock.today()


#: The loaders count what they add under plural names; these are not the name less its "s".
_ONE = {"matrices": "matrix", "people": "person", "exercises and incidents": "exercise or incident",
        "readings (invented)": "reading (invented)", "declarations (invented)": "declaration (invented)"}


def counted(counts: dict[str, int]) -> str:
    """"2 matrices, 1 level scheme": what a load added, each name as its count needs."""
    return ", ".join(f"{n} {what if n != 1 else _ONE.get(what, what.removesuffix('s'))}"
                     for what, n in counts.items())


def print_table(headers: list[str], rows: list[list]) -> None:
    """Plain aligned columns, wide text cut short so a line fits a terminal."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [min(max([len(h)] + [len(r[i]) for r in cells]), 48) for i, h in enumerate(headers)]
    for row in [headers, ["-" * w for w in widths]] + cells:
        click.echo("  ".join(_fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip())


def _fit(value: str, width: int) -> str:
    return value.ljust(width) if len(value) <= width else value[: width - 1] + "…"


def print_csv(headers: list[str], rows: list[list]) -> None:
    """CSV on stdout, no cell of it run as a formula by the spreadsheet it is opened in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([neutralise(value) for value in row] for row in rows)
    click.echo(out.getvalue(), nl=False)


def print_rows(headers: list[str], rows: list[list], fmt: str) -> None:
    """Rows as a table, CSV, or JSON (a list of objects keyed by the headers)."""
    if fmt == "json":
        print_json([dict(zip(headers, row, strict=True)) for row in rows])
    elif fmt == "csv":
        print_csv(headers, rows)
    else:
        print_table(headers, rows)


def print_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def stderr(message: str) -> None:
    click.echo(message, err=True, file=sys.stderr)
