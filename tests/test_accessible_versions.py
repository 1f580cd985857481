"""The accessible HTML version of each committee document, read back: its structure
(language, title, headings in order, captioned tables with header cells, the heat map
cell by cell) and its words against the PDF made from the same data, so that the two
cannot drift. From the command line, and downloaded from the web. (Chromium and axe
check them in tests/browser/test_accessible_versions.py.)"""

import io
from collections import Counter
from datetime import UTC, date, datetime

import openpyxl
import pytest

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import Event
from riskkit.reports.heatmap import page, to_pdf
from riskkit.reports.html import heat_map_html
from riskkit.services.appendix import build_appendix
from riskkit.services.heatmaps import build_report
from riskkit.services.lifecycle import set_status
from riskkit.services.registers import get_register
from riskkit.services.risks import get_risk, update_risk
from tests.factories import gen_person, gen_register, gen_risk
from tests.html_reading import assert_accessible_structure, missing_from_html, pdf_text, pdf_words, read, words
from tests.test_heatmap import words_with_boxes
from tests.web_helpers import sign_in

GENERATED = date(2021, 10, 1)
APPENDIX = ["--register", "AH", "--as-of", "2021-09-29", "--since", "2021-06-29"]


@pytest.fixture(autouse=True)
def generated_on(monkeypatch):
    for module in ("report", "exercise_reports", "heatmap"):
        monkeypatch.setattr(f"riskkit.commands.{module}.today", lambda: GENERATED)


def _run(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


# --- the register appendix -------------------------------------------------------------


def test_appendix_html_says_what_the_pdf_says(demo, runner, tmp_path):
    result = _run(runner, "report", "appendix", str(tmp_path / "q3.pdf"), *APPENDIX, "--format", "both")
    assert result.stdout.strip() == f"Wrote {tmp_path / 'q3.pdf'} and {tmp_path / 'q3.html'}: 6 risks on AH"
    document = read((tmp_path / "q3.html").read_bytes())
    assert_accessible_structure(document, "Risk Register – Adult Social Care and Health")
    assert missing_from_html(tmp_path / "q3.pdf", document) == Counter()

    headings = [text for _, text in document.headings]
    assert headings[1:4] == ["Risk Register – Adult Social Care and Health", "Current Risk Level Summary",
                             "Current Risk Level Changes since 29/06/2021"]
    # Each risk under its own heading, highest score first, as the PDF prints them.
    risks = [text.split()[0] for level, text in document.headings if level == 3 and text[:2] == "AH"]
    assert risks == ["AH0005", "AH0033", "AH0011", "AH0035", "AH0037", "AH0038"]
    assert [(level, text) for level, text in document.headings
            if level == 4][:5] == [(4, "Cause"), (4, "Consequence"), (4, "Risk Rating"),
                                   (4, "Controls and Actions"), (4, "Review Comments")]
    tables = {table.caption: table for table in document.tables}
    assert tables["Controls and actions of AH0005"].column_headers == [
        "Control / Action", "Owner", "Type", "Target Date"]
    assert tables["Review comments on AH0005, newest first"].rows[1][2].text.startswith(
        "Reviewed at DMT 07/07, agreed increase to likelihood")
    rating = tables["Risk rating of AH0005"].rows
    assert [(row[0].text, row[1].text) for row in rating][:3] == [
        ("Current Risk", "High 20 Serious (4) Very Likely (5) (increased since the last review)"),
        ("Previous Current Risk", "High 16 Serious (4) Likely (4)"),
        ("Target Risk", "Medium 12 Serious (4) Possible (3)")]

    # The heat map: a row per likelihood, highest first; each cell's count in words,
    # the same as the service's.
    heat_map = tables["Heat map of current risk on AH Adult Social Care and Health: the number of live"
                      " risks in each cell, and their rating (Council 5 x 5 matrix). An empty cell is left"
                      " blank."]
    assert heat_map.column_headers[1:] == ["Minor (1)", "Moderate (2)", "Significant (3)", "Serious (4)",
                                           "Major (5)"]
    assert [row[0].text for row in heat_map.rows[1:]] == [
        "Very Likely (5)", "Likely (4)", "Possible (3)", "Unlikely (2)", "Very Unlikely (1)"]
    cells = {(int(c.attrs["data-likelihood"]), int(c.attrs["data-impact"])): c.text
             for row in heat_map.rows for c in row if c.tag == "td"}
    expected = build_appendix(["AH"], date(2021, 9, 29), date(2021, 6, 29), "x").sections[0].heat_map
    assert len(cells) == 25
    for cell in expected.cells:
        words = cells[(cell.likelihood, cell.impact)]
        count = f"{cell.count} risk{'s' if cell.count != 1 else ''}" if cell.count else "No risks"
        assert words == f"{count} {cell.band.name} ({cell.band.colour_name}), score {cell.score}"
    assert cells[(5, 4)] == "2 risks High (Red), score 20"
    assert "Likelihood Very Likely (5), impact Serious (4): 2 risks, rated High (Red), score 20." in document.text
    assert "Green 0 Amber 4 Red 2 Total 6" in document.text


def test_public_html_withholds_what_the_public_pdf_withholds(demo, runner, tmp_path):
    risk = get_risk("AH0033")
    cause = risk.cause
    with clock.frozen(datetime(2021, 9, 20, 10, tzinfo=UTC)):  # exempt before the as-of day
        update_risk(risk, {"exempt": True}, None)
        db.session.commit()
    _run(runner, "report", "appendix", str(tmp_path / "part-a.pdf"), *APPENDIX, "--public", "--format", "both")
    public = read((tmp_path / "part-a.html").read_bytes())
    assert missing_from_html(tmp_path / "part-a.pdf", public) == Counter()
    assert "Public version" in public.text
    assert (3, "AH0033 Exempt") in public.headings
    assert "Adult Social Care Workforce" not in public.text and cause[:60] not in public.text
    assert "Kerena Hunter" not in public.text
    assert "Green 0 Amber 4 Red 2 Total 6" in public.text  # still counted

    _run(runner, "report", "appendix", str(tmp_path / "part-b.html"), *APPENDIX, "--format", "html")
    full = read((tmp_path / "part-b.html").read_bytes())
    assert "Contains exempt information: not for publication" in full.text
    assert ("Exempt information under paragraph 3 of Part 1 of Schedule 12A to the Local Government Act"
            " 1972: not for publication. This risk is listed by reference only") in full.text
    assert cause.split()[0] in full.text and "Kerena Hunter" in full.text


def test_changes_html_lists_the_changes_the_pdf_lists(app, runner, tmp_path):
    register, manager = gen_register("CHG"), gen_person("Cleo Manager", role="manager")
    with clock.frozen(datetime(2021, 1, 4, 9, tzinfo=UTC)):
        gone = gen_risk(register=register, owner=manager, as_of=date(2021, 1, 4),
                        title="Depot lease ends")
    # Added and closed within the quarter reported on.
    with clock.frozen(datetime(2021, 9, 10, 9, tzinfo=UTC)):
        added = gen_risk(register=register, owner=manager, likelihood=2, impact=2,
                         title="Winter fuel supply")
    with clock.frozen(datetime(2021, 9, 15, 10, tzinfo=UTC)):
        set_status(gone, "closed", manager, reason="Lease renewed for ten years")
    db.session.commit()
    args = ["--register", "CHG", "--as-of", "2021-09-29", "--since", "2021-08-20"]
    _run(runner, "report", "appendix", str(tmp_path / "appendix.pdf"), *args)
    result = _run(runner, "report", "changes", str(tmp_path / "changes.html"), *args)
    assert result.stdout.strip() == (f"Wrote {tmp_path / 'changes.html'}: 2 risks from 20/08/2021"
                                     " to 29/09/2021")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".html")) == [
        "appendix.pdf", "changes.html"]
    document = read((tmp_path / "changes.html").read_bytes())
    assert_accessible_structure(document, "Current Risk Level Changes since 20/08/2021")
    (table,) = document.tables
    assert table.column_headers == ["Risk Ref", "Risk Title", "Change", "Previous", "Current"]
    rows = [[cell.text for cell in row] for row in table.rows[1:]]
    assert [row[:4] for row in rows] == [
        [added.reference, "Winter fuel supply", "New 10/09/2021", "–"],
        [gone.reference, "Depot lease ends Reason: Lease renewed for ten years", "Closed 15/09/2021",
         "Medium 12"]]
    assert rows[0][4].startswith("Low 4") and rows[1][4] == "Closed"
    # Every word of the PDF's changes table, at the foot of its summary page, is in the HTML.
    printed = pdf_text(tmp_path / "appendix.pdf").split("\f")[0].split("Current Risk Level Changes since")[1]
    assert pdf_words(printed) - words(document.text) == Counter()


# --- the heat map ----------------------------------------------------------------------


def test_heat_map_html_cells_count_what_the_pdf_cells_count(demo, tmp_path):
    report = build_report(get_register("AH"), "both", None, date(2021, 9, 29), GENERATED, "Example County Council")
    pdf = tmp_path / "heat.pdf"
    pdf.write_bytes(to_pdf(report))
    document = read(heat_map_html(report))
    assert_accessible_structure(document, "Risk heat map: Adult Social Care and Health (AH)")
    assert missing_from_html(pdf, document) == Counter()
    assert [text for level, text in document.headings if level == 2] == ["Current risk", "Target risk", "Key"]

    words = words_with_boxes(pdf)
    for which, table in zip(("current", "target"), document.tables[:2], strict=True):
        assert table.caption.startswith(("Current" if which == "current" else "Target") + " risk: ")
        for cell in (c for row in table.rows for c in row if c.tag == "td"):
            x0, y0, x1, y1 = page(report).cells[(which, int(cell.attrs["data-likelihood"]),
                                                 int(cell.attrs["data-impact"]))]
            inside = " ".join(w for w, a, b, c, d in words if x0 <= a and c <= x1 and y0 <= b and d <= y1)
            count = int(cell.attrs["data-count"])
            # The PDF cell: "High 20 2 risks AH0005 AH0033"; the HTML one says the same.
            if count:
                assert f"{count} risk{'s' if count != 1 else ''}" in inside
                assert cell.text.startswith(f"{count} risk")
                assert all(reference in cell.text for reference in inside.split() if reference[:2] == "AH")
            else:
                assert " risk" not in inside and cell.text.startswith("No risks")
    assert "Likelihood Likely (4), impact Significant (3): 3 risks, rated Medium (Amber), score 12:" \
           " AH0011, AH0035, AH0037." in document.text


def test_a_crowded_heat_map_cell_lists_every_reference_in_html(app, tmp_path):
    register = gen_register("CRD")
    owner = gen_person("Crowded Owner")
    references = [gen_risk(register=register, owner=owner, likelihood=4, impact=4).reference for _ in range(30)]
    db.session.commit()
    report = build_report(register, "current", None, clock.today(), clock.today(), "Test Council")
    document = read(heat_map_html(report))
    (cell,) = [c for row in document.tables[0].rows for c in row if c.attrs.get("data-count") == "30"]
    assert cell.text.endswith(", ".join(sorted(references)))  # where a PDF cell may run out of room


# --- the exercise report and the improvement plan --------------------------------------


def test_exercise_report_html_says_what_the_pdf_says(demo, runner, tmp_path):
    result = _run(runner, "exercises", "report", "Exercise Lemur", str(tmp_path / "lemur.pdf"), "--format", "both")
    assert result.stdout.startswith(f"Wrote {tmp_path / 'lemur.pdf'} and {tmp_path / 'lemur.html'}:")
    document = read((tmp_path / "lemur.html").read_bytes())
    assert_accessible_structure(document, "Exercise report: Exercise Lemur")
    assert missing_from_html(tmp_path / "lemur.pdf", document) == Counter()
    assert [text for level, text in document.headings if level == 2] == [
        "1. Overview", "2. Objectives and ratings", "3. Debriefs held", "4. Strengths",
        "5. Areas for improvement", "6. Improvement plan", "7. Actions raised on risks"]
    tables = {table.caption: table for table in document.tables}
    assert tables["Objectives and their ratings"].column_headers == ["No.", "Objective", "Rating", "Notes"]
    assert tables["Improvement plan: the lessons of this exercise"].column_headers == [
        "Ref", "Issue", "Recommendation", "Owner", "Due date", "Status"]
    assert document.text.split(" 1. Overview")[0].endswith(
        "Tabletop exercise, 16/11/2022. Status: closed. 2 objectives: 1 partly met, 1 not met. 3 observations"
        " from 2 debriefs: 1 strength, 2 areas for improvement. 2 lessons in the improvement plan, 0 open.")


def test_incident_report_html_only(demo, runner, tmp_path):
    care = db.session.query(Event).filter_by(name="Care home evacuation 2023").one()
    _run(runner, "exercises", "report", str(care.id), str(tmp_path / "care.html"), "--format", "html")
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".html")] == ["care.html"]
    document = read((tmp_path / "care.html").read_bytes())
    assert_accessible_structure(document, "Incident debrief report: Care home evacuation 2023")
    assert "What happened" in [text for _, text in document.headings]


def test_improvement_plan_html_holds_the_workbooks_rows(demo, runner, tmp_path):
    result = _run(runner, "exercises", "improvement-plan", str(tmp_path / "plan.xlsx"), "--format", "both")
    assert result.stdout.startswith(f"Wrote {tmp_path / 'plan.xlsx'} and {tmp_path / 'plan.html'}: 11 lessons")
    document = read((tmp_path / "plan.html").read_bytes())
    assert_accessible_structure(document, "Improvement plan: all exercises and incidents")
    lessons, actions = document.tables
    assert lessons.column_headers == ["Ref", "Event", "Themes", "Issue", "Recommendation", "Owner", "Due date",
                                      "Status"]
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    rows = list(book["Improvement plan"].iter_rows(min_row=2, values_only=True))
    assert [row[0].text.split()[0] for row in lessons.rows[1:]] == [row[0] for row in rows]
    for html_row, row in zip(lessons.rows[1:], rows, strict=True):
        assert html_row[1].text.startswith(row[1]) and html_row[3].text == " ".join(row[4].split())
    action_rows = list(book["Actions"].iter_rows(min_row=2, values_only=True))
    assert [(r[0].text, r[1].text.split()[0]) for r in actions.rows[1:]] == [(r[0], r[1]) for r in action_rows]


# --- the command line's refusals -------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["report", "appendix", "{dir}/a.pdf", "--format", "html"],
     "Error: Cannot write the HTML version to '{dir}/a.pdf': the file name must end in .html (or give"
     " --format both to write it beside the PDF)"),
    (["report", "appendix", "{dir}/a.html", "--format", "both"],
     "Error: Cannot write the PDF to '{dir}/a.html': with --format both, FILE is the PDF and the HTML"
     " version goes beside it"),
    (["report", "changes", "{dir}/c.pdf"],
     "Error: Cannot write the changes table to '{dir}/c.pdf': the file name must end in .csv or .html"),
    (["heatmap", "--html", "{dir}/h.pdf"],
     "Error: Cannot write the HTML version to '{dir}/h.pdf': the file name must end in .html (or give"
     " --format both to write it beside the PDF)"),
    (["exercises", "improvement-plan", "{dir}/p.xlsx", "--format", "html"],
     "Error: Cannot write the HTML version to '{dir}/p.xlsx': the file name must end in .html (or give"
     " --format both to write it beside the XLSX)"),
    (["report", "appendix", "{dir}/a.txt"],
     "Error: Cannot write the PDF to '{dir}/a.txt': the file name must end in .pdf (or .html with"
     " --format html)"),
    (["exercises", "improvement-plan", "{dir}/p.csv", "--format", "both"],
     "Error: Cannot write the XLSX to '{dir}/p.csv': the file name must end in .xlsx (or .html with"
     " --format html)"),
    (["report", "appendix", "{dir}/a.html", "--format", "html", "--register", "XYZ"],
     "Error: No register with code 'XYZ'; known registers: AH, CORP, OPS"),
])
def test_a_wrong_file_name_is_one_line_and_writes_nothing(demo, runner, tmp_path, args, message):
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(args=[arg.format(dir=out) for arg in args])
    assert result.exit_code == 1
    assert result.stderr.strip() == message.format(dir=out)
    assert list(out.iterdir()) == []


def test_the_first_name_of_report_appendix_still_works(demo, runner, tmp_path):
    result = _run(runner, "report", "register", str(tmp_path / "old.html"), *APPENDIX, "--format", "html")
    assert result.stdout.strip() == f"Wrote {tmp_path / 'old.html'}: 6 risks on AH"
    assert "report register" not in runner.invoke(args=["report", "--help"]).output


# --- the web ---------------------------------------------------------------------------


def _html_download(response, name_start: str):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename={name_start}") and disposition.endswith(".html")
    # It runs nothing and loads nothing, even when opened from the site.
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    return read(response.data)


def test_web_links_and_downloads(client):
    sign_in(client, "viewer")
    register = client.get("/risks?register=AH").get_data(as_text=True)
    assert 'href="/appendix.html?register=AH">Accessible version (HTML)<span' in register
    public = _html_download(client.get("/appendix.html?register=AH&since=2021-06-29&public=1"),
                            "register-appendix-AH-")
    assert "Public version" in public.text

    dashboard = client.get("/").get_data(as_text=True)
    assert 'href="/heatmap.html?register=AH" download>Accessible version (HTML)' in dashboard
    assert 'href="/heatmap.html?register=AH&amp;scores=target" download' in client.get(
        "/heatmap?register=AH&scores=target").get_data(as_text=True)
    heat = _html_download(client.get("/heatmap.html?register=AH&scores=both"), "heatmap-AH-both-")
    assert [text for level, text in heat.headings if level == 2] == ["Current risk", "Target risk", "Key"]

    lemur = db.session.query(Event).filter_by(name="Exercise Lemur").one()
    show = client.get(f"/exercises/{lemur.id}").get_data(as_text=True)
    assert f'href="/exercises/{lemur.id}/report.html">Accessible version (HTML)' in show
    assert f'href="/improvement-plan.html?event={lemur.id}">Accessible version (HTML)' in show
    report = _html_download(client.get(f"/exercises/{lemur.id}/report.html"), "exercise-report-exercise-lemur")
    assert report.headings[0] == (1, "Exercise report: Exercise Lemur")
    assert 'href="/improvement-plan.html">Accessible version (HTML)' in client.get("/lessons").get_data(
        as_text=True)
    plan = _html_download(client.get(f"/improvement-plan.html?event={lemur.id}"),
                          "improvement-plan-exercise-lemur-")
    assert [row[0].text.split()[0] for row in plan.tables[0].rows[1:]] == ["L0006", "L0007"]


def test_web_html_versions_refuse_what_the_pdfs_refuse(client):
    sign_in(client, "viewer")
    assert client.get("/appendix.html?as_of=2021-13-01").status_code == 400
    assert client.get("/appendix.html?register=XYZ").status_code == 404
    assert client.get("/heatmap.html?scores=all").status_code == 400
    assert client.get("/exercises/999/report.html").status_code == 404
    assert client.get("/improvement-plan.html?event=x").status_code == 400

def test_web_html_versions_need_sign_in(app):
    anonymous = app.test_client()
    for path in ("/appendix.html", "/heatmap.html", "/improvement-plan.html"):
        assert anonymous.get(path).status_code == 302


def test_workbook_still_downloads_as_before(client):
    sign_in(client, "viewer")
    response = client.get("/improvement-plan.xlsx?open=1")
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.data))["Improvement plan"].max_row > 1
