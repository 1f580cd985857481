"""The response to a declared level, under `riskkit indicators`: response roles and their
holders, the action cards in force (and emailing them), the decision log and the day's
situation report (services.action_cards, services.decision_log, services.sitrep)."""

from datetime import datetime
from pathlib import Path

import click
from flask import current_app

from riskkit import clock
from riskkit.commands.common import ISO_DATE, command, counted, print_table, today
from riskkit.errors import SettingError, ValidationError
from riskkit.extensions import db
from riskkit.services import action_cards, decision_log, levels
from riskkit.services.indicators import get_area
from riskkit.services.named_files import read_yaml
from riskkit.services.people import find_person
from riskkit.services.sitrep import KIND_WORDS, WHOLE


@command("roles")
@click.option("--load", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Add the roles, card steps and holders of a YAML file like seed_data/action_cards.yaml"
                   " (roles already there are left as they are).")
@click.option("--role", help="The role whose holders --holder sets (its name).")
@click.option("--holder", "holders", multiple=True, metavar="PERSON",
              help="With --role: a holder (name or email); repeat for more. Replaces the holders.")
def roles(path, role, holders):
    """List the response roles with their holders and steps per level; load them from a
    file, or set a role's holders."""
    if holders and not role:
        raise ValidationError("Say which role --holder is for with --role", "role")
    if path is not None:
        added = action_cards.load_cards(read_yaml(path))
        db.session.commit()
        click.echo(f"Added {counted(added) or 'nothing'}")
    if role:
        found = action_cards.get_role(role)
        if holders:
            action_cards.set_holders(None, found, [find_person(p) for p in holders])
            db.session.commit()
    print_table(["role", "holders", "steps by level"], [
        [r.name, ", ".join(h.name for h in r.holders) or "-",
         " ".join(f"{rank}:{n}" for rank, n in _steps_by_level(r).items())] for r in action_cards.list_roles()])


def _steps_by_level(role) -> dict[int, int]:
    counts: dict[int, int] = {}
    for step in role.steps:
        counts[step.level.rank] = counts.get(step.level.rank, 0) + 1
    return counts


@command("cards")
@click.option("--scheme", default=levels.DEFAULT_SCHEME, show_default=True)
@click.option("--email", is_flag=True, help="Email each holder their cards' steps (each step once a day).")
@click.option("--dry-run", is_flag=True, help="With --email: print the messages instead of sending them.")
def cards(scheme, email, dry_run):
    """Show every role's card at the organisation's declared level, each step done or open."""
    declaration = levels.current_declaration(levels.get_scheme(scheme), None)
    if declaration is None:
        raise ValidationError("No level has been declared for the whole organisation yet", "level")
    if email:
        raise SystemExit(email_cards(declaration, dry_run))
    click.echo(action_cards.declared_words(declaration))
    for role in action_cards.list_roles(declaration.level.scheme):
        card = action_cards.card(role, declaration)
        click.echo(f"\n{role.name} ({', '.join(h.name for h in role.holders) or 'nobody holds this role'})")
        for line in card.lines:
            done = (f"done by {line.done.person.name} {clock.local(line.done.done_at):%H:%M %d/%m/%Y}"
                    if line.done else "open")
            click.echo(f"  [{done}] {line.step.text}")
        if not card.lines:
            click.echo("  No steps at this level.")


def send_cards(declaration, dry_run: bool = False):
    """Send the declared level's cards to their holders (reports.card_mail, as the web's
    declare form does); what came of it (services.action_cards.CardMail)."""
    from riskkit.reports.card_mail import email_cards  # mail is imported only to send

    return email_cards(declaration, current_app.config, datetime.now().astimezone(), dry_run, click.echo)


def email_cards(declaration, dry_run: bool = False) -> int:
    """`cards --email`: send the cards; the exit status (1 when a message failed, 4 when
    only some holders had no address, else 0)."""
    mail = send_cards(declaration, dry_run)
    if mail.unset:  # asked for mail: say why there is none
        raise SettingError(f"{mail.unset} is not set, so the cards would carry links that go"
                           " nowhere: set it to the address people open riskkit at", mail.unset)
    verb = "Would send" if dry_run else "Sent"
    click.echo(f"{verb} {mail.sent} action card message{'s' if mail.sent != 1 else ''}", err=dry_run)
    for problem in mail.undeliverable:
        click.echo(f"Warning: {problem}", err=True)
    for problem in mail.failed:
        click.echo(f"Error: {problem}", err=True)
    return 1 if mail.failed else 4 if mail.undeliverable else 0


@command("decide")
@click.argument("text")
@click.option("--by", required=True, metavar="PERSON", help="Whose decision it is (name or email).")
@click.option("--area", help="The area it is for (default: the whole organisation).")
def decide(text, by, area):
    """Write a decision in the decision log, timed now."""
    entry = decision_log.record_decision(None, text, area=get_area(area) if area else None,
                                         author=find_person(by))
    db.session.commit()
    click.echo(f"Logged at {clock.local(entry.at):%H:%M %d/%m/%Y}: {entry.text}")


@command("log")
@click.option("--date", "day", type=ISO_DATE, help="Only this day.")
@click.option("--since", type=ISO_DATE, help="From this day.")
@click.option("--until", type=ISO_DATE, help="To the end of this day.")
def log(day, since, until):
    """Print the decision log (declarations, steps done, decisions), oldest first."""
    if day and (since or until):
        raise ValidationError("Give --date, or --since and --until, not both", "date")
    # A line each, the entry whole: a loggist's record is not cut to fit a column.
    for e in decision_log.entries(day or since, day or until):
        click.echo(f"{clock.local(e.at):%d/%m/%Y %H:%M}  {e.author.name} ({KIND_WORDS.get(e.kind, e.kind).lower()},"
                   f" {e.area.name if e.area else WHOLE}): {e.text}")


@command("sitrep")
@click.argument("path", metavar="[FILE]", required=False)
@click.option("--date", "day", type=ISO_DATE, help="The day (default today), as of its end.")
@click.option("--format", "output", type=click.Choice(["pdf", "text", "html"]), default="text", show_default=True,
              help="The PDF (FILE.pdf), text to paste into an email (FILE, or printed), or the accessible"
                   " HTML version (FILE.html).")
def sitrep(path, day, output):
    """Write the day's situation report: levels by area, indicators with readings and trends,
    the decision log of the day and the steps still open."""
    from riskkit.reports.files import write_atomically
    from riskkit.reports.html import sitrep_html
    from riskkit.reports.sitrep import sitrep_pdf, sitrep_text
    from riskkit.services.sitrep import gather

    suffix = {"pdf": ".pdf", "html": ".html"}.get(output)
    if suffix and (not path or not path.lower().endswith(suffix)):
        raise ValidationError(f"Give a FILE ending in {suffix} for --format {output}", "file")
    report = gather(day or today(), current_app.config["ORGANISATION_NAME"])
    render = {"pdf": lambda: sitrep_pdf(report, today()), "html": lambda: sitrep_html(report, today()),
              "text": lambda: sitrep_text(report).encode("utf-8")}[output]
    if path is None:
        click.echo(sitrep_text(report), nl=False)
        return
    click.echo(f"Wrote {write_atomically(Path(path), render())}")


SUBCOMMANDS = (roles, cards, decide, log, sitrep)
