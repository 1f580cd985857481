"""The overdue report: the domain answer, the cron command, and the reminder emails
through a real SMTP server on loopback."""

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from sqlalchemy import select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import ReminderSent
from riskkit.services.lifecycle import mark_done, set_status
from riskkit.services.overdue import due_items
from riskkit.services.reviews import record_review
from tests.factories import gen_action, gen_risk, gen_user


def test_reviews_overdue_on_29_september_2021_as_the_papers_give_them(demo, runner):
    result = runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--format", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert sorted(i["reference"] for i in items if i["kind"] == "review") == ["AH0011", "AH0033", "AH0037"]
    first = items[0]
    assert set(first) == {"kind", "reference", "title", "owner", "register", "register_owner", "due_date",
                          "days_overdue", "action", "action_id"}
    ah0033 = next(i for i in items if i["reference"] == "AH0033" and i["kind"] == "review")
    assert ah0033 == {**ah0033, "owner": "Chris McKenzie", "register": "AH", "due_date": "2021-08-13",
                      "days_overdue": 47}


def test_every_review_but_ops0003_overdue_on_1_december_2021(demo):
    reviews = {i.reference for i in due_items(date(2021, 12, 1)) if i.kind == "review"}
    assert reviews == {"AH0005", "AH0011", "AH0033", "AH0035", "AH0037", "AH0038", "OPS0005", "OPS0059"}


def test_actions_past_their_target_date_and_not_done(demo):
    actions = [i for i in due_items(date(2021, 9, 29)) if i.kind == "action"]
    assert {(i.reference, i.owner, i.due_date) for i in actions} == {
        ("AH0037", "Helen Gillivan", date(2021, 7, 31)), ("AH0033", "Kerena Hunter", date(2021, 8, 31))}


def test_due_within_adds_what_falls_due_soon(demo):
    soon = [i for i in due_items(date(2021, 9, 29), due_within=10) if i.days_overdue <= 0]
    assert {(i.kind, i.reference, i.days_overdue) for i in soon} >= {
        ("review", "AH0005", -8), ("review", "AH0035", -8)}


def test_text_is_grouped_by_owner_and_silent_when_nothing_is_due(demo, runner):
    text = runner.invoke(args=["overdue", "--as-of", "2021-09-29"]).stdout
    assert text.startswith("Due as of 29/09/2021: 3 reviews, 2 actions")
    assert "\nChris McKenzie (1)\n" in text and "47 days overdue" in text
    quiet = runner.invoke(args=["overdue", "--as-of", "2021-01-01"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_filters_and_csv(demo, runner):
    csv_out = runner.invoke(args=["overdue", "--as-of", "2021-12-01", "--register", "OPS", "--format", "csv"])
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0] == "kind,reference,title,action,owner,register,due_date,days_overdue"
    assert {line.split(",")[1] for line in lines[1:]} <= {"OPS0003", "OPS0005", "OPS0059"}
    mine = json.loads(runner.invoke(args=["overdue", "--as-of", "2021-12-01", "--owner", "Chris McKenzie",
                                          "--format", "json"]).stdout)
    assert {i["owner"] for i in mine} == {"Chris McKenzie"}


def test_fail_if_any_exits_3_and_errors_exit_1(demo, runner):
    assert runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--fail-if-any"]).exit_code == 3
    assert runner.invoke(args=["overdue", "--as-of", "2021-01-01", "--fail-if-any"]).exit_code == 0
    bad = runner.invoke(args=["overdue", "--as-of", "2021-13-40"])
    assert bad.exit_code == 1
    assert bad.stderr.strip() == "Error: Invalid value for --as-of: '2021-13-40' is not a date in the form YYYY-MM-DD"
    unknown = runner.invoke(args=["overdue", "--register", "NOPE"])
    assert unknown.exit_code == 1 and "known registers: AH, CORP, OPS" in unknown.stderr


def test_cron_bare_environment(tmp_path):
    """cron gives no TTY, a minimal PATH and no HOME: run under `env -i`."""
    database = f"sqlite:///{tmp_path / 'cron.sqlite'}"
    riskkit = str(Path(sys.executable).with_name("riskkit"))
    loaded = subprocess.run([riskkit, "demo"], env={"PATH": os.environ["PATH"], "RISKKIT_DATABASE_URL": database},
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    cron = ["env", "-i", f"RISKKIT_DATABASE_URL={database}", riskkit, "overdue"]
    found = subprocess.run(cron + ["--as-of", "2021-09-29", "--fail-if-any"], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=120, cwd=tmp_path)
    assert found.returncode == 3, found.stderr
    assert "Chris McKenzie (1)" in found.stdout and found.stderr == ""
    quiet = subprocess.run(cron + ["--as-of", "2021-01-01"], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=120, cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    broken = subprocess.run(cron + ["--as-of", "yesterday"], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=120, cwd=tmp_path)
    assert broken.returncode == 1 and len(broken.stderr.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder(Sink):
    """An SMTP server that keeps what it is sent, and refuses one address."""

    def __init__(self, refuse=()):
        self.messages, self.refuse = [], set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted"


@pytest.fixture
def smtp(demo):
    def start(refuse=()):
        handler = Recorder(refuse)
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        demo.config["SMTP"] = {**demo.config["SMTP"], "host": "127.0.0.1", "port": port,
                               "from": "risk@example.gov.uk", "base_url": "https://risk.example"}
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


def test_email_sends_each_owner_one_digest_of_their_own_items(demo, runner, smtp):
    server = smtp()
    result = runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email"])
    assert result.exit_code == 0, result.stderr
    by_address = {to[0]: message for to, message in server.messages}
    # the three owners, the ASCH Divisional Directors' members for the team's AH0011, and
    # the AH register's owner for what is over 30 days overdue
    assert set(by_address) == {"chris.mckenzie@example.gov.uk", "helen.gillivan@example.gov.uk",
                               "kerena.hunter@example.gov.uk", "richard.smith@example.gov.uk",
                               "carl.griffiths@example.gov.uk"}
    helen = by_address["helen.gillivan@example.gov.uk"]
    plain = helen.get_body(("plain",)).get_content()
    html = helen.get_body(("html",)).get_content()
    assert "AH0037" in plain and "AH0011" in plain and "AH0033" not in plain
    assert 'href="https://risk.example/risks/AH0037"' in html
    assert helen["Subject"] == "Risk register: 3 overdue (29/09/2021)"
    carl = by_address["carl.griffiths@example.gov.uk"].get_body(("plain",)).get_content()
    assert "AH0011" in carl and "AH0037" not in carl


def test_a_second_run_the_same_day_sends_nothing_again(demo, runner, smtp):
    server = smtp()
    runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email"])
    sent = len(server.messages)
    again = runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email"])
    assert len(server.messages) == sent
    # 4 own, the team's 1 to each of its 2 members, 3 escalated
    assert "Sent 0 messages; 9 item(s) already sent today" in again.stdout
    assert db.session.scalar(select(db.func.count()).select_from(ReminderSent)) == 9


def test_items_long_overdue_are_escalated_to_the_register_owner(demo, runner, smtp):
    server = smtp()
    demo.config["ESCALATE_AFTER_DAYS"] = "30"
    runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email"])
    richard = [m for to, m in server.messages if to == ["richard.smith@example.gov.uk"]]
    assert len(richard) == 1
    text = richard[0].get_body(("plain",)).get_content()
    assert "Escalated to you as register owner" in text
    assert "AH0033" in text and "AH0037" in text  # 47 and 60 days overdue
    assert "Kerena Hunter" not in text  # 29 days: not yet escalated


def test_a_refusing_server_is_reported_per_recipient_and_the_rest_still_go(demo, runner, smtp):
    server = smtp(refuse={"helen.gillivan@example.gov.uk"})
    result = runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email"])
    assert result.exit_code == 1
    assert "helen.gillivan@example.gov.uk: refused by the mail server" in result.stderr
    assert {to[0] for to, _ in server.messages} == {
        "chris.mckenzie@example.gov.uk", "kerena.hunter@example.gov.uk", "richard.smith@example.gov.uk",
        "carl.griffiths@example.gov.uk"}


def test_dry_run_prints_and_sends_nothing(demo, runner, smtp):
    server = smtp()
    result = runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email", "--dry-run"])
    assert "To: Chris McKenzie <chris.mckenzie@example.gov.uk>" in result.stdout
    assert server.messages == []
    assert db.session.scalar(select(db.func.count()).select_from(ReminderSent)) == 0


def test_sending_reminders_needs_the_base_url_for_their_links(demo, runner):
    demo.config["SMTP"] = {**demo.config["SMTP"], "base_url": ""}
    result = runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: RISKKIT_BASE_URL is not set")
    assert db.session.scalar(select(db.func.count()).select_from(ReminderSent)) == 0


def test_unreachable_server_is_one_line_per_recipient(demo, runner):
    demo.config["SMTP"] = {**demo.config["SMTP"], "host": "127.0.0.1", "port": 1,
                           "base_url": "https://risk.example"}
    result = runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email"])
    assert result.exit_code == 1
    assert "chris.mckenzie@example.gov.uk: cannot reach the mail server" in result.stderr
    assert "Traceback" not in result.output


def test_overdue_page_and_csv(login):
    from tests.factories import gen_action, gen_register, gen_risk, gen_user

    chris = gen_user("Chris McKenzie")
    ah, ops = gen_register("AH"), gen_register("OPS")
    with _at(date(2021, 1, 4)):  # the report as of 2021 is of what was recorded by then
        risks = [gen_risk(ah, chris, as_of=date(2021, 1, 4), title=f"Risk {n}") for n in range(3)]
        for risk, due in zip(risks, (date(2021, 8, 13), date(2021, 9, 1), date(2021, 9, 28)), strict=True):
            risk.next_review_date = due
        gen_risk(ops, chris, as_of=date(2021, 1, 4)).next_review_date = date(2021, 12, 1)  # not yet due
        for description in ("Renew the generator contract", "Train night staff"):
            gen_action(risks[0], description, target_date=date(2021, 9, 1), as_of=date(2021, 1, 4))
        db.session.commit()
    client = login(gen_user("Val Viewer", "viewer"))
    page = client.get("/overdue?as_of=2021-09-29").get_data(as_text=True)
    assert "5 items as of 29/09/2021: 3 reviews, 2 actions." in page and "47 days overdue" in page
    assert '<td class="govuk-table__cell">Chris McKenzie</td>' in page
    reviews = client.get("/overdue?as_of=2021-09-29&kind=review&register=AH").get_data(as_text=True)
    assert "3 items" in reviews
    csv_response = client.get("/overdue.csv?as_of=2021-09-29&kind=review")
    assert csv_response.mimetype == "text/csv"
    assert "attachment; filename=overdue-2021-09-29.csv" == csv_response.headers["Content-Disposition"]
    rows = csv_response.get_data(as_text=True).strip().splitlines()
    assert rows[0] == "kind,reference,title,action,owner,register,due_date,days_overdue"
    assert sorted(r.split(",")[1] for r in rows[1:]) == ["AH0001", "AH0002", "AH0003"]
    assert client.get("/overdue?as_of=nonsense").status_code == 400


def test_a_download_of_ones_own_overdue_items_from_a_running_server(app, live_server):
    """The CSV is written as it is read, after the request's database session has closed:
    the owner filter (the owner and their teams) must not need that session. The test
    client keeps the session open, so only a real server shows this."""
    from tests.factories import PASSWORD, gen_register, gen_risk, gen_team, gen_user

    chris = gen_user("Chris McKenzie")
    team = gen_team("Short Term Pathway Team", members=[chris])
    register = gen_register("AH")
    with _at(date(2021, 1, 4)):
        for owner, due in ((chris, date(2021, 8, 13)), (team, date(2021, 9, 1)),
                           (gen_user("Someone Else"), date(2021, 9, 1))):
            gen_risk(register, owner, as_of=date(2021, 1, 4)).next_review_date = due
        db.session.commit()
    client = live_server.session(chris.email, PASSWORD)
    response = client.get(f"{live_server.url}/overdue.csv?as_of=2021-09-29&owner=Chris+McKenzie")
    assert response.status_code == 200, live_server.log
    rows = response.text.strip().splitlines()[1:]
    assert sorted(r.split(",")[4] for r in rows) == ["Chris McKenzie", "Short Term Pathway Team"]


@pytest.mark.parametrize("path", ["/", "/overdue", "/overdue.csv", "/programme", "/heatmap.pdf", "/heatmap.html",
                                  "/appendix.pdf", "/appendix.html", "/improvement-plan.xlsx",
                                  "/improvement-plan.html", "/risks", "/export.xlsx", "/assurance"])
def test_every_page_refuses_a_bad_as_of_alike(login, path):
    """Each page and download that takes ?as_of= reads it the same way (web.params.as_of_arg)."""
    from tests.factories import gen_register, gen_user

    gen_register("CORP", level="corporate")
    client = login(gen_user("Val Viewer", "viewer"))
    response = client.get(f"{path}?as_of=2021-02-30")
    assert response.status_code == 400
    assert "The as_of date in the address is wrong: &#39;2021-02-30&#39; is not a date" in response.get_data(
        as_text=True)


def _at(day: date):
    return clock.frozen(datetime.combine(day, time(9), tzinfo=UTC))


def test_as_of_a_past_day_the_report_is_rebuilt_from_the_history(app, runner, login):
    """A review or action recorded after the day does not hide what was overdue on it, a
    risk closed after it still counts, and a risk or action recorded after it is absent."""
    manager = gen_user("Mona Manager", role="manager")
    with _at(date(2026, 1, 5)):
        kept = gen_risk(owner=manager, title="Reviewed after the day")
        done = gen_action(kept, description="Done after the day", target_date=date(2026, 2, 1))
        closed = gen_risk(register=kept.register, owner=manager, title="Closed after the day",
                          as_of=date(2025, 6, 1))
    day = kept.next_review_date + timedelta(days=5)
    later = day + timedelta(days=10)
    with _at(later):
        record_review(kept, manager, later, likelihood=3, impact=4, comment="Looked again")
        mark_done(kept, manager, done, "Bought it", as_of=later)
        set_status(closed, "closed", manager, reason="No longer applies")
        added = gen_risk(register=kept.register, owner=manager, title="Recorded after the day",
                         as_of=date(2025, 1, 5))
        gen_action(kept, description="Added after the day", target_date=date(2026, 2, 1))
        db.session.commit()
    then = {(kept.reference, "review", ""), (kept.reference, "action", "Done after the day"),
            (closed.reference, "review", "")}

    result = runner.invoke(args=["overdue", "--as-of", day.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {(i["reference"], i["kind"], i["action"] or "") for i in json.loads(result.stdout)} == then
    text = runner.invoke(args=["overdue", "--as-of", day.isoformat()]).stdout
    assert text.startswith(f"Due as of {day:%d/%m/%Y}: 2 reviews, 1 action")
    client = login(manager)
    rows = client.get(f"/overdue.csv?as_of={day.isoformat()}").get_data(as_text=True).splitlines()[1:]
    assert {(r.split(",")[1], r.split(",")[0], r.split(",")[3]) for r in rows} == then
    page = client.get(f"/overdue?as_of={day.isoformat()}").get_data(as_text=True)
    assert "Closed after the day" in page and "Recorded after the day" not in page
    # As of the later day, what is overdue then.
    now = json.loads(runner.invoke(args=["overdue", "--as-of", later.isoformat(), "--format", "json"]).stdout)
    assert {(i["reference"], i["kind"], i["action"] or "") for i in now} == {
        (added.reference, "review", ""), (kept.reference, "action", "Added after the day")}


def test_issue_reviews_and_actions_are_in_every_face_of_the_report(app, runner, login):
    """An open issue past its review date and its open actions past their target are due
    as risks' are: the command (all formats and the digests), the page and its CSV, the
    API and the owner's dashboard. A resolved issue's and a done action's are not."""
    from riskkit.services.issues import resolve, save_action
    from tests.factories import gen_issue, gen_register, gen_token

    owner = gen_user("Ida Issue", email="ida@x.gov.uk")
    register = gen_register("AH")
    with _at(date(2026, 2, 2)):
        issue = gen_issue(register, owner, title="Payroll system down", raised_on=date(2026, 2, 2))
        save_action(issue, None, None, description="Pay staff by hand", owner=owner,
                    target_date=date(2026, 3, 1), status="in_progress", as_of=date(2026, 2, 2))
        save_action(issue, None, None, description="Call the supplier", owner=owner,
                    target_date=date(2026, 2, 10), status="done", as_of=date(2026, 2, 2))
        gone = gen_issue(register, owner, title="Fire at the depot", raised_on=date(2026, 2, 2))
        resolve(gone, None, date(2026, 2, 3), "Put out")
        db.session.commit()
    day = issue.next_review_date + timedelta(days=3)
    expected = {("issue review", issue.reference, ""), ("issue action", issue.reference, "Pay staff by hand")}

    listed = json.loads(runner.invoke(args=["overdue", "--as-of", day.isoformat(), "--format", "json"]).stdout)
    assert {(i["kind"], i["reference"], i["action"] or "") for i in listed} == expected
    assert {i["register"] for i in listed} == {"AH"}
    text = runner.invoke(args=["overdue", "--as-of", day.isoformat()]).stdout
    assert text.startswith(f"Due as of {day:%d/%m/%Y}: 1 issue review, 1 issue action")
    csv_rows = runner.invoke(args=["overdue", "--as-of", day.isoformat(), "--format", "csv"]).stdout
    assert f"issue action,{issue.reference},Payroll system down,Pay staff by hand" in csv_rows
    mail = runner.invoke(args=["overdue", "--as-of", day.isoformat(), "--email", "--dry-run"])
    assert mail.exit_code == 0, mail.output
    assert f"Review of issue {issue.reference} Payroll system down" in mail.stdout
    assert f"/issues/{issue.reference}" in mail.stdout

    client = login(owner)
    page = client.get(f"/overdue?as_of={day.isoformat()}").get_data(as_text=True)
    assert "2 items as of" in page and "1 issue review, 1 issue action." in page
    assert f'href="/issues/{issue.reference}"' in page
    only = client.get(f"/overdue?as_of={day.isoformat()}&kind=issue+action").get_data(as_text=True)
    assert "1 item as of" in only and "Pay staff by hand" in only
    rows = client.get(f"/overdue.csv?as_of={day.isoformat()}").get_data(as_text=True).splitlines()[1:]
    assert {(r.split(",")[0], r.split(",")[1], r.split(",")[3]) for r in rows} == expected
    dashboard = client.get(f"/?as_of={day.isoformat()}").get_data(as_text=True)
    assert "Your issue reviews due (1)" in dashboard and "Your issue actions due (1)" in dashboard
    answer = client.get(f"/api/v1/overdue?as_of={day.isoformat()}",
                        headers={"Authorization": f"Bearer {gen_token(owner)}"})
    assert answer.status_code == 200
    assert {(i["kind"], i["reference"], i["action"] or "") for i in answer.json} == expected


def test_issues_as_of_a_past_day_are_as_they_stood(app, runner):
    """An issue reviewed or resolved after the day, or its action done after it, was due
    on it; an issue or action recorded after the day was not."""
    from riskkit.services.issues import resolve, review_issue, save_action
    from tests.factories import gen_issue, gen_register

    owner = gen_user("Ida Issue", email="ida@x.gov.uk")
    register = gen_register("AH")
    with _at(date(2026, 2, 2)):
        reviewed = gen_issue(register, owner, title="Reviewed after", raised_on=date(2026, 2, 2))
        resolved = gen_issue(register, owner, title="Resolved after", raised_on=date(2026, 2, 2))
        action = save_action(resolved, None, None, description="Done after", owner=owner,
                             target_date=date(2026, 3, 1), status="planned", as_of=date(2026, 2, 2))
        db.session.commit()
    day = reviewed.next_review_date + timedelta(days=3)
    later = day + timedelta(days=10)
    with _at(later):
        review_issue(reviewed, owner, later, 4, reviewer=owner)
        save_action(resolved, None, action, description="Done after", owner=owner,
                    target_date=date(2026, 3, 1), status="done", as_of=later)
        resolve(resolved, None, later, "Fixed")
        added = gen_issue(register, owner, title="Raised after", raised_on=date(2025, 1, 5))
        db.session.commit()

    def listed(on):
        out = runner.invoke(args=["overdue", "--as-of", on.isoformat(), "--format", "json"])
        assert out.exit_code == 0, out.output
        return {(i["kind"], i["reference"], i["action"] or "") for i in json.loads(out.stdout)}

    assert listed(day) == {("issue review", reviewed.reference, ""), ("issue review", resolved.reference, ""),
                           ("issue action", resolved.reference, "Done after")}
    assert listed(later) == {("issue review", added.reference, "")}
