"""Small helpers that make test data through the real services."""

from datetime import date
from functools import cache

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from riskkit.extensions import db
from riskkit.models import Register, User
from riskkit.services import debriefs, indicators, levels, matrices, readings, teams
from riskkit.services.events import save_event
from riskkit.services.lessons import save_lesson
from riskkit.services.lifecycle import save_action, save_control
from riskkit.services.plans import save_plan
from riskkit.services.risks import create_risk

PASSWORD = "factory-password"  # every gen_user's; the `login` fixture signs in with it


def gen_person(name="Pat Owner", role="owner", email=None, password=None) -> User:
    """A person; with a password (and an email) they can sign in."""
    person = User(name=name, role=role, email=email)
    if password is not None:
        person.set_password(password)
    db.session.add(person)
    db.session.flush()
    return person


@cache
def _password_hash() -> str:
    """PASSWORD hashed once a run: a scrypt hash takes a noticeable part of a second."""
    return generate_password_hash(PASSWORD)


def gen_user(name="Pat Owner", role="owner", email=None) -> User:
    """A person who can sign in with PASSWORD, as first.last@example.gov.uk unless told."""
    person = gen_person(name, role, email or f"{name.lower().replace(' ', '.')}@example.gov.uk")
    person.password_hash = _password_hash()
    return person


def gen_team(name="Public Health Commissioning", members=()) -> User:
    team = teams.add_team(None, name)
    teams.set_members(None, team, list(members))
    db.session.commit()
    return team


def gen_register(code="TST", matrix="council-5x5", level="directorate", parent=None,
                 owner=None) -> Register:
    """A register; its owner (a manager, say) is the register's manager."""
    register = Register(code=code, name=f"{code} register", level=level, parent=parent,
                        owner=owner, matrix_definition=matrices.get_matrix(matrix))
    db.session.add(register)
    db.session.flush()
    return register


def _pat() -> User:
    """The owner of a risk made without one: one person, however many risks."""
    return db.session.scalar(select(User).where(User.name == "Pat Owner")) or gen_person()


def gen_risk(register=None, owner=None, likelihood=3, impact=4, as_of=date(2026, 1, 5), **kw):
    register = register or gen_register()
    owner = owner or _pat()
    kw.setdefault("title", "Loss of the payroll system")
    risk = create_risk(register, None, as_of, owner=owner, likelihood=likelihood,
                       impact=impact, **kw)
    db.session.commit()
    return risk


def gen_control(risk, description="Generator on site", owner=None, effectiveness="not_tested",
                last_tested=None, by=None):
    """A control on risk, saved by `by` (the risk's owner unless told)."""
    control = save_control(risk, by or risk.owner, None, description=description,
                           owner=owner or risk.owner, effectiveness=effectiveness,
                           last_tested=last_tested)
    db.session.commit()
    return control


def gen_action(risk, description="Buy a second generator", owner=None, status="planned",
               target_date=date(2026, 6, 30), as_of=date(2026, 1, 5), by=None):
    """An action on risk, saved by `by` (the risk's owner unless told)."""
    action = save_action(risk, by or risk.owner, None, description=description,
                         owner=owner or risk.owner, target_date=target_date, status=status,
                         as_of=as_of)
    db.session.commit()
    return action


def gen_event(name="Exercise Oak", kind="exercise", event_type="tabletop", risks=(),
              controls=(), start_date=date(2026, 2, 10)):
    """An exercise (planned) or incident (held), testing the risks and controls given."""
    event = save_event(None, None, kind=kind, name=name, event_type=event_type,
                       start_date=start_date, risks=list(risks), controls=list(controls))
    db.session.commit()
    return event


def gen_lesson(event=None, owner=None, statement="Out-of-hours contacts were out of date",
               risks=()):
    event = event or gen_event()
    lesson = save_lesson(None, None, event=event, statement=statement,
                         owner=owner or gen_person("Lee Lesson"), due_date=None, risks=list(risks))
    db.session.commit()
    return lesson


def gen_plan(service="Payroll", owner=None):
    plan = save_plan(None, None, service=service, owner=owner or gen_person("Pia Plan"),
                     last_reviewed=None, next_review=None)
    db.session.commit()
    return plan


def gen_token(person: User, scope="read", name="Test token") -> str:
    """A token of person's, made through the service; returns its secret."""
    from riskkit.services.tokens import create_token

    _, secret = create_token(None, person, name=name, scope=scope, expires_on=None,
                             today=date.today())
    db.session.commit()
    return secret


def gen_debrief(event=None, kind="hot", held_on=date(2026, 3, 2)):
    """A debrief of a held event (by default an incident, a power cut on 1 March 2026)."""
    event = event or gen_event("Power cut at Oak House", kind="incident", event_type="power",
                               start_date=date(2026, 3, 1))
    debrief = debriefs.record_debrief(event, None, kind=kind, held_on=held_on)
    db.session.commit()
    return debrief


def gen_observation(debrief=None, text="The generator took four hours to arrive",
                    prompt="did_not_go_well", kind="improvement", themes=()):
    observation = debriefs.add_observation(debrief or gen_debrief(), None, prompt=prompt,
                                           kind=kind, text=text, themes=list(themes))
    db.session.commit()
    return observation


#: The plan's staffing triggers: "70% and above Green; below 70% and above 50% Amber;
#: below 50% and above 35% Red; below 35% Black" (OPEL 1 to 4).
STAFFING_BANDS = ((70, None), (50, 70), (35, 50), (None, 35))


def gen_area(name="Ashford patch", team=None):
    area = indicators.add_area(None, name, team=team)
    db.session.commit()
    return area


def gen_indicator(name="Short-term Pathway Team staffing", unit="%", owner=None,
                  direction="higher_is_better", bands=STAFFING_BANDS, areas=(), team=None,
                  triggers_state="set", frequency_days=1, min_value=0, max_value=100,
                  risks=(), plans=(), scheme="opel"):
    """An OPEL indicator whose bands (lower, upper) are given from OPEL 1 to OPEL 4; by
    default the plan's staffing percentage, higher is better."""
    scheme = levels.get_scheme(scheme)
    triggers = ({level.id: band for level, band in zip(scheme.levels, bands, strict=True)}
                if triggers_state == "set" else None)
    indicator = indicators.save_indicator(
        None, name=name, unit=unit, owner=owner or _pat(), scheme=scheme, direction=direction,
        team=team, frequency_days=frequency_days, triggers_state=triggers_state,
        min_value=min_value, max_value=max_value, triggers=triggers, areas=list(areas),
        risks=list(risks), plans=list(plans))
    db.session.commit()
    return indicator


def gen_reading(indicator, value, on=date(2026, 1, 5), area=None, by=None, note="",
                today=date(2026, 1, 5)):
    """A reading of indicator for the day `on` (and area), recorded by `by` (the command
    line when None)."""
    reading = readings.record_reading(by, indicator, area, on, value, today=max(today, on),
                                        note=note)
    db.session.commit()
    return reading
