"""Debriefs after an event, what they observed, the themes those observations share,
and the lessons (with recommendations) tracked until a later event shows they worked."""

from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text

observation_themes = Table(
    "observation_themes", db.metadata,
    Column("observation_id", ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)
lesson_risks = Table(
    "lesson_risks", db.metadata,
    Column("lesson_id", ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True, index=True),
)
lesson_controls = Table(
    "lesson_controls", db.metadata,
    Column("lesson_id", ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    Column("control_id", ForeignKey("controls.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
# The actions that answer a lesson; one action may answer lessons from several events.
lesson_actions = Table(
    "lesson_actions", db.metadata,
    Column("lesson_id", ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


def lesson_reference(lesson_id: int) -> str:
    """How a lesson is named: L0012."""
    return f"L{lesson_id:04d}"


class Theme(db.Model):
    """A common theme (communications, staffing, ...) that observations are tagged with."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, key, required=True, limit=80)


class Debrief(Timestamps, db.Model):
    __tablename__ = "debriefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(8))  # hot or cold
    multi_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    held_on: Mapped[date] = mapped_column(Date)
    facilitator: Mapped[str] = mapped_column(String(120), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    event = relationship("Event", back_populates="debriefs")
    observations: Mapped[list["Observation"]] = relationship(
        back_populates="debrief", cascade="all, delete-orphan", order_by="Observation.id")

    @validates("kind")
    def _check_kind(self, key, value):
        return vocab.check(vocab.DEBRIEF_KINDS, value, key)

    @validates("facilitator")
    def _check_facilitator(self, key, value):
        return clean_text(value, key, limit=120)


class Observation(Timestamps, db.Model):
    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    debrief_id: Mapped[int] = mapped_column(ForeignKey("debriefs.id", ondelete="CASCADE"),
                                            index=True)
    prompt: Mapped[str] = mapped_column(String(20))  # went well / did not / do differently
    kind: Mapped[str] = mapped_column(String(12))  # strength or improvement
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    debrief: Mapped[Debrief] = relationship(back_populates="observations")
    themes: Mapped[list[Theme]] = relationship(secondary=observation_themes,
                                               order_by=Theme.name)
    lessons = relationship("Lesson", back_populates="observation", order_by="Lesson.id")

    @validates("prompt")
    def _check_prompt(self, key, value):
        return vocab.check(vocab.OBSERVATION_PROMPTS, value, key)

    @validates("kind")
    def _check_kind(self, key, value):
        return vocab.check(vocab.OBSERVATION_KINDS, value, key)

    @validates("text")
    def _check_text(self, key, value):
        return clean_text(value, "observation", required=True)


class Lesson(Timestamps, db.Model):
    """A lesson identified and its recommendation, tracked from identified to closed.
    Validated needs its actions done and a later event recorded as evidence."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"))
    statement: Mapped[str] = mapped_column(Text)  # the issue
    recommendation: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    priority: Mapped[str] = mapped_column(String(8), default="medium")
    status: Mapped[str] = mapped_column(String(16), default="identified")
    evidence_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    # A lesson for the partner that led the event: noted for the record, tracked by them,
    # so never counted as open or overdue here.
    for_partner: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    event = relationship("Event", foreign_keys=[event_id], back_populates="lessons")
    evidence_event = relationship("Event", foreign_keys=[evidence_event_id])
    observation = relationship(Observation, back_populates="lessons")
    owner = relationship("User")
    risks = relationship("Risk", secondary=lesson_risks, order_by="Risk.reference")
    controls = relationship("Control", secondary=lesson_controls, order_by="Control.id")
    actions = relationship("Action", secondary=lesson_actions, back_populates="lessons",
                           order_by="Action.id")

    @validates("statement")
    def _check_statement(self, key, value):
        return clean_text(value, key, required=True)

    @validates("priority")
    def _check_priority(self, key, value):
        return vocab.check(vocab.PRIORITIES, value, key)

    @validates("status")
    def _check_status(self, key, value):
        return vocab.check(vocab.LESSON_STATUSES, value, key)

    @property
    def reference(self) -> str:
        return lesson_reference(self.id)

    @property
    def is_open(self) -> bool:
        """Still ours to act on: an open status, and not a partner's lesson."""
        return self.status in vocab.LESSON_OPEN and not self.for_partner

    @classmethod
    def open_clause(cls):
        """is_open, as a WHERE clause."""
        return and_(cls.status.in_(vocab.LESSON_OPEN), cls.for_partner.is_(False))

    @property
    def themes(self) -> list[Theme]:
        return self.observation.themes if self.observation is not None else []
