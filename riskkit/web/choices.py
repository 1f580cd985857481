"""What the forms offer to choose from (people and teams, live risks, the controls of the ticked
risks), and the records behind what was chosen, refusing anything that was not offered.
Shared by the risk, exercise, lesson and plan pages."""

from sqlalchemy import select

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Risk, User
from riskkit.models.base import LARGEST_INT
from riskkit.services import events as event_service
from riskkit.services import teams
from riskkit.services.risks import LIVE
from riskkit.web.forms import options


def person_choices(field, blank: str) -> None:
    """Active people, not teams (a team cannot lead an exercise)."""
    field.choices = options([("", blank)] + [(p.id, p.name)
                                             for p in teams.people(active_only=True)])


def owner_choices(field) -> None:
    """People and teams, for a select of who owns something, a team saying it is one."""
    field.choices = options([("", "Choose a person or team")]
                            + [(o.id, o.display_name) for o in teams.owners()])


def record(model, record_id, field: str, what: str, required: bool = False):
    """The record picked in a select (None if left blank and not required); an id that is
    no record is refused, naming the field."""
    if record_id in (None, "") and not required:
        return None
    # An id no column can hold is no record (PostgreSQL refuses to look it up).
    offered = isinstance(record_id, int) and 0 < record_id <= LARGEST_INT
    found = db.session.get(model, record_id) if offered else None
    if found is None:
        raise ValidationError(f"Choose {what} from the list", field=field)
    return found


def person(person_id, field: str, required: bool = True, what: str = "a person") -> User | None:
    """The person chosen in a select; an id that is no active person is refused."""
    found = record(User, person_id, field, what, required)
    if found is not None and not found.active:
        raise ValidationError(f"Choose {what} from the list", field=field)
    return found


def risk_choices(field, keep=(), blank: str | None = None) -> list[Risk]:
    """Live risks (and any already linked, even if closed since) as "AH0011 Business
    disruption", after a blank choice for a select."""
    risks = list(db.session.scalars(select(Risk).where(Risk.status.in_(LIVE))
                                    .order_by(Risk.reference)))
    risks += [r for r in keep if r not in risks]
    field.choices = options(([("", blank)] if blank else [])
                            + [(r.id, f"{r.reference} {r.title}") for r in risks])
    return risks


def control_choices(form, risks) -> list:
    """The controls of the risks ticked on the form (search_controls), plus any already
    linked, so that none is dropped without the user seeing it."""
    ticked = [r for r in risks if r.id in (form.risks.data or [])]
    controls = event_service.search_controls(ticked)
    form.controls.choices = options(
        (c.id, f"{c.risk.reference}: {short(c.description)}") for c in controls)
    return controls


def short(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def chosen(records, ids, field: str, what: str) -> list:
    """The records with the ticked ids; an id that was not offered is refused."""
    by_id = {r.id: r for r in records}
    picked = list(dict.fromkeys(ids or []))
    if any(i not in by_id for i in picked):
        raise ValidationError(f"Choose {what} from the list", field=field)
    return [by_id[i] for i in picked]


def chosen_controls(controls, ids) -> list:
    """Ticked controls, each of which must belong to a ticked risk."""
    by_id = {c.id: c for c in controls}
    picked = list(dict.fromkeys(ids or []))
    for control_id in picked:
        if control_id not in by_id:
            raise ValidationError("A ticked control belongs to a risk that is not ticked: tick"
                                  " its risk again, or leave the control out (the list now"
                                  " shows the controls of the ticked risks)", field="controls")
    return [by_id[i] for i in picked]
