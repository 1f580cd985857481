"""Teams: owners with members. A team is a person who cannot sign in (models.people),
so it owns risks, controls, actions and lessons as anyone does; its members may do
what the owner may (riskkit.permissions) and are sent its reminders."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import TeamMember, User
from riskkit.services.people import check_unchanged, check_unique


def owners() -> list[User]:
    """Everyone who may be chosen as an owner: active people and teams, by name."""
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


def list_teams() -> list[User]:
    """Teams by name, each with its members loaded (in one more statement, however many)."""
    return list(db.session.scalars(select(User).where(User.is_team).order_by(User.name)
                                   .options(selectinload(User.members))))


def get_team(name_or_id: str | int) -> User:
    """The team with this id, or this name (case-insensitive), or NotFound."""
    if isinstance(name_or_id, int):
        team = db.session.get(User, name_or_id)
    else:
        key = (name_or_id or "").strip().lower()
        team = db.session.scalar(select(User).where(func.lower(User.name) == key))
    if team is None or not team.is_team:
        raise NotFound(f"No team called {name_or_id!r}: add it first with `riskkit teams add`")
    return team


def add_team(by: User | None, name: str) -> User:
    """A new team, refusing a name a person or team already has."""
    permissions.require_unless_operator(by, "administer")
    team = User(is_team=True, name=name, role="viewer")  # a team first: its name's errors say so
    check_unique(team)
    db.session.add(team)
    db.session.flush()
    return team


def set_members(by: User | None, team: User, members: list[User],
                expected: list[int] | None = None) -> tuple[list[User], list[User]]:
    """Make `members` the team's members; return (added, removed). `expected` is the
    member ids the form was opened with: if someone has changed them since, nothing is
    saved. Each addition and removal is in the history."""
    permissions.require_unless_operator(by, "administer")
    if not team.is_team:
        raise ValidationError(f"{team.name} is a person, not a team", field="team")
    rows = {row.member_id: row for row in db.session.scalars(
        select(TeamMember).where(TeamMember.team_id == team.id))}
    check_unchanged(expected, rows, f"members of {team.name}")
    for person in members:
        if person.is_team:
            raise ValidationError(f"{person.name} is a team: a team's members are people",
                                  field="members")
    wanted = {person.id: person for person in members}
    added = [person for person_id, person in wanted.items() if person_id not in rows]
    removed = [row.member for member_id, row in rows.items() if member_id not in wanted]
    with acting_as(by):
        for person in added:
            db.session.add(TeamMember(team=team, member=person))
        for member_id, row in rows.items():
            if member_id not in wanted:
                db.session.delete(row)
        db.session.flush()
    db.session.expire(team, ["members"])
    return added, removed


def people(active_only: bool = False) -> list[User]:
    """People, not teams, by name: all of them may be a team's members; only the active
    may lead an exercise."""
    statement = select(User).where(~User.is_team).order_by(User.name)
    if active_only:
        statement = statement.where(User.active)
    return list(db.session.scalars(statement))


def members_by_team() -> dict[str, list[tuple[str, str | None]]]:
    """Each team's name, with its members' names and email addresses, in one statement:
    read once for a run of reminders."""
    team, member = aliased(User), aliased(User)
    teams: dict[str, list[tuple[str, str | None]]] = {t.name: [] for t in list_teams()}
    for team_name, name, email in db.session.execute(
            select(team.name, member.name, member.email)
            .join(TeamMember, TeamMember.team_id == team.id)
            .join(member, TeamMember.member_id == member.id).order_by(member.name)):
        teams[team_name].append((name, email))
    return teams
