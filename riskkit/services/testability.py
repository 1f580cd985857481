"""Risks no exercise could test (a budget or a workforce risk): marked so one by one, or
a whole category at once, always with the reason. "Top-rated risks not exercised"
(services.events) counts only the rest, and says how many it set aside."""

from __future__ import annotations

from sqlalchemy import or_, select

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import NotTestableCategory, Risk, User
from riskkit.models.base import clean_text
from riskkit.services.risks import check_version


def not_testable_clause():
    """Risks not testable by exercise, as a WHERE clause: marked themselves, or in a
    category marked so."""
    return or_(Risk.not_testable_reason != "",
               Risk.category.in_(select(NotTestableCategory.category)))


def mark_risk(risk: Risk, by: User | None, *, testable: bool, reason: str = "",
              expected_version: int | None = None) -> Risk:
    """Mark a risk not testable by exercise (a reason is required), or testable again."""
    permissions.require_unless_operator(by, "edit_risk", risk)
    check_version(risk, expected_version, risk.reference)
    reason = "" if testable else clean_text(reason, "reason")
    if not testable and not reason:
        raise ValidationError(f"Enter the reason no exercise could test {risk.reference}",
                              field="reason")
    with acting_as(by):
        risk.not_testable_reason = reason
        db.session.flush()
    return risk


def marked_risks() -> list[Risk]:
    """Risks marked not testable by exercise themselves, by reference."""
    return list(db.session.scalars(select(Risk).where(Risk.not_testable_reason != "")
                                   .order_by(Risk.reference)))


def list_categories() -> list[NotTestableCategory]:
    return list(db.session.scalars(select(NotTestableCategory)
                                   .order_by(NotTestableCategory.category)))


def category_reason(category: str) -> str | None:
    """Why a category is not testable by exercise; None when it is."""
    if not category:
        return None
    return db.session.scalar(select(NotTestableCategory.reason)
                             .where(NotTestableCategory.category == category))


def known_categories() -> list[str]:
    """The categories the register's risks use."""
    return list(db.session.scalars(select(Risk.category).where(Risk.category != "")
                                   .distinct().order_by(Risk.category)))


def mark_category(by: User | None, category: str, reason: str) -> NotTestableCategory:
    """Mark a category of risk not testable by exercise, or change the reason."""
    permissions.require_unless_operator(by, "set_aside_categories")
    category = clean_text(category, "category", required=True, limit=80)
    if category not in known_categories():
        raise ValidationError(f"No risk has the category {category!r}: choose one of"
                              f" {', '.join(known_categories()) or 'none yet'}", field="category")
    with acting_as(by):
        item = db.session.scalar(select(NotTestableCategory)
                                 .where(NotTestableCategory.category == category))
        if item is None:
            item = NotTestableCategory(category=category)
            db.session.add(item)
        item.reason = reason
        db.session.flush()
    return item


def unmark_category(by: User | None, category: str) -> None:
    """Make a category testable by exercise again."""
    permissions.require_unless_operator(by, "set_aside_categories")
    item = db.session.scalar(select(NotTestableCategory)
                             .where(NotTestableCategory.category == (category or "").strip()))
    if item is None:
        raise NotFound(f"The category {category!r} is not marked not testable by exercise")
    with acting_as(by):
        db.session.delete(item)
        db.session.flush()
