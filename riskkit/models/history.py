"""The change history: one row per field changed, kept for ever."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riskkit.extensions import db
from riskkit.models.base import utcnow


class HistoryEntry(db.Model):
    __tablename__ = "history"
    __table_args__ = (Index("ix_history_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Who: the signed-in user, or None with actor naming the CLI user or "system".
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120))
    entity: Mapped[str] = mapped_column(String(20))  # risk, control, action, review, ...
    entity_id: Mapped[int] = mapped_column(Integer)
    # The risk the change belongs to, so a risk page can show its whole history.
    risk_id: Mapped[int | None] = mapped_column(Integer, index=True)
    change: Mapped[str] = mapped_column(String(10))  # create, update, delete
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # Why, in the person's words, where a step asks for it (closing or escalating a risk,
    # marking an action done): the committee changes table quotes it.
    reason: Mapped[str | None] = mapped_column(Text)
