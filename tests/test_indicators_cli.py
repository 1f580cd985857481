"""`riskkit indicators`: add, triggers, record (one reading or a CSV file), list, level,
declare, through Click's runner."""

from datetime import date, datetime

from sqlalchemy import func, select

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import Declaration, Reading
from tests.factories import gen_area, gen_indicator, gen_person, gen_reading

STAFFING = ["--band", "Green=70:", "--band", "Amber=50:70", "--band", "Red=35:50",
            "--band", "Black=:35"]


def _run(runner, *args, moment=datetime(2026, 1, 10, 9)):
    with clock.frozen(moment):
        return runner.invoke(args=["indicators", *args])


def test_add_an_indicator_with_bands_and_show_them_in_words(app, runner):
    gen_person("Sam Manager", role="manager")
    result = _run(runner, "add", "Short-term Pathway Team staffing", "--owner", "Sam Manager",
                  "--unit", "%", "--direction", "higher_is_better", "--min", "0", "--max",
                  "100", "--area", "Ashford", *STAFFING)
    assert result.exit_code == 0, result.output
    shown = _run(runner, "triggers", "short-term pathway team staffing")
    assert shown.exit_code == 0, shown.output
    assert "OPEL 1 (Green)  70 and above" in shown.output
    assert "OPEL 2 (Amber)  50 to below 70" in shown.output
    assert "OPEL 4 (Black)  below 35" in shown.output


def test_a_band_with_a_gap_is_refused_in_one_line_and_nothing_is_added(app, runner):
    gen_person("Sam Manager", role="manager")
    result = _run(runner, "add", "Staffing", "--owner", "Sam Manager", "--direction",
                  "higher_is_better", "--band", "1=70:", "--band", "2=55:70", "--band",
                  "3=35:50", "--band", "4=:35")
    assert result.exit_code == 1
    assert "Gap between OPEL 3 (Red) and OPEL 2 (Amber)" in result.stderr
    assert "Traceback" not in result.output
    assert _run(runner, "list").output.count("Staffing") == 0


def test_record_a_reading_then_refuse_a_second_for_the_same_day_unless_replaced(app, runner):
    area = gen_area("Ashford")
    gen_indicator(areas=[area])
    first = _run(runner, "record", "Short-term Pathway Team staffing", "64", "--area", "Ashford")
    assert first.exit_code == 0, first.output
    assert "2026-01-10: 64 (OPEL 2 (Amber))" in first.stdout
    again = _run(runner, "record", "Short-term Pathway Team staffing", "30", "--area", "Ashford")
    assert again.exit_code == 1
    assert "There is already a reading" in again.stderr
    replaced = _run(runner, "record", "Short-term Pathway Team staffing", "30", "--area",
                    "Ashford", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert db.session.scalar(select(Reading.value)) == 30


def test_a_reading_out_of_range_or_in_the_future_is_refused(app, runner):
    gen_indicator()
    high = _run(runner, "record", "Short-term Pathway Team staffing", "120")
    assert high.exit_code == 1 and "above the largest value" in high.stderr
    future = _run(runner, "record", "Short-term Pathway Team staffing", "60", "--date",
                  "2026-01-11")
    assert future.exit_code == 1 and "in the future" in future.stderr
    assert db.session.scalar(select(func.count()).select_from(Reading)) == 0


def test_a_csv_file_is_recorded_all_or_nothing_naming_row_and_column(app, runner, tmp_path):
    area = gen_area("Ashford")
    gen_indicator(areas=[area])
    bad = tmp_path / "bad.csv"
    bad.write_text("date,indicator,area,value\n"
                   "2026-01-09,Short-term Pathway Team staffing,Ashford,64\n"
                   "2026-01-10,Short-term Pathway Team staffing,Ashford,lots\n"
                   "2026-01-11,Short-term Pathway Team staffing,Ashford,50\n")
    result = _run(runner, "record", "--file", str(bad))
    assert result.exit_code == 1
    assert "Row 3, column value: Value must be a number, not 'lots'" in result.stderr
    assert "Row 4, column date: 11 January 2026 is in the future" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(Reading)) == 0
    good = tmp_path / "good.csv"
    good.write_text("date,indicator,area,value,note\n"
                    "2026-01-09,Short-term Pathway Team staffing,Ashford,64,\n"
                    "2026-01-10,Short-term Pathway Team staffing,Ashford,45,two off sick\n")
    result = _run(runner, "record", "--file", str(good))
    assert result.exit_code == 0, result.output
    assert "Recorded 2 readings" in result.stdout


def test_level_shows_the_proposal_and_declare_needs_a_reason(app, runner):
    gen_person("Dee Director", role="manager")
    staffing = gen_indicator()
    gen_reading(staffing, 40, on=date(2026, 1, 10), today=date(2026, 1, 10))
    shown = _run(runner, "level")
    assert "The organisation: no level declared" in shown.stdout
    assert "Proposed: OPEL 3 (Red)" in shown.stdout
    assert "Short-term Pathway Team staffing  -     OPEL 3 (Red)" in shown.stdout
    refused = _run(runner, "declare", "3", "--by", "Dee Director", "--reason", " ")
    assert refused.exit_code == 1 and "Enter a reason" in refused.stderr
    declared = _run(runner, "declare", "Red", "--by", "Dee Director", "--reason",
                    "Staffing below 50%")
    assert declared.exit_code == 0, declared.output
    assert "Declared OPEL 3 (Red) for the organisation (proposed: OPEL 3 (Red))" in declared.stdout
    assert db.session.scalar(select(func.count()).select_from(Declaration)) == 1
    assert "OPEL 3 (Red), declared by Dee Director" in _run(runner, "level").stdout
