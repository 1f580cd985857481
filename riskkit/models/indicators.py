"""Operational pressure indicators (issue 16): level schemes such as OPEL 1-4, the areas
indicators are measured for, indicators with a trigger band per level, dated readings,
declared levels, the action cards each response role follows at each level, and the
decision log a loggist would keep. The rules are in services.indicators, services.levels,
services.action_cards and services.decision_log."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text, utcnow

#: Readings and thresholds: exact decimals (to 4 places) in the database, floats in Python,
#: so that a boundary such as 70 compares the same on PostgreSQL and SQLite.
Measure = Numeric(14, 4, asdecimal=False)

DIRECTIONS = (("higher_is_better", "Higher is better"), ("higher_is_worse", "Higher is worse"))
TRIGGER_STATES = (("set", "Set"), ("under_development", "Under development"))
#: How a scheme (or an area) proposes its level from its indicators' levels.
PROPOSAL_RULES = (("highest", "The highest level any indicator is at"),
                  ("at_least", "The highest level at least N indicators are at"))
LOG_KINDS = (("declaration", "Declaration"), ("step", "Step done"), ("decision", "Decision"))

indicator_areas = Table(
    "indicator_areas", db.metadata,
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)
# The risks an indicator warns about, and the continuity plans it bears on.
indicator_risks = Table(
    "indicator_risks", db.metadata,
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True, index=True),
)
indicator_plans = Table(
    "indicator_plans", db.metadata,
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
    Column("plan_id", ForeignKey("continuity_plans.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
role_holders = Table(
    "role_holders", db.metadata,
    Column("role_id", ForeignKey("response_roles.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class LevelScheme(Timestamps, db.Model):
    """A set of escalation levels, such as OPEL 1-4 (built in) or a council's own 1-3,
    and how a level is proposed from the indicators that use it."""

    __tablename__ = "level_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    # The proposal rule (PROPOSAL_RULES); with "at_least", how many indicators.
    proposal_rule: Mapped[str] = mapped_column(String(20), default="highest")
    proposal_count: Mapped[int | None] = mapped_column(Integer)
    # Stepping down is proposed only after the indicators have stayed at the lower level
    # for this many days, so that actions are not stood down too early.
    step_down_days: Mapped[int] = mapped_column(Integer, default=3)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    levels: Mapped[list["SchemeLevel"]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="SchemeLevel.rank")

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, key, required=True, limit=120)


class SchemeLevel(db.Model):
    """One level of a scheme: rank 1 is the least severe."""

    __tablename__ = "scheme_levels"
    __table_args__ = (UniqueConstraint("scheme_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("level_schemes.id", ondelete="CASCADE"),
                                           index=True)
    rank: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))  # "OPEL 3"
    word: Mapped[str] = mapped_column(String(40))  # "Red": shown with the name, never colour alone
    description: Mapped[str] = mapped_column(Text, default="")

    scheme: Mapped[LevelScheme] = relationship(back_populates="levels")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.word})" if self.word else self.name


class Area(Timestamps, db.Model):
    """Where indicators are measured and levels declared: a KEaH patch, a hospital team.
    The proposal rule and step-down period may differ from the scheme's (None: the
    scheme's)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposal_rule: Mapped[str | None] = mapped_column(String(20))
    proposal_count: Mapped[int | None] = mapped_column(Integer)
    step_down_days: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    team = relationship("User")

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, key, required=True, limit=120)


class Indicator(Timestamps, db.Model):
    """A named measure with a trigger band per level of its scheme."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("level_schemes.id"))
    # A reading older than this many days is stale.
    frequency_days: Mapped[int] = mapped_column(Integer, default=1)
    triggers_state: Mapped[str] = mapped_column(String(20), default="set")
    # The values a reading may take (None: no bound), such as 0 to 100 for a percentage.
    min_value: Mapped[float | None] = mapped_column(Measure)
    max_value: Mapped[float | None] = mapped_column(Measure)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    owner = relationship("User", foreign_keys=[owner_id])
    team = relationship("User", foreign_keys=[team_id])
    scheme: Mapped[LevelScheme] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=indicator_areas, order_by=Area.name)
    triggers: Mapped[list["IndicatorTrigger"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan")
    risks = relationship("Risk", secondary=indicator_risks, order_by="Risk.reference")
    plans = relationship("ContinuityPlan", secondary=indicator_plans,
                         order_by="ContinuityPlan.service")

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, key, required=True, limit=200)

    @validates("unit")
    def _check_unit(self, key, value):
        return clean_text(value, key, limit=40)

    @validates("description")
    def _check_description(self, key, value):
        return clean_text(value, key)


class IndicatorTrigger(db.Model):
    """The band of values that puts an indicator at one level: lower to upper, either
    open (None). Which end is inclusive is services.indicators' rule."""

    __tablename__ = "indicator_triggers"
    __table_args__ = (UniqueConstraint("indicator_id", "level_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("scheme_levels.id"))
    lower: Mapped[float | None] = mapped_column(Measure)
    upper: Mapped[float | None] = mapped_column(Measure)

    indicator: Mapped[Indicator] = relationship(back_populates="triggers")
    level: Mapped[SchemeLevel] = relationship(lazy="joined")


class Reading(db.Model):
    """An indicator's value on a date, for one of its areas (or for the indicator as a
    whole when area_id is None)."""

    __tablename__ = "readings"
    __table_args__ = (UniqueConstraint("indicator_id", "area_id", "reading_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    reading_date: Mapped[date] = mapped_column(Date, index=True)
    value: Mapped[float] = mapped_column(Measure)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    indicator: Mapped[Indicator] = relationship()
    area = relationship(Area)
    recorded_by = relationship("User")

    @validates("note")
    def _check_note(self, key, value):
        return clean_text(value, key)


class Declaration(db.Model):
    """A level declared by a named person with a reason, for an area or (area_id None)
    the whole organisation; the level proposed at the time is kept beside it."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("scheme_levels.id"))
    proposed_level_id: Mapped[int | None] = mapped_column(ForeignKey("scheme_levels.id"))
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                  index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)

    area = relationship(Area)
    level: Mapped[SchemeLevel] = relationship(foreign_keys=[level_id])
    proposed_level = relationship(SchemeLevel, foreign_keys=[proposed_level_id])
    declared_by = relationship("User")

    @validates("reason")
    def _check_reason(self, key, value):
        return clean_text(value, key, required=True)


class ResponseRole(db.Model):
    """A role in the response (Registered Manager, Director...) and who holds it."""

    __tablename__ = "response_roles"
    __table_args__ = (UniqueConstraint("scheme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("level_schemes.id"))

    scheme: Mapped[LevelScheme] = relationship()
    holders = relationship("User", secondary=role_holders, order_by="User.name")
    steps: Mapped[list["CardStep"]] = relationship(
        back_populates="role", cascade="all, delete-orphan",
        order_by="(CardStep.level_id, CardStep.position)")

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, key, required=True, limit=120)


class CardStep(db.Model):
    """One step on a role's action card for a level."""

    __tablename__ = "card_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("response_roles.id", ondelete="CASCADE"),
                                         index=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("scheme_levels.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    role: Mapped[ResponseRole] = relationship(back_populates="steps")
    level: Mapped[SchemeLevel] = relationship()

    @validates("text")
    def _check_text(self, key, value):
        return clean_text(value, key, required=True)


class StepCompletion(db.Model):
    """A card step marked done by a person, under a declaration."""

    __tablename__ = "step_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("card_steps.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    declaration: Mapped[Declaration] = relationship()
    step: Mapped[CardStep] = relationship()
    person = relationship("User")

    @validates("note")
    def _check_note(self, key, value):
        return clean_text(value, key)


class DecisionLogEntry(db.Model):
    """One line of the decision log: a declaration, a step done or a decision, with its
    time and author, as a loggist keeps it. Never edited."""

    __tablename__ = "decision_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"))

    author = relationship("User")
    area = relationship(Area)
    declaration = relationship(Declaration)

    @validates("text")
    def _check_text(self, key, value):
        return clean_text(value, key, required=True)
