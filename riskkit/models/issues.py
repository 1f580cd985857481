"""Issues: risks that have happened, or problems that arrived without a risk. An issue
has an impact now and no likelihood, so it is rated on a severity scale of its own
(vocab.ISSUE_SEVERITIES), owned, actioned and reviewed until it is resolved."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit import vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text
from riskkit.models.risks import AgreedAction


class Issue(Timestamps, db.Model):
    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"), index=True)
    # The register's code, "-I" and a number: AH-I001 (never reused, like a risk's).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    severity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    raised_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str] = mapped_column(Text, default="")
    # The risk that materialised as this issue (it is marked materialised meanwhile).
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risks.id"), index=True)
    # The incident the issue was raised from.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    exempt_paragraph: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    last_review_date: Mapped[date | None] = mapped_column(Date)
    next_review_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    register = relationship("Register")
    owner = relationship("User")
    risk = relationship("Risk")
    event = relationship("Event")
    actions: Mapped[list["IssueAction"]] = relationship(
        back_populates="issue", cascade="all, delete-orphan", order_by="IssueAction.id")
    reviews: Mapped[list["IssueReview"]] = relationship(
        back_populates="issue", cascade="all, delete-orphan",
        order_by="(IssueReview.reviewed_on, IssueReview.id)")

    @validates("title")
    def _check_title(self, key, value):
        return clean_text(value, key, required=True, limit=300)

    @validates("status")
    def _check_status(self, key, value):
        return vocab.check(vocab.ISSUE_STATUSES, value, key)

    @validates("severity")
    def _check_severity(self, key, value):
        return check_severity(value, key)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def severity_words(self) -> str:
        return severity_words(self.severity)

    def __repr__(self) -> str:
        return f"<Issue {self.reference}>"


def check_severity(value, field: str = "severity") -> int:
    """Refuse anything but a level of the issue severity scale, naming the field."""
    levels = vocab.values(vocab.ISSUE_SEVERITIES)
    if not isinstance(value, int) or isinstance(value, bool) or value not in levels:
        raise ValidationError(f"{field.replace('_', ' ').capitalize()} must be a whole number"
                              f" from {levels[0]} to {levels[-1]}, not {value!r}", field)
    return value


def severity_words(value: int | None) -> str:
    """'4 Serious', as the pages and the appendix print a severity."""
    return "" if value is None else f"{value} {vocab.label(vocab.ISSUE_SEVERITIES, value)}"


class IssueAction(AgreedAction, Timestamps, db.Model):
    """An action agreed to deal with an issue, with a target date."""

    __tablename__ = "issue_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)

    issue: Mapped[Issue] = relationship(back_populates="actions")


class IssueReview(Timestamps, db.Model):
    """A dated review of an issue: its severity before and after, and what was said."""

    __tablename__ = "issue_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    before_severity: Mapped[int] = mapped_column(Integer)
    after_severity: Mapped[int] = mapped_column(Integer)
    next_review_date: Mapped[date] = mapped_column(Date)

    issue: Mapped[Issue] = relationship(back_populates="reviews")
    reviewer = relationship("User")
