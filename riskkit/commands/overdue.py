"""overdue: what is overdue (or due soon), for cron, monitoring and reminder emails."""

import sys
from datetime import datetime

import click
from flask import current_app

from riskkit.commands.common import ISO_DATE, command, print_csv, print_json, today
from riskkit.errors import ValidationError
from riskkit.services.overdue import by_owner, describe_due, due_items
from riskkit.services.people import find_person
from riskkit.services.registers import get_register

CSV_HEADERS = ["kind", "reference", "title", "action", "owner", "register", "due_date", "days_overdue"]
#: Exit status with --fail-if-any when something is listed (1 is for errors).
EXIT_FOUND = 3
#: Exit status with --email when every message went but some owners have no address to
#: send to (a person without one, or a team none of whose members has one).
EXIT_UNDELIVERABLE = 4


@command("overdue")
@click.option("--as-of", type=ISO_DATE, help="The day to report for (default today).")
@click.option("--register", "codes", multiple=True, metavar="CODE", help="Only this register (repeatable).")
@click.option("--owner", help="Only items this person owns (name or email).")
@click.option("--due-within", type=click.IntRange(0, 366), default=0, metavar="DAYS",
              help="Also list what falls due in the next DAYS days.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("--email", is_flag=True, help="Send each owner one digest of their items.")
@click.option("--dry-run", is_flag=True, help="With --email: print the messages instead of sending them.")
@click.option("--fail-if-any", is_flag=True, help=f"Exit {EXIT_FOUND} when anything is listed.")
def overdue(as_of, codes, owner, due_within, fmt, email, dry_run, fail_if_any):
    """List overdue reviews and actions (of risks and of issues), lessons and exercise
    programme items. Prints nothing when nothing is overdue."""
    as_of = as_of or today()
    register_ids = [get_register(code).id for code in codes] or None
    items = due_items(as_of, register_ids, find_person(owner) if owner else None, due_within)
    status = 0
    if email:
        status = _email(items, as_of, dry_run)
    elif fmt == "json":
        print_json([item.as_json() for item in items])
    elif fmt == "csv":
        print_csv(CSV_HEADERS, [[i.kind, i.reference, i.title, i.action or "", i.owner, i.register,
                                 i.due_date.isoformat(), i.days_overdue] for i in items])
    elif items:
        _text(items, as_of)
    if fail_if_any and items and status != 1:  # an error outranks what was found
        status = EXIT_FOUND
    if status:
        sys.exit(status)


KIND_WORDS = {"review": "review", "action": "action", "issue review": "issue review",
              "issue action": "issue action", "lesson": "lesson", "exercise": "programme item"}


def _text(items, as_of) -> None:
    counts = [(sum(1 for i in items if i.kind == kind), words) for kind, words in KIND_WORDS.items()]
    click.echo(f"Due as of {as_of:%d/%m/%Y}: "
               + ", ".join(f"{n} {words}{'s' if n != 1 else ''}" for n, words in counts if n))
    for owner, owned in by_owner(items).items():
        click.echo(f"\n{owner} ({len(owned)})")
        for item in owned:
            words = f" – {item.action}" if item.action else ""
            click.echo(f"  {item.kind:<8}  {item.reference}  {item.title}{words}")
            where = f"{item.register}, " if item.register else ""
            click.echo(f"            {where}due {item.due_date:%d/%m/%Y}, {describe_due(item)}")


def _email(items, as_of, dry_run) -> int:
    """Send the digests; the exit status: 1 when a message could not be written or sent,
    EXIT_UNDELIVERABLE when only some owners had no address to send to, else 0."""
    try:
        escalate_after = int(current_app.config["ESCALATE_AFTER_DAYS"])
    except ValueError:
        raise ValidationError("RISKKIT_ESCALATE_AFTER_DAYS must be a whole number of days") from None
    # Mail (smtplib, ssl, email) is imported only when reminders are sent.
    from riskkit.reports.reminders import build_message
    from riskkit.services.reminders import send_reminders

    smtp, organisation = current_app.config["SMTP"], current_app.config["ORGANISATION_NAME"]
    now = datetime.now().astimezone()  # the Date header, in the server's time zone
    outcome = send_reminders(
        items, as_of, smtp, escalate_after, dry_run=dry_run, echo=click.echo,
        render=lambda digest: build_message(digest, as_of, smtp["from"], organisation,
                                            smtp.get("base_url", ""), now))
    verb = "Would send" if dry_run else "Sent"
    if outcome.sent or not dry_run:
        click.echo(f"{verb} {len(outcome.sent)} message{'s' if len(outcome.sent) != 1 else ''}"
                   + (f"; {outcome.already_sent} item(s) already sent today" if outcome.already_sent else ""),
                   err=dry_run)
    for problem in outcome.undeliverable:
        click.echo(f"Warning: {problem}", err=True)
    for problem in outcome.failed:
        click.echo(f"Error: {problem}", err=True)
    return 1 if outcome.failed else EXIT_UNDELIVERABLE if outcome.undeliverable else 0


COMMANDS = [overdue]
