"""Evidence packs (issue 17, point 7): the internal-audit, NHS EPRR and ISO 22301 packs for
a period, through `riskkit evidence`, their pages and their downloads, with the figures
worked out by hand from data built here and read back from the PDF and the workbook."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import DocumentLog, Objective
from riskkit.services import lessons, programme, reviews
from tests.factories import (
    gen_action,
    gen_assurance,
    gen_control,
    gen_debrief,
    gen_event,
    gen_lesson,
    gen_register,
    gen_risk,
    gen_user,
)
from tests.html_reading import pdf_text
from tests.web_helpers import error_messages

#: The day the packs are made: a fortnight after the first half of 2026, their period.
TODAY = datetime(2026, 7, 15, 9, tzinfo=UTC)
PERIOD = ("--from", "2026-01-01", "--to", "2026-06-30")


def _review(risk, on, next_on):
    reviews.record_review(risk, None, on, risk.likelihood, risk.impact, reviewer=risk.owner,
                          next_review_date=next_on, next_review_reason="Set for the test")
    db.session.commit()


@pytest.fixture
def register(site):
    """Three owners' risks on AH, as of 15 July 2026, with reviews due in January to June:
    Ann's two (the first held on time, the second late), Bob's one (held on the day it
    was due), Cat's one (not held). Ann has an action overdue since 31 May and one done on
    time; one of her controls has a limited opinion, the other a reasonable one. All is
    recorded on 5 January (the history's day), so it stood so at the period's end."""
    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):
        return _register()


def _register():
    ah = gen_register("AH")
    ann, bob, cat = (gen_user(name, "owner") for name in ("Ann Avery", "Bob Bell", "Cat Cole"))
    a = gen_risk(ah, ann, title="Care market failure")
    b = gen_risk(ah, bob, title="AMHP recruitment")
    c = gen_risk(ah, cat, title="Payroll outage")
    _review(a, date(2026, 1, 10), date(2026, 2, 10))
    _review(a, date(2026, 2, 8), date(2026, 3, 10))  # on time
    _review(a, date(2026, 3, 20), date(2026, 9, 30))  # late
    _review(b, date(2026, 1, 15), date(2026, 4, 15))
    _review(b, date(2026, 4, 15), date(2026, 10, 15))  # on the day: on time
    _review(c, date(2026, 1, 20), date(2026, 5, 20))  # never held again
    gen_action(a, "Provider summit", target_date=date(2026, 5, 31))
    gen_action(a, "Market review", status="done", target_date=date(2026, 3, 31),
               as_of=date(2026, 3, 20))
    gen_assurance(gen_control(a, "Market position statement"), opinion="limited",
                  reference="IA 2026/03", assured_on=date(2026, 2, 1))
    gen_assurance(gen_control(a, "Provider forum"), opinion="reasonable",
                  assured_on=date(2026, 2, 1))
    return ah


def _make(runner, pack, path, *args):
    with clock.frozen(TODAY):
        return runner.invoke(args=["evidence", pack, *args, str(path)])


def _lines(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def test_the_audit_pack_counts_reviews_on_time_per_owner(register, runner, tmp_path):
    result = _make(runner, "audit", tmp_path / "audit.pdf", *PERIOD)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {tmp_path / 'audit.pdf'}: Internal audit: the risk"
                                    " register, 01/01/2026 to 30/06/2026")
    lines = _lines(pdf_text(tmp_path / "audit.pdf"))
    for figure in ("Reviews due in the period 4", "Reviews held by their due date 2",
                   "Share of reviews held on time 50%", "Actions overdue on 30/06/2026 1",
                   "Actions due in the period 2", "Actions completed by their target date 1",
                   "Share of actions on time (target 80%) 50%", "Controls lacking assurance 1"):
        assert figure in lines
    # Owner, due, held on time, late or not held, share.
    assert {"Ann Avery 2 1 1 50%", "Bob Bell 1 1 0 100%", "Cat Cole 1 0 1 0%"} <= set(lines)
    text = " ".join(lines)
    assert "AH0001 AH Provider summit Ann Avery 31/05/2026 30" in text
    assert "Limited assurance (audit report, 01/02/2026)" in text
    info = PdfReader(tmp_path / "audit.pdf")
    assert info.metadata.title == "Internal audit: the risk register, 01/01/2026 to 30/06/2026"
    assert info.metadata.author == "Example County Council"
    assert str(info.trailer["/Root"]["/Lang"]) == "en-GB"
    assert "Page 1 of " in text and "Generated on 15/07/2026" in text


def test_the_audit_workbook_has_a_summary_and_a_sheet_per_section(register, runner, tmp_path):
    result = _make(runner, "audit", tmp_path / "audit.xlsx", *PERIOD, "--register", "AH")
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "audit.xlsx")
    assert book.sheetnames[0] == "Summary" and book.sheetnames[1] == "1 Reviews on time, by owner"
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["From"] == datetime(2026, 1, 1) and summary["To"] == datetime(2026, 6, 30)
    assert summary["Scope"] == "Register AH and those below it"
    assert summary["Reviews due in the period"] == 4
    assert summary["Share of reviews held on time"] == "50%"
    owners = list(book["1 Reviews on time, by owner"].iter_rows(values_only=True))
    assert owners == [("Owner", "Reviews due", "Held on time", "Late or not held", "Share on time"),
                      ("Ann Avery", 2, 1, 1, "50%"), ("Bob Bell", 1, 1, 0, "100%"),
                      ("Cat Cole", 1, 0, 1, "0%")]
    due = list(book["2 Reviews due in the period"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3].date(), r[4] and r[4].date(), r[5]) for r in due] == [
        ("AH0001", date(2026, 2, 10), date(2026, 2, 8), "Yes"),
        ("AH0001", date(2026, 3, 10), date(2026, 3, 20), "No"),
        ("AH0002", date(2026, 4, 15), date(2026, 4, 15), "Yes"),
        ("AH0003", date(2026, 5, 20), None, "No")]
    exports = db.session.scalars(select(DocumentLog.document)).all()
    assert exports == ["Internal audit: the risk register, 01/01/2026 to 30/06/2026"]


@pytest.mark.parametrize("args, message", [
    (("--from", "2026-06-30", "--to", "2026-01-01", "pack.pdf"),
     "Error: The period's end (01/01/2026) is before its start (30/06/2026)"),
    (("--from", "2026-02-30", "pack.pdf"),
     "Error: Invalid value for --from: '2026-02-30' is not a date in the form YYYY-MM-DD"),
    (("pack.docx",), "Error: Cannot write the evidence pack to 'pack.docx': the file name must"
                     " end in .pdf or .xlsx"),
])
def test_a_bad_period_or_file_is_one_line_and_writes_nothing(site, runner, tmp_path, args,
                                                              message, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)  # the file named as typed: a message cuts a long path short
    result = runner.invoke(args=["evidence", "audit", *args])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [message]
    assert list(out.iterdir()) == []


def test_only_the_audit_pack_takes_a_register_and_packs_are_named(site, runner, tmp_path):
    gen_register("AH")
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    result = runner.invoke(args=["evidence", "eprr", "--register", "AH", str(tmp_path / "e.pdf")])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: Only the audit pack is of a register: leave out the"
                                     " register for the eprr pack")
    result = runner.invoke(args=["evidence", "sox", str(tmp_path / "e.pdf")])
    assert result.stderr.strip() == ("Error: There is no evidence pack called 'sox': choose eprr,"
                                     " iso22301 or audit")
    assert list(tmp_path.iterdir()) == []


def _text(response) -> str:
    page = html.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_audit_page_shows_the_figures_and_logs_its_downloads(register, login, monkeypatch):
    from riskkit.web import evidence

    monkeypatch.setattr(evidence, "today", lambda: TODAY.date())
    manager = gen_user("Mo Manager", "manager")
    client = login(manager)
    response = client.get("/evidence/audit?from=2026-01-01&to=2026-06-30")
    assert response.status_code == 200
    words = _text(response)
    assert "Reviews due in the period 4" in words
    assert "Share of reviews held on time 50%" in words
    assert "Ann Avery 2 1 1 50%" in words and "Cat Cole 1 0 1 0%" in words
    link = "/evidence/audit.pdf?from=2026-01-01&amp;to=2026-06-30"
    assert link in response.get_data(as_text=True)
    with clock.frozen(TODAY):
        pdf = client.get(html.unescape(link))
        book = client.get("/evidence/audit.xlsx?from=2026-01-01&to=2026-06-30&register=AH")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert book.mimetype == ("application/vnd.openxmlformats-officedocument.spreadsheetml"
                             ".sheet")
    assert 'filename=evidence-audit-AH-2026-01-01-to-2026-06-30.xlsx' in \
        book.headers["Content-Disposition"]
    logged = db.session.execute(select(DocumentLog.actor, DocumentLog.action,
                                       DocumentLog.detail).order_by(DocumentLog.id)).all()
    assert logged == [
        ("Mo Manager", "downloaded", "evidence-audit-2026-01-01-to-2026-06-30.pdf"),
        ("Mo Manager", "downloaded", "evidence-audit-AH-2026-01-01-to-2026-06-30.xlsx")]
    # The log of committee documents is the managers': an owner's pack says so.
    owner = login(gen_user("Ola Owner", "owner"))
    words = _text(owner.get("/evidence/audit?from=2026-07-01&to=2026-07-31"))
    assert "Only managers and admins may read this log." in words
    words = _text(client.get("/evidence/audit?from=2026-07-01&to=2026-07-31"))
    assert "Mo Manager Downloaded Internal audit: the risk register, 01/01/2026 to 30/06/2026" \
        in words


@pytest.mark.parametrize("query, field, message", [
    ("from=2026-06-30&to=2026-01-01", "to",
     "The period's end (01/01/2026) is before its start (30/06/2026)"),
    ("from=2026-13-01", "from", "'2026-13-01' is not a date: use the form 2021-09-29"),
    ("register=ZZ", "register", "No register with code 'ZZ'; known registers: AH"),
])
def test_a_bad_period_re_renders_the_page_naming_the_field(register, login, query, field,
                                                           message):
    client = login(gen_user("Mo Manager", "manager"))
    response = client.get(f"/evidence/audit?{query}")
    assert response.status_code == 400
    assert html.unescape(error_messages(response)[0]) == message
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert client.get(f"/evidence/audit.pdf?{query}").status_code == 400
    assert db.session.scalar(select(DocumentLog.id)) is None


def test_the_index_lists_the_packs(site, login):
    client = login(gen_user("Vi Viewer", "viewer"))
    words = _text(client.get("/evidence"))
    assert ("NHS EPRR training and exercising evidence ISO 22301 exercising and corrective"
            " action evidence (clauses 8.5 and 9.1) Internal audit: the risk register") in words
    assert client.get("/evidence/sox").status_code == 404
    assert client.get("/evidence/audit.docx").status_code == 404


# --- the NHS EPRR and ISO 22301 packs -----------------------------------------------------

YEAR = ("--from", "2026-01-01", "--to", "2026-12-31")


@pytest.fixture
def exercising(site):
    """2026's exercising, recorded on 30 September: a communications test in March (none
    after it), a tabletop in May led by the Kent Resilience Forum (its report came on
    1 June; a lesson of ours and one for the forum), and a care home evacuation in August
    that the live exercise rule credits (debriefed, with a lesson and an action)."""
    with clock.frozen(datetime(2026, 9, 30, 9, tzinfo=UTC)):
        programme.credit_rule(None, programme.find_rule("Live exercise"), ["evacuation"])
        cascade = gen_event("Cascade test March", event_type="comms_cascade",
                            start_date=date(2026, 3, 10), status="held")
        gen_lesson(cascade, statement="Out-of-hours numbers were out of date",
                   due_date=date(2026, 5, 31))
        oak = gen_event("Exercise Oak", event_type="tabletop", start_date=date(2026, 5, 12),
                        status="held", lead_organisation="Kent Resilience Forum",
                        partner_report_date=date(2026, 6, 1))
        oak.objectives.append(Objective(text="Test the rest centre plan", rating="partly_met",
                                        note="Care needs were not covered"))
        gen_debrief(oak, "hot", date(2026, 6, 1))
        gen_lesson(oak, statement="Rest centre care needs not planned")
        gen_lesson(oak, statement="The forum's call list was late", for_partner=True)
        evacuation = gen_event("Care home evacuation", kind="incident", event_type="evacuation",
                               start_date=date(2026, 8, 19))
        gen_debrief(evacuation, "hot", date(2026, 8, 19))
        lesson = gen_lesson(evacuation, statement="Medication records did not travel")
        risk = gen_risk(gen_register("AH"), title="Care home business continuity")
        lessons.raise_action(lesson, None, risk=risk, description="Grab bags for records",
                             owner=risk.owner, target_date=date(2026, 11, 30))
        db.session.commit()


def test_the_eprr_pack_says_which_requirement_was_met_in_each_interval(exercising, runner,
                                                                       tmp_path):
    with clock.frozen(datetime(2027, 1, 15, 9, tzinfo=UTC)):
        result = runner.invoke(args=["evidence", "eprr", *YEAR, str(tmp_path / "eprr.xlsx")])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "eprr.xlsx")
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Requirement intervals met"] == "3 of 5"
    assert summary["Exercises led by a partner"] == 1
    assert summary["Incidents credited in place of an exercise"] == 1
    assert summary["Lessons identified for us"] == 3
    rows = [(r[0], r[2].date(), r[3].date(), r[4], r[5], r[7]) for r in
            book["1 Requirements met"].iter_rows(min_row=2, values_only=True)]
    assert rows == [
        ("Communications cascade test", date(2026, 1, 1), date(2026, 6, 30), "Yes",
         "Cascade test March", "Us"),
        ("Communications cascade test", date(2026, 7, 1), date(2026, 12, 31), "No", None, None),
        ("Tabletop exercise", date(2026, 1, 1), date(2026, 12, 31), "Yes", "Exercise Oak",
         "Kent Resilience Forum"),
        ("Live exercise", date(2024, 1, 1), date(2026, 12, 31), "Yes",
         "Incident: Care home evacuation", "Us"),
        ("Command post exercise", date(2024, 1, 1), date(2026, 12, 31), "No", None, None)]
    lessons_sheet = list(book["3 Lessons identified"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[5]) for r in lessons_sheet] == [
        ("Out-of-hours numbers were out of date", "Identified"),
        ("Rest centre care needs not planned", "Identified"),
        ("The forum's call list was late", "Identified (for the partner: noted only)"),
        ("Medication records did not travel", "Action planned")]
    owing = {r[0]: r[5] for r in book["4 What is owing on 31-12-2026"].iter_rows(
        min_row=2, values_only=True)}
    assert owing == {"Communications cascade test": "Yes", "Tabletop exercise": "No",
                     "Live exercise": "No", "Command post exercise": "Yes"}


def test_the_eprr_pdf_shows_the_second_half_unmet(exercising, runner, tmp_path):
    with clock.frozen(datetime(2027, 1, 15, 9, tzinfo=UTC)):
        result = runner.invoke(args=["evidence", "eprr", *YEAR, str(tmp_path / "eprr.pdf")])
    assert result.exit_code == 0, result.output
    lines = _lines(pdf_text(tmp_path / "eprr.pdf"))
    assert "Requirement intervals met 3 of 5" in lines
    text = " ".join(lines)
    assert "6 months 01/07/2026 31/12/2026 No" in text
    assert PdfReader(tmp_path / "eprr.pdf").metadata.title == (
        "NHS EPRR training and exercising evidence, 01/01/2026 to 31/12/2026")


def test_an_interval_not_yet_over_is_not_yet_judged(exercising, runner, tmp_path, login,
                                                    monkeypatch):
    from riskkit.web import evidence

    monkeypatch.setattr(evidence, "today", lambda: date(2026, 9, 30))
    client = login(gen_user("Mo Manager", "manager"))
    words = _text(client.get("/evidence/eprr?from=2026-01-01&to=2026-12-31"))
    assert "judged as of 30/09/2026" in words
    assert "01/07/2026 31/12/2026 Not yet: the interval ends 31/12/2026" in words
    assert "Requirement intervals met 3 of 3" in words


def test_the_iso_pack_shows_objectives_reports_and_corrective_actions(exercising, runner,
                                                                      tmp_path):
    with clock.frozen(datetime(2027, 1, 15, 9, tzinfo=UTC)):
        result = runner.invoke(args=["evidence", "iso22301", *YEAR,
                                     str(tmp_path / "iso.xlsx")])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "iso.xlsx")
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Exercises held"] == 2
    assert summary["Exercise objectives partly met"] == 1
    assert summary["Lessons identified for us"] == 3
    assert summary["Corrective actions raised"] == 1
    objectives = list(book["2 Exercises against objectives"].iter_rows(min_row=2,
                                                                      values_only=True))
    assert [(r[0], r[4], r[5]) for r in objectives] == [
        ("Cascade test March", "No objectives recorded", None),
        ("Exercise Oak", "Test the rest centre plan", "Partly met")]
    reports = {r[0]: r[3:] for r in book["3 Post-exercise reports"].iter_rows(
        min_row=2, values_only=True)}
    # Hot debrief (a day), cold debrief (42 days), improvement plan (60 days).
    assert reports["Exercise Oak"] == ("Kent Resilience Forum's report", "Held 01/06/2026",
                                       "Overdue since 13/07/2026", "Overdue since 31/07/2026")
    assert reports["Cascade test March"][1] == "Overdue since 11/03/2026"
    assert reports["Care home evacuation"][:2] == ("Its end", "Held 19/08/2026")
    actions = [(r[2], r[3], r[5], r[8]) for r in book["4 Corrective actions"].iter_rows(
        min_row=2, values_only=True)]
    assert ("Medication records did not travel", "Action planned",
            "AH0001: Grab bags for records", "Planned") in actions
    assert ("Out-of-hours numbers were out of date", "Identified", "No action raised",
            None) in actions


def _sheet(path, name) -> list[tuple]:
    return list(load_workbook(path)[name].iter_rows(min_row=2, values_only=True))


def test_the_demo_packs_show_the_partner_led_exercise_and_the_ah_assurance(demo, runner,
                                                                           tmp_path):
    """The demo's pandemic workshop (March 2022) was led by the council's resilience
    service, whose report has not come: the EPRR pack names the partner, the ISO pack owes
    nothing yet. Internal audit sees AH0038's limited and AH0033's absent assurance."""
    for pack, period in (("eprr", ("2022-01-01", "2023-12-31")),
                         ("iso22301", ("2022-01-01", "2023-12-31")),
                         ("audit", ("2021-04-01", "2022-03-31"))):
        result = runner.invoke(args=["evidence", pack, "--from", period[0], "--to", period[1],
                                     str(tmp_path / f"{pack}.xlsx")])
        assert result.exit_code == 0, result.output
    events = {r[0]: r[4] for r in _sheet(tmp_path / "eprr.xlsx", "2 Exercises and incidents")}
    assert events["KCC pandemic exercise"] == "KCC Resilience and Emergency Planning Service"
    reports = {r[0]: r[3:] for r in _sheet(tmp_path / "iso22301.xlsx", "3 Post-exercise reports")}
    assert reports["KCC pandemic exercise"] == ("Awaiting the partner's report", "Not yet due",
                                                "Not yet due", "Not yet due")
    lacking = {(r[0], r[3]) for r in _sheet(tmp_path / "audit.xlsx", "6 Controls lacking assurance")}
    assert {("AH0038", "Limited"), ("AH0033", "No assurance")} <= lacking
