"""A risk and what hangs off it: controls in place, agreed actions, dated reviews."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from riskkit import scoring, vocab
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text


class Risk(Timestamps, db.Model):
    __tablename__ = "risks"
    __table_args__ = (
        # Covers the rating summary's GROUP BY of every register's cells, and gives each
        # cell's risks in reference order (the first few named on the heat map).
        Index("ix_risks_register_cells", "register_id", "likelihood", "impact", "reference",
              "status"),
        # Reviews due, and counted by register, from the index alone.
        Index("ix_risks_next_review", "status", "next_review_date", "register_id"),
        # A dense copy of what a join from actions or reviews reads of each risk, so that
        # counting tens of thousands of overdue actions does not read every risk's row.
        Index("ix_risks_id_status", "id", "status", "register_id", "likelihood", "impact"),
        # The register list's default order (highest score first, read backwards; ties are
        # sorted by reference a score at a time), for one register or all.
        Index("ix_risks_register_score", "register_id", "current_score"),
        Index("ix_risks_score", "current_score"),
        Index("ix_risks_category", "category"),
        # Rating changes since a date, from the index alone (migration 0008).
        Index("ix_risks_reviewed", "last_review_date", "status", "register_id", "likelihood",
              "impact", "previous_likelihood", "previous_impact", "reference"),
        # The target heat map, as ix_risks_register_cells serves the current one.
        Index("ix_risks_register_target_cells", "register_id", "target_likelihood",
              "target_impact", "reference", "status"),
        # Reviews in the overdue report's order: a page stops reading when it is full.
        Index("ix_risks_due", "next_review_date", "reference", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    # The register whose number this risk's reference carries: set when a risk is
    # escalated so it can be de-escalated back, and never changes its reference.
    origin_register_id: Mapped[int | None] = mapped_column(ForeignKey("registers.id"))
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    consequence: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    response: Mapped[str] = mapped_column(String(20), default="treat")
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which paragraph of Part 1 of Schedule 12A to the Local Government Act 1972 makes an
    # exempt risk exempt (vocab.EXEMPTION_PARAGRAPHS); printed on its committee pages.
    exempt_paragraph: Mapped[int] = mapped_column(Integer, default=3, server_default="3")

    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    # likelihood x impact, stored so that lists sort by it through an index; set before
    # every flush (riskkit.audit), so it is never out of step with the two scores.
    current_score: Mapped[int] = mapped_column(Integer)
    # Before the latest review; written only by services.reviews from the review record.
    previous_likelihood: Mapped[int | None] = mapped_column(Integer)
    previous_impact: Mapped[int | None] = mapped_column(Integer)
    target_likelihood: Mapped[int] = mapped_column(Integer)
    target_impact: Mapped[int] = mapped_column(Integer)
    target_date: Mapped[date | None] = mapped_column(Date)
    inherent_likelihood: Mapped[int | None] = mapped_column(Integer)
    inherent_impact: Mapped[int | None] = mapped_column(Integer)

    last_review_date: Mapped[date | None] = mapped_column(Date)
    next_review_date: Mapped[date | None] = mapped_column(Date)
    # The current score at which a proposal to escalate the risk was declined (the
    # reason is on the history row): it is not proposed again until its score changes.
    escalation_declined_score: Mapped[int | None] = mapped_column(Integer)
    # Why no exercise could test this risk (a budget or workforce risk, say): set, it is
    # left out of "top-rated risks not exercised". Empty for a risk an exercise can test.
    not_testable_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    register = relationship("Register", foreign_keys=[register_id])
    origin_register = relationship("Register", foreign_keys=[origin_register_id])
    owner = relationship("User", foreign_keys=[owner_id])
    controls: Mapped[list["Control"]] = relationship(
        back_populates="risk", cascade="all, delete-orphan", order_by="Control.id"
    )
    actions: Mapped[list["Action"]] = relationship(
        back_populates="risk", cascade="all, delete-orphan", order_by="Action.id"
    )
    reviews: Mapped[list["Review"]] = relationship(
        back_populates="risk", cascade="all, delete-orphan",
        order_by="(Review.reviewed_on, Review.id)",
    )
    # The register objectives (or council priorities) the risk threatens.
    objectives = relationship("RegisterObjective", secondary="risk_objectives",
                              back_populates="risks", order_by="RegisterObjective.id")

    @validates("title")
    def _check_title(self, key, value):
        return clean_text(value, key, required=True, limit=300)

    @validates("status")
    def _check_status(self, key, value):
        return vocab.check(vocab.RISK_STATUSES, value, key)

    @validates("response")
    def _check_response(self, key, value):
        return vocab.check(vocab.RISK_RESPONSES, value, key)

    def store_score(self) -> None:
        if self.current_score != self.score:
            self.current_score = self.score

    def check_scores(self) -> None:
        """Refuse scores the register's matrix has no labels for (run before every flush)."""
        matrix = self.register.matrix
        scoring.check_scores(matrix, self.likelihood, self.impact, "current")
        scoring.check_scores(matrix, self.target_likelihood, self.target_impact, "target")
        if self.previous_likelihood is not None:
            scoring.check_scores(matrix, self.previous_likelihood, self.previous_impact, "previous")
        if self.inherent_likelihood is not None or self.inherent_impact is not None:
            scoring.check_scores(matrix, self.inherent_likelihood, self.inherent_impact, "inherent")

    @property
    def score(self) -> int:
        return scoring.score(self.likelihood, self.impact)

    @property
    def target_score(self) -> int:
        return scoring.score(self.target_likelihood, self.target_impact)

    @property
    def previous_score(self) -> int | None:
        if self.previous_likelihood is None:
            return None
        return scoring.score(self.previous_likelihood, self.previous_impact)

    def __repr__(self) -> str:
        return f"<Risk {self.reference}>"


#: A tested control whose effectiveness nobody has recorded yet.
NOT_ASSESSED = "Tested, effectiveness not yet assessed"


class Control(Timestamps, db.Model):
    """A control in place now."""

    __tablename__ = "controls"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    effectiveness: Mapped[str] = mapped_column(String(20), default="not_tested")
    last_tested: Mapped[date | None] = mapped_column(Date)
    # The exercise or incident whose outcome last set last_tested and effectiveness.
    tested_by_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    risk: Mapped[Risk] = relationship(back_populates="controls")
    owner = relationship("User")
    tested_by_event = relationship("Event", foreign_keys=[tested_by_event_id])
    assurances = relationship(
        "ControlAssurance", back_populates="control", cascade="all, delete-orphan",
        order_by="(ControlAssurance.assured_on, ControlAssurance.id)")

    @validates("description")
    def _check_description(self, key, value):
        return clean_text(value, key, required=True)

    @validates("effectiveness")
    def _check_effectiveness(self, key, value):
        return vocab.check(vocab.EFFECTIVENESS, value, key)

    @property
    def effectiveness_words(self) -> str:
        """How effective the control is, in words. A control with a last-tested date but
        no effectiveness recorded (an exercise that tested it without rating it) has been
        tested: it is "not yet assessed", never "not yet tested"."""
        if self.effectiveness == "not_tested" and self.last_tested is not None:
            return NOT_ASSESSED
        return vocab.label(vocab.EFFECTIVENESS, self.effectiveness)


class AgreedAction:
    """What an agreed action holds, whether it answers a risk (Action) or an issue
    (models.issues.IssueAction): what is to be done, by whom, by when, and how far it has
    got, with a version counter."""

    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    completed_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}

    @declared_attr
    def owner(cls):
        return relationship("User")

    @validates("description")
    def _check_description(self, key, value):
        return clean_text(value, key, required=True)

    @validates("status")
    def _check_status(self, key, value):
        return vocab.check(vocab.ACTION_STATUSES, value, key)

    @property
    def is_open(self) -> bool:
        return self.status not in vocab.ACTION_CLOSED


class Action(AgreedAction, Timestamps, db.Model):
    """A mitigating action agreed, with a target date."""

    __tablename__ = "actions"
    __table_args__ = (
        # Covers the overdue actions' scan (risk_id for the join to the risk).
        Index("ix_actions_status_target", "status", "target_date", "risk_id"),
        # One person's actions due (the dashboard).
        Index("ix_actions_owner_due", "owner_id", "status", "target_date"),
        # Actions in the overdue report's date order, the status read from the index, so
        # that the finished actions of past years are passed over without reading them.
        Index("ix_actions_due", "target_date", "status", "risk_id"),
        # Delivery against target dates (services.delivery): every column it reads of the
        # period's actions, so that a year of a council's actions is read from the index.
        Index("ix_actions_delivery", "target_date", "status", "completed_date", "risk_id",
              "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)

    risk: Mapped[Risk] = relationship(back_populates="actions")
    # The lessons this action answers (it may answer lessons from several events).
    lessons = relationship("Lesson", secondary="lesson_actions", back_populates="actions",
                           order_by="Lesson.id")


class Review(Timestamps, db.Model):
    """A dated review of a risk: the score before and after, and what was said."""

    __tablename__ = "reviews"
    # "Changes since" scans by date, reading only these columns.
    __table_args__ = (Index("ix_reviews_reviewed_on", "reviewed_on", "risk_id", "id",
                            "before_likelihood", "before_impact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    before_likelihood: Mapped[int] = mapped_column(Integer)
    before_impact: Mapped[int] = mapped_column(Integer)
    after_likelihood: Mapped[int] = mapped_column(Integer)
    after_impact: Mapped[int] = mapped_column(Integer)
    next_review_date: Mapped[date] = mapped_column(Date)
    # Set when the reviewer chose a date other than the one the rating schedules.
    next_review_reason: Mapped[str] = mapped_column(Text, default="")

    risk: Mapped[Risk] = relationship(back_populates="reviews")
    reviewer = relationship("User")

    @property
    def before_score(self) -> int:
        return scoring.score(self.before_likelihood, self.before_impact)

    @property
    def after_score(self) -> int:
        return scoring.score(self.after_likelihood, self.after_impact)
