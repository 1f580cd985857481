"""Personal access tokens: how a program (Power BI, a partner's system) uses the API as
one person. Only a hash of the secret is kept; the secret is shown once, when made."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text


class ApiToken(Timestamps, db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(12), default="read")
    # sha256 of the secret, hex: the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_on: Mapped[date] = mapped_column(Date)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user = relationship("User")

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, "name", required=True, limit=80)

    @validates("scope")
    def _check_scope(self, key, value):
        return vocab.check(vocab.TOKEN_SCOPES, value, key)

    @property
    def writes(self) -> bool:
        return self.scope == "read-write"

    def state(self, today: date) -> str:
        """"active", "expired" or "revoked", as the lists show it."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_on < today else "active"
