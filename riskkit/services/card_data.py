"""Action cards as data: the roles of an escalation plan and what each does at each level,
read from a file like seed_data/action_cards.yaml (the plan's "Role / Response" table)
and checked before anything is written. services.action_cards loads the result."""

from __future__ import annotations

from dataclasses import dataclass, field

from riskkit.errors import ValidationError
from riskkit.models.base import clean_text

#: The longest step kept: a sentence or two of a plan.
STEP_LIMIT = 1000


@dataclass
class RoleCards:
    name: str
    holders: list[str] = field(default_factory=list)
    #: level rank -> the steps on the card at that level, in order, each once
    steps: dict[int, list[str]] = field(default_factory=dict)


def read_cards(data: dict, levels: int) -> tuple[str, list[RoleCards]]:
    """The scheme's code and each role's cards from `data`, for a scheme of `levels`
    levels. A level's `continue: [2, 3]` puts those levels' steps first on its card. A
    mistake is a ValidationError naming the role and level."""
    if not isinstance(data, dict) or not isinstance(data.get("roles"), list) or not data["roles"]:
        raise ValidationError("The action cards file needs a list of roles", field="roles")
    scheme = clean_text(str(data.get("scheme") or ""), "scheme", required=True, limit=40)
    roles, seen = [], set()
    for number, entry in enumerate(data["roles"], start=1):
        if not isinstance(entry, dict):
            raise ValidationError(f"Role {number} must have a name and levels", field="roles")
        name = clean_text(str(entry.get("name") or ""), f"role {number} name", required=True, limit=200)
        if name.lower() in seen:
            raise ValidationError(f"Role {name!r} is listed twice", field="roles")
        seen.add(name.lower())
        holders = [clean_text(str(h), f"holder of {name}", required=True, limit=200)
                   for h in entry.get("holders") or []]
        roles.append(RoleCards(name, holders, _levels(name, entry.get("levels"), levels)))
    return scheme, roles


def _levels(role: str, given, levels: int) -> dict[int, list[str]]:
    if not isinstance(given, dict):
        raise ValidationError(f"{role}: give the steps for each level, 1 to {levels}", field="levels")
    own: dict[int, list[str]] = {}
    carried: dict[int, list[int]] = {}
    for key, value in given.items():
        rank = _rank(role, key, levels)
        if isinstance(value, list):
            value = {"steps": value}
        if not isinstance(value, dict) or not set(value) <= {"steps", "continue"}:
            raise ValidationError(f"{role}, level {rank}: give a list of steps, or steps and"
                                  " `continue`", field="levels")
        own[rank] = [clean_text(str(step), f"{role}, level {rank} step", required=True, limit=STEP_LIMIT)
                     for step in value.get("steps") or []]
        carried[rank] = [_rank(role, earlier, levels) for earlier in value.get("continue") or []]
        if any(earlier >= rank for earlier in carried[rank]):
            raise ValidationError(f"{role}, level {rank}: can only continue the steps of lower levels",
                                  field="levels")
    cards: dict[int, list[str]] = {}
    for rank in sorted(own):
        steps = [step for earlier in carried[rank] for step in cards.get(earlier, [])] + own[rank]
        cards[rank] = list(dict.fromkeys(steps))  # a step the plan repeats is on the card once
    return cards


def _rank(role: str, key, levels: int) -> int:
    if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= levels:
        raise ValidationError(f"{role}: {key!r} is not a level from 1 to {levels}", field="levels")
    return key
