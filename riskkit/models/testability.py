"""Categories of risk that no exercise can test (budget, workforce...), with the reason:
their risks are left out of "top-rated risks not exercised"."""

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text


class NotTestableCategory(Timestamps, db.Model):
    __tablename__ = "not_testable_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(80), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @validates("category")
    def _check_category(self, key, value):
        return clean_text(value, key, required=True, limit=80)

    @validates("reason")
    def _check_reason(self, key, value):
        return clean_text(value, key, required=True)
