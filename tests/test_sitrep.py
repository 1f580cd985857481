"""The day's situation report: gathered as of the end of the day, then read back from its
PDF with pdftotext, from its plain text and from its accessible HTML."""

import subprocess
from datetime import UTC, date, datetime

import pytest

from riskkit import clock
from riskkit.extensions import db
from riskkit.reports.html import sitrep_html
from riskkit.reports.sitrep import sitrep_pdf, sitrep_text
from riskkit.services import action_cards, decision_log, sitrep
from tests.factories import gen_area, gen_indicator, gen_reading, gen_user
from tests.indicator_helpers import declare

DAY = date(2026, 12, 6)
CARDS = {"scheme": "opel", "roles": [
    {"name": "Service Manager", "holders": ["Sam Service"],
     "levels": {1: ["Business as usual"], 3: ["Represent KCC at conference calls.", "Redeploy staff."]}}]}


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def winter_day(app):
    """Staffing falling into Red over three days, beds with triggers under development
    in two patches, OPEL 3 declared for the organisation and OPEL 2 for one patch, a
    step done and a decision taken on the day; and a decision the day after."""
    sam = gen_user("Sam Service", "owner")
    action_cards.load_cards(CARDS)
    ashford, dover = gen_area("Ashford patch"), gen_area("Dover patch")
    staffing = gen_indicator()
    beds = gen_indicator("Assessment beds available", unit="beds", triggers_state="under_development",
                         areas=[ashford, dover], min_value=0, max_value=None)
    for day, value in ((4, 72), (5, 61), (6, 48)):
        gen_reading(staffing, value, on=date(2026, 12, day), today=DAY)
    gen_reading(beds, 3, on=date(2026, 12, 2), area=ashford, today=DAY)
    with clock.frozen(at(8, 5)):
        declaration = declare(3, reason="Staffing below 50% in the Short-term Pathway Team")
        declare(2, area=dover, reason="KEaH capacity limited")
    with clock.frozen(at(9, 40)):
        step = action_cards.list_roles()[0].steps[2]  # "Redeploy staff."
        action_cards.mark_done(sam, declaration.id, step.id, "Called at 09:30")
        decision_log.record_decision(sam, "Ten spot-purchase beds opened.")
    with clock.frozen(at(9, 0, date(2026, 12, 7))):
        decision_log.record_decision(sam, "Stand down the extra board rounds.")
    db.session.commit()
    return sam


def test_the_sitrep_gathers_the_days_levels_indicators_log_and_open_steps(winter_day):
    report = sitrep.gather(DAY, "Kent County Council")
    assert report.title == "Situation report, 6 December 2026"
    assert [(lvl.area, lvl.level) for lvl in report.levels] == [
        ("Whole organisation", "OPEL 3 (Red)"), ("Dover patch", "OPEL 2 (Amber)")]
    rows = {row.name_words: row for row in report.indicators}
    staffing = rows["Short-term Pathway Team staffing"]
    assert (staffing.latest_words, staffing.level_words, staffing.change) == (
        "48 % on 06/12/2026", "OPEL 3 (Red)", "Down")
    assert [r.value for r in staffing.trend.shown] == [72, 61, 48]
    assert rows["Assessment beds available: Ashford patch"].latest_words == "3 beds on 02/12/2026 (stale)"
    assert rows["Assessment beds available: Dover patch"].level_words == "Triggers under development"
    assert [(e.kind, e.author) for e in report.log] == [
        ("declaration", "Mo Manager"), ("declaration", "Mo Manager"), ("step", "Sam Service"),
        ("decision", "Sam Service")]
    assert [(s.role, s.holders, s.text) for s in report.open_steps] == [
        ("Service Manager", "Sam Service", "Represent KCC at conference calls.")]


def test_a_past_days_sitrep_reads_as_it_did_at_the_end_of_that_day(winter_day):
    report = sitrep.gather(date(2026, 12, 5), "Kent County Council")
    assert [(lvl.area, lvl.level) for lvl in report.levels] == [("Whole organisation", None)]
    assert report.log == [] and report.open_level is None
    assert report.indicators[-1].latest_words == "61 % on 05/12/2026"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "sitrep.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_pdf_reads_back_with_every_section(winter_day, tmp_path):
    text = pdf_text(sitrep_pdf(sitrep.gather(DAY, "Kent County Council"), DAY), tmp_path)
    flat = " ".join(text.split())
    for words in ("Kent County Council", "Situation report, 6 December 2026", "1. Levels by area",
                  "Whole organisation OPEL 3 (Red)", "Dover patch OPEL 2 (Amber)", "2. Indicators",
                  "48 % on 06/12/2026", "Triggers under development", "(stale)",
                  "Trends over the last 30 days", "OPEL 4 Black", "3. Decision log of the day",
                  "Ten spot-purchase beds opened.", "Called at 09:30", "4. Open steps",
                  "Represent KCC at conference calls.", "Page 1 of", "Generated on 06/12/2026"):
        assert words in flat, words
    assert "Stand down the extra board rounds." not in flat  # the next day's
    assert "Redeploy staff." not in flat.split("4. Open steps")[1]  # done


def test_the_text_is_ready_to_paste_into_an_email(winter_day):
    text = sitrep_text(sitrep.gather(DAY, "Kent County Council"))
    assert text.startswith("Kent County Council\nSituation report, 6 December 2026\n")
    assert "- Whole organisation: OPEL 3 (Red)\n  declared 08:05 06/12/2026 by Mo Manager: Staffing below 50%" in text
    assert "- Short-term Pathway Team staffing: 48 % on 06/12/2026; OPEL 3 (Red); Down" in text
    assert "- 09:40 Sam Service (decision, Whole organisation): Ten spot-purchase beds opened." in text
    assert "Not yet done at OPEL 3 (Red):\n- Service Manager (Sam Service): Represent KCC at conference calls." in text
    assert max(len(line) for line in text.splitlines()) < 200


def test_an_empty_day_says_so_in_every_format(app, tmp_path):
    report = sitrep.gather(DAY, "Kent County Council")
    text = sitrep_text(report)
    for words in ("No indicators are kept yet.", "Nothing was logged on this day.",
                  "No level has been declared for the whole organisation."):
        assert words in text
        assert words in " ".join(pdf_text(sitrep_pdf(report, DAY), tmp_path).split())
        assert words in sitrep_html(report, DAY).decode()


def test_the_accessible_version_says_what_the_pdf_says(winter_day):
    html = sitrep_html(sitrep.gather(DAY, "Kent County Council"), DAY).decode()
    assert '<html lang="en-GB">' in html
    assert "<h1>Situation report, 6 December 2026</h1>" in html
    assert '<tr><th scope="row">Whole organisation</th><td>OPEL 3 (Red)</td>' in html
    assert "<td>48 % on 06/12/2026</td><td>OPEL 3 (Red)</td><td>Down</td>" in html
    assert "<caption id=\"readings-1\">Readings of Assessment beds available: Ashford patch</caption>" in html
    assert "<tr><td>06/12/2026</td><td>48</td></tr>" in html
    assert "Ten spot-purchase beds opened." in html
    assert "<td>Represent KCC at conference calls.</td>" in html
