"""exercises report and exercises improvement-plan: an exercise's (or incident's) report
as a PDF, and the improvement plan as an Excel workbook."""

import click
from flask import current_app

from riskkit.commands import formats
from riskkit.commands.common import ISO_DATE, command, today
from riskkit.services import document_log
from riskkit.services.exercise_report import (
    build_improvement_plan,
    build_report,
    event_by_number_or_name,
)

_AS_OF = click.option("--as-of", type=ISO_DATE,
                      help="Lessons and actions as they stood at the end of this day, overdue judged"
                           " against it; default today.")


@command("report")
@click.argument("event", metavar="EVENT")
# A plain string: write_atomically reports every unwritable path as one line and exit 1.
@click.argument("path", metavar="FILE.pdf")
@formats.format_option()
@_AS_OF
def report(event, path, output, as_of):
    """Write the report of an exercise, or the debrief report of an incident, as a PDF.
    EVENT is its number (see `riskkit exercises list`) or its exact name."""
    from riskkit.reports.exercise import (
        render_exercise_report,  # on first use: the CLI starts fast
    )
    from riskkit.reports.html import exercise_report_html
    chosen = formats.targets(path, output, "pdf")
    data = build_report(event_by_number_or_name(event), current_app.config["ORGANISATION_NAME"],
                        as_of=as_of or today())
    written = formats.write(chosen, {"pdf": lambda: render_exercise_report(data, generated_on=today()),
                                     "html": lambda: exercise_report_html(data, generated_on=today())})
    document_log.record(None, "exported", data.title, str(written))
    what = "exercise report" if data.is_exercise else "incident debrief report"
    click.echo(f"Wrote {written}: {what} for {data.name}"
               f" ({len(data.lessons)} lesson{'s' if len(data.lessons) != 1 else ''})")


@command("improvement-plan")
@click.argument("path", metavar="FILE.xlsx")
@click.option("--event", "spec", metavar="EVENT",
              help="Only this exercise or incident (its number or exact name); default all.")
@click.option("--open-only", is_flag=True,
              help="Only open lessons (identified, action planned or in progress).")
@formats.format_option("xlsx")
@_AS_OF
def improvement_plan(path, spec, open_only, output, as_of):
    """Write the improvement plan as an Excel workbook: a row per lesson, and the actions
    the lessons raised on risks."""
    from riskkit.reports.html import improvement_plan_html
    from riskkit.reports.improvement_plan import (
        improvement_plan_bytes,  # on first use: the CLI starts fast
    )
    chosen = formats.targets(path, output, "xlsx")
    event = event_by_number_or_name(spec) if spec else None
    plan = build_improvement_plan(event, as_of=as_of or today(), open_only=open_only)
    organisation = current_app.config["ORGANISATION_NAME"]
    written = formats.write(chosen, {"xlsx": lambda: improvement_plan_bytes(plan),
                                     "html": lambda: improvement_plan_html(plan, organisation, today())})
    document_log.record(None, "exported", plan.title, str(written))
    lessons, actions = len(plan.lessons), len(plan.actions)
    click.echo(f"Wrote {written}: {lessons} lesson{'s' if lessons != 1 else ''} and {actions}"
               f" action{'s' if actions != 1 else ''}" + (f" for {event.name}" if event else ""))


SUBCOMMANDS = [report, improvement_plan]
