"""Issues beside risks: raised directly, from an incident, or by turning a risk into one
(which marks it materialised); reviewed, actioned and resolved (which can reopen the
risk), with history and version checks, through the command line and the web pages."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import HistoryEntry, Issue, Risk
from riskkit.web.params import today
from tests.factories import gen_event, gen_issue, gen_person, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages


def _issues() -> int:
    return db.session.scalar(select(func.count()).select_from(Issue))


# --- the command line -------------------------------------------------------------------


def test_an_issue_without_an_owner_is_refused_on_the_command_line(app, runner):
    gen_register("AH")
    db.session.commit()
    result = runner.invoke(args=["issues", "raise", "--register", "AH", "--title",
                                 "Care home evacuated", "--severity", "4"])
    assert result.exit_code == 1
    assert "--owner" in result.output and "every issue has one" in result.output
    assert _issues() == 0


def test_a_severity_off_the_scale_is_refused_naming_it(app, runner):
    gen_register("AH")
    gen_person("Pat Owner")
    db.session.commit()
    result = runner.invoke(args=["issues", "raise", "--register", "AH", "--title", "Flood",
                                 "--owner", "Pat Owner", "--severity", "9"])
    assert result.exit_code == 1
    assert "Severity must be a whole number from 1 to 5, not 9" in result.output
    assert _issues() == 0


def test_raise_list_and_close_on_the_command_line(app, runner):
    gen_register("AH")
    gen_person("Pat Owner")
    incident = gen_event("Fuel shortage", kind="incident", event_type="fuel")
    db.session.commit()
    raised = runner.invoke(args=["issues", "raise", "--register", "AH", "--title",
                                 "Home care rounds missed", "--owner", "Pat Owner",
                                 "--severity", "4", "--incident", str(incident.id),
                                 "--on", "2026-03-01"])
    assert raised.exit_code == 0, raised.output
    assert "Raised AH-I001 on the AH register" in raised.output
    issue = db.session.scalar(select(Issue))
    assert (issue.event, issue.owner.name, issue.severity) == (incident, "Pat Owner", 4)
    assert issue.next_review_date == date(2026, 4, 1)  # a serious issue: monthly
    listed = runner.invoke(args=["issues", "list", "--format", "json"])
    assert '"severity": "4 Serious"' in listed.output and "AH-I001" in listed.output
    closed = runner.invoke(args=["issues", "close", "AH-I001", "--resolution",
                                 "Fuel deliveries resumed", "--on", "2026-03-09"])
    assert closed.exit_code == 0, closed.output
    db.session.expire_all()
    assert (issue.status, issue.resolved_on) == ("resolved", date(2026, 3, 9))
    assert "AH-I001" not in runner.invoke(args=["issues", "list"]).output
    assert "AH-I001" in runner.invoke(args=["issues", "list", "--status", "all"]).output
    history = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.entity == "issue", HistoryEntry.field == "status",
        HistoryEntry.change == "update")).one()
    assert (history.new_value, history.reason) == ("resolved", "Fuel deliveries resumed")
    assert history.actor.startswith("command line")


def test_an_issue_is_raised_from_an_incident_not_an_exercise(app, runner):
    gen_register("AH")
    gen_person("Pat Owner")
    exercise = gen_event("Exercise Oak")
    db.session.commit()
    result = runner.invoke(args=["issues", "raise", "--register", "AH", "--title", "X",
                                 "--owner", "Pat Owner", "--severity", "2",
                                 "--incident", str(exercise.id)])
    assert result.exit_code == 1 and "is an exercise" in result.output
    assert _issues() == 0


def test_a_risk_turned_into_an_issue_is_materialised_and_closing_can_reopen_it(app, runner):
    risk = gen_risk(gen_register("AH"), title="Loss of a home care provider")
    result = runner.invoke(args=["issues", "raise", "--from-risk", risk.reference,
                                 "--severity", "5", "--on", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert f"from {risk.reference}, now materialised" in result.output
    db.session.expire_all()
    issue = db.session.scalar(select(Issue))
    assert (risk.status, issue.risk, issue.title, issue.owner) == (
        "materialised", risk, "Loss of a home care provider", risk.owner)
    row = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.risk_id == risk.id, HistoryEntry.field == "status",
        HistoryEntry.change == "update")).one()
    assert row.reason == "Materialised: now issue AH-I001"
    # Not live: the register no longer lists it.
    assert risk.reference not in runner.invoke(args=["risks"]).output
    again = runner.invoke(args=["issues", "raise", "--from-risk", risk.reference,
                                "--severity", "5"])
    assert again.exit_code == 1 and "only a live risk can become an issue" in again.output
    closed = runner.invoke(args=["issues", "close", "AH-I001", "--resolution",
                                 "New provider in place", "--reopen-risk", "--on", "2026-05-01"])
    assert closed.exit_code == 0, closed.output
    db.session.expire_all()
    assert (risk.status, risk.next_review_date) == ("open", date(2026, 5, 1))
    assert risk.reference in runner.invoke(args=["risks"]).output


# --- the web pages ------------------------------------------------------------------------


def test_a_manager_turns_a_risk_into_an_issue_on_the_web(login):
    manager = gen_user("Mo Manager", "manager")
    risk = gen_risk(gen_register("AH"), title="Market failure")
    client = login(manager)
    page = client.get(f"/risks/{risk.reference}")
    assert 'id="turn-into-issue"' in page.get_data(as_text=True)
    form = client.get(f"/risks/{risk.reference}/issue").get_data(as_text=True)
    assert "Severity: its impact now" in form
    response = client.post(f"/risks/{risk.reference}/issue", data={
        "version": risk.version, "severity": 4, "owner": risk.owner_id, "description": ""})
    assert response.status_code == 302, error_messages(response)
    issue = db.session.scalar(select(Issue))
    assert response.headers["Location"] == f"/issues/{issue.reference}"
    assert (issue.risk.status, issue.raised_on) == ("materialised", today())
    shown = client.get(f"/issues/{issue.reference}").get_data(as_text=True)
    assert "4 Serious" in shown and f"{risk.reference} Market failure" in shown
    assert "Added the issue" in shown
    risk_page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert 'id="materialised-as"' in risk_page and f"issue {issue.reference}</a>" in risk_page


def test_an_issue_without_an_owner_is_refused_on_the_web(login):
    register = gen_register("AH")
    client = login(gen_user("Mo Manager", "manager"))
    response = client.post("/issues/new", data={"register": register.id, "title": "Flood",
                                                "severity": 3, "owner": ""})
    assert response.status_code == 400
    assert error_messages(response) == ["Choose the issue owner"]
    assert _issues() == 0


def test_raising_reviewing_actioning_and_resolving_an_issue_on_the_web(login):
    register = gen_register("AH")
    owner = gen_user("Olu Owner", "owner")
    incident = gen_event("Power cut at Oak House", kind="incident", event_type="power")
    client = login(gen_user("Mo Manager", "manager"))
    response = client.post("/issues/new", data={
        "register": register.id, "title": "Day centre closed", "severity": 3,
        "owner": owner.id, "incident": incident.id})
    assert response.status_code == 302, error_messages(response)
    issue = db.session.scalar(select(Issue))
    assert issue.event == incident
    # The register page counts it, and the issues page lists it.
    assert "1 open issue" in client.get("/risks").get_data(as_text=True)
    assert issue.reference in client.get("/issues").get_data(as_text=True)
    mine = login(owner)  # the owner reviews it and adds an action
    version = issue.version
    reviewed = mine.post(f"/issues/{issue.reference}/review", data={
        "version": version, "reviewed_on": [str(today().day), str(today().month),
                                            str(today().year)],
        "severity": 4, "comment": "Second site closed too"})
    assert reviewed.status_code == 302, error_messages(reviewed)
    stale = mine.post(f"/issues/{issue.reference}/review", data={
        "version": version, "reviewed_on": [str(today().day), str(today().month),
                                            str(today().year)], "severity": 2,
        "comment": "Reopened"})
    assert stale.status_code == 409
    db.session.expire_all()
    assert issue.severity == 4 and len(issue.reviews) == 1
    added = mine.post(f"/issues/{issue.reference}/actions/new", data={
        "description": "Move sessions to the library", "owner": owner.id, "status": "planned"})
    assert added.status_code == 302, error_messages(added)
    refused = mine.post(f"/issues/{issue.reference}/resolve", data={
        "version": issue.version, "resolution": "Reopened"})
    assert refused.status_code == 403
    resolved = client.post(f"/issues/{issue.reference}/resolve", data={
        "version": issue.version, "resolution": ""})
    assert resolved.status_code == 400
    assert error_messages(resolved) == ["Enter how the issue was resolved"]
    resolved = client.post(f"/issues/{issue.reference}/resolve", data={
        "version": issue.version, "resolution": "Power restored"})
    assert resolved.status_code == 302
    page = client.get(f"/issues/{issue.reference}").get_data(as_text=True)
    for words in ("Resolved", "Power restored", "Move sessions to the library",
                  "Severity changed from 3 Significant to 4 Serious", "Reason: Power restored"):
        assert words in page, words
    assert "No open issues" in client.get("/risks").get_data(as_text=True)


def test_resolving_an_issue_can_reopen_its_risk_on_the_web(login):
    risk = gen_risk(gen_register("AH"))
    from riskkit.services.issues import materialise

    issue = materialise(risk, None, date(2026, 2, 1), severity=3)
    db.session.commit()
    client = login(gen_user("Mo Manager", "manager"))
    assert "Reopen the risk" in client.get(f"/issues/{issue.reference}/resolve").get_data(
        as_text=True)
    response = client.post(f"/issues/{issue.reference}/resolve", data={
        "version": issue.version, "resolution": "Contract re-let", "reopen_risk": "y"})
    assert response.status_code == 302, error_messages(response)
    db.session.expire_all()
    assert (db.session.get(Risk, risk.id).status, risk.next_review_date) == ("open", today())


def test_an_owner_cannot_raise_an_issue_or_turn_a_risk_into_one(login):
    owner = gen_user("Olu Owner", "owner")
    risk = gen_risk(gen_register("AH"), owner=owner)
    client = login(owner)
    assert 'id="turn-into-issue"' not in client.get(f"/risks/{risk.reference}").get_data(
        as_text=True)
    assert client.post(f"/risks/{risk.reference}/issue", data={
        "version": risk.version, "severity": 4, "owner": owner.id}).status_code == 403
    assert _issues() == 0 and db.session.get(Risk, risk.id).status == "open"


@pytest.mark.parametrize("incident", ["%C2%B2", "99999999999999999999", "x"])
def test_an_incident_in_the_address_that_is_no_number_is_left_unchosen(login, incident):
    """"²" is a digit to Python but no number: the form opens with no incident chosen."""
    gen_register("AH")
    page = login(gen_user("Mo Manager", "manager")).get(f"/issues/new?incident={incident}")
    assert page.status_code == 200


def test_issue_references_are_numbered_per_register(app):
    ah, ops = gen_register("AH"), gen_register("OPS")
    assert [gen_issue(r).reference for r in (ah, ah, ops)] == ["AH-I001", "AH-I002", "OPS-I001"]


# --- the committee appendix ----------------------------------------------------------------


def _pdf_text(path) -> str:
    import subprocess

    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())


def test_the_appendix_lists_open_issues_and_accepted_risks_after_the_risks(app, runner,
                                                                          tmp_path):
    from riskkit.services import appetite
    from tests.factories import gen_acceptance

    manager = gen_person("Mo Manager", "manager")
    register = gen_register("AH", owner=manager)
    appetite.save_appetite(None, None, category="Financial", max_score=8)
    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):  # on the register since then
        risk = gen_risk(register, title="Care market failure", category="Financial")
    gen_acceptance(risk, approver=manager, rationale="Funding awaited",
                   expires_on=date(2026, 9, 30))
    with clock.frozen(datetime(2026, 1, 2, 9, tzinfo=UTC)):  # each recorded on the day raised
        resolved = gen_issue(register, title="Old flood", raised_on=date(2026, 1, 2))
    with clock.frozen(datetime(2026, 2, 3, 9, tzinfo=UTC)):
        gen_issue(register, title="Home care rounds missed", severity=4, raised_on=date(2026, 2, 2),
                  description="Two providers withdrew")
        gen_issue(register, title="Tribunal claim", severity=3, raised_on=date(2026, 2, 3),
                  exempt=True, exempt_paragraph=5, description="Claimant details")
    from riskkit.services.issues import resolve

    with clock.frozen(datetime(2026, 2, 1, 9, tzinfo=UTC)):
        resolve(resolved, None, date(2026, 2, 1), "Water receded")
        db.session.commit()
    path = tmp_path / "full.pdf"
    assert runner.invoke(args=["report", "register", str(path), "--as-of", "2026-03-01",
                               "--since", "2026-01-01"]).exit_code == 0
    full = _pdf_text(path)
    issues_at = full.index("Risks accepted above appetite")
    assert full.index("AH0001 Care market failure") < issues_at  # after the risks
    section = full[issues_at:]
    for words in ("AH0001", "Funding awaited", "30/09/2026", "Mo Manager",
                  "AH-I002 Home care rounds missed", "4 Serious", "Two providers withdrew",
                  "AH-I003 Tribunal claim", "Claimant details",
                  "Exempt information under paragraph 5"):
        assert words in section, words
    assert "Old flood" not in full  # resolved before the as-of day
    public = tmp_path / "public.pdf"
    assert runner.invoke(args=["report", "register", str(public), "--public", "--as-of",
                               "2026-03-01", "--since", "2026-01-01"]).exit_code == 0
    part_a = _pdf_text(public)
    assert "AH-I003 Exempt" in part_a and "Claimant details" not in part_a
    assert "Tribunal claim" not in part_a and "Home care rounds missed" in part_a
    # On 10 January the flood was open, and nothing accepted yet.
    early = tmp_path / "early.pdf"
    assert runner.invoke(args=["report", "register", str(early), "--as-of", "2026-01-10",
                               "--since", "2026-01-01"]).exit_code == 0
    then = _pdf_text(early)
    assert "AH-I001 Old flood" in then and "No risk is accepted above appetite" in then
    assert "Home care rounds missed" not in then


def test_a_past_appendix_shows_each_issue_as_it_stood_that_day(app, runner, tmp_path):
    """A review, an action or a resolution recorded after the as-of day is undone, and an
    issue recorded after it is not there: the paper published again says what it said."""
    from riskkit.services.issues import resolve, review_issue, save_action

    register = gen_register("AH")
    owner = gen_person("Olu Owner")
    with clock.frozen(datetime(2026, 2, 2, 9, tzinfo=UTC)):
        issue = gen_issue(register, owner=owner, title="Home care rounds missed", severity=3,
                          raised_on=date(2026, 2, 2))
        save_action(issue, None, None, description="Spot-purchase care", owner=owner,
                    target_date=date(2026, 3, 31), status="in_progress", as_of=date(2026, 2, 2))
        db.session.commit()
    with clock.frozen(datetime(2026, 4, 6, 9, tzinfo=UTC)):
        review_issue(issue, None, date(2026, 4, 6), 5, comment="A third provider withdrew", reviewer=owner)
        save_action(issue, None, None, description="Call in the mutual aid", owner=owner,
                    target_date=date(2026, 5, 1), status="planned", as_of=date(2026, 4, 6))
        gen_issue(register, owner=owner, title="Recorded late", raised_on=date(2026, 2, 20))
    with clock.frozen(datetime(2026, 6, 1, 9, tzinfo=UTC)):
        resolve(issue, None, date(2026, 6, 1), "New providers in place")
        db.session.commit()

    def appendix(as_of: str) -> str:
        path = tmp_path / f"{as_of}.pdf"
        assert runner.invoke(args=["report", "appendix", str(path), "--as-of", as_of]).exit_code == 0
        return _pdf_text(path)

    march = appendix("2026-03-31")
    assert "AH-I001 Home care rounds missed" in march and "3 Significant" in march
    assert "Spot-purchase care" in march
    assert "5 Major" not in march and "Call in the mutual aid" not in march
    assert "Recorded late" not in march
    april = appendix("2026-04-30")
    assert "5 Major" in april and "Call in the mutual aid" in april and "Recorded late" in april
    assert "Home care rounds missed" not in appendix("2026-06-30")  # resolved by then


def test_the_accessible_appendix_has_the_issues_section(login):
    register = gen_register("AH")
    gen_issue(register, title="Home care rounds missed", raised_on=date(2026, 2, 2))
    html = login(gen_user("Vi Viewer", "viewer")).get("/appendix.html").get_data(as_text=True)
    assert '<h2 id="issues">Issues</h2>' in html
    assert "AH-I001 Home care rounds missed" in html and "4 Serious" in html
