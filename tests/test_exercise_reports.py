"""Exercise reports and the improvement plan, on the demo data: the PDF read back with
pypdf and pdftotext and rendered with pdftoppm, the workbook read back with openpyxl and
LibreOffice, the command line's errors, and the web downloads."""

import csv
import io
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import update

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import Lesson
from riskkit.reports.exercise import render_exercise_report
from riskkit.reports.improvement_plan import ACTION_HEADERS, LESSON_HEADERS, improvement_plan_bytes
from riskkit.services.events import find_event
from riskkit.services.exercise_report import (
    build_improvement_plan,
    build_report,
    event_by_number_or_name,
)
from riskkit.services.lessons import raise_action, save_lesson
from riskkit.services.people import find_person
from riskkit.services.risks import get_risk
from tests.factories import gen_event, gen_lesson, gen_user

GENERATED = date(2024, 1, 15)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def generated_on(monkeypatch):
    """The commands print and judge overdue against the day they run: fix it."""
    monkeypatch.setattr("riskkit.commands.exercise_reports.today", lambda: GENERATED)
    return GENERATED


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _raw(path: Path) -> str:
    """The text in the order it is drawn: each table cell whole, its lines together."""
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _flat(text: str) -> str:
    """Words separated by single spaces, so table columns read as one line."""
    return " ".join(text.split())


def _row(text: str, first: str) -> list[str]:
    """The first lines of the table row starting with `first`, each flattened: a row of
    wrapped cells reads across its first line, then across its second."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip().startswith(first + " "))
    return [_flat(line) for line in lines[start:start + 3]]


def _invoke(runner, *args):
    return runner.invoke(args=["exercises", *args])


def _report(runner, tmp_path, event, name="report.pdf") -> Path:
    path = tmp_path / name
    result = _invoke(runner, "report", event, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {path}: ")
    assert len(result.stdout.strip().splitlines()) == 1
    return path


def _id(name: str) -> int:
    return find_event(name).id


# --- the PDF -----------------------------------------------------------------------


def test_exercise_report_reads_back_with_every_section(demo, runner, tmp_path, generated_on):
    path = _report(runner, tmp_path, "Exercise Lemur")
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert pages >= 2
    assert reader.metadata.title == "Exercise report: Exercise Lemur"
    assert reader.metadata.author == "Example County Council"
    assert reader.metadata.subject.startswith("Tabletop exercise of 16/11/2022")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"

    text = _text(path)
    flat = _flat(text)
    first = _flat(text.split("\f")[0])
    assert first.startswith("Example County Council Exercise report: Exercise Lemur")
    assert f"Page 1 of {pages}" in first and "Generated on 15/01/2024" in first
    for number, heading in enumerate(("Overview", "Objectives and ratings", "Debriefs held", "Strengths",
                                      "Areas for improvement", "Improvement plan",
                                      "Actions raised on risks"), start=1):
        assert f"{number}. {heading}" in flat, heading
    # Overview
    assert "Type Tabletop exercise" in flat and "Lead Wayne Gough" in flat
    assert "Multi-agency Yes" in flat and "Status Closed" in flat
    assert "Plans tested In-house residential services" in flat
    assert "Risks tested AH0011 Business disruption" in flat
    assert "Improvement plan agreed 10/01/2023" in flat
    assert "Prolonged winter power cut across part of Kent" in flat
    # Objectives with their ratings and notes
    assert "partly met, 1 not met" in flat
    assert "Partly met Escalation worked; contact with" in flat
    assert "Not met" in flat
    # Debriefs, strengths and areas for improvement with their themes
    assert "Hot debrief 16/11/2022 KRF exercise team" in flat
    assert "Cold debrief 07/12/2022 Wayne Gough ASCH Directorate Resilience Group" in flat
    assert "S1 Partners' shared picture" in flat
    assert "A1 Once mobile networks failed" in flat
    assert "What did not go well · Lesson L0006" in flat
    assert flat.index("4. Strengths") < flat.index("S1 Partners") < flat.index("5. Areas for improvement") \
        < flat.index("A1 Once mobile") < flat.index("6. Improvement plan")
    # The improvement plan: a lesson's owner, due date and status, and its evidence
    l0006 = _row(text, "L0006")
    assert l0006[0].startswith("L0006 In-house residential Agree fallback")
    assert l0006[0].endswith("Wayne Gough 28/04/2023 Validated")
    assert l0006[1].startswith("High priority") and l0006[1].endswith("Evidence:")
    cells = _flat(_raw(path))
    assert ("L0006 High priority From A1 In-house residential services have no fallback means of"
            " communication when landlines and mobile networks fail in a power outage.") in cells
    assert "Validated Evidence: Service power outage exercise programme (15/05/2023)" in cells
    l0007 = _row(text, "L0007")
    assert l0007[0].endswith("Wayne Gough 28/04/2023 Implemented")
    assert l0007[1].startswith("Medium priority")
    # The actions the lessons raised on risks
    action = _row(text.split("7. Actions raised on risks")[1], "L0006")
    assert action[0] == "L0006 AH0011 Fallback communications for in-house Wayne Gough 28/04/2023 Done"
    assert action[1].startswith("Business disruption")
    last = text.split("\f")[pages - 1]
    assert "Exercise report: Exercise Lemur" in last.splitlines()[0]  # the running header
    assert f"Page {pages} of {pages}" in last

    png = subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path),
                          str(tmp_path / "page")], check=True, capture_output=True)
    assert png.returncode == 0
    picture = next(tmp_path.glob("page-*1.png"))
    with Image.open(picture) as image:
        assert image.size[0] < image.size[1]  # portrait
        grey = image.convert("L")
        histogram = grey.histogram()
    inked = sum(histogram[:128])  # dark pixels: text, rules
    tinted = sum(histogram[128:250])  # shading and the rating tints
    total = sum(histogram)
    assert 0.005 < inked / total < 0.5 and tinted > 0


def test_incident_debrief_report(demo, runner, tmp_path, generated_on):
    path = _report(runner, tmp_path, str(_id("Care home evacuation 2023")))
    assert PdfReader(path).metadata.title == "Incident debrief report: Care home evacuation 2023"
    flat = _flat(_text(path))
    assert "Incident debrief report: Care home evacuation 2023" in flat
    assert "Type Evacuation incident" in flat
    assert "Plans activated In-house residential services" in flat
    assert "Risks concerned AH0011 Business disruption" in flat
    assert "Services affected One in-house residential care home" in flat
    assert "What happened An in-house residential care home was evacuated" in flat
    assert "No objectives were recorded for this incident." in flat
    # Open lessons past their due date on the day the report is made are marked.
    text = _text(path)
    l0010, l0011 = _row(text, "L0010"), _row(text, "L0011")
    assert l0010[0].endswith("Wayne Gough 31/10/2023 Action planned") and l0010[1].endswith("Overdue")
    assert l0011[0].endswith("Wayne Gough 31/10/2023 Identified") and l0011[1].endswith("Overdue")
    assert "2 lessons in the improvement plan, 2 open (2 overdue)" in flat
    action = _row(text.split("7. Actions raised on risks")[1], "L0010")  # the action too
    assert action[0].endswith("31/10/2023 In progress") and action[1].endswith("Overdue")


def test_long_texts_wrap_and_split_across_pages(demo, tmp_path):
    lemur = find_event("Exercise Lemur")
    wayne = find_person("Wayne Gough")
    words = " ".join(f"word{n}" for n in range(1100))  # about 8,000 characters
    # Recorded on the day the report is as of: lessons recorded later would not be in it.
    with clock.frozen(datetime(2024, 1, 15, 9, tzinfo=UTC)):
        long = save_lesson(None, None, event=lemur, statement=f"Start of issue. {words} End of issue.",
                           recommendation="A short recommendation.", owner=wayne, due_date=date(2024, 6, 30))
        for n in range(30):
            lesson = save_lesson(None, None, event=lemur, statement=f"Numbered lesson {n}.",
                                 recommendation="Fix it. " * 20, owner=wayne, due_date=date(2024, 6, 30))
            if n == 0:
                raise_action(lesson, None, risk=get_risk("AH0011"), description=f"Long action. {words} End.",
                             owner=wayne, target_date=date(2024, 5, 31))
        db.session.commit()
    report = build_report(lemur, "Test Council", as_of=date(2024, 1, 15))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_exercise_report(report, generated_on=date(2024, 1, 15)))
    reader = PdfReader(path)
    assert len(reader.pages) >= 5
    flat = _flat(_text(path))
    for marker in ("Start of issue.", "word1099 End of issue.", "Numbered lesson 29.", "Long action.",
                   f"{long.reference}", "Page 5 of"):
        assert marker in flat, marker
    # The improvement plan's header row repeats on the pages it runs on to, and a page
    # that starts inside a lesson says whose it is.
    assert flat.count("Ref Issue Recommendation Owner Due date Status") >= 3
    pages = _raw(path).split("\f")
    going_on = [_flat(p) for p in pages if f"{long.reference}\ncontinued" in p]
    assert len(going_on) >= 2
    assert all(p.split("Ref Issue Recommendation Owner Due date Status ", 1)[1].startswith(
        f"{long.reference} continued word") for p in going_on)
    for page in reader.pages:  # nothing drawn off the page
        assert float(page.mediabox.width) < float(page.mediabox.height)


# --- the workbook --------------------------------------------------------------------


def test_improvement_plan_workbook_reads_back(demo, runner, tmp_path, generated_on):
    path = tmp_path / "plan.xlsx"
    result = _invoke(runner, "improvement-plan", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote {path}: 11 lessons and 5 actions"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Improvement plan", "Actions"]
    assert book.properties.title == "Improvement plan: all exercises and incidents"
    plan, actions = book["Improvement plan"], book["Actions"]
    assert tuple(c.value for c in plan[1]) == LESSON_HEADERS == (
        "Lesson", "Event", "Event date", "Themes", "Issue", "Recommendation", "Owner", "Due date",
        "Priority", "Status", "Actions", "Evidence event")
    assert tuple(c.value for c in actions[1]) == ACTION_HEADERS
    for ws in (plan, actions):
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(c.alignment.wrap_text for c in ws[2])
    assert plan.column_dimensions["E"].width >= 40  # the issue has room
    rows = {row[0].value: row for row in plan.iter_rows(min_row=2)}
    assert list(rows) == [f"L{n:04d}" for n in range(1, 12)]  # oldest event first
    values = {h: c.value for h, c in zip(LESSON_HEADERS, rows["L0006"], strict=True)}
    assert values["Event"] == "Exercise Lemur" and values["Event date"] == datetime(2022, 11, 16)
    assert values["Themes"] == "Communications; Power and utilities"
    assert values["Issue"].startswith("In-house residential services have no fallback")
    assert values["Owner"] == "Wayne Gough" and values["Due date"] == datetime(2023, 4, 28)
    assert (values["Priority"], values["Status"]) == ("High", "Validated")
    assert values["Actions"].startswith("AH0011: Fallback communications")
    assert values["Evidence event"] == "Service power outage exercise programme (15/05/2023)"
    due = rows["L0006"][LESSON_HEADERS.index("Due date")]
    assert due.is_date and due.number_format == "dd/mm/yyyy"
    assert rows["L0011"][LESSON_HEADERS.index("Status")].value == "Identified"
    assert rows["L0011"][LESSON_HEADERS.index("Actions")].value is None
    listed = [tuple(c.value for c in row) for row in actions.iter_rows(min_row=2)]
    # An action answering two lessons is listed once, naming both.
    shared = [row for row in listed if row[0] == "L0002, L0003"]
    assert len(shared) == 1 and shared[0][1] == "AH0011"
    assert ("L0010", "AH0011") in [row[:2] for row in listed]
    target = actions.cell(2, ACTION_HEADERS.index("Target date") + 1)
    assert target.is_date and target.number_format == "dd/mm/yyyy"


def test_one_event_and_open_lessons_only(demo, runner, tmp_path, generated_on):
    path = tmp_path / "care.xlsx"
    result = _invoke(runner, "improvement-plan", str(path), "--event", "Care home evacuation 2023")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("2 lessons and 1 action for Care home evacuation 2023")
    book = openpyxl.load_workbook(path)
    assert [r[0] for r in book["Improvement plan"].iter_rows(min_row=2, values_only=True)] == ["L0010", "L0011"]
    assert book.properties.title == "Improvement plan: Care home evacuation 2023"

    _invoke(runner, "improvement-plan", str(path), "--open-only", "--event", str(_id("Exercise Lemur")))
    book = openpyxl.load_workbook(path)
    assert book["Improvement plan"].max_row == 1  # Lemur's lessons are validated and implemented
    assert book["Actions"].max_row == 1
    _invoke(runner, "improvement-plan", str(path), "--open-only")
    book = openpyxl.load_workbook(path)
    statuses = {r[9] for r in book["Improvement plan"].iter_rows(min_row=2, values_only=True)}
    assert statuses == {"Identified", "Action planned", "In progress"}


def test_text_that_looks_like_a_formula_stays_text(demo):
    lemur = find_event("Exercise Lemur")
    with clock.frozen(datetime(2021, 10, 1, 9, tzinfo=UTC)):  # recorded on the report's day
        lesson = save_lesson(None, None, event=lemur, statement="=HYPERLINK(\"http://evil.example\")",
                             recommendation="tabbed", owner=find_person("Wayne Gough"), due_date=None)
        db.session.commit()
    # A control character is refused on entry now; one kept from before still must not
    # break the workbook.
    db.session.execute(update(Lesson).where(Lesson.id == lesson.id).values(
        recommendation="tab\x0bbed"))
    db.session.commit()
    data = improvement_plan_bytes(build_improvement_plan(lemur, as_of=GENERATED))
    ws = openpyxl.load_workbook(io.BytesIO(data))["Improvement plan"]
    last = ws[ws.max_row]
    assert last[4].data_type == "s" and last[4].value.startswith("=HYPERLINK")
    assert last[5].value == "tabbed" and last[7].value is None


@pytest.fixture
def soffice():
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        message = ("LibreOffice (soffice) is not installed: the workbook is checked against it."
                   " Install it with apt-get install --no-install-recommends libreoffice-calc")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_libreoffice_opens_the_workbook(demo, runner, tmp_path, soffice, generated_on):
    path = tmp_path / "plan.xlsx"
    assert _invoke(runner, "improvement-plan", str(path)).exit_code == 0
    out = tmp_path / "converted"
    # Its own profile, so a LibreOffice already running cannot get in the way; 76 is UTF-8.
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=120,
    )
    rows = list(csv.reader(io.StringIO((out / "plan.csv").read_text("utf-8"))))
    assert rows[0] == list(LESSON_HEADERS)
    assert len(rows) == 12
    lemur = next(r for r in rows if r[0] == "L0006")
    assert lemur[1] == "Exercise Lemur" and lemur[2] == "16/11/2022"  # a date, shown as formatted
    assert lemur[7] == "28/04/2023" and lemur[9] == "Validated"


# --- the command line ----------------------------------------------------------------


def test_event_by_number_or_name(demo):
    lemur = find_event("Exercise Lemur")
    assert event_by_number_or_name(str(lemur.id)) is lemur
    assert event_by_number_or_name(" Exercise Lemur ") is lemur


@pytest.mark.parametrize("command", ["report", "improvement-plan"])
def test_unknown_event_exits_1_with_one_line_and_writes_nothing(demo, runner, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    for spec in ("Exercise Nonesuch", "999"):
        if command == "report":
            result = _invoke(runner, "report", spec, str(out / "x.pdf"))
        else:
            result = _invoke(runner, "improvement-plan", str(out / "x.xlsx"), "--event", spec)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"Error: No exercise or incident numbered or called {spec!r}: `riskkit exercises list` lists them"]
        assert result.stdout == ""
    assert list(out.iterdir()) == []


def test_wrong_file_names_and_unwritable_paths_exit_1(demo, runner, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    wrong = _invoke(runner, "report", "Exercise Lemur", str(out / "lemur.xlsx"))
    assert wrong.exit_code == 1 and "must end in .pdf" in wrong.stderr
    wrong = _invoke(runner, "improvement-plan", str(out / "plan.pdf"))
    assert wrong.exit_code == 1 and "must end in .xlsx" in wrong.stderr
    missing = out / "no such folder" / "lemur.pdf"
    unwritable = _invoke(runner, "report", "Exercise Lemur", str(missing))
    assert unwritable.exit_code == 1
    assert unwritable.stderr.startswith(f"Error: Cannot write {missing}:")
    assert len(unwritable.stderr.strip().splitlines()) == 1
    assert list(out.iterdir()) == []


# --- the web -------------------------------------------------------------------------


def _lemur_and_care_home():
    """Exercise Lemur, and the incident Care home evacuation 2023 with two lessons."""
    lemur = gen_event("Exercise Lemur", start_date=date(2022, 11, 16))
    care = gen_event("Care home evacuation 2023", kind="incident", event_type="evacuation",
                     start_date=date(2023, 7, 19))
    for statement in ("Families were told late", "Medication records stayed behind"):
        gen_lesson(care, statement=statement, owner=gen_user(f"Owner of {statement}"))
    return lemur, care


def test_web_report_download_for_a_viewer(login):
    lemur, care = _lemur_and_care_home()
    client = login(gen_user("Val Viewer", "viewer"))
    response = client.get(f"/exercises/{lemur.id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=exercise-report-exercise-lemur.pdf"
    assert response.data.startswith(b"%PDF")
    assert PdfReader(io.BytesIO(response.data)).metadata.title == "Exercise report: Exercise Lemur"
    incident = client.get(f"/exercises/{care.id}/report.pdf")
    assert incident.headers["Content-Disposition"] == (
        "attachment; filename=incident-debrief-report-care-home-evacuation-2023.pdf")
    assert client.get("/exercises/999/report.pdf").status_code == 404


def test_web_improvement_plan_download_for_a_viewer(login):
    lemur, care = _lemur_and_care_home()
    gen_lesson(lemur, statement="The call tree was stale", owner=gen_user("Wayne Gough", "resilience"))
    client = login(gen_user("Val Viewer", "viewer"))
    response = client.get("/improvement-plan.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"].startswith("attachment; filename=improvement-plan-all-")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book["Improvement plan"].max_row == 4  # a heading and three lessons
    one = client.get(f"/improvement-plan.xlsx?event={care.id}&open=1")
    assert one.status_code == 200
    assert "improvement-plan-care-home-evacuation-2023-" in one.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(one.data))
    assert [r[0] for r in book["Improvement plan"].iter_rows(min_row=2, values_only=True)] == [
        lesson.reference for lesson in care.lessons]
    assert client.get("/improvement-plan.xlsx?event=999").status_code == 404
    bad = client.get("/improvement-plan.xlsx?event=lemur")
    assert bad.status_code == 400 and "not an exercise or incident number" in bad.get_data(as_text=True)


def test_web_downloads_as_of_a_day_show_the_lessons_recorded_by_then(login):
    """?as_of= gives the lessons as they stood at the end of that day, as --as-of does."""
    with clock.frozen(datetime(2023, 7, 20, 9, tzinfo=UTC)):
        lemur, care = _lemur_and_care_home()
    with clock.frozen(datetime(2023, 9, 1, 9, tzinfo=UTC)):
        gen_lesson(care, statement="Transport arrived late", owner=gen_user("Tess Transport"))
    client = login(gen_user("Val Viewer", "viewer"))
    before = client.get("/improvement-plan.xlsx?as_of=2023-08-01")
    rows = list(openpyxl.load_workbook(io.BytesIO(before.data))["Improvement plan"].iter_rows(
        min_row=2, values_only=True))
    assert len(rows) == 2 and "Transport arrived late" not in str(rows)
    after = client.get(f"/exercises/{care.id}/report.html?as_of=2023-09-30").get_data(as_text=True)
    assert "Transport arrived late" in after
    earlier = client.get(f"/exercises/{care.id}/report.html?as_of=2023-08-01").get_data(as_text=True)
    assert "Transport arrived late" not in earlier and "Families were told late" in earlier
    bad = client.get(f"/exercises/{care.id}/report.pdf?as_of=yesterday")
    assert bad.status_code == 400 and "is not a date" in bad.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/exercises/1/report.pdf", "/improvement-plan.xlsx"])
def test_web_downloads_need_sign_in(login, url):
    gen_event("Exercise Lemur")
    response = login(None).get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_lesson_lists_the_actions_linked_to_it_by_the_as_of_day(app):
    """An existing action linked to a lesson later is not in an earlier improvement plan."""
    from riskkit.services.lessons import link_action
    from tests.factories import gen_action, gen_risk

    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):
        action = gen_action(gen_risk(title="Linked later"), description="Buy a second generator")
        lesson = gen_lesson(statement="The generator failed")
    with clock.frozen(datetime(2026, 2, 1, 9, tzinfo=UTC)):
        link_action(lesson, None, action)
        db.session.commit()
    before = build_improvement_plan(lesson.event, as_of=date(2026, 1, 31))
    after = build_improvement_plan(lesson.event, as_of=date(2026, 2, 1))
    assert [a.description for a in before.actions] == []
    assert [(a.description, a.lesson) for a in after.actions] == [("Buy a second generator", lesson.reference)]
