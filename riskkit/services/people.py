"""Finding, adding and changing people."""

from sqlalchemy import select

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import Conflict, NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import User
from riskkit.services.names import same_name


def find_person(name_or_email: str) -> User:
    """The person with this name or email (case-insensitive), or NotFound."""
    key = (name_or_email or "").strip()
    person = db.session.scalar(
        select(User).where(
            same_name(User.name, key) | same_name(User.email, key)
        )
    )
    if person is None:
        raise NotFound(f"No person called {key!r}: add them first with `riskkit users add`")
    return person


def add_person(name: str, email: str | None = None, role: str = "viewer") -> User:
    """Add a person, refusing a name or email that is already taken."""
    person = User(name=name, email=email, role=role)
    check_unique(person)
    db.session.add(person)
    return person


def check_unique(person: User) -> None:
    """Refuse a name (in any case) or an email that another person already has, naming
    the field: a new person, or one whose name or email has just been changed."""
    others = select(User).where(
        same_name(User.name, person.name)
        | ((User.email == person.email) & (User.email.is_not(None))))
    if person.id is not None:
        others = others.where(User.id != person.id)
    with db.session.no_autoflush:  # the change being checked is not written first
        clash = db.session.scalar(others.limit(1))
    if clash is not None:
        field = "name" if clash.name.lower() == person.name.lower() else "email"
        raise ValidationError(f"There is already a person with that {field}", field=field)


def save_person(by: User, person: User | None, *, name: str, email: str | None, role: str,
                active: bool, password: str = "") -> User:
    """Add a person or change one (an administrator's task). Someone who can sign in
    (active, with an email) needs a password when added; a blank password keeps theirs."""
    permissions.require(by, "administer")
    with acting_as(by):
        if person is None:
            person = add_person(name, email, role)
        else:
            person.name, person.email, person.role = name, email, role
            check_unique(person)
        person.active = active
        if password:
            person.set_password(password)
        elif person.id is None and active and email:
            raise ValidationError("Set a password so they can sign in", "password")
        db.session.flush()
    return person


def check_unchanged(expected: list[int] | None, current, what: str) -> None:
    """Refuse a save from a form opened before someone else changed `what` (the members
    of a team, the holders of a role): `expected` are the ids the form was opened with,
    `current` the ids now. None: no form, nothing to compare."""
    if expected is not None and sorted(expected) != sorted(current):
        raise Conflict(f"The {what} were changed by someone else since you opened this page. Nothing of"
                       " yours was saved: look at their change, then make yours again.")
