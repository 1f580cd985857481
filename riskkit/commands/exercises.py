"""exercises: the programme (what is due), the scenario packs, and new exercises."""

import sys

import click
from flask import current_app

from riskkit import vocab
from riskkit.commands.common import ISO_DATE, command, print_json, print_table, today
from riskkit.commands.exercise_reports import SUBCOMMANDS
from riskkit.extensions import db
from riskkit.services import events, lessons, packs, programme
from riskkit.services.overdue import describe_due
from riskkit.services.people import find_person
from riskkit.services.risks import get_risk

#: Exit status with --fail-if-any when something is listed (1 is for errors).
EXIT_FOUND = 3


@click.group("exercises")
def exercises():
    """Exercises and incidents: the programme, scenario packs, new exercises, reports."""


@command("list")
@click.option("--kind", type=click.Choice(vocab.values(vocab.EVENT_KINDS)), help="Only exercises or only incidents.")
@click.option("--status", type=click.Choice(vocab.values(vocab.EVENT_STATUSES)), help="Only this status.")
def list_events(kind, status):
    """List exercises and incidents, newest first."""
    rows = [[e.id, e.start_date.isoformat(), e.kind, e.type_label, e.name,
             vocab.label(vocab.EVENT_STATUSES, e.status), e.lead.name if e.lead else ""]
            for e in events.list_events(kind, status)]
    print_table(["id", "start", "kind", "type", "name", "status", "lead"], rows)


@command("due")
@click.option("--as-of", type=ISO_DATE, help="The day to judge the programme for (default today).")
@click.option("--due-within", type=click.IntRange(0, 366), default=0, metavar="DAYS",
              help="Also list what falls due in the next DAYS days.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-if-any", is_flag=True, help=f"Exit {EXIT_FOUND} when anything is listed.")
def due(as_of, due_within, fmt, fail_if_any):
    """What the exercise programme has due or overdue: exercises by type, plans to
    exercise, debriefs and improvement plans. Prints nothing when nothing is due."""
    as_of = as_of or today()
    items = programme.due(as_of, due_within)
    if fmt == "json":
        print_json([item.as_json() for item in items])
    elif items:
        click.echo(f"Exercise programme as of {as_of:%d/%m/%Y}: {len(items)} due")
        for item in items:
            what = item.rule if item.kind == "exercise" else f"{item.rule}: {item.subject}"
            click.echo(f"\n  {what}")
            click.echo(f"    due {item.due_date:%d/%m/%Y}, {_when(item)}; {item.note}; {item.owner}")
    awaiting = programme.awaiting_partner_report(as_of)
    if fmt == "text" and items and awaiting:
        click.echo(f"\nAwaiting a partner's report (nothing falls due until it arrives):"
                   f" {len(awaiting)}")
        for event in awaiting:
            click.echo(f"  {event.name}: led by {event.partner}, ended {event.end_date:%d/%m/%Y}")
    met = programme.credits(as_of)
    if fmt == "text" and items and met:
        click.echo("\nRules met by incidents:")
        for item in met:
            click.echo(f"  {item.rule}: {item.words}; next due {item.next_due:%d/%m/%Y}")
    if fail_if_any and items:
        sys.exit(EXIT_FOUND)


def _when(item) -> str:
    return "due now" if item.never else describe_due(item)


@command("packs")
def list_packs():
    """List the scenario packs in the exercises folder (a faulty pack is named with its line)."""
    rows = [[p.slug, p.title, p.type_label, f"{p.duration_minutes} min", len(p.injects)]
            for p in packs.list_packs(current_app.config["EXERCISE_PACKS_DIR"])]
    print_table(["pack", "title", "type", "length", "injects"], rows)


@command("new")
@click.option("--pack", "slug", required=True, help="The scenario pack to start from (see `riskkit exercises packs`).")
@click.option("--name", required=True, help="The exercise's name, e.g. \"Exercise Oakfield\".")
@click.option("--date", "start", type=ISO_DATE, required=True, help="The day it is held (YYYY-MM-DD).")
@click.option("--end", type=ISO_DATE, help="The last day, for an exercise over several days.")
@click.option("--lead", help="Who leads it (name or email).")
@click.option("--risk", "references", multiple=True, metavar="REF", help="A risk it tests (repeatable).")
def new(slug, name, start, end, lead, references):
    """Create a planned exercise from a scenario pack."""
    pack = packs.get_pack(current_app.config["EXERCISE_PACKS_DIR"], slug)
    event = events.create_from_pack(None, pack, name=name, start_date=start, end_date=end,
                                    lead=find_person(lead) if lead else None,
                                    risks=[get_risk(ref) for ref in references])
    db.session.commit()
    click.echo(f"Planned exercise {event.id}: {event.name}, {event.type_label.lower()},"
               f" {event.start_date:%d/%m/%Y}, from the {pack.slug} pack"
               f" ({len(event.objectives)} objectives)")


@command("lead")
@click.argument("name")
@click.option("--organisation", default="", metavar="NAME",
              help="The partner that led it (the LRF, an NHS trust, a neighbouring council);"
                   " leave out if we led it.")
@click.option("--report-date", type=ISO_DATE,
              help="The day the partner's report arrived: our debriefs and improvement plan"
                   " fall due from it.")
def lead(name, organisation, report_date):
    """Say who led an exercise or incident and, for a partner, when its report came."""
    event = events.record_lead(events.find_event(name), None, lead_organisation=organisation,
                               partner_report_date=report_date)
    db.session.commit()
    if not event.partner_led:
        click.echo(f"{event.name}: led by us")
    else:
        report = (f"report received {event.partner_report_date:%d/%m/%Y}"
                  if event.partner_report_date else "awaiting partner report")
        click.echo(f"{event.name}: led by {event.lead_organisation}, {report}")


@command("partner-lesson")
@click.argument("reference", metavar="LESSON")
@click.option("--ours", is_flag=True, help="Ours to track after all: undo the mark.")
@click.option("--note", default="", help="Why, kept on the lesson's history.")
def partner_lesson(reference, ours, note):
    """Mark a lesson (L0012) of a partner-led event as for the partner: noted only, never
    open or overdue."""
    lesson = lessons.mark_for_partner(lessons.find_lesson(reference), None, not ours, note)
    db.session.commit()
    click.echo(f"{lesson.reference}: ours to track" if ours else
               f"{lesson.reference}: for {lesson.event.lead_organisation}, noted only (never open or overdue)")


@command("credit")
@click.argument("rule")
@click.option("--incident-type", "types", multiple=True, metavar="TYPE",
              help="An incident type whose response (debriefed, with lessons) meets the rule;"
                   f" repeatable; one of {', '.join(vocab.values(vocab.INCIDENT_TYPES))}."
                   " None clears them.")
def credit(rule, types):
    """Say which incident types meet an exercise rule of the programme."""
    rule = programme.credit_rule(None, programme.find_rule(rule), list(types))
    db.session.commit()
    click.echo(f"{rule.name}: also met by an incident ({rule.credit_words()})"
               if rule.credited_incidents else f"{rule.name}: met by exercises only")


for subcommand in (list_events, due, list_packs, new, lead, partner_lesson, credit, *SUBCOMMANDS):
    exercises.add_command(subcommand)

COMMANDS = [exercises]
