"""Small helpers that make test data through the real services."""

from datetime import date

from riskkit.extensions import db
from riskkit.models import Register, User
from riskkit.services import matrices
from riskkit.services.events import save_event
from riskkit.services.lessons import save_lesson
from riskkit.services.plans import save_plan
from riskkit.services.risks import create_risk


def gen_person(name="Pat Owner", role="owner", email=None, password=None) -> User:
    """A person; with a password (and an email) they can sign in."""
    person = User(name=name, role=role, email=email)
    if password is not None:
        person.set_password(password)
    db.session.add(person)
    db.session.flush()
    return person


def gen_register(code="TST", matrix="council-5x5", level="directorate", parent=None) -> Register:
    register = Register(code=code, name=f"{code} register", level=level, parent=parent,
                        matrix_definition=matrices.get_matrix(matrix))
    db.session.add(register)
    db.session.flush()
    return register


def gen_risk(register=None, owner=None, likelihood=3, impact=4, as_of=date(2026, 1, 5), **kw):
    register = register or gen_register()
    owner = owner or gen_person()
    kw.setdefault("title", "Loss of the payroll system")
    risk = create_risk(register, None, as_of, owner=owner, likelihood=likelihood,
                       impact=impact, **kw)
    db.session.commit()
    return risk


def gen_event(name="Exercise Oak", kind="exercise", event_type="tabletop", risks=(),
              controls=(), start_date=date(2026, 2, 10)):
    """An exercise (planned) or incident (held), testing the risks and controls given."""
    event = save_event(None, None, kind=kind, name=name, event_type=event_type,
                       start_date=start_date, risks=list(risks), controls=list(controls))
    db.session.commit()
    return event


def gen_lesson(event=None, owner=None, statement="Out-of-hours contacts were out of date"):
    event = event or gen_event()
    lesson = save_lesson(None, None, event=event, statement=statement,
                         owner=owner or gen_person("Lee Lesson"), due_date=None)
    db.session.commit()
    return lesson


def gen_plan(service="Payroll", owner=None):
    plan = save_plan(None, None, service=service, owner=owner or gen_person("Pia Plan"),
                     last_reviewed=None, next_review=None)
    db.session.commit()
    return plan


def gen_team(name="Public Health Commissioning", members=()):
    """A team (an owner who cannot sign in) and its members."""
    from riskkit.services import teams

    team = teams.add_team(None, name)
    teams.set_members(None, team, list(members))
    db.session.commit()
    return team


def gen_control(risk, owner, by, description="Contract monitoring", effectiveness="partly_effective"):
    """A control on risk, saved by `by` (a manager or the risk's owner)."""
    from riskkit.services.lifecycle import save_control

    control = save_control(risk, by, None, description=description, owner=owner,
                           effectiveness=effectiveness, last_tested=None)
    db.session.commit()
    return control


def gen_action(risk, owner, by, description="Re-tender by March", target_date=date(2026, 3, 31)):
    """A planned action on risk, saved by `by` (a manager or the risk's owner)."""
    from riskkit.services.lifecycle import save_action

    action = save_action(risk, by, None, description=description, owner=owner,
                         target_date=target_date, status="planned", as_of=date(2026, 1, 5))
    db.session.commit()
    return action


def gen_token(person: User, scope="read", name="Test token") -> str:
    """A token of person's, made through the service; returns its secret."""
    from riskkit.services.tokens import create_token

    _, secret = create_token(None, person, name=name, scope=scope, expires_on=None,
                             today=date.today())
    db.session.commit()
    return secret
