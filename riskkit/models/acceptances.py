"""Risk acceptance: the decision to tolerate a risk above its appetite, requested by
its owner and approved (or declined) by someone else with the right, until it expires
or a material change voids it (services.acceptance holds the rules)."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text


class Acceptance(Timestamps, db.Model):
    __tablename__ = "acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    rationale: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[date] = mapped_column(Date)
    # The current score the acceptance was asked for (and so granted) at.
    score: Mapped[int] = mapped_column(Integer)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    # Set when the decision was the DMT's, taken as a body at this meeting.
    dmt_meeting_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    voided_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    risk = relationship("Risk")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @validates("status")
    def _check_status(self, key, value):
        return vocab.check(vocab.ACCEPTANCE_STATUSES, value, key)

    @validates("rationale")
    def _check_rationale(self, key, value):
        return clean_text(value, key, required=True)

    def in_force(self, as_of: date) -> bool:
        """Approved, not voided, and not past its expiry on `as_of`."""
        return self.status == "approved" and self.expires_on >= as_of

    def expired(self, as_of: date) -> bool:
        return self.status == "approved" and self.expires_on < as_of
