"""People: risk owners, reviewers and the users who sign in. A person without a
password (a team such as "ASCH Divisional Directors") can own things but not sign in."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models.base import Timestamps, utcnow


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

    @validates("role")
    def _check_role(self, key, value):
        return vocab.check(vocab.ROLES, value, key)

    @validates("name")
    def _check_name(self, key, value):
        if not value or not value.strip():
            from riskkit.errors import ValidationError

            raise ValidationError("A person needs a name", field="name")
        return value.strip()

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
        if len(password or "") < 10:
            from riskkit.errors import ValidationError

            raise ValidationError("Passwords must be at least 10 characters", field="password")
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active and bool(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.name}>"


class FailedLogin(db.Model):
    """A failed sign-in, kept briefly to slow down password guessing."""

    __tablename__ = "failed_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
