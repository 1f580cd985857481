"""People: risk owners, reviewers and the users who sign in, and the teams that own
things. A person without a password can own things but not sign in; a team (such as
"Public Health Commissioning") is such an owner that has members, who may do what the
team as owner may (riskkit.permissions), and who are sent its reminders."""

import secrets
import unicodedata
from datetime import datetime
from functools import cache

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models.base import Timestamps

#: Line breaks and other control characters: in a name they could start a new email header.
_CONTROL = {"Cc", "Zl", "Zp"}


def _new_session_token() -> str:
    return secrets.token_urlsafe(24)


@cache
def _dummy_hash() -> str:
    """A hash made as real ones are, checked against when there is no real one, so that
    an unknown email takes as long to refuse as a wrong password."""
    return generate_password_hash(secrets.token_hex(16))


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The secret in this person's calendar feed URL; regenerating it revokes the old URL.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Part of every session cookie of this user; a new one ends all their sessions.
    session_token: Mapped[str] = mapped_column(String(64), default=_new_session_token)
    # A team owns things as a person does, but never signs in; its members act for it.
    is_team: Mapped[bool] = mapped_column(Boolean, default=False)

    #: The teams this person belongs to (read once per request for the permission checks).
    teams: Mapped[list["User"]] = relationship(
        secondary="team_members", primaryjoin="User.id == TeamMember.member_id",
        secondaryjoin="User.id == TeamMember.team_id", viewonly=True, order_by="User.name")
    #: A team's members, people only.
    members: Mapped[list["User"]] = relationship(
        secondary="team_members", primaryjoin="User.id == TeamMember.team_id",
        secondaryjoin="User.id == TeamMember.member_id", viewonly=True, order_by="User.name")

    @validates("role")
    def _check_role(self, key, value):
        return vocab.check(vocab.ROLES, value, key)

    @validates("name")
    def _check_name(self, key, value):
        if not value or not value.strip():
            from riskkit.errors import ValidationError

            raise ValidationError(f"A {'team' if self.is_team else 'person'} needs a name",
                                  field="name")
        if any(unicodedata.category(c) in _CONTROL for c in value.strip()):
            from riskkit.errors import ValidationError

            raise ValidationError("A name cannot contain line breaks or control characters",
                                  field="name")
        return value.strip()

    @validates("active")
    def _check_active(self, key, value):
        if not value:
            self.end_sessions()
        return value

    @validates("email")
    def _check_email(self, key, value):
        if value is None or not value.strip():
            return None
        value = value.strip().lower()
        if "@" not in value or value.startswith("@") or value.endswith("@"):
            from riskkit.errors import ValidationError

            raise ValidationError(f"{value!r} is not an email address", field="email")
        return value

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash (Werkzeug's default), never the password."""
        if self.is_team:
            from riskkit.errors import ValidationError

            raise ValidationError("A team cannot sign in: give its members passwords instead",
                                  field="password")
        if len(password or "") < 10:
            from riskkit.errors import ValidationError

            raise ValidationError("Passwords must be at least 10 characters", field="password")
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Whether this user may sign in with this password; one hash check whatever the
        answer (see verify_nobody)."""
        matches = check_password_hash(self.password_hash or _dummy_hash(), password or "")
        return matches and self.is_active

    def end_sessions(self) -> None:
        """Sign this user out everywhere: every session cookie names the old token."""
        self.session_token = _new_session_token()

    def get_id(self) -> str:  # Flask-Login keeps this in the session cookie
        return f"{self.id}:{self.session_token}"

    @property
    def display_name(self) -> str:
        """The name as lists of owners show it: a team says it is one."""
        return f"{self.name} (team)" if self.is_team else self.name

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active and bool(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.name}>"


class TeamMember(db.Model):
    """One person in one team. A row of its own (not a bare link) so that adding and
    removing members leaves history like any other change (riskkit.audit)."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)

    team = relationship("User", foreign_keys=[team_id])
    member = relationship("User", foreign_keys=[member_id])


def verify_nobody(password: str) -> None:
    """Spend what checking a real password costs, for an email that has no account."""
    check_password_hash(_dummy_hash(), password or "")


class SignInThrottle(db.Model):
    """Sign-in attempts counted for one key (an account at an address, or an address),
    to slow down password guessing (services/signin.py)."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    tries: Mapped[int] = mapped_column(Integer)
    last_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # No try is checked before this.
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Bumped by every change, so that two requests cannot both take the same try.
    version: Mapped[int] = mapped_column(Integer)
