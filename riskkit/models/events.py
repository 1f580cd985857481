"""Exercises and real incidents, the objectives an exercise sets, and the business
continuity plans they test or activate."""

from datetime import date

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit import vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text

# What an event tests (an exercise) or concerns (an incident): plans, risks, controls.
event_plans = Table(
    "event_plans", db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("plan_id", ForeignKey("continuity_plans.id", ondelete="CASCADE"), primary_key=True),
)
event_risks = Table(
    "event_risks", db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True, index=True),
)
event_controls = Table(
    "event_controls", db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("control_id", ForeignKey("controls.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class ContinuityPlan(Timestamps, db.Model):
    """A service's business continuity plan. When it was last exercised is not stored:
    it is read from the events that tested or activated it (services.plans)."""

    __tablename__ = "continuity_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(200), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    last_reviewed: Mapped[date | None] = mapped_column(Date)
    next_review: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    owner = relationship("User")
    events: Mapped[list["Event"]] = relationship(secondary=event_plans, back_populates="plans")

    @validates("service")
    def _check_service(self, key, value):
        return clean_text(value, key, required=True, limit=200)


class Event(Timestamps, db.Model):
    """An exercise (planned, then held) or a real incident (recorded after it happened)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # exercise or incident
    name: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default="planned")
    scenario: Mapped[str] = mapped_column(Text, default="")  # exercises
    description: Mapped[str] = mapped_column(Text, default="")  # incidents: what happened
    services_affected: Mapped[str] = mapped_column(Text, default="")  # incidents
    participants: Mapped[str] = mapped_column(Text, default="")  # teams and agencies
    multi_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    pack: Mapped[str] = mapped_column(String(60), default="")  # scenario pack it was made from
    improvement_plan_agreed: Mapped[date | None] = mapped_column(Date)
    # Who led it: empty for us, else the partner's name (the LRF, an NHS trust, a
    # neighbouring council). A partner's debrief and improvement plan wait on its report,
    # so our follow-ups run from the day that report came, not from the exercise.
    lead_organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    partner_report_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    lead = relationship("User")
    objectives: Mapped[list["Objective"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Objective.position")
    plans: Mapped[list[ContinuityPlan]] = relationship(
        secondary=event_plans, back_populates="events", order_by=ContinuityPlan.service)
    risks = relationship("Risk", secondary=event_risks, order_by="Risk.reference")
    controls = relationship("Control", secondary=event_controls, order_by="Control.id")
    debriefs = relationship("Debrief", back_populates="event", cascade="all, delete-orphan",
                            order_by="(Debrief.held_on, Debrief.id)")
    lessons = relationship("Lesson", back_populates="event", foreign_keys="Lesson.event_id",
                           order_by="Lesson.id")

    @validates("kind")
    def _check_kind(self, key, value):
        return vocab.check(vocab.EVENT_KINDS, value, key)

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, key, required=True, limit=200)

    @validates("status")
    def _check_status(self, key, value):
        return vocab.check(vocab.EVENT_STATUSES, value, key)

    @validates("lead_organisation")
    def _check_lead_organisation(self, key, value):
        return clean_text(value, key, limit=200)

    def check(self) -> None:
        """Rules across fields, run before every flush."""
        types = vocab.EXERCISE_TYPES if self.kind == "exercise" else vocab.INCIDENT_TYPES
        vocab.check(types, self.event_type, "type")
        if self.start_date is None:
            raise ValidationError("Enter the start date", field="start_date")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValidationError("The end date must be the same as or after the start date",
                                  field="end_date")
        if self.partner_report_date is not None:
            if not self.lead_organisation:
                raise ValidationError("Only an event led by a partner has a partner report date:"
                                      " name the lead organisation", field="lead_organisation")
            if self.partner_report_date < self.start_date:
                raise ValidationError("The partner's report date must be on or after the start"
                                      " date", field="partner_report_date")

    @property
    def partner_led(self) -> bool:
        return bool(self.lead_organisation)

    @property
    def is_exercise(self) -> bool:
        return self.kind == "exercise"

    @property
    def has_happened(self) -> bool:
        return self.status != "planned"

    @property
    def type_label(self) -> str:
        types = vocab.EXERCISE_TYPES if self.is_exercise else vocab.INCIDENT_TYPES
        return vocab.label(types, self.event_type)

    def __repr__(self) -> str:
        return f"<Event {self.name!r}>"


class Objective(db.Model):
    """What an exercise sets out to test, rated after it is held."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="objectives")

    @validates("text")
    def _check_text(self, key, value):
        return clean_text(value, "objective", required=True)

    @validates("rating")
    def _check_rating(self, key, value):
        return None if value in (None, "") else vocab.check(vocab.OBJECTIVE_RATINGS, value, key)
