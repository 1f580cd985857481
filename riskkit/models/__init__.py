"""The data at the centre. Import models from here."""

from riskkit.models.events import ContinuityPlan, Event, Objective
from riskkit.models.history import HistoryEntry
from riskkit.models.indicators import (
    Area,
    CardStep,
    DecisionLogEntry,
    Declaration,
    Indicator,
    IndicatorTrigger,
    LevelScheme,
    Reading,
    ResponseRole,
    SchemeLevel,
    StepCompletion,
)
from riskkit.models.lessons import Debrief, Lesson, Observation, Theme
from riskkit.models.people import SignInThrottle, TeamMember, User
from riskkit.models.programme import CadenceRule
from riskkit.models.publications import Publication, PublishedDocument
from riskkit.models.registers import Appetite, MatrixDefinition, Register
from riskkit.models.reminders import ReminderSent
from riskkit.models.risks import Action, Control, Review, Risk
from riskkit.models.tokens import ApiToken

__all__ = [
    "Action", "ApiToken", "Appetite", "Area", "CadenceRule", "CardStep", "ContinuityPlan", "Control",
    "Debrief", "Declaration", "DecisionLogEntry", "Event", "HistoryEntry", "Indicator",
    "IndicatorTrigger", "Lesson", "LevelScheme", "MatrixDefinition", "Objective", "Observation",
    "Publication", "PublishedDocument", "Reading", "Register", "ReminderSent", "ResponseRole",
    "Review", "Risk", "SchemeLevel", "SignInThrottle", "StepCompletion", "TeamMember", "Theme",
    "User",
]
