"""What a register's risks threaten: the directorate's objectives from its business plan,
or the council's strategic priorities. (An exercise's objectives are another thing:
models.events.Objective.)"""

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text

#: Which objectives each risk threatens.
risk_objectives = Table(
    "risk_objectives", db.metadata,
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True),
    Column("objective_id", ForeignKey("register_objectives.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)


class RegisterObjective(Timestamps, db.Model):
    """One objective a register holds, numbered within it (AH-O1) for the register's pages."""

    __tablename__ = "register_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    register = relationship("Register")
    risks = relationship("Risk", secondary=risk_objectives, back_populates="objectives",
                         order_by="Risk.reference")

    @validates("name")
    def _check_name(self, key, value):
        value = clean_text(value, "objective", limit=300)
        if not value:
            raise ValidationError("Enter the objective", field="name")
        return value

    @validates("description")
    def _check_description(self, key, value):
        return clean_text(value, key)
