"""The exercise programme's cadence rules, kept as data so the resilience group can
change them: how often each kind of exercise is due, how often each plan must be
exercised, and how soon after an event its debriefs and improvement plan are due."""

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from riskkit import vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import Timestamps, clean_text

MAX_INTERVAL = 999


class CadenceRule(Timestamps, db.Model):
    __tablename__ = "cadence_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    event_type: Mapped[str] = mapped_column(String(20), default="")  # for kind "exercise"
    interval: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(8), default="months")
    # For follow-ups that may not be done too early: a cold debrief from 14 days after.
    not_before_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # For kind "exercise": incident types (vocab.INCIDENT_TYPES, comma-separated) whose
    # real response, debriefed with lessons recorded, counts as holding the exercise.
    incident_types: Mapped[str] = mapped_column(String(200), default="", server_default="")

    @validates("name")
    def _check_name(self, key, value):
        return clean_text(value, key, required=True, limit=120)

    @validates("kind")
    def _check_kind(self, key, value):
        return vocab.check(vocab.CADENCE_KINDS, value, key)

    @validates("unit")
    def _check_unit(self, key, value):
        return vocab.check(vocab.CADENCE_UNITS, value, key)

    @validates("interval")
    def _check_interval(self, key, value):
        if value is None or int(value) <= 0:
            raise ValidationError("The interval must be a whole number greater than zero",
                                  field="interval")
        if int(value) > MAX_INTERVAL:  # beyond any programme, and past the calendar's end
            raise ValidationError(f"The interval must be {MAX_INTERVAL} or fewer", field="interval")
        return int(value)

    @validates("not_before_days")
    def _check_not_before(self, key, value):
        if value is not None and int(value) < 0:
            raise ValidationError("Not before must be zero or more days", field="not_before_days")
        return value

    @property
    def credited_incidents(self) -> list[str]:
        return [t for t in (self.incident_types or "").split(",") if t]

    @credited_incidents.setter
    def credited_incidents(self, types) -> None:
        kinds = sorted({t.strip() for t in types or () if t and t.strip()})
        for kind in kinds:
            if kind not in vocab.values(vocab.INCIDENT_TYPES):
                raise ValidationError(
                    f"There is no incident type {kind!r}: credit one of"
                    f" {', '.join(vocab.values(vocab.INCIDENT_TYPES))}", field="incident_types")
        self.incident_types = ",".join(kinds)

    def credit_words(self) -> str:
        """'power, evacuation': the incident types that meet the rule, in words."""
        return ", ".join(vocab.label(vocab.INCIDENT_TYPES, t).lower()
                         for t in self.credited_incidents)

    def check(self) -> None:
        if self.kind == "exercise":
            vocab.check(vocab.EXERCISE_TYPES, self.event_type, "event_type")
        else:
            self.event_type = ""
            if self.incident_types:
                raise ValidationError("Only a rule for an exercise type can be met by an"
                                      " incident", field="incident_types")

    def describe(self) -> str:
        """'every 6 months', 'within 1 day', '14 to 42 days after'."""
        unit = self.unit if self.interval != 1 else self.unit.rstrip("s")
        if self.kind in ("exercise", "plan"):
            return f"every {self.interval} {unit}"
        if self.not_before_days:
            return f"{self.not_before_days} to {self.interval} {self.unit} after the event"
        return f"within {self.interval} {unit} of the event"
