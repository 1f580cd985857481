"""The API's permission matrix: every API route and method, as each kind of person, with
each kind of token (read, read-write, revoked, expired; and none, signed out), on records
built with the factories, against the outcome the rules give (riskkit.permissions, as for
the web pages: docs/security.md, "Who may do what"). A token does exactly what its person
may, a read token changes nothing, a dead token reaches nothing; a refused write leaves
the database as it was. An API route added without a row fails
`test_every_api_route_has_a_row`, which names it."""

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import Action, Control, Reading, Risk
from riskkit.models.base import utcnow
from riskkit.services import debriefs, events, lessons, tokens
from tests.conftest import FreshContextClient
from tests.factories import (
    gen_action,
    gen_control,
    gen_event,
    gen_indicator,
    gen_lesson,
    gen_register,
    gen_risk,
    gen_team,
    gen_user,
)

# What each person's token gets:
Y = "allowed"  # 200 or 201
N = "refused"  # 403, a problem; a refused write changes nothing
U = "no token"  # 401, a problem; a write changes nothing

WHO = ("signed out", "viewer", "risk owner", "control owner", "action owner", "team member",
       "resilience lead", "manager", "other manager", "admin")
ROLES = {"viewer": "viewer", "risk owner": "owner", "control owner": "owner",
         "action owner": "owner", "team member": "owner", "resilience lead": "resilience",
         "manager": "manager", "other manager": "manager", "admin": "admin"}
#: The kinds of token each person (but the signed-out one, who has none) is tried with.
SCOPES = ("read", "read-write", "revoked", "expired")

# The records (built in `world`): risk A (PH register, the manager's) is the risk owner's,
# risk B the team's (the team member and the viewer, who still only reads). On A, a control
# is the control owner's, an action the action owner's and another action the team's. An
# exercise tested A and B; a lesson from it is the team's; an incident stands apart. An
# indicator is the risk owner's, its readings recorded by the team too.
#            signed out viewer risk  ctrl  action team  resil manager other admin
PUBLIC =     (Y,         Y,     Y,    Y,    Y,     Y,    Y,    Y,      Y,    Y)
EVERYONE =   (U,         Y,     Y,    Y,    Y,     Y,    Y,    Y,      Y,    Y)
ADMINS =     (U,         N,     N,    N,    N,     N,    N,    N,      N,    Y)
RISK_A =     (U,         N,     Y,    N,    N,     N,    N,    Y,      Y,    Y)  # its owner
RISK_B =     (U,         N,     N,    N,    N,     Y,    N,    Y,      Y,    Y)  # its team
CONTROL =    (U,         N,     Y,    Y,    N,     N,    N,    Y,      Y,    Y)  # and A's owner
ACTION =     (U,         N,     Y,    N,    Y,     N,    N,    Y,      Y,    Y)  # and A's owner
TEAM_ACTION = (U,        N,     Y,    N,    N,     Y,    N,    Y,      Y,    Y)  # and A's owner
READINGS =   (U,         N,     Y,    N,    N,     Y,    N,    Y,      Y,    Y)  # its owner, team

READS = {  # GET; a token's scope does not matter while it lives
    "/api/v1/": PUBLIC,  # the reference page
    "/api/v1/openapi.json": PUBLIC,
    "/api/v1/registers": EVERYONE,
    "/api/v1/registers/PH/heatmap": EVERYONE,
    "/api/v1/risks?register=PH": EVERYONE,
    "/api/v1/risks/{A}": EVERYONE,
    "/api/v1/risks/{A}/history": EVERYONE,
    "/api/v1/overdue?as_of=2026-12-31": EVERYONE,
    "/api/v1/exercises": EVERYONE,
    "/api/v1/exercises/{exercise}": EVERYONE,
    "/api/v1/incidents": EVERYONE,
    "/api/v1/incidents/{incident}": EVERYONE,
    "/api/v1/lessons": EVERYONE,
    "/api/v1/lessons/{lesson}": EVERYONE,
    "/api/v1/history/control/{control}": EVERYONE,
    "/api/v1/history/lesson/{lesson}": EVERYONE,
    "/api/v1/history/register/{PH}": ADMINS,  # as the admin pages are
    "/api/v1/indicators": EVERYONE,
    "/api/v1/indicators/{indicator}": EVERYONE,
}

WRITES = {  # (method, path): who may with a live read-write token; a read token, no one
    ("POST", "/api/v1/risks/{A}/reviews"): RISK_A,
    ("POST", "/api/v1/risks/{B}/reviews"): RISK_B,
    ("PATCH", "/api/v1/risks/{A}/controls/{control}"): CONTROL,
    ("PATCH", "/api/v1/risks/{A}/actions/{action}"): ACTION,
    ("PATCH", "/api/v1/risks/{A}/actions/{team_action}"): TEAM_ACTION,
    ("POST", "/api/v1/indicators/{indicator}/readings"): READINGS,
}


def _review(model, record_id) -> dict:
    risk = db.session.get(model, record_id)
    return {"reviewed_on": "2026-03-02", "likelihood": risk.likelihood, "impact": risk.impact,
            "comment": "Reviewed at DMT", "version": risk.version}


BODIES = {  # what each write sends, with the record's version as it is now
    "reviews": lambda ids, path: _review(Risk, ids["A_id" if "{A}" in path else "B_id"]),
    "controls": lambda ids, path: {"effectiveness": "effective",
                                   "version": db.session.get(Control, ids["control"]).version},
    "actions": lambda ids, path: {"status": "in_progress", "version": db.session.get(
        Action, ids["team_action" if "team_action" in path else "action"]).version},
    "readings": lambda ids, path: _reading(ids["indicator"]),
}


def _reading(indicator_id) -> dict:
    """Today's reading of the indicator, with the version of one already there."""
    body = {"date": date.today().isoformat(), "value": 60}
    version = db.session.scalar(select(Reading.version).where(
        Reading.indicator_id == indicator_id, Reading.reading_date == date.today()))
    return {**body, "version": version} if version else body


@pytest.fixture
def who():
    return "admin"


@pytest.fixture
def world(app, who) -> dict:
    """The people and records (see above); returns what fills the paths, and the people."""
    app.test_client_class = FreshContextClient
    people = {key: gen_user(f"{key.title()} Person", role) for key, role in ROLES.items()}
    team = gen_team(members=[people["team member"], people["viewer"]])
    ph = gen_register("PH", owner=people["manager"])
    gen_register("OPS", owner=people["other manager"])
    manager = people["manager"]
    a = gen_risk(ph, people["risk owner"], 3, 4, title="Loss of the sexual health contract")
    b = gen_risk(ph, team, 2, 2, title="Drug and alcohol service re-procurement")
    control = gen_control(a, "Contract monitoring", owner=people["control owner"], by=manager,
                          effectiveness="partly_effective")
    action = gen_action(a, "Re-tender by March", owner=people["action owner"], by=manager)
    team_action = gen_action(a, "Needs assessment", owner=team, by=manager)
    exercise = gen_event("Exercise Oak", risks=[a, b], controls=[control])
    events.set_status(exercise, None, "held", as_of=date(2026, 2, 10))
    debriefs.record_debrief(exercise, None, kind="hot", held_on=date(2026, 2, 10))
    incident = gen_event("Flood at the depot", kind="incident", event_type="weather",
                         start_date=date(2026, 3, 3))
    lesson = gen_lesson(exercise, owner=team, statement="Provider contacts were out of date", risks=[b])
    lessons.raise_action(lesson, people["resilience lead"], risk=b, description="Refresh contacts",
                         owner=people["resilience lead"], target_date=date(2026, 4, 30))
    indicator = gen_indicator(owner=people["risk owner"], team=team)
    db.session.commit()
    ids = {"A": a.reference, "B": b.reference, "A_id": a.id, "B_id": b.id, "PH": ph.id,
           "control": control.id, "action": action.id, "team_action": team_action.id,
           "exercise": exercise.id, "incident": incident.id, "lesson": lesson.id,
           "indicator": indicator.id}
    return {"ids": ids, "people": people}


def _token(person, scope: str) -> dict:
    """An Authorization header with a token of person's of this kind."""
    today = date.today()
    made_on = today - timedelta(days=30) if scope == "expired" else today
    token, secret = tokens.create_token(
        None, person, name=scope, scope="read" if scope == "read" else "read-write",
        expires_on=today - timedelta(days=1) if scope == "expired" else None, today=made_on)
    if scope == "revoked":
        tokens.revoke_token(None, token, utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _snapshot() -> dict[str, list]:
    """Every row of every table (but when a token was last used, which reading notes):
    what a refused write must leave as it was."""
    db.session.rollback()
    return {table.name: sorted(db.session.execute(select(
        *[column for column in table.columns if column.name != "last_used_at"])).all(), key=repr)
        for table in db.metadata.sorted_tables}


def _got(response) -> str:
    """What the token got, in the table's words (the status and detail if none fits)."""
    status = response.status_code
    problem = response.content_type == "application/problem+json"
    if status in (200, 201):
        return Y
    if status == 403 and problem:
        return N
    if status == 401 and problem and response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
        return U
    return f"{status} {response.get_data(as_text=True)[:200]}"


def _expected(row: tuple, column: int, scope: str, write: bool) -> str:
    if row is PUBLIC or scope == "no token":
        return row[column]
    if scope in ("revoked", "expired", "unknown"):
        return U
    if write and scope == "read":
        return N
    return row[column]


@pytest.mark.parametrize("who", WHO)
def test_api_permission_matrix(world, who):
    """Every read, then every write, with each kind of token this person can have; all the
    outcomes that differ from the table are listed together."""
    column, ids = WHO.index(who), world["ids"]
    client = current_app.test_client()
    if who == "signed out":
        kinds = {"no token": {}, "unknown": {"Authorization": "Bearer rk_made_up_by_no_one"}}
    else:
        kinds = {scope: _token(world["people"][who], scope) for scope in SCOPES}
    wrong = []
    for scope, headers in kinds.items():
        for path, row in READS.items():
            url = path.format(**ids)
            got, expected = _got(client.get(url, headers=headers)), _expected(row, column, scope, False)
            if got != expected:
                wrong.append(f"{scope}: GET {url}: {got}, not {expected}")
        for (method, path), row in WRITES.items():
            url, expected = path.format(**ids), _expected(row, column, scope, True)
            body = BODIES[path.split("/")[5]](ids, path)
            before = _snapshot() if expected != Y else None
            got = _got(client.open(url, method=method, headers=headers, json=body))
            if before is not None and got == expected and _snapshot() != before:
                got += ", yet the database changed"
            if got != expected:
                wrong.append(f"{scope}: {method} {url}: {got}, not {expected}")
    assert wrong == [], f"{who}:\n" + "\n".join(wrong)


def test_every_api_route_has_a_row(world):
    """Each route and method under /api/ in the app's URL map needs a row in READS or WRITES."""
    adapter = current_app.url_map.bind("localhost")
    covered = set()
    for method, path in [("GET", path) for path in READS] + list(WRITES):
        rule, _ = adapter.match(path.format(**world["ids"]).split("?")[0], method, return_rule=True)
        covered.add(f"{method} {rule.rule}")
    routes = {f"{method} {rule.rule}" for rule in current_app.url_map.iter_rules()
              if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - covered)
    assert not missing, "No row in the API's permission matrix for " + ", ".join(missing)
    assert all(len(row) == len(WHO) for row in [*READS.values(), *WRITES.values()])
