"""The response pages: the dashboard's action cards and a step marked done, the decision
log, the sitrep and its downloads, the charts, and the response roles' holders."""

import io
import subprocess
from datetime import UTC, date, datetime

from PIL import Image
from sqlalchemy import select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import Area, DecisionLogEntry, StepCompletion
from riskkit.services import action_cards, levels
from tests.factories import gen_area, gen_indicator, gen_reading, gen_user
from tests.indicator_helpers import declare
from tests.test_overdue import smtp  # noqa: F401  (the SMTP server fixture)
from tests.web_helpers import error_messages

CARDS = {"scheme": "opel", "roles": [
    {"name": "Service Manager", "holders": ["Sam Service"],
     "levels": {1: ["Business as usual"], 3: ["Represent KCC at conference calls.", "Redeploy staff."]}}]}


def holder():
    sam = gen_user("Sam Service", "owner")
    action_cards.load_cards(CARDS)
    db.session.commit()
    return sam


def test_a_holder_sees_the_card_of_the_declared_level_and_marks_a_step_done(login):
    sam = holder()
    other = gen_user("Olly Other", "owner")
    page = login(sam).get("/").get_data(as_text=True)
    assert 'id="cards"' not in page  # nothing declared yet
    declaration = declare(3, reason="Staffing below 50%")
    client = login(sam)
    page = client.get("/").get_data(as_text=True)
    assert "Service Manager: OPEL 3 (Red)" in page
    assert "Staffing below 50%" in page and "2 of 2 steps still to do." in page
    assert 'id="cards"' not in login(other).get("/").get_data(as_text=True)
    step = action_cards.list_roles()[0].steps[2]
    response = client.post(f"/cards/{declaration.id}/steps/{step.id}", data={"note": "Two staff from Dover"})
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Marked done: Redeploy staff." in page
    assert "Marked done by Sam Service at" in page and "Two staff from Dover" in page
    assert "1 of 2 steps still to do." in page
    done = db.session.scalars(select(StepCompletion)).one()
    assert (done.person, done.note) == (sam, "Two staff from Dover")


def test_a_step_marked_twice_or_by_a_stranger_or_too_long_changes_nothing(login):
    sam = holder()
    declaration = declare(3)
    step = action_cards.list_roles()[0].steps[1]
    client = login(sam)
    assert client.post(f"/cards/{declaration.id}/steps/{step.id}", data={"note": ""}).status_code == 302
    again = client.post(f"/cards/{declaration.id}/steps/{step.id}", data={"note": "again"})
    assert again.status_code == 409
    assert "Sam Service marked that step done already" in again.get_data(as_text=True)
    stranger = login(gen_user("Olly Other", "owner"))
    refused = stranger.post(f"/cards/{declaration.id}/steps/{action_cards.list_roles()[0].steps[2].id}")
    assert refused.status_code == 403
    long_note = client.post(f"/cards/{declaration.id}/steps/{action_cards.list_roles()[0].steps[2].id}",
                            data={"note": "x" * 10_001})
    assert long_note.status_code == 400
    assert "Note must be 10000 characters or fewer" in long_note.get_data(as_text=True)
    assert client.post(f"/cards/{declaration.id}/steps/999999").status_code == 404
    assert db.session.scalars(select(StepCompletion)).all() == [db.session.scalars(select(StepCompletion)).one()]


def test_the_log_shows_a_day_and_takes_decisions_from_those_responding(login):
    sam = holder()
    gen_area("Dover patch")
    with clock.frozen(datetime(2026, 12, 6, 9, 0, tzinfo=UTC)):
        declare(3, reason="Staffing below 50%")
    client = login(sam)
    page = client.get("/log?date=2026-12-06").get_data(as_text=True)
    assert "Mo Manager declared OPEL 3 (Red) for the organisation" in page
    assert "09:00 06/12/2026" in page and "Log a decision" in page
    area = db.session.scalar(select(Area).limit(1))
    response = client.post("/log", data={"text": "Ten spot-purchase beds opened.", "area": str(area.id)})
    assert response.status_code == 302
    entry = db.session.scalars(select(DecisionLogEntry).where(DecisionLogEntry.kind == "decision")).one()
    assert (entry.author, entry.text, entry.area) == (sam, "Ten spot-purchase beds opened.", area)
    empty = client.post("/log", data={"text": "  "})
    assert empty.status_code == 400 and error_messages(empty) == ["Enter a decision"]
    bad_area = client.post("/log", data={"text": "Beds", "area": "999999"})
    assert bad_area.status_code == 400 and error_messages(bad_area) == ["Choose an area from the list"]
    viewer = login(gen_user("Vic Viewer", "viewer"))
    assert "Log a decision" not in viewer.get("/log").get_data(as_text=True)
    assert viewer.post("/log", data={"text": "Close the wards"}).status_code == 403
    bad = client.get("/log?date=2026-13-01")
    assert "is not a date: use the form 2021-09-29" in bad.get_data(as_text=True)
    assert len(db.session.scalars(select(DecisionLogEntry)).all()) == 2


def test_the_sitrep_page_and_its_downloads(login, tmp_path):
    sam = holder()
    staffing = gen_indicator()
    gen_reading(staffing, 48, on=date(2026, 12, 6), today=date(2026, 12, 6))
    with clock.frozen(datetime(2026, 12, 6, 8, 0, tzinfo=UTC)):
        declare(3, reason="Staffing below 50%")
    client = login(sam)
    page = client.get("/sitrep?date=2026-12-06").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Situation report, 6 December 2026</h1>" in page
    assert "48 % on 06/12/2026" in page and "Represent KCC at conference calls." in page
    assert f"/indicators/{staffing.id}/chart.png?end=2026-12-06" in page
    pdf = client.get("/sitrep.pdf?date=2026-12-06")
    assert pdf.mimetype == "application/pdf"
    path = tmp_path / "sitrep.pdf"
    path.write_bytes(pdf.data)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Situation report, 6 December 2026" in text and "Staffing below 50%" in text
    plain = client.get("/sitrep.txt?date=2026-12-06")
    assert plain.mimetype == "text/plain" and "- Whole organisation: OPEL 3 (Red)" in plain.get_data(as_text=True)
    html = client.get("/sitrep.html?date=2026-12-06")
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert client.get("/sitrep.doc").status_code == 404
    assert client.get("/sitrep.pdf?date=yesterday").status_code == 400


def test_charts_are_pngs_and_bad_addresses_say_why(login):
    sam = holder()
    staffing = gen_indicator(areas=[gen_area("Ashford patch")])
    client = login(sam)
    chart = client.get(f"/indicators/{staffing.id}/chart.png?span=90&area={staffing.areas[0].id}&end=2026-12-06")
    assert chart.mimetype == "image/png"
    assert Image.open(io.BytesIO(chart.data)).size == (960, 400)
    assert client.get("/levels/strip.png?end=2027-03-31").mimetype == "image/png"
    assert client.get(f"/indicators/{staffing.id}/chart.png?span=45").status_code == 400
    assert "A chart covers 30 or 90 days, not 45" in client.get(
        f"/indicators/{staffing.id}/chart.png?span=45").get_data(as_text=True)
    assert client.get(f"/indicators/{staffing.id}/chart.png?area={gen_area('Dover patch').id}").status_code == 400
    assert client.get("/indicators/999999/chart.png").status_code == 404
    assert client.get("/levels/strip.png?start=2027-01-01&end=2026-12-01").status_code == 400


def test_admins_change_a_roles_holders_and_a_stale_form_is_a_409(login):
    sam = holder()
    dee = gen_user("Dee Director", "owner")
    admin = login(gen_user("Ada Admin", "admin"))
    role = action_cards.list_roles()[0]
    page = admin.get("/admin/roles").get_data(as_text=True)
    assert "Service Manager" in page and "Sam Service" in page
    page = admin.get(f"/admin/roles/{role.id}").get_data(as_text=True)
    assert "OPEL 3 (Red)" in page and "Redeploy staff." in page
    response = admin.post(f"/admin/roles/{role.id}", data={"holders": [dee.id], "holders_were": str(sam.id)})
    assert response.status_code == 302
    assert [h.name for h in action_cards.get_role(role.id).holders] == ["Dee Director"]
    stale = admin.post(f"/admin/roles/{role.id}", data={"holders": [sam.id], "holders_were": str(sam.id)})
    assert stale.status_code == 409
    assert [h.name for h in action_cards.get_role(role.id).holders] == ["Dee Director"]
    assert login(sam).get("/admin/roles").status_code == 403


def test_declaring_on_the_levels_page_emails_the_holders_their_cards(web, smtp):  # noqa: F811
    server = smtp()
    client = web.test_client()
    client.post("/login", data={"email": "richard.smith@example.gov.uk", "password": "riskkit-demo"})
    response = client.post("/levels/declare", data={"level": str(levels.get_scheme().levels[3].id),
                                                    "reason": "No assessment beds county-wide"})
    assert response.status_code == 302
    page = client.get("/levels").get_data(as_text=True)
    assert "Declared OPEL 4 (Black) for the organisation. Action cards emailed to 7 people." in page
    by_address = {to[0]: message for to, message in server.messages}
    # Every holder but the Director, whose card at OPEL 4 the plan leaves empty.
    assert "wayne.gough@example.gov.uk" not in by_address and len(by_address) == 7
    sydney = by_address["sydney.hill@example.gov.uk"].get_body(("plain",)).get_content()
    assert "OPEL 4 (Black) was declared for the whole organisation by Richard Smith" in sydney
    assert "Implement Service Business Continuity Plans as appropriate." in sydney


def test_the_levels_page_and_the_command_word_the_cards_mail_alike(web, smtp):  # noqa: F811
    """Declaring on the page and with `riskkit indicators declare` send the cards through
    one service and say the same of it: how many were emailed, and who could not be."""
    from riskkit.services.people import find_person

    find_person("Sydney Hill").email = None
    db.session.commit()
    smtp()
    runner = web.test_cli_runner()
    result = runner.invoke(args=["indicators", "declare", "3", "--reason", "Amber", "--by", "Richard Smith"])
    assert result.exit_code == 0, result.output
    unreachable = "Not sent: Sydney Hill has no email address"
    said = next(line for line in result.output.splitlines() if line.startswith("Action cards"))
    assert said.startswith("Action cards emailed to 7 people. " + unreachable)
    client = web.test_client()
    client.post("/login", data={"email": "richard.smith@example.gov.uk", "password": "riskkit-demo"})
    client.post("/levels/declare", data={"level": str(levels.get_scheme().levels[1].id), "reason": "Calmer"})
    page = client.get("/levels").get_data(as_text=True)
    assert "Declared OPEL 2 (Amber) for the organisation. Action cards emailed to" in page
    assert unreachable in page


def test_without_mail_the_page_and_the_command_say_so_alike(web):
    runner = web.test_cli_runner()
    result = runner.invoke(args=["indicators", "declare", "3", "--reason", "Amber", "--by", "Richard Smith"])
    assert result.exit_code == 0, result.output
    unset = "Action cards were not emailed: RISKKIT_BASE_URL is not set."
    assert unset in result.stderr
    client = web.test_client()
    client.post("/login", data={"email": "richard.smith@example.gov.uk", "password": "riskkit-demo"})
    client.post("/levels/declare", data={"level": str(levels.get_scheme().levels[1].id), "reason": "Calmer"})
    assert unset in client.get("/levels").get_data(as_text=True)
