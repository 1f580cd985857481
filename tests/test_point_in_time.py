"""Point in time: every report as the register stood at the end of a day, rebuilt from the
history, and read back unchanged after later edits; and the changes table."""

import csv
import io
import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import HistoryEntry
from riskkit.services.appendix import build_appendix
from riskkit.services.lifecycle import escalate, remove, save_action, save_control, set_status
from riskkit.services.reviews import record_review
from riskkit.services.risks import get_risk, update_risk
from tests.factories import gen_person, gen_register, gen_risk

QUARTER_END = date(2025, 3, 31)


def at(day: date, hour: int = 10):
    """The clock frozen at `hour` o'clock (UTC) on `day`."""
    return clock.frozen(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    # The footer says when the file was made, which is the one thing that may differ.
    return re.sub(r"Generated (on \d\d/\d\d/\d{4}|\d+ \w+ \d{4})", "Generated", text)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def quarter(app):
    """A directorate register below a corporate one, as it stood at the end of Q1 2025:
    risks reviewed, with controls and actions, made with the clock at those days."""
    with at(date(2024, 3, 31)):
        manager = gen_person("Mona Manager", role="manager")
        owner = gen_person("Oscar Owner")
        corporate = gen_register("CORP", level="corporate")
        directorate = gen_register("DIR", parent=corporate)
        funding = gen_risk(register=directorate, owner=owner, likelihood=4, impact=4,
                           title="Funding pressures", as_of=date(2024, 3, 31))
        record_review(funding, manager, date(2024, 3, 31), 4, 4, "Stays red", lower_confirmed=True)
        staffing = gen_risk(register=directorate, owner=owner, likelihood=3, impact=3,
                            title="Staffing shortfall", as_of=date(2024, 3, 31))
        systems = gen_risk(register=directorate, owner=owner, likelihood=2, impact=3,
                           title="Case system outage", as_of=date(2024, 3, 31))
        db.session.commit()
    with at(date(2025, 1, 10)):
        record_review(staffing, manager, date(2025, 1, 10), 3, 4, "Agency costs up")
        save_control(funding, manager, None, description="Monthly budget monitoring", owner=owner,
                     effectiveness="effective", last_tested=None)
        save_action(funding, manager, None, description="Savings plan agreed", owner=owner,
                    target_date=date(2025, 6, 30), status="in_progress", as_of=date(2025, 1, 10))
        db.session.commit()
    return {"manager": manager, "owner": owner, "funding": funding, "staffing": staffing,
            "systems": systems}


def later_changes(quarter) -> None:
    """What happens after the quarter ends: every kind of change the papers show."""
    manager, funding = quarter["manager"], quarter["funding"]
    with at(date(2025, 4, 14)):
        record_review(funding, manager, date(2025, 4, 14), 5, 4, "Settlement worse than feared")
        update_risk(funding, {"title": "Funding pressures and savings", "owner": manager}, manager)
        save_control(funding, manager, None, description="Spending freeze", owner=manager,
                     effectiveness="not_tested", last_tested=None)
        action = funding.actions[0]
        save_action(funding, manager, action, description=action.description, owner=action.owner,
                    target_date=action.target_date, status="done", as_of=date(2025, 4, 14))
        remove(funding, manager, funding.controls[0], None)
        set_status(quarter["systems"], "closed", manager, reason="New system live")
        escalate(quarter["staffing"], manager, reason="Needs the corporate budget")
        gen_risk(register=funding.register, owner=manager, title="Cyber attack", as_of=date(2025, 4, 14))
        db.session.commit()


def make(runner, path: Path, *args) -> Path:
    result = runner.invoke(args=[*args[:2], str(path), *args[2:]])
    assert result.exit_code == 0, result.output
    return path


def test_the_appendix_as_of_a_day_reads_back_unchanged_after_later_changes(quarter, runner, tmp_path):
    with at(QUARTER_END, 18):
        on_the_day = pdf_text(make(runner, tmp_path / "then.pdf", "report", "register", "--register", "DIR"))
    later_changes(quarter)
    with at(date(2025, 4, 20)):
        replayed = pdf_text(make(runner, tmp_path / "replayed.pdf", "report", "register", "--register",
                                 "DIR", "--as-of", "2025-03-31"))
        today = flat(pdf_text(make(runner, tmp_path / "now.pdf", "report", "register", "--register",
                                   "DIR")))
    assert replayed == on_the_day
    text = flat(on_the_day)
    assert "Monthly budget monitoring" in text and "Spending freeze" not in text
    assert "Oscar Owner" in text and "In progress" in text
    assert "Case system outage" in text and "Cyber attack" not in text
    assert "High 16 Likely (4) Serious (4)" in text or "High 16" in text
    # And today's appendix does show the changes, so the comparison could fail.
    assert "Spending freeze" in today and "Funding pressures and savings" in today
    assert "Cyber attack" in today and "Staffing shortfall" not in today.split("Current Risk Level")[0]


def test_the_heat_map_as_of_a_day_is_unchanged_after_later_changes(quarter, runner, tmp_path):
    with at(QUARTER_END, 18):
        on_the_day = pdf_text(make(runner, tmp_path / "then.pdf", "heatmap", "--pdf", "--register", "DIR"))
    later_changes(quarter)
    with at(date(2025, 4, 20)):
        replayed = pdf_text(make(runner, tmp_path / "replayed.pdf", "heatmap", "--pdf", "--register", "DIR",
                                 "--as-of", "2025-03-31"))
        today = pdf_text(make(runner, tmp_path / "now.pdf", "heatmap", "--pdf", "--register", "DIR"))
    # The same words; only the footer's spacing moves with the length of its date.
    assert flat(replayed) == flat(on_the_day)
    assert flat(today) != flat(on_the_day)


def test_changes_table_lists_each_risk_once_with_moves_within_a_band(quarter, runner, tmp_path):
    later_changes(quarter)
    with at(date(2025, 6, 30), 18):
        path = make(runner, tmp_path / "changes.csv", "report", "changes", "--register", "DIR",
                    "--since", "2025-03-31")
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    by_reference = {row["reference"]: row for row in rows}
    assert len(by_reference) == len(rows) == 4  # each risk once
    funding, staffing, systems = (quarter[k].reference for k in ("funding", "staffing", "systems"))
    # 16 -> 20, both High: a move within the band is shown.
    assert (by_reference[funding]["change"], by_reference[funding]["previous"],
            by_reference[funding]["current"]) == ("Increased", "High 16", "High 20")
    assert by_reference[funding]["current_rating_since"] == "Red since 31 Mar 2024, 5 quarters"
    assert (by_reference[systems]["change"], by_reference[systems]["reason"],
            by_reference[systems]["on"]) == ("Closed", "New system live", "2025-04-14")
    assert by_reference[staffing]["change"] == "Escalated"
    assert "Needs the corporate budget" in by_reference[staffing]["reason"]
    new = [row for row in rows if row["change"] == "New"]
    assert [(row["title"], row["previous"], row["on"]) for row in new] == [("Cyber attack", "", "2025-04-14")]


def test_changes_table_in_the_pdf_and_exempt_risks_kept_out_of_the_public_version(quarter, tmp_path):
    with at(date(2025, 4, 2)):
        update_risk(quarter["staffing"], {"exempt": True}, quarter["manager"])
        db.session.commit()
    with at(date(2025, 4, 3)):
        public = build_appendix(["DIR"], date(2025, 4, 2), date(2025, 1, 1), "Test Council", public=True)
        full = build_appendix(["DIR"], date(2025, 4, 2), date(2025, 1, 1), "Test Council")
    section = public.sections[0]
    assert quarter["staffing"].reference not in [c.reference for c in section.changes]
    assert section.changes_withheld == 1
    assert [c.change for c in full.sections[0].changes if c.reference == quarter["staffing"].reference] \
        == ["Increased"]  # Medium 9 to Medium 12, within its band
    from riskkit.reports.appendix import render_appendix

    path = tmp_path / "public.pdf"
    path.write_bytes(render_appendix(public, generated_on=date(2025, 4, 3)))
    text = flat(pdf_text(path))
    assert "1 risk containing exempt information not listed in this table." in text
    assert "Staffing shortfall" not in text


def test_demo_loading_does_not_make_every_risk_new(demo, runner, tmp_path):
    path = make(runner, tmp_path / "changes.csv", "report", "changes", "--register", "AH")
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert len(rows) == 6
    assert {row["change"] for row in rows} == {"No change"}
    # The reviews the demo brought date how long each risk has stood at its rating.
    assert {row["reference"]: row["current_rating_since"] for row in rows}["AH0005"].startswith(
        "Red since 7 Jul 2021")
    # And the demo as of a day in 2021 is the register the papers printed.
    assert db.session.query(HistoryEntry).filter(HistoryEntry.actor == "demo data").count() > 100


def test_exercise_report_judges_overdue_against_the_as_of_day(app, runner, tmp_path):
    from riskkit.services.exercise_report import build_improvement_plan
    from tests.factories import gen_lesson

    with at(date(2025, 1, 6)):
        lesson = gen_lesson()
        lesson.due_date = date(2025, 3, 1)
        db.session.commit()
    with at(date(2025, 4, 1)):
        lesson.status = "implemented"
        db.session.commit()
    with at(date(2025, 5, 1)):
        then = build_improvement_plan(None, as_of=date(2025, 3, 15)).lessons
        now = build_improvement_plan(None, as_of=date(2025, 5, 1)).lessons
        result = runner.invoke(args=["exercises", "improvement-plan", str(tmp_path / "plan.xlsx"),
                                     "--as-of", "2025-03-15", "--open-only"])
    assert [(row.status, row.overdue) for row in then] == [("Identified", True)]
    assert [(row.status, row.overdue) for row in now] == [("Implemented", False)]
    assert result.exit_code == 0, result.output
    assert "1 lesson" in result.stdout


def test_a_risk_as_of_a_day_before_it_was_recorded_is_absent(quarter):
    appendix = build_appendix(["DIR"], date(2024, 3, 30), date(2024, 1, 1), "Test Council")
    assert appendix.sections[0].total == 0
    assert get_risk(quarter["funding"].reference).title == "Funding pressures"
