"""The data at the centre. Import models from here."""

from riskkit.models.history import HistoryEntry
from riskkit.models.people import FailedLogin, User
from riskkit.models.registers import Appetite, MatrixDefinition, Register
from riskkit.models.reminders import ReminderSent
from riskkit.models.risks import Action, Control, Review, Risk

__all__ = [
    "Action", "Appetite", "Control", "FailedLogin", "HistoryEntry", "MatrixDefinition", "Register", "ReminderSent",
    "Review", "Risk", "User",
]
