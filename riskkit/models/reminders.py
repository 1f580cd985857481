"""What the nightly reminder emails have sent, so a second run on the same day sends
nothing twice."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from riskkit.extensions import db
from riskkit.models.base import utcnow


class ReminderSent(db.Model):
    __tablename__ = "reminders_sent"
    __table_args__ = (Index("ix_reminders_sent_day", "sent_on", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sent_on: Mapped[date] = mapped_column(Date)  # the report's as-of day
    recipient: Mapped[str] = mapped_column(String(254))
    item: Mapped[str] = mapped_column(String(80))  # e.g. "review:AH0005", "action:12"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
