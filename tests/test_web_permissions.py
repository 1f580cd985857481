"""The permission matrix: every route of the web app, GET and POST, as each kind of
person, on records built with the factories, against the outcome that the rules give
(docs/security.md, "Who may do what"). Each person is one test, on records of their own,
signed in through the login form; a refused post must leave the database as it was.
A route added to the app without a row here fails `test_every_route_has_a_row`, which
names it."""

import io
from datetime import UTC, date, datetime

import pytest
from flask import current_app
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import (
    Acceptance,
    Action,
    Appetite,
    CardStep,
    ContinuityPlan,
    Control,
    ControlAssurance,
    Debrief,
    Event,
    Indicator,
    Issue,
    IssueAction,
    Lesson,
    MatrixDefinition,
    Observation,
    Reading,
    RegisterObjective,
    Risk,
)
from riskkit.reports.papers import renderers
from riskkit.services import (
    action_cards,
    appetite,
    debriefs,
    events,
    issues,
    lessons,
    levels,
    lifecycle,
    programme,
    publishing,
    themes,
    tokens,
)
from riskkit.services.exports import new_calendar_token
from riskkit.services.imports import uploads
from riskkit.services.registers import save_register
from tests.conftest import FreshContextClient
from tests.factories import (
    gen_acceptance,
    gen_action,
    gen_area,
    gen_assurance,
    gen_control,
    gen_event,
    gen_indicator,
    gen_issue,
    gen_lesson,
    gen_objective,
    gen_person,
    gen_plan,
    gen_reading,
    gen_risk,
    gen_team,
)
from tests.web_helpers import error_messages

PASSWORD = "a-long-test-password"
REFUSAL = "You do not have permission to do that"

# What each person gets:
Y = "allowed"  # the page (200), or sent on to the next one (302, not to the sign-in page)
N = "refused"  # 403 saying so; a refused post changes nothing
S = "sign in"  # sent to the sign-in page (302); a post changes nothing
OUT = "signed out"  # sent to the sign-in page, and the next page asks to sign in again

# The people, one column each. The records they own (built in `world`):
#   risk A (PH register, score 12, proposed for escalation) is the risk owner's, risk B
#   the team's, and risk C (escalated from PH to CORP) the resilience lead's. On A, a
#   control is the control owner's, an action the action owner's and another action the
#   team's; on B, an action raised from the team's lesson is the resilience lead's. The
#   team's members are the team member and the viewer (who still only reads). The manager
#   owns the PH and CORP registers, the other manager the OPS register.
WHO = ("signed out", "viewer", "risk owner", "control owner", "action owner", "team member",
       "resilience lead", "manager", "other manager", "admin")
ROLES = {"viewer": "viewer", "risk owner": "owner", "control owner": "owner",
         "action owner": "owner", "team member": "owner", "resilience lead": "resilience",
         "manager": "manager", "other manager": "manager", "admin": "admin"}

# Who may by role alone, the rows most routes share:
#            signed out viewer risk  ctrl  action team  resil manager other admin
PUBLIC =     (Y,         Y,     Y,    Y,    Y,     Y,    Y,    Y,      Y,    Y)
EVERYONE =   (S,         Y,     Y,    Y,    Y,     Y,    Y,    Y,      Y,    Y)
RESILIENCE = (S,         N,     N,    N,    N,     N,    Y,    Y,      Y,    Y)
MANAGERS =   (S,         N,     N,    N,    N,     N,    N,    Y,      Y,    Y)
ADMINS =     (S,         N,     N,    N,    N,     N,    N,    N,      N,    Y)
TOKEN_OWNER = (S,        Y,     N,    N,    N,     N,    N,    N,      N,    Y)  # the viewer's
# ... and by what they own, with the managers and admins:
RISK_A =     (S,         N,     Y,    N,    N,     N,    N,    Y,      Y,    Y)  # its owner
RISK_B =     (S,         N,     N,    N,    N,     Y,    N,    Y,      Y,    Y)  # its team
CONTROL =    (S,         N,     Y,    Y,    N,     N,    N,    Y,      Y,    Y)  # and A's owner
ACTION =     (S,         N,     Y,    N,    Y,     N,    N,    Y,      Y,    Y)  # and A's owner
TEAM_ACTION = (S,        N,     Y,    N,    N,     Y,    N,    Y,      Y,    Y)  # and A's owner
RAISED =     (S,         N,     N,    N,    N,     Y,    Y,    Y,      Y,    Y)  # and B's team
LESSON =     (S,         N,     N,    N,    N,     Y,    Y,    Y,      Y,    Y)  # its team
# A card step: its role's holder (the risk owner), or a manager for them.
CARD_STEP =  (S,         N,     Y,    N,    N,     N,    N,    Y,      Y,    Y)
# The decision log: managers, resilience leads and holders of a response role.
DECISIONS =  (S,         N,     Y,    N,    N,     N,    Y,    Y,      Y,    Y)
INDICATOR =  (S,         N,     Y,    N,    N,     Y,    N,    Y,      Y,    Y)  # owner, team
ISSUE = RISK_A  # the issue is the risk owner's: its owner and the managers review and action it
# Uploading audit opinions: whoever may assure some control opens the page; a workbook's
# row on A's control is then recorded for those who may assure it, and named as a problem
# for the rest, nothing recorded.
ASSURERS =   (S,         N,     Y,    Y,    Y,     Y,    Y,    Y,      Y,    Y)
NOT_YOURS = ("400 1 problem in audit.csv: nothing was recorded Row 2, column Control: you may not"
             " record assurance on this control (its owner, its risk&#39;s owner or a manager may)")
AUDIT_UPLOAD = (S,       N,     Y,    Y,    NOT_YOURS, NOT_YOURS, NOT_YOURS, Y, Y, Y)

#: Adding, editing and marking done controls and actions, and recording a control's
#: assurance: the same people may open each page and post its form.
CONTROLS_AND_ACTIONS = {
    "/risks/{A}/controls/{control}/assurance": CONTROL,
    "/risks/{A}/controls/{control}/assurance/{assurance}": CONTROL,
    "/risks/{A}/controls/new": RISK_A,
    "/risks/{A}/actions/new": RISK_A,
    "/risks/{B}/actions/new": RISK_B,
    "/risks/{A}/controls/{control}": CONTROL,
    "/risks/{A}/actions/{action}": ACTION,
    "/risks/{A}/actions/{team_action}": TEAM_ACTION,
    "/risks/{B}/actions/{raised}": RAISED,
    "/risks/{A}/actions/{action}/done": ACTION,
    "/risks/{B}/actions/{raised}/done": RAISED,
}

#: Raising, reviewing, actioning and resolving issues, and asking for and deciding on a
#: risk's acceptance: the same people may open each page and post its form (resolving last).
ISSUES_AND_ACCEPTANCES = {
    "/issues/new": MANAGERS,
    "/risks/{D}/issue": MANAGERS,
    "/issues/{issue}/review": ISSUE,
    "/issues/{issue}/actions/new": ISSUE,
    "/issues/{issue}/actions/{issue_action}": ISSUE,
    "/issues/{issue}/resolve": MANAGERS,
    "/risks/{F}/accept": RISK_A,  # F is the risk owner's too
    # Not the risk owner, who asked: a manager (the other one records the DMT's meeting).
    "/acceptances/{acceptance}/decide": MANAGERS,
}

PAGES = {  # GET
    "/login": PUBLIC,  # signed in: sent on to the dashboard
    "/healthz": PUBLIC,
    "/assets/riskkit.min.css": PUBLIC,
    "/calendar/{token}.ics": PUBLIC,  # the token in the address stands in for signing in
    "/": EVERYONE,
    "/calendar": EVERYONE,
    "/risks": EVERYONE,
    "/risks/{A}": EVERYONE,
    "/risks/{A}/history": EVERYONE,
    "/risks/{A}/testability": RISK_A,
    "/categories/not-testable": EVERYONE,
    "/actions/delivery": EVERYONE,
    "/published/log": MANAGERS,
    "/heatmap?register=PH": EVERYONE,
    "/heatmap.pdf?register=PH": EVERYONE,
    "/heatmap.html?register=PH": EVERYONE,
    "/appendix.pdf": EVERYONE,
    "/appendix.html": EVERYONE,
    "/export.xlsx": EVERYONE,
    "/overdue": EVERYONE,
    "/overdue.csv": EVERYONE,
    "/assurance": EVERYONE,
    "/assurance/import": ASSURERS,
    # Evidence packs, as /assurance and /actions/delivery; the audit pack's log of committee
    # documents is shown only to those who may read it (/published/log).
    "/evidence": EVERYONE,
    "/evidence/eprr": EVERYONE,
    "/evidence/iso22301": EVERYONE,
    "/evidence/audit": EVERYONE,
    "/evidence/audit.pdf": EVERYONE,
    "/evidence/eprr.xlsx": EVERYONE,
    "/objectives": EVERYONE,
    "/objectives/{objective}": EVERYONE,
    "/objectives/new?register=PH": MANAGERS,
    "/objectives/{objective}/edit": MANAGERS,
    # A lookup: it sends anyone on to the risk's review form, where the rule applies (below).
    "/risks/review?reference={A}": EVERYONE,
    "/risks/new": MANAGERS,
    "/import": MANAGERS,
    "/risks/{A}/edit": RISK_A,
    "/risks/{B}/edit": RISK_B,
    "/risks/{A}/review": RISK_A,
    "/risks/{B}/review": RISK_B,
    "/risks/{A}/close": MANAGERS,
    "/risks/{A}/reopen": MANAGERS,
    "/risks/{A}/escalate": MANAGERS,
    "/risks/{A}/decline": MANAGERS,
    "/risks/{C}/de_escalate": MANAGERS,
    **CONTROLS_AND_ACTIONS,
    "/risks/{A}/controls/{control}/remove": RISK_A,
    "/risks/{A}/actions/{action}/remove": RISK_A,
    "/risks/{B}/actions/{raised}/remove": RISK_B,
    "/exercises": EVERYONE,
    "/exercises/{event}": EVERYONE,
    "/exercises/{event}/report.pdf": EVERYONE,
    "/exercises/{event}/report.html": EVERYONE,
    "/improvement-plan.xlsx": EVERYONE,
    "/improvement-plan.html": EVERYONE,
    "/debriefs/{debrief}": EVERYONE,
    "/lessons": EVERYONE,
    "/lessons/{lesson}": EVERYONE,
    "/programme": EVERYONE,
    "/plans": EVERYONE,
    "/themes": EVERYONE,
    "/themes/cross-reference": EVERYONE,
    "/themes/cross-reference.csv": EVERYONE,
    "/exercises/new": RESILIENCE,
    "/exercises/new?pack=scratch": RESILIENCE,
    "/incidents/new": RESILIENCE,
    "/exercises/{event}/edit": RESILIENCE,
    "/exercises/{event}/outcome": RESILIENCE,
    "/exercises/{event}/debriefs/new": RESILIENCE,
    "/debriefs/{debrief}/edit": RESILIENCE,
    "/observations/{observation}/edit": RESILIENCE,
    "/observations/{observation}/lesson": RESILIENCE,
    "/lessons/{lesson}/edit": RESILIENCE,
    "/lessons/{lesson}/actions/new": RESILIENCE,
    "/programme/rules/new": RESILIENCE,
    "/programme/rules/{rule}/edit": RESILIENCE,
    "/plans/new": RESILIENCE,
    "/plans/{plan}/edit": RESILIENCE,
    "/themes/{theme}/edit": RESILIENCE,
    "/admin/users": ADMINS,
    "/admin/users/new": ADMINS,
    "/admin/users/{user}": ADMINS,
    "/admin/teams": ADMINS,
    "/admin/tokens": ADMINS,
    "/published": EVERYONE,
    "/published/2025Q4/{paper}": EVERYONE,
    "/account": EVERYONE,
    "/admin/teams/new": ADMINS,
    "/admin/teams/{team}": ADMINS,
    "/admin/registers": ADMINS,
    "/admin/registers/new": ADMINS,
    "/admin/registers/{register}": ADMINS,
    "/admin/matrices": ADMINS,
    "/admin/matrices/{matrix}": ADMINS,
    "/admin/appetite": ADMINS,
    "/admin/appetite/new": ADMINS,
    "/admin/appetite/{appetite}": ADMINS,
    "/log": EVERYONE,
    "/sitrep": EVERYONE,
    "/sitrep.pdf": EVERYONE,
    "/indicators/{indicator}/chart.png": EVERYONE,
    "/levels/strip.png": EVERYONE,
    "/admin/roles": ADMINS,
    "/admin/roles/{role}": ADMINS,
    "/indicators": EVERYONE,
    "/indicators/{indicator}": EVERYONE,
    "/indicators/grid?team={team}": EVERYONE,  # shows only the boxes the person may fill
    "/levels": EVERYONE,
    "/indicators/new": MANAGERS,
    "/indicators/{indicator}/edit": MANAGERS,
    "/indicators/upload": MANAGERS,
    "/indicators/{indicator}/archive": MANAGERS,
    "/levels/declare": MANAGERS,
    "/levels/declare?area={area}": MANAGERS,
    "/indicators/readings/{reading}": INDICATOR,
    "/issues": EVERYONE,
    "/issues/{issue}": EVERYONE,
    "/accepted": EVERYONE,
    **ISSUES_AND_ACCEPTANCES,
}

POSTS = {  # in this order: each save moves a version on, and removals come last
    "/calendar": EVERYONE,  # a new address for one's own calendar feed
    "/import": MANAGERS,
    "/import/{upload}": MANAGERS,
    "/assurance/import": AUDIT_UPLOAD,
    "/risks/new": MANAGERS,
    "/risks/{A}/edit": RISK_A,
    "/risks/{B}/edit": RISK_B,
    "/risks/{A}/review": RISK_A,
    "/risks/{B}/review": RISK_B,
    **CONTROLS_AND_ACTIONS,
    "/objectives/new?register=PH": MANAGERS,
    "/objectives/{objective}/edit": MANAGERS,
    "/risks/{A}/decline": MANAGERS,
    "/risks/{A}/escalate": MANAGERS,
    "/risks/{C}/de_escalate": MANAGERS,
    "/risks/{A}/close": MANAGERS,
    "/risks/{A}/reopen": MANAGERS,
    "/risks/{A}/testability": RISK_A,
    "/categories/not-testable": MANAGERS,
    "/categories/not-testable/remove": MANAGERS,
    "/exercises/new?pack=scratch": RESILIENCE,
    "/incidents/new": RESILIENCE,
    "/exercises/{event}/edit": RESILIENCE,
    "/exercises/{event}/outcome": RESILIENCE,
    "/exercises/{event}/status": RESILIENCE,
    "/exercises/{event}/debriefs/new": RESILIENCE,
    "/debriefs/{debrief}/observations": RESILIENCE,
    "/debriefs/{debrief}/edit": RESILIENCE,
    "/observations/{observation}/edit": RESILIENCE,
    "/observations/{observation}/lesson": RESILIENCE,
    "/lessons/{lesson}/actions/link": RESILIENCE,
    "/lessons/{lesson}/actions/new": RESILIENCE,
    "/lessons/{lesson}/edit": RESILIENCE,
    "/lessons/{lesson}/status": LESSON,
    "/programme/rules/new": RESILIENCE,
    "/programme/rules/{rule}/edit": RESILIENCE,
    "/plans/new": RESILIENCE,
    "/plans/{plan}/edit": RESILIENCE,
    "/themes": RESILIENCE,
    "/themes/{theme}/edit": RESILIENCE,
    "/admin/users/new": ADMINS,
    "/admin/users/{user}": ADMINS,
    "/admin/teams/new": ADMINS,
    "/admin/teams/{team}": ADMINS,
    "/account": EVERYONE,
    "/account/tokens/{api_token}/revoke": TOKEN_OWNER,
    "/published": MANAGERS,
    "/admin/registers/new": ADMINS,
    "/admin/registers/{register}": ADMINS,
    "/admin/matrices/{matrix}": ADMINS,
    "/admin/appetite/new": ADMINS,
    "/admin/appetite/{appetite}": ADMINS,
    "/cards/{declaration}/steps/{card_step}": CARD_STEP,
    "/log": DECISIONS,
    "/admin/roles/{role}": ADMINS,
    "/indicators/new": MANAGERS,
    "/indicators/{indicator}/edit": MANAGERS,
    "/indicators/areas": MANAGERS,
    "/indicators/{indicator}": INDICATOR,
    "/indicators/readings/{reading}": INDICATOR,
    "/indicators/grid?team={team}": INDICATOR,
    "/indicators/upload": MANAGERS,
    "/levels/declare": MANAGERS,
    **ISSUES_AND_ACCEPTANCES,
    "/risks/{A}/controls/{control}/remove": RISK_A,
    "/risks/{A}/actions/{action}/remove": RISK_A,
    "/risks/{B}/actions/{raised}/remove": RISK_B,
    "/observations/{observation_2}/remove": RESILIENCE,
    "/debriefs/{debrief_2}/remove": RESILIENCE,
    "/indicators/{indicator}/archive": MANAGERS,  # late: an archived one takes no readings
    "/login": PUBLIC,  # signed out: signs in; signed in: sent on to the dashboard
    "/logout": (S, OUT, OUT, OUT, OUT, OUT, OUT, OUT, OUT, OUT),
}


# --- the records ------------------------------------------------------------------------


class World:
    """The records the paths and forms name: `ids` fills the paths; `version` and `id`
    read a record as it is now (each save moves a version on)."""

    MODELS = {"A": Risk, "B": Risk, "C": Risk, "control": Control, "action": Action,
              "team_action": Action, "raised": Action, "b_action": Action, "event": Event,
              "debrief": Debrief, "debrief_2": Debrief, "observation": Observation,
              "observation_2": Observation, "lesson": Lesson, "plan": ContinuityPlan,
              "appetite": Appetite, "indicator": Indicator, "reading": Reading, "D": Risk,
              "E": Risk, "F": Risk, "issue": Issue, "issue_action": IssueAction,
              "acceptance": Acceptance, "assurance": ControlAssurance,
              "objective": RegisterObjective}

    def __init__(self, people, records, ids, signer):
        self.people, self.records, self.ids, self.signer = people, records, ids, signer

    def record(self, name):
        db.session.rollback()  # read what the requests committed, not an older snapshot
        return db.session.get(self.MODELS[name], self.records[name])

    def version(self, name) -> int:
        return self.record(name).version

    def id(self, name) -> int:
        return self.ids.get(name) or self.people[name]


def _email(key: str) -> str:
    return f"{key.replace(' ', '.')}@x.gov.uk"


def day(when: date) -> list[str]:
    """A date as the GOV.UK date input posts it: day, month, year."""
    return [str(when.day), str(when.month), str(when.year)]


CSV = b"Title,Owner,Likelihood,Impact\nLoss of the grants system,Manager Person,2,3\n"


@pytest.fixture
def who():
    return "admin"


@pytest.fixture
def world(app, who) -> World:
    """The people and the records they own (see WHO). Only the person signing in and the
    viewer have a password (the viewer stands in for the signed-out person's sign-in)."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    signer = "viewer" if who == "signed out" else who
    people = {key: gen_person(f"{key.title()} Person", role, email=_email(key),
                              # the viewer has an API token, so may sign in
                              password=PASSWORD if key in (signer, "viewer") else None)
              for key, role in ROLES.items()}
    spare = gen_person("Sam Spare", "viewer", email="sam@x.gov.uk")
    team = gen_team(members=[people["team member"], people["viewer"]])
    council = db.session.scalar(select(MatrixDefinition).where(MatrixDefinition.slug == "council-5x5"))
    corp = save_register(None, None, code="CORP", name="Corporate", level="corporate", parent=None,
                         matrix=council, owner=people["manager"])
    ph = save_register(None, None, code="PH", name="Public Health", level="directorate", parent=corp,
                       matrix=council, owner=people["manager"], escalate_at=12)
    ops = save_register(None, None, code="OPS", name="Operations", level="directorate", parent=corp,
                        matrix=council, owner=people["other manager"])
    manager = people["manager"]
    a = gen_risk(ph, people["risk owner"], 3, 4, title="Loss of the sexual health contract")
    b = gen_risk(ph, team, 2, 2, title="Drug and alcohol service re-procurement")
    c = gen_risk(ph, people["resilience lead"], 4, 4, title="Loss of the public health grant",
                 category="Workforce")
    lifecycle.escalate(c, manager, None, "Needs the corporate register")
    control = gen_control(a, "Contract monitoring", owner=people["control owner"], by=manager,
                          effectiveness="partly_effective")
    action = gen_action(a, "Re-tender by March", owner=people["action owner"], by=manager,
                        target_date=date(2026, 3, 31))
    team_action = gen_action(a, "Needs assessment", owner=team, by=manager,
                             target_date=date(2026, 3, 31))
    b_action = gen_action(b, "Market engagement", owner=team, by=manager,
                          target_date=date(2026, 3, 31))
    event = gen_event("Exercise Oak", risks=[a, b], controls=[control])
    events.set_status(event, None, "held", as_of=date(2026, 2, 10))
    debrief = debriefs.record_debrief(event, None, kind="hot", held_on=date(2026, 2, 10))
    debrief_2 = debriefs.record_debrief(event, None, kind="hot", held_on=date(2026, 2, 11))
    observation, observation_2 = (debriefs.add_observation(
        debrief, None, prompt="did_not_go_well", kind="improvement", text=text, themes=[])
        for text in ("Contacts were out of date", "The bridge line was busy"))
    lesson = gen_lesson(event, owner=team, statement="Provider contacts were out of date")
    raised = lessons.raise_action(lesson, people["resilience lead"], risk=b,
                                  description="Refresh provider contacts",
                                  owner=people["resilience lead"], target_date=date(2026, 4, 30))
    plan = gen_plan(owner=people["risk owner"])
    assurance = gen_assurance(control, opinion="limited")
    objective = gen_objective(ph, "Improve healthy life expectancy")
    appetite_row = appetite.save_appetite(None, None, category="Financial", max_score=12,
                                          statement="Low appetite for financial loss")
    # D to turn into an issue; E (with an acceptance asked for) and F above the Financial
    # appetite; an issue of the risk owner's with an action.
    d = gen_risk(ph, people["risk owner"], 2, 2, title="Loss of the clinic lease")
    e, f = (gen_risk(ph, people["risk owner"], 4, 4, title=title, category="Financial")
            for title in ("Grant clawback", "Overspend on placements"))
    asked = gen_acceptance(e, expires_on=date(2099, 1, 1))
    issue = gen_issue(ph, people["risk owner"], title="Clinic flooded")
    issue_action = issues.save_action(issue, None, None, description="Move the clinic",
                                      owner=people["risk owner"], target_date=None,
                                      status="planned", as_of=date(2026, 2, 3))
    token = new_calendar_token(people["viewer"])
    paper = publishing.publish("2025Q4", None, "Test Council", renderers()).documents[0].name
    api_token, _ = tokens.create_token(None, people["viewer"], name="Power BI", scope="read",
                                       expires_on=None, today=date(2026, 1, 5))
    # A response role the risk owner holds, with a step at OPEL 3, declared; an indicator.
    opel = levels.get_scheme()
    red = opel.levels[2]
    role = action_cards.add_role(None, opel, "Service Manager", holders=[people["risk owner"]],
                                 steps=[CardStep(level=red, position=1, text="Redeploy staff.")])
    declaration = levels.declare(manager, None, red, "Staffing below 50%", date(2026, 1, 5))
    area = gen_area("North")
    indicator = gen_indicator(owner=people["risk owner"], team=team, risks=[a])
    reading = gen_reading(indicator, 64, on=date(2026, 1, 5))
    db.session.commit()
    upload, path = uploads.new_upload(current_app.config["SETTINGS"].data_dir, ".csv",
                                      datetime.now(UTC))
    path.write_bytes(CSV)
    records = {name: row.id for name, row in {
        "A": a, "B": b, "C": c, "control": control, "action": action,
        "team_action": team_action, "raised": raised, "b_action": b_action, "event": event,
        "debrief": debrief, "debrief_2": debrief_2, "observation": observation,
        "observation_2": observation_2, "lesson": lesson, "plan": plan,
        "appetite": appetite_row, "indicator": indicator, "reading": reading, "D": d, "E": e,
        "F": f, "issue": issue, "issue_action": issue_action, "acceptance": asked,
        "assurance": assurance, "objective": objective}.items()}
    ids = {**records, "A": a.reference, "B": b.reference, "C": c.reference, "D": d.reference,
           "E": e.reference, "F": f.reference, "issue": issue.reference, "token": token,
           "upload": upload, "api_token": api_token.id, "paper": paper, "user": spare.id,
           "team": team.id, "register": ops.id,
           "PH": ph.id, "matrix": council.id, "rule": programme.list_rules()[0].id,
           "theme": themes.list_themes()[0].id, "area": area.id, "role": role.id,
           "declaration": declaration.id, "card_step": role.steps[0].id}
    return World({key: person.id for key, person in people.items()}, records, ids, signer)


# --- what each form posts ----------------------------------------------------------------


def _risk(w, name, owner):
    return {"version": w.version(name), "title": f"Risk {name}, reworded", "owner": w.id(owner),
            "target_likelihood": 1, "target_impact": 2, "response": "treat"}


def _review(w, name):
    risk = w.record(name)
    return {"version": risk.version, "reviewed_on": day(date(2026, 3, 2)),
            "likelihood": risk.likelihood, "impact": risk.impact, "comment": "Reviewed at DMT"}


def _action(w, name, owner, status="in_progress"):
    return {"version": w.version(name), "description": w.record(name).description,
            "owner": w.id(owner), "status": status, "target_date": day(date(2026, 5, 31))}


def _assurance(version):
    return {"version": version or "", "line": "3", "source": "audit_report",
            "reference": "IA 2026/14", "assured_on": day(date(2026, 3, 2)),
            "opinion": "reasonable", "next_due": day(date(2027, 3, 2))}


def _step(w, name, reason="Agreed at DMT"):
    return {"version": w.version(name), "reason": reason}


def _team(w):
    """Leave the viewer out of the team (the page was opened with both members)."""
    return {"members": [w.people["team member"]], "members_were": ",".join(
        str(w.people[key]) for key in ("team member", "viewer"))}


def _bands(w):
    matrix = db.session.get(MatrixDefinition, w.id("matrix")).matrix
    fields = {"name": "Council 5 x 5"}
    for n, band in enumerate(matrix.bands):
        fields.update({f"bands-{n}-name": band.name, f"bands-{n}-colour": band.colour,
                       f"bands-{n}-colour_name": band.colour_name, f"bands-{n}-min": band.min_score,
                       f"bands-{n}-max": band.max_score,
                       f"bands-{n}-review_months": band.review_months})
    return fields


FORMS = {
    "/calendar": lambda w: {},
    "/import": lambda w: {"register": "PH", "file": (io.BytesIO(CSV), "risks.csv")},
    "/import/{upload}": lambda w: {"register": "PH", "file_name": "risks.csv", "action": "preview"},
    "/assurance/import": lambda w: {"file": (io.BytesIO(
        f"Risk,Control,Date,Opinion\n{w.ids['A']},{w.ids['control']},02/03/2026,Reasonable\n".encode()),
        "audit.csv")},
    "/risks/new": lambda w: {"register": w.id("PH"), "title": "Loss of the grants system",
                             "owner": w.id("risk owner"), "likelihood": 2, "impact": 3,
                             "target_likelihood": 1, "target_impact": 2, "response": "treat"},
    "/risks/{A}/edit": lambda w: _risk(w, "A", "risk owner"),
    "/risks/{B}/edit": lambda w: _risk(w, "B", "team member") | {"owner": w.id("team")},
    "/risks/{A}/review": lambda w: _review(w, "A"),
    "/risks/{B}/review": lambda w: _review(w, "B"),
    "/risks/{A}/controls/new": lambda w: {"description": "Weekly contract meetings",
                                          "owner": w.id("control owner"),
                                          "effectiveness": "not_tested"},
    "/risks/{A}/actions/new": lambda w: {"description": "Write the exit plan",
                                         "owner": w.id("action owner"), "status": "planned"},
    "/risks/{B}/actions/new": lambda w: {"description": "Brief the providers",
                                         "owner": w.id("team"), "status": "planned"},
    "/risks/{A}/controls/{control}": lambda w: {
        "version": w.version("control"), "description": "Contract monitoring",
        "owner": w.id("control owner"), "effectiveness": "effective",
        "last_tested": day(date(2026, 1, 20))},
    "/risks/{A}/actions/{action}": lambda w: _action(w, "action", "action owner"),
    "/risks/{A}/controls/{control}/assurance": lambda w: _assurance(None),
    "/risks/{A}/controls/{control}/assurance/{assurance}": lambda w: _assurance(
        w.version("assurance")),
    "/objectives/new?register=PH": lambda w: {"name": "Reduce health inequalities"},
    "/objectives/{objective}/edit": lambda w: {"version": w.version("objective"),
                                               "name": "Improve healthy life expectancy",
                                               "description": "From the business plan"},
    "/risks/{A}/actions/{team_action}": lambda w: _action(w, "team_action", "team"),
    "/risks/{B}/actions/{raised}": lambda w: _action(w, "raised", "resilience lead"),
    "/risks/{A}/actions/{action}/done": lambda w: _step(w, "action", "Re-tendered"),
    "/risks/{B}/actions/{raised}/done": lambda w: _step(w, "raised", "Contacts refreshed"),
    "/risks/{A}/decline": lambda w: _step(w, "A", "Managed in the directorate"),
    "/risks/{A}/escalate": lambda w: _step(w, "A", "Needs the corporate register"),
    "/risks/{C}/de_escalate": lambda w: _step(w, "C"),
    "/risks/{A}/close": lambda w: _step(w, "A", "Contract renewed"),
    "/risks/{A}/reopen": lambda w: _step(w, "A"),
    "/risks/{A}/testability": lambda w: {"version": w.version("A"), "testable": "no",
                                         "reason": "Set by the national contract"},
    "/categories/not-testable": lambda w: {"category": "Workforce",
                                           "reason": "Recruitment is not exercised"},
    "/categories/not-testable/remove": lambda w: {"category": "Workforce"},
    "/exercises/new?pack=scratch": lambda w: {"name": "Exercise Ash", "event_type": "tabletop",
                                              "start_date": day(date(2026, 9, 1))},
    "/incidents/new": lambda w: {"name": "Flood at the depot", "event_type": "weather",
                                 "start_date": day(date(2026, 3, 3))},
    "/exercises/{event}/edit": lambda w: {
        "version": w.version("event"), "name": "Exercise Oak", "event_type": "tabletop",
        "start_date": day(date(2026, 2, 10)), "risks": [w.records["A"], w.records["B"]]},
    "/exercises/{event}/outcome": lambda w: {"version": w.version("event")},
    "/exercises/{event}/status": lambda w: {"version": w.version("event"), "status": "debriefed"},
    "/exercises/{event}/debriefs/new": lambda w: {"kind": "cold", "held_on": day(date(2026, 3, 1))},
    "/debriefs/{debrief}/observations": lambda w: {"prompt": "went_well", "kind": "strength",
                                                   "text": "The cascade reached everyone"},
    "/debriefs/{debrief}/edit": lambda w: {"version": w.version("debrief"), "kind": "hot",
                                           "held_on": day(date(2026, 2, 10)),
                                           "facilitator": "Ann Facilitator"},
    "/observations/{observation}/edit": lambda w: {
        "version": w.version("observation"), "prompt": "did_not_go_well", "kind": "improvement",
        "text": "Contacts were two years out of date"},
    "/observations/{observation}/lesson": lambda w: {
        "statement": "Contacts need a yearly check", "owner": w.id("team"), "priority": "high"},
    "/lessons/{lesson}/actions/link": lambda w: {"action": w.records["b_action"]},
    "/lessons/{lesson}/actions/new": lambda w: {
        "risk": w.records["B"], "description": "Test the contact list", "owner": w.id("team"),
        "target_date": day(date(2026, 6, 30))},
    "/lessons/{lesson}/edit": lambda w: {
        "version": w.version("lesson"), "statement": "Provider contacts were out of date",
        "owner": w.id("team"), "priority": "medium", "risks": [w.records["B"]]},
    "/lessons/{lesson}/status": lambda w: {"version": w.version("lesson"), "status": "in_progress"},
    "/programme/rules/new": lambda w: {"name": "Yearly drill", "kind": "exercise",
                                       "event_type": "drill", "interval": 12, "unit": "months",
                                       "active": "y"},
    "/programme/rules/{rule}/edit": lambda w: {"name": "Tabletop every year", "kind": "exercise",
                                               "event_type": "tabletop", "interval": 12,
                                               "unit": "months", "active": "y"},
    "/plans/new": lambda w: {"service": "Libraries", "owner": w.id("risk owner")},
    "/plans/{plan}/edit": lambda w: {"version": w.version("plan"), "service": "Payroll",
                                     "owner": w.id("manager")},
    "/themes": lambda w: {"name": "Weather"},
    "/themes/{theme}/edit": lambda w: {"name": "Warning and informing", "active": "y"},
    "/admin/users/new": lambda w: {"name": "New Person", "email": "new@x.gov.uk",
                                   "role": "viewer", "active": "y", "password": PASSWORD},
    "/admin/users/{user}": lambda w: {"name": "Sam Spare", "email": "sam@x.gov.uk",
                                      "role": "owner", "active": "y"},
    "/admin/teams/new": lambda w: {"name": "Market Shaping", "members": [w.people["viewer"]]},
    "/admin/teams/{team}": _team,
    "/account": lambda w: {"name": "Power BI risk dashboard", "scope": "read"},
    "/account/tokens/{api_token}/revoke": lambda w: {},
    "/published": lambda w: {"quarter": "2026Q1"},
    "/admin/registers/new": lambda w: {"code": "NEW", "name": "New", "level": "directorate",
                                       "matrix": w.id("matrix")},
    "/admin/registers/{register}": lambda w: {
        "code": "OPS", "name": "Operations and Resources", "level": "directorate",
        "matrix": w.id("matrix"), "owner": w.people["other manager"]},
    "/admin/matrices/{matrix}": _bands,
    "/admin/appetite/new": lambda w: {"category": "Reputation", "max_score": 9},
    "/admin/appetite/{appetite}": lambda w: {"version": w.version("appetite"),
                                             "category": "Financial", "max_score": 10},
    "/cards/{declaration}/steps/{card_step}": lambda w: {"note": "Done by phone"},
    "/log": lambda w: {"text": "Ten spot-purchase beds opened."},
    "/admin/roles/{role}": lambda w: {"holders": [w.people["risk owner"], w.people["team member"]],
                                      "holders_were": str(w.people["risk owner"])},
    "/indicators/new": lambda w: _indicator(w, "Referrals waiting"),
    "/indicators/{indicator}/edit": lambda w: _indicator(w, "Short-term Pathway Team staffing")
    | {"version": w.version("indicator")},
    "/indicators/areas": lambda w: {"name": "South"},
    "/indicators/{indicator}/archive": lambda w: {"version": w.version("indicator")},
    "/indicators/{indicator}": lambda w: {"reading_date": day(date(2026, 1, 6)), "value": "60"},
    "/indicators/readings/{reading}": lambda w: {"version": w.version("reading"), "value": "62"},
    "/indicators/grid?team={team}": lambda w: {"date": "2026-01-07",
                                               f"r-{w.records['indicator']}-0": "55"},
    "/indicators/upload": lambda w: {"file": (io.BytesIO(
        b"date,indicator,area,value\n2026-01-08,Short-term Pathway Team staffing,,50\n"),
        "readings.csv")},
    "/levels/declare": lambda w: {"level": levels.get_scheme().levels[1].id,
                                  "reason": "Staffing at 64%"},
    "/issues/new": lambda w: {"register": w.id("PH"), "title": "Clinic roof collapsed",
                              "severity": 3, "owner": w.id("risk owner")},
    "/risks/{D}/issue": lambda w: {"version": w.version("D"), "severity": 4,
                                   "owner": w.id("risk owner")},
    "/issues/{issue}/review": lambda w: {"version": w.version("issue"), "severity": 4,
                                         "reviewed_on": day(date(2026, 3, 2)),
                                         "comment": "Reviewed at DMT"},
    "/issues/{issue}/actions/new": lambda w: {"description": "Find a new site",
                                              "owner": w.id("risk owner"), "status": "planned"},
    "/issues/{issue}/actions/{issue_action}": lambda w: {
        "version": w.version("issue_action"), "description": "Move the clinic",
        "owner": w.id("risk owner"), "status": "in_progress"},
    "/issues/{issue}/resolve": lambda w: {"version": w.version("issue"),
                                          "resolution": "Clinic reopened"},
    "/risks/{F}/accept": lambda w: {"version": w.version("F"), "rationale": "Costs more to treat",
                                    "expires_on": day(date(2099, 1, 1))},
    "/acceptances/{acceptance}/decide": lambda w: {
        "version": w.version("acceptance"), "decision": "approve",
        "dmt_meeting_on": day(date(2026, 3, 3))},
    "/risks/{A}/controls/{control}/remove": lambda w: {"version": w.version("control")},
    "/risks/{A}/actions/{action}/remove": lambda w: {"version": w.version("action")},
    "/risks/{B}/actions/{raised}/remove": lambda w: {"version": w.version("raised")},
    "/observations/{observation_2}/remove": lambda w: {"version": w.version("observation_2")},
    "/debriefs/{debrief_2}/remove": lambda w: {"version": w.version("debrief_2")},
    "/login": lambda w: {"email": _email(w.signer), "password": PASSWORD},
    "/logout": lambda w: {},
}


def _indicator(w, name):
    """An indicator's form: the plan's staffing bands, owned by the risk owner."""
    fields = {"name": name, "direction": "higher_is_better", "owner": w.id("risk owner"),
              "frequency_days": 1, "triggers_state": "set", "min_value": "0",
              "max_value": "100"}
    for n, (level, (lower, upper)) in enumerate(zip(levels.get_scheme().levels, (
            ("70", ""), ("50", "70"), ("35", "50"), ("", "35")), strict=True)):
        fields.update({f"bands-{n}-level_id": level.id, f"bands-{n}-lower": lower,
                       f"bands-{n}-upper": upper})
    return fields


# --- the tests ---------------------------------------------------------------------------


def _snapshot() -> dict[str, list]:
    """Every row of every table: what a refused post must leave as it was."""
    db.session.rollback()
    return {table.name: sorted(db.session.execute(select(table)).all(), key=repr)
            for table in db.metadata.sorted_tables}


def _got(response) -> str:
    """What the person got, in the table's words (a status code if none fits)."""
    location, status = response.headers.get("Location", ""), response.status_code
    says = error_messages(response) if status == 400 else []
    refused = status == 403 and REFUSAL in response.get_data(as_text=True)
    response.close()  # a download's file
    if refused:
        return N
    if status == 302 and location.startswith("/login"):
        return S
    return Y if status in (200, 302) else " ".join([str(status), *says])


@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(world, who):
    """Every page, then every post, as this person; all the outcomes that differ from the
    table are listed together."""
    column = WHO.index(who)
    signed_in = current_app.test_client()
    if who != "signed out":
        assert signed_in.post("/login", data={"email": _email(who), "password": PASSWORD}
                              ).status_code == 302

    def client():  # someone signed out keeps no cookie from one request to the next
        return current_app.test_client() if who == "signed out" else signed_in

    wrong = []
    for path, expected in PAGES.items():
        url = path.format(**world.ids)
        got = _got(client().get(url))
        if got != expected[column]:
            wrong.append(f"GET {url}: {got}, not {expected[column]}")
    unchanged = None  # the database as the last refused post left it
    for path, expected in POSTS.items():
        url, data = path.format(**world.ids), FORMS[path](world)
        before = (unchanged or _snapshot()) if expected[column] in (N, S) else None
        got = _got(client().post(url, data=data))
        if expected[column] == OUT and got == S and _got(client().get("/")) == S:
            got = OUT
        unchanged = _snapshot() if before is not None else None
        if before is not None and got == expected[column] and unchanged != before:
            got += ", yet the database changed"
        if got != expected[column]:
            wrong.append(f"POST {url}: {got}, not {expected[column]}")
    assert wrong == [], f"{who}:\n" + "\n".join(wrong)


def test_every_route_has_a_row(world):
    """A route added to the app needs its rows in PAGES or POSTS (and a form in FORMS)."""
    adapter = current_app.url_map.bind("localhost")
    covered = set()
    for method, table in (("GET", PAGES), ("POST", POSTS)):
        for path in table:
            url = path.format(**world.ids).split("?")[0]
            rule, _ = adapter.match(url, method, return_rule=True)
            covered.add(f"{method} {rule.rule}")
    # The API's routes have a matrix of their own, by role and token scope
    # (tests/test_api_permissions.py).
    routes = {f"{method} {rule.rule}" for rule in current_app.url_map.iter_rules()
              if not rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - covered)
    assert not missing, "No row in the permission matrix for " + ", ".join(missing)
    assert set(FORMS) == set(POSTS)


@pytest.mark.parametrize("who, offered", [
    ("risk owner", True), ("team member", True), ("resilience lead", True), ("manager", True),
    ("viewer", False)])
def test_the_update_review_box_is_offered_to_whoever_may_review_a_risk(world, who, offered):
    """A resilience lead may review the risks they own (C), as an owner may, so the
    register offers them the box too; a viewer never, even in a team that owns a risk."""
    client = current_app.test_client()
    client.post("/login", data={"email": _email(who), "password": PASSWORD})
    page = client.get("/risks").get_data(as_text=True)
    assert ('id="update-review"' in page) is offered
