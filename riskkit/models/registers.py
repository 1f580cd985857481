"""Registers, the scoring matrices they use, and the risk appetite."""

import json
from functools import lru_cache

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from riskkit import scoring, vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text


@lru_cache(maxsize=64)
def _parsed(definition_json: str) -> scoring.Matrix:
    return scoring.parse_matrix(json.loads(definition_json))


class MatrixDefinition(Timestamps, db.Model):
    """A scoring matrix kept as data (riskkit's own format, validated on save)."""

    __tablename__ = "matrices"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    definition: Mapped[dict] = mapped_column(JSON)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def matrix(self) -> scoring.Matrix:
        return _parsed(json.dumps(self.definition, sort_keys=True))

    @validates("definition")
    def _check_definition(self, key, value):
        scoring.parse_matrix(value)
        return value


class Register(Timestamps, db.Model):
    __tablename__ = "registers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("registers.id"))
    matrix_id: Mapped[int] = mapped_column(ForeignKey("matrices.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The next reference number to hand out; only ever goes up, so numbers are never reused.
    next_number: Mapped[int] = mapped_column(Integer, default=1)
    # The current score at or above which a risk is proposed for escalation to the parent
    # register (services.escalation); None: no rule, risks go up only when someone says.
    escalate_at: Mapped[int | None] = mapped_column(Integer)

    parent: Mapped["Register | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Register"]] = relationship(back_populates="parent")
    matrix_definition: Mapped[MatrixDefinition] = relationship(lazy="joined", innerjoin=True)
    owner = relationship("User")

    @property
    def matrix(self) -> scoring.Matrix:
        return self.matrix_definition.matrix

    @validates("code")
    def _check_code(self, key, value):
        value = (value or "").strip().upper()
        if not value.isalpha() or not 1 <= len(value) <= 6:
            raise ValidationError(
                f"Register code must be 1 to 6 letters (like AH or OPS), not {value!r}", "code"
            )
        return value

    @validates("level")
    def _check_level(self, key, value):
        return vocab.check(vocab.REGISTER_LEVELS, value, key)

    def reference(self, number: int) -> str:
        return f"{self.code}{number:04d}"

    def __repr__(self) -> str:
        return f"<Register {self.code}>"


class Appetite(db.Model):
    """The highest score the organisation will tolerate for a category of risk, and
    its appetite in words. Seeded from the demo's YAML; edited by admins
    (services.appetite)."""

    __tablename__ = "appetites"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(80), unique=True)
    max_score: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @validates("category")
    def _check_category(self, key, value):
        return clean_text(value, key, required=True, limit=80)

    @validates("statement")
    def _check_statement(self, key, value):
        return clean_text(value, key)

    @validates("max_score")
    def _check_max(self, key, value):
        if not isinstance(value, int) or value < 1:
            raise ValidationError("Appetite must be a score of 1 or more", field="max_score")
        return value
