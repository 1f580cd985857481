"""The assurance a control has been given: by which line, from what source, with which
opinion, and when the next is due. Exercises and incidents that tested a control are
not copied here: services.assurance reads them from the events beside these rows."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit import vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import Timestamps, check_date, clean_text


class ControlAssurance(Timestamps, db.Model):
    """One opinion on a control: an audit report, a management review, an oversight check."""

    __tablename__ = "control_assurances"
    # A control's latest opinion, and the DMT's list of controls lacking assurance.
    __table_args__ = (Index("ix_control_assurances_control", "control_id", "assured_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("controls.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(200), default="")
    assured_on: Mapped[date] = mapped_column(Date)
    opinion: Mapped[str] = mapped_column(String(20))
    next_due: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    control = relationship("Control", back_populates="assurances")

    @property
    def risk_id(self) -> int:
        """The risk whose history shows this opinion."""
        return self.control.risk_id

    @validates("line")
    def _check_line(self, key, value):
        if value not in vocab.values(vocab.ASSURANCE_LINES):
            raise ValidationError(f"Line must be 1, 2 or 3 (management, oversight, internal audit"
                                  f" or external), not {value!r}", field="line")
        return value

    @validates("source")
    def _check_source(self, key, value):
        return vocab.check(vocab.ASSURANCE_SOURCES, value, key)

    @validates("opinion")
    def _check_opinion(self, key, value):
        return vocab.check(vocab.ASSURANCE_OPINIONS, value, key)

    @validates("reference")
    def _check_reference(self, key, value):
        return clean_text(value, key, limit=200)

    @validates("assured_on", "next_due")
    def _check_dates(self, key, value):
        return check_date(value, key)
