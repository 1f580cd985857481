"""The data at the centre. Import models from here."""

from riskkit.models.events import ContinuityPlan, Event, Objective
from riskkit.models.history import HistoryEntry
from riskkit.models.lessons import Debrief, Lesson, Observation, Theme
from riskkit.models.people import SignInThrottle, TeamMember, User
from riskkit.models.programme import CadenceRule
from riskkit.models.publications import DocumentLog, Publication, PublishedDocument
from riskkit.models.registers import Appetite, MatrixDefinition, Register
from riskkit.models.reminders import ReminderSent
from riskkit.models.risks import Action, Control, Review, Risk
from riskkit.models.testability import NotTestableCategory
from riskkit.models.tokens import ApiToken

__all__ = [
    "Action", "ApiToken", "Appetite", "CadenceRule", "ContinuityPlan", "Control", "Debrief", "DocumentLog",
    "Event",
    "HistoryEntry", "Lesson", "MatrixDefinition", "NotTestableCategory", "Objective", "Observation", "Register",
    "Publication", "PublishedDocument", "ReminderSent", "Review", "Risk", "SignInThrottle",
    "TeamMember", "Theme", "User",
]
