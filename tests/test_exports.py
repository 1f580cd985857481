"""The Excel and CSV export: read back with openpyxl, the csv module and LibreOffice."""

import csv
import io
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from sqlalchemy import func, select

from riskkit.extensions import db
from riskkit.models import Action, Control, Register, Review, Risk
from riskkit.reports.workbook import csv_bytes, workbook_bytes
from riskkit.services.exports import (
    ACTION_HEADERS,
    CONTROL_HEADERS,
    REVIEW_HEADERS,
    RISK_HEADERS,
    Sheet,
)
from tests.factories import gen_register, gen_risk, gen_user
from tests.web_helpers import sign_in

SHEETS = {"Risks": RISK_HEADERS, "Controls": CONTROL_HEADERS, "Actions": ACTION_HEADERS,
          "Reviews": REVIEW_HEADERS}


def _export(runner, path, *options):
    result = runner.invoke(args=["export", str(path), *options])
    assert result.exit_code == 0, result.output
    return result


def _count(model, code=None) -> int:
    statement = select(func.count()).select_from(model)
    if model is not Risk:
        statement = statement.join(Risk)
    if code:
        statement = statement.join(Register, Risk.register_id == Register.id).where(Register.code == code)
    return db.session.scalar(statement)


def test_workbook_of_the_demo_reads_back_whole(demo, runner, tmp_path):
    path = tmp_path / "register.xlsx"
    assert _export(runner, path).stdout.strip() == f"Wrote {path}"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    counts = {"Risks": _count(Risk), "Controls": _count(Control), "Actions": _count(Action),
              "Reviews": _count(Review)}
    assert counts["Risks"] == 9 and all(counts.values())
    for name, headers in SHEETS.items():
        ws = book[name]
        assert tuple(c.value for c in ws[1]) == headers
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(headers)).column_letter}{ws.max_row}"
        assert ws.max_row - 1 == counts[name], name
        assert ws.column_dimensions["B"].width >= len(headers[1])
    risks = {row[0]: dict(zip(RISK_HEADERS, row, strict=True))
             for row in book["Risks"].iter_rows(min_row=2, values_only=True)}
    ah0033 = risks["AH0033"]
    assert ah0033["next_review_date"] == datetime(2021, 8, 13)
    assert ah0033["owner"] == "Chris McKenzie" and ah0033["register"] == "AH"
    assert (ah0033["score"], ah0033["rating"], ah0033["target_rating"]) == (20, "High", "Medium")
    assert risks["AH0005"]["previous_likelihood"] == 4 and risks["AH0005"]["above_appetite"] == "yes"
    date_cell = next(c for c in book["Risks"][2] if c.column_letter == "Z")  # next_review_date
    assert date_cell.is_date and date_cell.number_format == "dd/mm/yyyy"
    for name, column in (("Actions", "target_date"), ("Reviews", "reviewed_on"), ("Reviews", "next_review_date")):
        index = SHEETS[name].index(column)
        cells = [row[index] for row in book[name].iter_rows(min_row=2) if row[index].value is not None]
        assert cells and all(c.is_date and c.number_format == "dd/mm/yyyy" for c in cells), (name, column)
    assert {row[0] for row in book["Controls"].iter_rows(min_row=2, values_only=True)} <= set(risks)


def test_one_register_and_a_corporate_roll_up(demo, runner, tmp_path):
    _export(runner, tmp_path / "ah.xlsx", "--register", "ah")
    book = openpyxl.load_workbook(tmp_path / "ah.xlsx", read_only=True)
    references = [row[0] for row in book["Risks"].iter_rows(min_row=2, values_only=True)]
    assert references == ["AH0005", "AH0011", "AH0033", "AH0035", "AH0037", "AH0038"]
    assert len(list(book["Actions"].iter_rows(min_row=2))) == _count(Action, "AH")
    assert {row[0][:2] for row in book["Reviews"].iter_rows(min_row=2, values_only=True)} == {"AH"}
    book.close()
    _export(runner, tmp_path / "corp.xlsx", "--register", "CORP")
    book = openpyxl.load_workbook(tmp_path / "corp.xlsx", read_only=True)
    assert len(list(book["Risks"].iter_rows(min_row=2))) == 9  # CORP holds none itself
    book.close()


def test_csv_is_the_risks_sheet_in_utf8_with_a_bom(demo, runner, tmp_path):
    path = tmp_path / "ah.csv"
    _export(runner, path, "--register", "AH")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfreference,register,title,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 6 and list(rows[0]) == list(RISK_HEADERS)
    ah0033 = next(r for r in rows if r["reference"] == "AH0033")
    assert ah0033["next_review_date"] == "2021-08-13" and ah0033["likelihood"] == "5"
    titles = dict(db.session.execute(select(Risk.reference, Risk.title)).all())
    assert all(r["title"] == titles[r["reference"]] for r in rows)


def test_text_stays_text_in_both_formats():
    rows = [("=HYPERLINK(\"http://evil.example\")", date(2021, 8, 13)), ("tab\x0bbed\x00", None),
            ("-ve", 3)]
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([Sheet("Risks", ("a", "b"), iter(rows))], "t")))
    ws = book["Risks"]
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith("=HYPERLINK")
    assert ws["A3"].value == "tabbed" and ws["B3"].value is None
    parsed = list(csv.reader(io.StringIO(csv_bytes(("a", "b"), rows).decode("utf-8-sig"))))
    assert parsed[1] == ["'=HYPERLINK(\"http://evil.example\")", "2021-08-13"]
    assert parsed[3] == ["'-ve", "3"]


@pytest.fixture
def soffice():
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        message = ("LibreOffice (soffice) is not installed: the export is checked against it."
                   " Install it with apt-get install --no-install-recommends libreoffice-calc")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_libreoffice_reads_the_workbook_as_we_wrote_it(demo, runner, tmp_path, soffice):
    _export(runner, tmp_path / "register.xlsx")
    _export(runner, tmp_path / "register.csv")
    out = tmp_path / "converted"
    # Its own profile directory, so a LibreOffice already running (or a missing HOME)
    # cannot get in the way; 76 is UTF-8 in the CSV filter's options.
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), str(tmp_path / "register.xlsx")],
        check=True, capture_output=True, timeout=120,
    )
    theirs = list(csv.reader(io.StringIO((out / "register.csv").read_text("utf-8"))))
    ours = list(csv.reader(io.StringIO((tmp_path / "register.csv").read_bytes().decode("utf-8-sig"))))
    assert theirs[0] == ours[0] == list(RISK_HEADERS)
    assert [row[:3] for row in theirs] == [row[:3] for row in ours]  # reference, register, title
    due = RISK_HEADERS.index("next_review_date")
    assert {r[0]: r[due] for r in theirs[1:]}["AH0033"] == "13/08/2021"  # a date, shown as formatted


def test_bad_extension_unknown_register_and_unwritable_path_exit_1(demo, runner, tmp_path):
    out = tmp_path / "out"  # the test database sits in tmp_path itself
    out.mkdir()
    bad = runner.invoke(args=["export", str(out / "register.pdf")])
    assert bad.exit_code == 1
    assert ".xlsx" in bad.stderr and ".csv" in bad.stderr and "register.pdf" in bad.stderr
    unknown = runner.invoke(args=["export", str(out / "x.xlsx"), "--register", "XYZ"])
    assert unknown.exit_code == 1
    assert "No register with code 'XYZ'; known registers: AH, CORP, OPS" in unknown.stderr
    missing = out / "no such folder" / "x.xlsx"
    unwritable = runner.invoke(args=["export", str(missing)])
    assert unwritable.exit_code == 1 and str(missing) in unwritable.stderr
    assert len(unwritable.stderr.strip().splitlines()) == 1
    (out / "folder.xlsx").mkdir()
    assert runner.invoke(args=["export", str(out / "folder.xlsx")]).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["folder.xlsx"]  # nothing half-written


def test_web_download_for_any_signed_in_user(login):
    owner = gen_user("Chris McKenzie")
    gen_risk(gen_register("AH"), owner, title="Care market failure")
    ops = gen_register("OPS")
    for title in ("Day centre transport", "Day centre staffing", "Day centre heating"):
        gen_risk(ops, owner, title=title)
    assert login(None).get("/export.xlsx").status_code == 302  # sign in first
    client = login(gen_user("Val Viewer", "viewer"))
    response = client.get("/export.xlsx?register=OPS")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=riskkit-OPS-")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert [r[0] for r in book["Risks"].iter_rows(min_row=2, values_only=True)] == [
        "OPS0001", "OPS0002", "OPS0003"]
    unknown = client.get("/export.xlsx?register=NOPE&owner=Nobody")
    assert unknown.status_code == 400
    message = unknown.get_data(as_text=True)
    assert "register: There is no register with the code &#39;NOPE&#39;" in message
    assert "owner: No person called &#39;Nobody&#39;" in message


def _download_link(html: str) -> str:
    return re.search(r'id="download-excel" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def _page_references(client, url: str) -> list[str]:
    """Every risk the register page lists, page after page."""
    references, page = [], 1
    while True:
        html = client.get(f"{url}&page={page}").get_data(as_text=True)
        found = re.findall(r'href="/risks/([A-Z]+\d+)"', html.split('class="govuk-table rk-register"', 1)[-1])
        references += list(dict.fromkeys(found))
        if f"page={page + 1}" not in html:
            return references
        page += 1


@pytest.mark.parametrize("filters", [
    "register=AH&status=all&sort=reference",
    "register=CORP&rating=High",
    "owner=Chris+McKenzie&overdue=yes&as_of=2021-09-29",
    "register=OPS&status=all&sort=next_review",
    "category=Workforce&sort=reference",
])
def test_the_register_pages_download_holds_what_the_page_lists(client, filters):
    sign_in(client, "viewer")
    html = client.get(f"/risks?{filters}").get_data(as_text=True)
    link = _download_link(html)
    assert link.startswith("/export.xlsx?")
    assert parse_qs(urlsplit(link).query) == parse_qs(filters)
    book = openpyxl.load_workbook(io.BytesIO(client.get(link).data))
    exported = [row[0] for row in book["Risks"].iter_rows(min_row=2, values_only=True)]
    assert exported and exported == _page_references(client, f"/risks?{filters}")
    reviews = {row[0] for row in book["Reviews"].iter_rows(min_row=2, values_only=True)}
    assert reviews <= set(exported)
    assert _download_link(client.get("/risks").get_data(as_text=True)) == "/export.xlsx"


def test_the_workbook_opens_ready_to_print(demo, runner, tmp_path):
    _export(runner, tmp_path / "register.xlsx")
    book = openpyxl.load_workbook(tmp_path / "register.xlsx")
    for name, headers in SHEETS.items():
        ws = book[name]
        assert ws.freeze_panes == "A2"
        assert ws.print_title_rows == "$1:$1"  # the header row on every printed page
        assert ws.auto_filter.ref.startswith("A1:")
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)  # one page wide
        assert all(c.alignment.wrap_text and c.alignment.vertical == "top"
                   for row in ws.iter_rows() for c in row), name
        widths = {h: ws.column_dimensions[ws.cell(1, n).column_letter].width
                  for n, h in enumerate(headers, 1)}
        assert all(width >= len(h) + 4 for h, width in widths.items())  # header and filter button
    risks = book["Risks"]
    widths = {h: risks.column_dimensions[risks.cell(1, n).column_letter].width
              for n, h in enumerate(RISK_HEADERS, 1)}
    assert widths["title"] == widths["description"] == 60 and widths["reference"] < 20
