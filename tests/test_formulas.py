"""Formula injection: text a spreadsheet would run, in every CSV file and workbook riskkit
writes, read back as the spreadsheet would see it."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.formulas import neutralise, restore
from riskkit.models import Theme
from riskkit.services.themes import save_theme
from tests.factories import gen_event, gen_lesson, gen_person, gen_register, gen_risk
from tests.web_helpers import sign_in

HOSTILE = '=HYPERLINK("http://evil.example","click")'
#: Each start a spreadsheet takes as a formula, and what a CSV cell holding it must read.
STARTS = {HOSTILE: "'" + HOSTILE, "+1+cmd|' /C calc'!A0": "'+1+cmd|' /C calc'!A0",
          "-2+3": "'-2+3", "@SUM(A1:A9)": "'@SUM(A1:A9)", "\tTab": "'\tTab", "\rReturn": "'\rReturn"}
#: Not formulas: a plain negative number stays a number, and a quote of the user's own is
#: kept (one more before it where it comes before formula text, so the import restores it).
KEPT = {"-42": "-42", "-0.5": "-0.5", "Plain title": "Plain title", "'=quoted": "''=quoted"}
#: A risk's title is stored without leading spaces, so tab and carriage return are tested
#: on neutralise alone.
TITLES = {text: written for text, written in {**STARTS, **KEPT}.items() if text == text.strip()}
AS_OF = "2030-01-01"  # every review of the risks below is overdue


@pytest.mark.parametrize("text, written", list(STARTS.items()) + list(KEPT.items()))
def test_neutralise_quotes_formulas_and_the_import_takes_the_quote_off(text, written):
    assert neutralise(text) == written
    assert restore(written) == text


@pytest.fixture
def hostile(demo):
    """A register whose risks (and an action) are titled with each formula start and
    each text that must stay as it is; the owner's name is hostile too."""
    register = gen_register("EVL")
    owner = gen_person("@Owner Name", email="owner@example.gov.uk")
    risks = [gen_risk(register, owner, title=title, as_of=date(2026, 1, 5)) for title in TITLES]
    return register, risks


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _check_csv(rows: list[dict], title: str = "title") -> None:
    titles = [row[title] for row in rows]
    assert set(titles) >= set(TITLES.values()), titles
    assert HOSTILE not in titles


def test_cli_csv_reports_quote_formulas(hostile, runner, tmp_path):
    overdue = runner.invoke(args=["overdue", "--as-of", AS_OF, "--register", "EVL", "--format", "csv"])
    rows = _csv(overdue.stdout)
    _check_csv(rows)
    assert {row["owner"] for row in rows} == {"'@Owner Name"}
    _check_csv(_csv(runner.invoke(args=["risks", "--register", "EVL", "--format", "csv"]).stdout))
    runner.invoke(args=["export", str(tmp_path / "evl.csv"), "--register", "EVL"])
    exported = _csv((tmp_path / "evl.csv").read_bytes().decode("utf-8-sig"))
    _check_csv(exported)
    assert {row["owner"] for row in exported} == {"'@Owner Name"}


def test_the_exported_csv_imports_back_as_it_was(hostile, runner, tmp_path):
    _, risks = hostile
    titles = {risk.reference: risk.title for risk in risks}
    runner.invoke(args=["export", str(tmp_path / "evl.csv"), "--register", "EVL"])
    for risk in risks:
        risk.title = "Changed since the export"
    db.session.commit()
    result = runner.invoke(args=["import", str(tmp_path / "evl.csv"), "--register", "EVL", "--update"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert {risk.reference: risk.title for risk in risks} == titles


def _check_workbook(data: bytes, sheet: str, column: str) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    headers = [c.value for c in ws[1]]
    cells = [row[headers.index(column)] for row in ws.iter_rows(min_row=2)]
    by_text = {c.value: c for c in cells}
    for text in set(STARTS) & set(TITLES):
        # The text itself, stored as text, with Excel's quote prefix: never a formula.
        assert by_text[text].data_type == "s" and by_text[text].quotePrefix, text
    assert not by_text["Plain title"].quotePrefix and not by_text["-42"].quotePrefix


def test_workbooks_keep_formulas_as_text(hostile, runner, client, tmp_path):
    result = runner.invoke(args=["export", str(tmp_path / "evl.xlsx"), "--register", "EVL"])
    assert result.exit_code == 0, result.output
    _check_workbook((tmp_path / "evl.xlsx").read_bytes(), "Risks", "title")
    sign_in(client, "viewer")
    _check_workbook(client.get("/export.xlsx?register=EVL").data, "Risks", "title")


def test_web_csv_downloads_quote_formulas(hostile, client):
    sign_in(client, "viewer")
    _check_csv(_csv(client.get(f"/overdue.csv?as_of={AS_OF}&register=EVL").get_data(as_text=True)))
    theme = db.session.scalar(select(Theme).where(Theme.name == "Vulnerable people"))
    save_theme(None, theme, name=HOSTILE)
    db.session.commit()
    rows = _csv(client.get("/themes/cross-reference.csv").get_data(as_text=True))
    assert {row["theme"] for row in rows} >= {"'" + HOSTILE}


def test_the_improvement_plan_keeps_formulas_as_text(hostile, client):
    event, owner = gen_event("@Exercise Evil"), gen_person("Lee Lesson")
    for text in TITLES:
        gen_lesson(event, owner, statement=text)
    sign_in(client, "viewer")
    _check_workbook(client.get(f"/improvement-plan.xlsx?event={event.id}").data, "Improvement plan", "Issue")
