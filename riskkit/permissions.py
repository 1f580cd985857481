"""Who may do what: the one place the web pages and the CLI ask.

admin    manages users, registers and matrices, and may do anything a manager may;
manager  (a DMT member) edits any risk, records reviews, creates, closes, reopens,
         escalates and de-escalates risks, raises and resolves issues (turning a risk into
         one), approves the acceptance of a risk above appetite that someone else asked
         for, and publishes a quarter's committee papers;
resilience  (a resilience / business continuity lead) plans and records exercises and
         incidents, debriefs, observations, lessons, plans, themes and the programme's
         cadence rules; recording an exercise outcome may set the tested controls'
         effectiveness, and a lesson may raise an action on any risk;
owner    edits the risks they own and the controls and actions on them, records
         reviews of their own risks (and issues), asks for a risk of theirs above
         appetite to be accepted, records assurance on their controls (as the owner of
         the control or of its risk), and moves on the lessons they own; the owner of
         a control or action on someone else's risk updates its progress (status,
         dates, effectiveness, last tested) but only the risk's owner or a manager
         changes what it is, who owns it, or removes it;
viewer   reads.

Managers (and so admins) may do everything a resilience lead may. What an owner may,
an owner or resilience lead may on what they own, themselves or as a member of the
team that owns it (a viewer named as an owner still only reads).
"""

from riskkit.errors import PermissionDenied
from riskkit.models import User

MANAGERS = ("admin", "manager")
RESILIENCE = ("admin", "manager", "resilience")
#: The roles whose owned items (their own, or their teams') give them an owner's rights.
OWNING = ("owner", "resilience")

#: action -> (roles allowed on anything, whether an owner is allowed on what they own)
RULES = {
    "create_risk": (MANAGERS, False),
    "edit_risk": (MANAGERS, True),
    "edit_controls": (MANAGERS, True),
    # on a control or action: its progress, by its owner or the risk's
    "update_item": (MANAGERS, True),
    "record_review": (MANAGERS, True),
    # on a control: an assurance opinion, by the control's owner or its risk's
    "record_assurance": (MANAGERS, True),
    "close_risk": (MANAGERS, False),
    "escalate_risk": (MANAGERS, False),
    # Issues as risks: managers raise and resolve them (and turn a risk into one); the
    # owner reviews an issue and its actions as a risk's owner does.
    "raise_issue": (MANAGERS, False),
    "edit_issue": (MANAGERS, True),
    "resolve_issue": (MANAGERS, False),
    # Approving a risk above appetite for toleration (services.acceptance adds: not the
    # person who asked, and a manager of the register or a DMT decision).
    "approve_acceptance": (MANAGERS, False),
    "edit_exercises": (RESILIENCE, False),
    "progress_lesson": (RESILIENCE, True),
    # Freezing a quarter's committee papers for ever (services.publishing).
    "publish_papers": (MANAGERS, False),
    # Indicators and their trigger bands, areas (services.indicators).
    "define_indicators": (MANAGERS, False),
    # A reading: managers any, an indicator's owner (or its team's members) its own.
    "record_readings": (MANAGERS, True),
    # Declaring an area's or the organisation's level (services.levels).
    "declare_level": (MANAGERS, False),
    # A register's objectives (or the council's priorities) and what they say.
    "edit_objectives": (MANAGERS, False),
    # Marking a whole category of risk not testable by exercise.
    "set_aside_categories": (MANAGERS, False),
    # The log of who published, exported or downloaded committee documents.
    "read_document_log": (MANAGERS, False),
    "administer": (("admin",), False),
}


def can(user: User | None, action: str, item=None) -> bool:
    """May user do action (on item: a risk, lesson, control or action, which have owners)?"""
    if user is None or getattr(user, "is_anonymous", False):
        return False
    if action == "view":
        return True
    roles, owner_may = RULES[action]
    if user.role in roles:
        return True
    if not owner_may or user.role not in OWNING or item is None:
        return False
    # A control's or action's progress is its owner's to update, and its risk owner's
    # (assurance on a control likewise); an indicator's readings its owner's, and its
    # recording team's members'.
    return owns(user, item) or (action in ("update_item", "record_assurance")
                                and owns(user, item.risk)) or (
        action == "record_readings" and item.team_id in owner_ids(user))


def owns(user: User, item) -> bool:
    """Whether user owns item, in person or as a member of the team that owns it."""
    return item.owner_id in owner_ids(user)


def owner_ids(user: User) -> list[int]:
    """The owners whose items are user's: user, and each team they are a member of."""
    return [user.id, *(team.id for team in user.teams)]


def acts_as_owner(user: User | None) -> bool:
    """Whether user's role gives them an owner's rights on what they own (an owner or a
    resilience lead; a viewer named as an owner still only reads)."""
    return getattr(user, "role", None) in OWNING


def require(user: User | None, action: str, item=None) -> None:
    if not can(user, action, item):
        what = action.replace("_", " ")
        raise PermissionDenied(f"Your role does not allow you to {what}{_named(item)}")


def _named(item) -> str:
    """How the refusal names the item: a risk's or lesson's reference, or a control's or
    action's risk."""
    if item is None:
        return ""
    if hasattr(item, "reference"):
        return f" {item.reference}"
    if hasattr(item, "risk"):
        return f" on {item.risk.reference}"
    return f" for {item.name}"  # an indicator


def require_unless_operator(user: User | None, action: str, item=None) -> None:
    """As require, but None stands for the operator (the command line, the demo
    loader, an import), who runs riskkit itself and may do anything."""
    if user is not None:
        require(user, action, item)


def assures_some_control(user: User | None) -> bool:
    """Whether user may record assurance on at least one control (a manager any, an owner
    or resilience lead on the controls they or their risks own): who may upload internal
    audit's workbook, each row of which is then checked on its control."""
    owner_may = RULES["record_assurance"][1]
    return can(user, "record_assurance") or (owner_may and acts_as_owner(user))


def reviews_some_risk(user: User | None) -> bool:
    """Whether user may record a review of at least one risk (a manager any, an owner or
    resilience lead their own): who is offered the register's "Update a review" box."""
    owner_may = RULES["record_review"][1]
    return can(user, "record_review") or (owner_may and acts_as_owner(user))
