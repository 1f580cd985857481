"""indicators: operational pressure indicators, their trigger bands, readings and the
levels declared from them (services.indicators, services.readings, services.levels)."""

from pathlib import Path

import click

from riskkit.commands import responses
from riskkit.commands.common import ISO_DATE, command, print_table, today
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models.indicators import DIRECTIONS
from riskkit.services import indicators as service
from riskkit.services import levels, readings
from riskkit.services.named_files import read_bytes
from riskkit.services.people import find_person
from riskkit.services.plans import find_plan
from riskkit.services.risks import get_risk
from riskkit.services.teams import get_team


@click.group("indicators")
def indicators():
    """Operational pressure indicators: define them, record readings, propose and declare
    levels."""


@command("list")
@click.option("--date", "as_of", type=ISO_DATE, help="As of this day (default today).")
def list_all(as_of):
    """List indicators by area with their latest reading, level, trend and staleness."""
    as_of = as_of or today()
    print_table(["indicator", "area", "latest", "on", "level", "trend", "stale"], [
        [s.indicator.name, s.area.name if s.area else "-",
         service.number(s.reading.value) if s.reading else "-",
         s.reading.reading_date.isoformat() if s.reading else "-", s.state, s.trend or "-",
         "stale" if s.stale else ""] for s in levels.statuses(as_of)])


@command("add")
@click.argument("name")
@click.option("--owner", required=True, metavar="PERSON", help="Who owns it (name or email).")
@click.option("--unit", default="", help='Like "%", "beds" or "people".')
@click.option("--direction", type=click.Choice([d for d, _ in DIRECTIONS]), required=True)
@click.option("--team", metavar="TEAM", help="The team that records it.")
@click.option("--area", "areas", multiple=True, metavar="AREA",
              help="An area it is measured for; repeat for more (added if new).")
@click.option("--every", "frequency", default=1, show_default=True,
              help="Days between readings: older than this, the latest is stale.")
@click.option("--min", "min_value", help="The smallest value a reading may take.")
@click.option("--max", "max_value", help="The largest value a reading may take.")
@click.option("--scheme", default=levels.DEFAULT_SCHEME, show_default=True)
@click.option("--band", "bands", multiple=True, metavar="LEVEL=LOWER:UPPER",
              help="A level's band, like 'OPEL 2=50:70' (lower inclusive, upper exclusive;"
                   " leave an end empty for open). One per level; none: triggers under"
                   " development.")
@click.option("--risk", "risks", multiple=True, metavar="REFERENCE",
              help="A risk it warns about, like AH0033; repeat for more.")
@click.option("--plan", "plans", multiple=True, metavar="SERVICE",
              help="A business continuity plan it bears on (its service); repeat for more.")
def add(name, owner, unit, direction, team, areas, frequency, min_value, max_value, scheme,
        bands, risks, plans):
    """Add an indicator called NAME with a band per level (or triggers under development)."""
    found = levels.get_scheme(scheme)
    places = [_area(a) for a in areas]
    indicator = service.save_indicator(
        None, name=name, owner=find_person(owner), scheme=found, direction=direction,
        unit=unit, team=get_team(team) if team else None, frequency_days=frequency,
        triggers_state="set" if bands else "under_development", min_value=min_value,
        max_value=max_value, triggers=_bands(found, bands), areas=places,
        risks=[get_risk(reference) for reference in risks],
        plans=[find_plan(service) for service in plans])
    db.session.commit()
    click.echo(f"Added indicator {indicator.name}"
               + ("" if bands else " (triggers under development)"))


def _area(name: str):
    """The area called name, added if there is none yet."""
    try:
        return service.get_area(name)
    except NotFound:
        return service.add_area(None, name)


def _bands(scheme, bands) -> dict:
    found = {}
    for text in bands:
        level_text, _, ends = text.partition("=")
        lower, colon, upper = ends.partition(":")
        if not colon:
            raise ValidationError(f"Write a band as LEVEL=LOWER:UPPER, not {text!r}", "band")
        found[levels.find_level(scheme, level_text).id] = (lower, upper)
    return found


@command("triggers")
@click.argument("indicator")
@click.option("--band", "bands", multiple=True, metavar="LEVEL=LOWER:UPPER",
              help="Set the bands anew, one per level, as for `add`.")
@click.option("--under-development", is_flag=True, help="Clear the bands: triggers are"
                                                          " under development.")
def triggers(indicator, bands, under_development):
    """Show INDICATOR's trigger bands, or set them anew."""
    found = service.find_indicator(indicator)
    if bands or under_development:
        service.save_indicator(
            None, found, found.version, name=found.name, owner=found.owner, scheme=found.scheme,
            direction=found.direction, unit=found.unit, description=found.description,
            team=found.team, frequency_days=found.frequency_days,
            triggers_state="under_development" if under_development else "set",
            min_value=found.min_value, max_value=found.max_value,
            triggers=_bands(found.scheme, bands))
        db.session.commit()
    click.echo(f"{found.name} ({found.unit or 'no unit'},"
               f" {dict(DIRECTIONS)[found.direction].lower()})")
    if found.triggers_state != "set":
        click.echo("Triggers under development")
        return
    print_table(["level", "values"], [[b.level.label, b.words] for b in service.bands(found)])


@command("archive")
@click.argument("indicator")
@click.option("--restore", is_flag=True, help="Bring an archived indicator back into use.")
def archive(indicator, restore):
    """Archive INDICATOR (name or number): it leaves the proposals, grids and dashboard but
    keeps its readings and history."""
    found = service.set_archived(None, service.find_indicator(indicator), not restore)
    db.session.commit()
    click.echo(f"{'Restored' if restore else 'Archived'} {found.name}")


@command("record")
@click.argument("indicator", required=False)
@click.argument("value", required=False)
@click.option("--area", help="The area the reading is for.")
@click.option("--date", "on", type=ISO_DATE, help="The day it is of (default today).")
@click.option("--note", default="")
@click.option("--by", metavar="PERSON", help="Who took the reading (name or email).")
@click.option("--replace", is_flag=True, help="Change the day's reading if there is one.")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Record every row of a CSV file (columns date, indicator, area, value,"
                   " note), all or nothing.")
def record(indicator, value, area, on, note, by, replace, path):
    """Record VALUE as INDICATOR's reading for a day (and area), or a whole CSV file."""
    person = find_person(by) if by else None
    if path is not None:
        count = readings.record_csv(person, read_bytes(path), today())
        db.session.commit()
        click.echo(f"Recorded {count} reading{'s' if count != 1 else ''} from {path.name}")
        return
    if indicator is None or value is None:
        raise click.ClickException("Give an INDICATOR and a VALUE, or --file FILE.csv")
    found = service.find_indicator(indicator)
    place = service.get_area(area) if area else None
    reading = readings.record_reading(person, found, place, on or today(), value, today(),
                                      note=note, replace=replace)
    db.session.commit()
    level = service.level_of(found, reading.value)
    click.echo(f"Recorded {found.name}{f' in {place.name}' if place else ''} on"
               f" {reading.reading_date.isoformat()}: {service.number(reading.value)}"
               f" ({level.label if level else 'no level: triggers under development'})")


@command("level")
@click.option("--area", help="An area (default: the whole organisation).")
@click.option("--date", "as_of", type=ISO_DATE, help="As of this day (default today).")
@click.option("--scheme", default=levels.DEFAULT_SCHEME, show_default=True)
def level(area, as_of, scheme):
    """Show the current declared level, the proposed level and why, and each indicator's."""
    proposal = levels.propose(as_of or today(), levels.get_scheme(scheme),
                              service.get_area(area) if area else None)
    current = proposal.current
    click.echo(f"{proposal.place}: "
               + (f"{current.level.label}, declared by {current.declared_by.name} on"
                  f" {current.declared_at:%Y-%m-%d %H:%M}" if current else "no level declared"))
    click.echo(f"Proposed: {proposal.level.label}")
    click.echo(proposal.reason)
    print_table(["indicator", "area", "level", "trend", "stale"], [
        [s.indicator.name, s.area.name if s.area else "-", s.state, s.trend or "-",
         "stale" if s.stale else ""] for s in proposal.statuses])


@command("declare")
@click.argument("level_name", metavar="LEVEL")
@click.option("--reason", required=True, help="Why (required): it goes in the decision log.")
@click.option("--by", required=True, metavar="PERSON", help="Who declares it (a manager).")
@click.option("--area", help="An area (default: the whole organisation).")
@click.option("--scheme", default=levels.DEFAULT_SCHEME, show_default=True)
def declare(level_name, reason, by, area, scheme):
    """Declare LEVEL (like 3, "OPEL 3" or Red) for the organisation or an area."""
    found = levels.get_scheme(scheme)
    declaration = levels.declare(find_person(by), service.get_area(area) if area else None,
                                 levels.find_level(found, level_name), reason, today())
    db.session.commit()
    click.echo(f"Declared {declaration.level.label} for"
               f" {declaration.area.name if declaration.area else 'the organisation'}"
               f" (proposed: {declaration.proposed_level.label})")
    # The organisation's level changes the holders' cards; the level stands whether or not
    # the mail goes, so what did not go is said on stderr and the exit status stays 0.
    mail = responses.send_cards(declaration)
    if mail.words():
        click.echo(mail.words(), err=bool(mail.unset or mail.not_sent))


for sub in (list_all, add, triggers, archive, record, level, declare, *responses.SUBCOMMANDS):
    indicators.add_command(sub)
COMMANDS = [indicators]
