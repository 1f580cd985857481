"""teams: list, add, members. A team owns risks, actions and lessons as a person does;
its members may do what the owner may and are sent its reminders (services.teams)."""

import click

from riskkit.commands.common import command, print_table
from riskkit.extensions import db
from riskkit.services.people import find_person
from riskkit.services.teams import add_team, get_team, list_teams, set_members


@click.group("teams")
def teams():
    """List and add teams, and change who is in them."""


@command("list")
def list_all():
    """List teams and their members (a member without an email gets no reminders)."""
    print_table(["team", "members", "reachable by email"], [
        [t.name, ", ".join(m.name for m in t.members) or "-",
         str(sum(1 for m in t.members if m.email))] for t in list_teams()])


@command("add")
@click.argument("name")
@click.option("--member", "members", multiple=True, metavar="PERSON",
              help="A member (name or email); repeat for more.")
def add(name, members):
    """Add a team called NAME that can own risks, actions and lessons."""
    team = add_team(None, name)
    set_members(None, team, [find_person(m) for m in members])
    db.session.commit()
    click.echo(f"Added team {team.name}" + (f" with {len(members)} member"
                                             f"{'s' if len(members) != 1 else ''}" if members else ""))


@command("members")
@click.argument("team")
@click.option("--add", "adding", multiple=True, metavar="PERSON",
              help="Add this person (name or email); repeat for more.")
@click.option("--remove", "removing", multiple=True, metavar="PERSON",
              help="Remove this person (name or email); repeat for more.")
def members(team, adding, removing):
    """Show TEAM's members, or add and remove some."""
    found = get_team(team)
    if adding or removing:
        gone = {find_person(p).id for p in removing}
        strangers = [p for p in removing if find_person(p) not in found.members]
        if strangers:
            raise click.ClickException(f"Not a member of {found.name}: {', '.join(strangers)}")
        wanted = [m for m in found.members if m.id not in gone]
        wanted += [p for p in (find_person(p) for p in adding) if p not in wanted]
        added, removed = set_members(None, found, wanted)
        db.session.commit()
        click.echo(f"{found.name}: added {len(added)}, removed {len(removed)}")
    print_table(["member", "email"], [[m.name, m.email or "-"] for m in found.members])


for sub in (list_all, add, members):
    teams.add_command(sub)
COMMANDS = [teams]
