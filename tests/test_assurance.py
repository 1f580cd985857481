"""Control assurance by the three lines: recorded on the control's page, by the command
line and from a workbook; exercises and incidents that tested a control count; the risk
page, the appendix and the review page show it; the DMT's list and `controls unassured`
name the controls lacking it."""

import html
import json
import subprocess
from datetime import date, timedelta

import openpyxl
from sqlalchemy import func, select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import ControlAssurance, HistoryEntry
from riskkit.services import events
from tests.factories import (
    gen_assurance,
    gen_control,
    gen_event,
    gen_person,
    gen_register,
    gen_risk,
    gen_user,
)
from tests.test_web_permissions import day
from tests.web_helpers import error_messages


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(ControlAssurance.id)))


def _risk_with_control(owner=None):
    owner = owner or gen_user("Rita Owner")
    risk = gen_risk(gen_register("AH"), owner, title="Care market failure")
    return risk, gen_control(risk, "Provider failure protocol")


def _form(**changes):
    form = {"version": "", "line": "3", "source": "audit_report", "reference": "IA 2026/14",
            "assured_on": day(clock.today() - timedelta(days=10)), "opinion": "reasonable",
            "next_due": day(clock.today() + timedelta(days=355))}
    return form | changes


def test_the_risk_owner_records_an_audit_opinion_on_the_control_page(login):
    risk, control = _risk_with_control()
    client = login(risk.owner)
    url = f"/risks/{risk.reference}/controls/{control.id}/assurance"
    assert client.get(url).status_code == 200
    response = client.post(url, data=_form())
    assert response.status_code == 302
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert "Reasonable" in page and "3rd line: internal audit or external" in page
    assert "IA 2026/14" in page
    changed = db.session.scalars(select(HistoryEntry.field).where(
        HistoryEntry.entity == "assurance", HistoryEntry.risk_id == risk.id)).all()
    assert {"opinion", "line", "source", "assured_on"} <= set(changed)
    history = client.get(f"/risks/{risk.reference}/history").get_data(as_text=True)
    assert "Added control assurance: Reasonable" in history


def test_riskkit_risk_prints_the_assurance_behind_each_control(runner):
    risk, control = _risk_with_control()
    gen_assurance(control, opinion="limited", assured_on=date(2026, 1, 20),
                  next_due=date(2026, 7, 31))
    text = runner.invoke(args=["risk", risk.reference]).output
    assert ("assurance 2026-01-20: Limited, line 3, audit report IA 2026/14;"
            " next due 2026-07-31") in text
    data = json.loads(runner.invoke(args=["risk", risk.reference, "--format", "json"]).output)
    assert data["controls"][0]["assurance"][0]["opinion"] == "limited"


def test_an_opinion_off_the_list_is_refused_naming_the_field(login):
    risk, control = _risk_with_control()
    response = login(risk.owner).post(
        f"/risks/{risk.reference}/controls/{control.id}/assurance", data=_form(opinion="good"))
    assert response.status_code == 400
    assert any("Opinion must be one of substantial, reasonable, limited or no assurance" in m
               for m in error_messages(response))
    assert _count() == 0


def test_a_stale_correction_is_a_conflict(login):
    risk, control = _risk_with_control()
    entry = gen_assurance(control)
    url = f"/risks/{risk.reference}/controls/{control.id}/assurance/{entry.id}"
    client, read = login(risk.owner), entry.version  # both opened the form at this version
    assert client.post(url, data=_form(version=read, opinion="limited")).status_code == 302
    stale = client.post(url, data=_form(version=read, opinion="substantial"))
    assert stale.status_code == 409
    db.session.rollback()
    assert db.session.get(ControlAssurance, entry.id).opinion == "limited"


def test_someone_else_may_not_record_assurance(login):
    risk, control = _risk_with_control()
    other = gen_user("Olly Other")
    response = login(other).post(f"/risks/{risk.reference}/controls/{control.id}/assurance",
                                 data=_form())
    assert response.status_code == 403
    assert _count() == 0


def test_an_exercise_that_tested_a_control_counts_as_second_line_assurance(login):
    risk, control = _risk_with_control()
    held = clock.today() - timedelta(days=20)
    event = gen_event("Exercise Cedar", risks=[risk], controls=[control], start_date=held)
    events.set_status(event, None, "held", as_of=held)
    events.record_outcome(event, None, ratings={}, control_results={
        control.id: "partly_effective"}, as_of=held)
    db.session.commit()
    page = login(risk.owner).get(f"/risks/{risk.reference}").get_data(as_text=True)
    cell = page.split('class="govuk-table__cell rk-assurance"', 1)[1].split("</td>", 1)[0]
    assert "Limited" in cell and "2nd line: oversight functions" in cell
    assert "Exercise Cedar" in cell
    assert _count() == 0  # read from the event, not copied


def test_the_command_line_records_an_opinion_and_refuses_a_bad_one(runner):
    risk, control = _risk_with_control()
    result = runner.invoke(args=["controls", "assure", str(control.id), "--line", "3",
                                 "--opinion", "No assurance", "--date", "2026-03-02",
                                 "--reference", "IA 2026/14"])
    assert result.exit_code == 0, result.output
    assert "no assurance" in result.output
    bad = runner.invoke(args=["controls", "assure", str(control.id), "--line", "3",
                              "--opinion", "fine", "--date", "2026-03-02"])
    assert bad.exit_code == 1
    assert "Opinion must be one of" in bad.stderr
    bad_line = runner.invoke(args=["controls", "assure", str(control.id), "--line", "4",
                                   "--opinion", "limited", "--date", "2026-03-02"])
    assert "Line must be 1, 2 or 3" in bad_line.stderr
    assert _count() == 1


def test_unassured_lists_weak_opinions_and_controls_without_recent_assurance(runner):
    owner = gen_person("Rita Owner")
    risk = gen_risk(gen_register("AH"), owner)
    weak = gen_control(risk, "Weak control")
    stale = gen_control(risk, "Stale control")
    fine = gen_control(risk, "Fine control")
    gen_control(risk, "Never assured")
    gen_assurance(weak, opinion="limited", assured_on=date(2026, 5, 1))
    gen_assurance(stale, opinion="substantial", assured_on=date(2024, 5, 1))
    gen_assurance(fine, opinion="reasonable", assured_on=date(2026, 5, 1))
    result = runner.invoke(args=["controls", "unassured", "--as-of", "2026-06-01",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {row["control"]: row["reason"] for row in json.loads(result.output)}
    assert set(listed) == {"Weak control", "Stale control", "Never assured"}
    assert listed["Weak control"].startswith("Limited assurance")
    assert "last 01/05/2024" in listed["Stale control"]
    assert "never assured" in listed["Never assured"]
    shorter = runner.invoke(args=["controls", "unassured", "--as-of", "2026-06-01",
                                  "--months", "60", "--format", "json"])
    assert "Stale control" not in shorter.output


def test_the_dmt_page_and_the_review_prompt_name_controls_lacking_assurance(login):
    risk, control = _risk_with_control()
    gen_assurance(control, opinion="no_assurance", assured_on=clock.today() - timedelta(days=5))
    manager = gen_user("Mo Manager", role="manager")
    client = login(manager)
    page = client.get("/assurance").get_data(as_text=True)
    assert "Provider failure protocol" in page and "No assurance (audit report" in page
    review = client.get(f"/risks/{risk.reference}/review").get_data(as_text=True)
    assert 'id="assurance-prompt"' in review and "Provider failure protocol" in review


def _workbook(tmp_path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Risk", "Control", "Line", "Source", "Reference", "Date", "Opinion", "Next due"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "audit.xlsx"
    book.save(path)
    return path


def test_an_audit_workbook_imports_all_or_nothing(runner, tmp_path):
    risk, control = _risk_with_control()
    second = gen_control(risk, "Market position statement")
    bad = _workbook(tmp_path, [
        [risk.reference, "provider failure protocol", 3, "Audit report", "IA 2026/14",
         "02/03/2026", "Reasonable", "02/03/2027"],
        [risk.reference, "No such control", 3, "", "", "02/03/2026", "Limited", ""],
        [risk.reference, str(second.id), 3, "", "", "02/03/2026", "Adequate", ""],
    ])
    result = runner.invoke(args=["controls", "import-assurance", str(bad)])
    assert result.exit_code == 1
    assert "Row 3, column Control" in result.stderr
    assert "Row 4, column Opinion" in result.stderr
    assert _count() == 0
    good = _workbook(tmp_path, [
        [risk.reference, "provider failure protocol", 3, "Audit report", "IA 2026/14",
         "02/03/2026", "Reasonable", "02/03/2027"],
        [risk.reference, str(second.id), "2", "review", "", "02/03/2026", "limited", ""],
    ])
    result = runner.invoke(args=["controls", "import-assurance", str(good)])
    assert result.exit_code == 0, result.stderr
    assert "Recorded 2 assurance opinion(s)" in result.output
    assert _count() == 2


def test_the_appendix_prints_the_assurance_behind_each_control(runner, tmp_path):
    risk, control = _risk_with_control()
    second = gen_control(risk, "Market position statement")
    gen_assurance(control, opinion="substantial", assured_on=date(2026, 1, 20))
    out = tmp_path / "appendix.pdf"
    result = runner.invoke(args=["report", "appendix", str(out), "--format", "both"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "appendix.html").read_text()
    assert ("Provider failure protocol (Assurance: Substantial, 3rd line, audit report"
            " IA 2026/14, 20/01/2026.)") in html
    assert f"{second.description} (Assurance: none recorded.)" in html
    words = " ".join(subprocess.run(["pdftotext", str(out), "-"], check=True,
                                    capture_output=True, text=True).stdout.split())
    assert "Assurance: Substantial, 3rd line, audit report IA 2026/14, 20/01/2026" in words


def test_the_dmt_page_lists_its_controls_a_page_at_a_time(login, monkeypatch):
    monkeypatch.setattr("riskkit.web.assurance.PER_PAGE", 2)
    risk = gen_risk(gen_register("AH"), gen_person("Rita Owner"))
    for words in ("First control", "Second control", "Third control"):
        gen_control(risk, words)
    client = login(gen_user("Val Viewer", role="viewer"))
    first = client.get("/assurance?register=AH").get_data(as_text=True)
    assert "3 controls as of" in first and "Third control" not in first
    second = client.get("/assurance?register=AH&page=2").get_data(as_text=True)
    assert "Third control" in second and "First control" not in second


def _upload(client, path, name=None):
    import io

    return client.post("/assurance/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(path.read_bytes()), name or path.name)})


def test_an_audit_workbook_is_uploaded_on_the_web_all_or_nothing(login, tmp_path):
    risk, control = _risk_with_control()
    second = gen_control(risk, "Market position statement")
    client = login(gen_user("Mo Manager", "manager"))
    assert 'href="/assurance/import"' in client.get("/assurance").get_data(as_text=True)
    page = client.get("/assurance/import").get_data(as_text=True)
    assert 'class="govuk-file-upload"' in page and 'enctype="multipart/form-data"' in page
    bad = _workbook(tmp_path, [
        [risk.reference, "provider failure protocol", 3, "Audit report", "IA 2026/14",
         "02/03/2026", "Reasonable", "02/03/2027"],
        [risk.reference, "No such control", 3, "", "", "02/03/2026", "Limited", ""],
        [risk.reference, str(second.id), 3, "", "", "02/03/2026", "Adequate", ""],
    ])
    response = _upload(client, bad)
    assert response.status_code == 400
    problems = [html.unescape(p) for p in error_messages(response)]
    assert problems[0] == "2 problems in audit.xlsx: nothing was recorded"
    assert problems[1].startswith(f"Row 3, column Control: {risk.reference} has no control 'No such control'")
    assert problems[2].startswith("Row 4, column Opinion:")
    assert _count() == 0
    good = _workbook(tmp_path, [
        [risk.reference, "provider failure protocol", 3, "Audit report", "IA 2026/14",
         "02/03/2026", "Reasonable", "02/03/2027"],
        [risk.reference, str(second.id), "2", "review", "", "02/03/2026", "limited", ""],
    ])
    response = _upload(client, good)
    assert response.status_code == 302 and response.location == "/assurance"
    assert "Recorded 2 assurance opinions from audit.xlsx." in client.get("/assurance").get_data(as_text=True)
    assert _count() == 2


def test_an_owner_uploads_opinions_only_on_their_own_controls(login, tmp_path):
    risk, control = _risk_with_control()
    theirs = gen_risk(risk.register, gen_user("Oscar Other"), title="Day centre closures")
    other = gen_control(theirs, "Transport contract")
    client = login(risk.owner)
    mixed = _workbook(tmp_path, [
        [risk.reference, str(control.id), 3, "", "", "02/03/2026", "Reasonable", ""],
        [theirs.reference, str(other.id), 3, "", "", "02/03/2026", "Reasonable", ""],
    ])
    response = _upload(client, mixed)
    assert response.status_code == 400
    assert [html.unescape(p) for p in error_messages(response)[1:]] == [
        "Row 3, column Control: you may not record assurance on this control (its owner, its"
        " risk's owner or a manager may)"]
    assert _count() == 0
    viewer = login(gen_user("Val Viewer", "viewer"))
    assert viewer.get("/assurance/import").status_code == 403
    assert 'href="/assurance/import"' not in viewer.get("/assurance").get_data(as_text=True)


def test_a_missing_or_wrong_file_is_named_beside_the_field(login, tmp_path):
    client = login(gen_user("Mo Manager", "manager"))
    response = client.post("/assurance/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert error_messages(response) == ["Choose the workbook of opinions to upload"]
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF")
    response = _upload(client, notes)
    assert response.status_code == 400
    assert error_messages(response) == ["notes.pdf is not a spreadsheet riskkit reads: save it as an"
                                        " Excel workbook (.xlsx) or a CSV file (.csv)"]
