"""Column helpers shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column

from riskkit.errors import ValidationError


def utcnow() -> datetime:
    return datetime.now(UTC)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def clean_text(value, field: str, required: bool = False, limit: int | None = None) -> str:
    """Strip a text field; refuse it empty (when required) or too long, naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"Enter a {field.replace('_', ' ')}", field=field)
    if limit and len(value) > limit:
        raise ValidationError(
            f"{field.replace('_', ' ').capitalize()} must be {limit} characters or fewer", field
        )
    return value
