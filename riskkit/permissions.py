"""Who may do what: the one place the web pages and the CLI ask.

admin    manages users, registers and matrices, and may do anything a manager may;
manager  (a DMT member) edits any risk, records reviews, creates, closes, reopens,
         escalates and de-escalates risks;
owner    edits the risks they own and the controls and actions on them, and records
         reviews of their own risks;
viewer   reads.
"""

from riskkit.errors import PermissionDenied
from riskkit.models import Risk, User

MANAGERS = ("admin", "manager")

#: action -> (roles allowed on any risk, whether a risk's owner is allowed on their own)
RULES = {
    "create_risk": (MANAGERS, False),
    "edit_risk": (MANAGERS, True),
    "edit_controls": (MANAGERS, True),
    "record_review": (MANAGERS, True),
    "close_risk": (MANAGERS, False),
    "escalate_risk": (MANAGERS, False),
    "administer": (("admin",), False),
}


def can(user: User | None, action: str, risk: Risk | None = None) -> bool:
    if user is None or getattr(user, "is_anonymous", False):
        return False
    if action == "view":
        return True
    roles, owner_may = RULES[action]
    if user.role in roles:
        return True
    return owner_may and user.role == "owner" and risk is not None and risk.owner_id == user.id


def require(user: User | None, action: str, risk: Risk | None = None) -> None:
    if not can(user, action, risk):
        what = action.replace("_", " ")
        target = f" {risk.reference}" if risk is not None else ""
        raise PermissionDenied(f"Your role does not allow you to {what}{target}")
