"""Load the demo organisation from seed_data/: idempotent, all or nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import select

from riskkit.audit import DEMO_ACTOR, acting_as
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import (
    Action,
    Appetite,
    ContinuityPlan,
    Control,
    Event,
    Issue,
    Register,
    Risk,
    User,
)
from riskkit.services import (
    action_cards,
    assurance,
    events,
    issues,
    lessons,
    levels,
    matrices,
    plans,
    programme,
    teams,
    themes,
)
from riskkit.services.debriefs import add_observation, record_debrief
from riskkit.services.demo_indicators import load_indicators
from riskkit.services.named_files import read_yaml
from riskkit.services.people import find_person
from riskkit.services.registers import get_register
from riskkit.services.reviews import record_review
from riskkit.services.risks import create_risk

PAPER_DATE = "Next review date as printed in the committee paper"


def load_demo(seed_dir: str | Path) -> Counter:
    """Add whatever of the demo data is missing; return counts of what was added."""
    seed_dir = Path(seed_dir)
    added: Counter = Counter()
    try:
        with acting_as(name=DEMO_ACTOR):
            added["matrices"] += len(matrices.ensure_builtin())
            added["level schemes"] += len(levels.ensure_builtin())
            _load_people(_read(seed_dir / "people.yaml"), _read(seed_dir / "users.yaml"), added)
            _load_registers(_read(seed_dir / "registers.yaml"), added)
            for path in sorted(seed_dir.glob("risks_*.yaml")):
                _load_risks(path, _read(path), added)
            added["themes"] += len(themes.ensure_defaults())
            added["cadence rules"] += len(programme.ensure_defaults())
            if (seed_dir / "resilience.yaml").is_file():
                _load_resilience(_read(seed_dir / "resilience.yaml"), added)
            if (seed_dir / "action_cards.yaml").is_file():
                added += action_cards.load_cards(_read(seed_dir / "action_cards.yaml"))
            if (seed_dir / "indicators.yaml").is_file():
                load_indicators(_read(seed_dir / "indicators.yaml"), added)
            if (seed_dir / "issues.yaml").is_file():
                _load_issues(_read(seed_dir / "issues.yaml"), added)
            if (seed_dir / "objectives.yaml").is_file():
                _load_objectives(_read(seed_dir / "objectives.yaml"), added)
            if (seed_dir / "assurance.yaml").is_file():
                _load_assurance(_read(seed_dir / "assurance.yaml"), added)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return +added  # drop the zero counts


def _read(path: Path) -> dict:
    return read_yaml(path) or {}


def _load_people(people: dict, users: dict, added: Counter) -> None:
    logins = {u["name"]: u for u in users.get("users", [])}
    entries = {p["name"]: p for p in people.get("people", [])}
    new_teams = []
    for name, login in logins.items():
        entries.setdefault(name, {"name": name, "email": login.get("email")})
    for name, entry in entries.items():
        if db.session.scalar(select(User).where(User.name == name)) is not None:
            continue
        login = logins.get(name, {})
        person = User(name=name, email=login.get("email") or entry.get("email"),
                      role=login.get("role", "owner"), is_team=bool(entry.get("team")))
        if login.get("password"):
            person.set_password(login["password"])
        db.session.add(person)
        added["teams" if person.is_team else "people"] += 1
        if entry.get("members"):
            new_teams.append((person, entry["members"]))
    db.session.flush()
    for team, members in new_teams:
        teams.set_members(None, team, [find_person(name) for name in members])


def _load_registers(data: dict, added: Counter) -> None:
    for entry in data.get("registers", []):
        if db.session.scalar(select(Register).where(Register.code == entry["code"])) is not None:
            continue
        parent = None
        if entry.get("parent"):
            parent = db.session.scalar(select(Register).where(Register.code == entry["parent"]))
        db.session.add(Register(
            code=entry["code"], name=entry["name"], level=entry["level"], parent=parent,
            matrix_definition=matrices.get_matrix(entry.get("matrix", matrices.DEFAULT_MATRIX)),
            owner=find_person(entry["owner"]) if entry.get("owner") else None,
        ))
        db.session.flush()
        added["registers"] += 1
    for entry in data.get("appetite", []):
        if db.session.scalar(select(Appetite).where(Appetite.category == entry["category"])):
            continue
        db.session.add(Appetite(category=entry["category"], max_score=entry["max_score"],
                                statement=entry.get("statement", "")))
        added["appetite levels"] += 1


def _load_risks(path: Path, data: dict, added: Counter) -> None:
    register = db.session.scalar(select(Register).where(Register.code == data.get("register")))
    if register is None:
        raise ValidationError(f"{path.name}: unknown register {data.get('register')!r}", "register")
    for entry in data.get("risks", []):
        reference = entry["reference"]
        if db.session.scalar(select(Risk.id).where(Risk.reference == reference)) is not None:
            continue
        try:
            _load_risk(register, entry)
        except ValidationError as error:
            raise ValidationError(f"{path.name}, {reference}: {error}", error.field) from None
        added["risks"] += 1
        added["controls"] += len(entry.get("controls", []))
        added["actions"] += len(entry.get("actions", []))
        added["reviews"] += len(entry.get("reviews", []))


def _load_risk(register: Register, entry: dict) -> None:
    """Create the risk at its previous score, then replay the paper's reviews through
    the review service, so trend and previous score come from the review history."""
    current, previous, target = entry["current"], entry.get("previous") or entry["current"], \
        entry["target"]
    # A risk with no printed comment still had its last review on the printed date.
    reviews = entry.get("reviews") or [{"date": entry["last_review"], "comment": ""}]
    first_day = reviews[0]["date"]
    owner = find_person(entry["owner"])
    risk = create_risk(
        register, None, first_day, title=entry["title"], owner=owner,
        likelihood=previous["likelihood"], impact=previous["impact"],
        target_likelihood=target["likelihood"], target_impact=target["impact"],
        reference_number=int(entry["reference"][len(register.code):]),
        description=entry.get("description", ""), cause=entry.get("cause", ""),
        consequence=entry.get("consequence", ""), category=entry.get("category", ""),
        response=entry.get("response", "treat"), target_date=entry.get("target_date"),
        exempt=entry.get("exempt", False),
    )
    # A row with no owner printed in the paper is held by the risk owner.
    for item in entry.get("controls", []):
        risk.controls.append(Control(description=item["description"],
                                     owner=find_person(item.get("owner") or entry["owner"]),
                                     effectiveness=item.get("effectiveness", "not_tested")))
    for item in entry.get("actions", []):
        risk.actions.append(Action(description=item["description"],
                                   owner=find_person(item.get("owner") or entry["owner"]),
                                   target_date=item.get("target_date"),
                                   status=item.get("status", "in_progress")))
    db.session.flush()
    for n, item in enumerate(reviews):
        last = n == len(reviews) - 1
        scores = current if last else previous
        next_date: date | None = entry["next_review"] if last else None
        record_review(
            risk, None, item["date"], scores["likelihood"], scores["impact"],
            item.get("comment", ""), next_review_date=next_date, next_review_reason=PAPER_DATE,
            reviewer=find_person(item.get("reviewer") or entry["owner"]),
            lower_confirmed=True,  # the papers' reviews, held and minuted already
        )


def _load_resilience(data: dict, added: Counter) -> None:
    """Plans, then events in date order with their debriefs, observations and lessons.
    Lesson statuses are set last, as a validated lesson names a later event as evidence."""
    for entry in data.get("plans", []):
        if db.session.scalar(select(ContinuityPlan.id).where(
                ContinuityPlan.service == entry["service"])) is None:
            plans.save_plan(None, None, service=entry["service"], owner=find_person(entry["owner"]),
                            last_reviewed=entry.get("last_reviewed"),
                            next_review=entry.get("next_review"))
            added["business continuity plans"] += 1
    actions: dict[str, Action] = {}
    statuses = []
    for entry in data.get("events", []):
        if db.session.scalar(select(Event.id).where(Event.name == entry["name"])) is not None:
            continue
        try:
            statuses += _load_event(entry, actions, added)
        except ValidationError as error:
            raise ValidationError(f"resilience.yaml, {entry['name']}: {error}", error.field) \
                from None
    for lesson, entry in statuses:
        lesson.status = entry["status"]
        if entry.get("validated_by"):
            evidence = events.find_event(entry["validated_by"])
            lessons.check_validation(lesson, evidence)
            lesson.evidence_event = evidence
    db.session.flush()


def _load_issues(data: dict, added: Counter) -> None:
    """Issues raised directly on their registers, with their actions."""
    for entry in data.get("issues", []):
        if db.session.scalar(select(Issue.id).where(Issue.title == entry["title"])) is not None:
            continue
        issue = issues.raise_issue(get_register(entry["register"]), None, entry["raised_on"],
                                   title=entry["title"], owner=find_person(entry["owner"]),
                                   severity=entry["severity"],
                                   description=entry.get("description", ""))
        for action in entry.get("actions", []):
            issues.save_action(issue, None, None, description=action["description"],
                               owner=find_person(action["owner"]),
                               target_date=action.get("target_date"), status="planned",
                               as_of=entry["raised_on"])
        added["issues"] += 1


def _risk(reference: str) -> Risk:
    risk = db.session.scalar(select(Risk).where(Risk.reference == reference))
    if risk is None:
        raise ValidationError(f"unknown risk {reference}", field="risks")
    return risk


def _control(entry: dict) -> Control:
    matches = [c for c in _risk(entry["risk"]).controls if c.description.startswith(entry["starts"])]
    if len(matches) != 1:
        raise ValidationError(f"{len(matches)} controls on {entry['risk']} start"
                              f" {entry['starts']!r}", field="controls")
    return matches[0]


def _load_objectives(data: dict, added: Counter) -> None:
    """A register's objectives and the risks that threaten each (a rerun adds only those
    missing, by name)."""
    # Imported here: objectives draws heat maps, whose history reading names this loader.
    from riskkit.services.objectives import list_objectives, save_objective

    for entry in data.get("objectives", []):
        register = get_register(entry["register"])
        if any(o.name == entry["name"] for o in list_objectives(register)):
            continue
        objective = save_objective(register, None, None, name=entry["name"],
                                              description=entry.get("description", ""))
        for reference in entry.get("risks", []):
            objective.risks.append(_risk(reference))
        added["objectives"] += 1
    db.session.flush()


def _load_assurance(data: dict, added: Counter) -> None:
    """Assurance opinions on controls (a rerun adds only those missing)."""
    for entry in data.get("assurance", []):
        control = _control(entry)
        if any(a.reference == entry["reference"] and a.line == entry["line"]
               for a in control.assurances):
            continue
        assurance.save_assurance(control, None, line=entry["line"], source=entry["source"],
                                 reference=entry["reference"], assured_on=entry["date"],
                                 opinion=entry["opinion"], next_due=entry.get("next_due"))
        added["assurance opinions"] += 1


def _load_event(entry: dict, actions: dict[str, Action], added: Counter) -> list:
    objectives = entry.get("objectives", [])
    event = events.save_event(
        None, None, kind=entry["kind"], name=entry["name"], event_type=entry["type"],
        start_date=entry["start"], end_date=entry.get("end"),
        lead=find_person(entry["lead"]) if entry.get("lead") else None,
        scenario=entry.get("scenario", ""), description=entry.get("description", ""),
        services_affected=entry.get("services_affected", ""),
        participants=entry.get("participants", ""), multi_agency=entry.get("multi_agency", False),
        objectives=[o["text"] for o in objectives],
        plans=[plans.find_plan(service) for service in entry.get("plans", [])],
        risks=[_risk(reference) for reference in entry.get("risks", [])],
        controls=[_control(item) for item in entry.get("controls", [])],
        status="held" if entry["status"] != "planned" else "planned",
        improvement_plan_agreed=entry.get("improvement_plan_agreed"),
        lead_organisation=entry.get("lead_organisation", ""),
        partner_report_date=entry.get("partner_report_date"),
    )
    added["exercises and incidents"] += 1
    if event.has_happened:
        events.record_outcome(event, None, as_of=event.end_date, control_results={}, ratings={
            objective.id: (item.get("rating"), item.get("note", ""))
            for objective, item in zip(event.objectives, objectives, strict=True)})
    statuses = []
    for item in entry.get("debriefs", []):
        debrief = record_debrief(event, None, kind=item["kind"], held_on=item["date"],
                                 facilitator=item.get("facilitator", ""),
                                 attendees=item.get("attendees", ""),
                                 multi_agency=item.get("multi_agency", False))
        added["debriefs"] += 1
        for seen in item.get("observations", []):
            observation = add_observation(debrief, None, prompt=seen["prompt"], kind=seen["kind"],
                                          text=seen["text"],
                                          themes=themes.find_themes(seen.get("themes", [])))
            added["observations"] += 1
            for lesson_entry in seen.get("lessons", []):
                statuses.append((_load_lesson(event, observation, lesson_entry, actions),
                                 lesson_entry))
                added["lessons"] += 1
    event.status = entry["status"]
    return statuses


def _load_lesson(event, observation, entry: dict, actions: dict[str, Action]):
    lesson = lessons.save_lesson(
        None, None, event=event, observation=observation, statement=entry["statement"],
        recommendation=entry.get("recommendation", ""), owner=find_person(entry["owner"]),
        due_date=entry.get("due"), priority=entry.get("priority", "medium"),
        risks=[_risk(reference) for reference in entry.get("risks", [])],
        for_partner=entry.get("for_partner", False))
    if entry.get("action"):
        item = entry["action"]
        action = lessons.raise_action(
            lesson, None, risk=_risk(item["risk"]), description=item["description"],
            owner=find_person(item.get("owner") or entry["owner"]),
            target_date=item["target_date"])
        action.status = item.get("status", "planned")
        if action.status == "done":
            action.completed_date = item["target_date"]
        if item.get("key"):
            actions[item["key"]] = action
    if entry.get("action_key"):
        lessons.link_action(lesson, None, actions[entry["action_key"]])
    return lesson
