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
from riskkit.models import DocumentLog
from riskkit.services import reviews
from tests.factories import (
    gen_action,
    gen_assurance,
    gen_control,
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
                                                              message):
    *options, name = args
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(args=["evidence", "audit", *options, str(out / name)])
    assert result.exit_code == 1
    shown = result.stderr.replace(str(out / name), name)
    assert shown.strip().splitlines() == [message]
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
