"""The committee register appendix: generated from the demo register, read back with
pypdf and pdftotext, rendered to PNG with pdftoppm, and downloaded from the web."""

import re
import subprocess
from datetime import UTC, date, datetime
from html import unescape
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from riskkit import clock
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Control, User
from riskkit.reports.appendix import render_appendix
from riskkit.services.appendix import build_appendix
from riskkit.services.lifecycle import escalate, set_status
from riskkit.services.registers import get_register
from riskkit.services.reviews import record_review
from riskkit.services.risks import get_risk, update_risk
from tests.factories import gen_person, gen_register, gen_risk, gen_user

AH = ["AH0005", "AH0011", "AH0033", "AH0035", "AH0037", "AH0038"]
GENERATED = date(2021, 10, 1)


@pytest.fixture
def generated_on(monkeypatch):
    """The CLI prints the day it runs; fix it so the footer can be checked."""
    monkeypatch.setattr("riskkit.commands.report.today", lambda: GENERATED)
    return GENERATED


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _flat(text: str) -> str:
    """Words separated by single spaces, so table columns read as one line."""
    return " ".join(text.split())


def _make(runner, tmp_path, *args, name="appendix.pdf") -> Path:
    path = tmp_path / name
    result = runner.invoke(args=["report", "register", str(path), *args])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {path}")
    return path


def test_demo_register_appendix_reads_back(demo, runner, tmp_path, generated_on):
    path = _make(runner, tmp_path, "--register", "AH", "--as-of", "2021-09-29",
                 "--since", "2021-06-29")
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert pages > len(AH)  # the summary page, then each risk on pages of its own
    assert reader.metadata.title == "Risk Register – Adult Social Care and Health"
    assert reader.metadata.author == "Example County Council"
    assert "AH Adult Social Care and Health" in reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"

    text = _text(path)
    flat = _flat(text)
    first = _flat(text.split("\f")[0])
    assert "Green 0 Amber 4 Red 2 Total 6" in first
    assert "Current Risk Level Changes since 29/06/2021" in flat
    assert f"Page 1 of {pages}" in first and "Generated on 01/10/2021" in first
    for reference in AH:
        assert reference in flat
    assert "AH0005 Continued pressures on public" in flat
    assert "High 20 Serious (4) Very Likely (5)" in flat  # AH0005 now
    assert "High 16 Serious (4) Likely (4)" in flat  # and before its last review
    assert "Medium 12 Serious (4) Possible (3)" in flat  # its target
    assert "Michelle Goldsmith Control" in flat  # a control with its owner
    assert "A - Accepted" in flat
    assert "07/07/2021 Richard Smith Reviewed at DMT 07/07, agreed increase to likelihood" in flat
    # AH0033's next review (13/08/2021) was before the as-of date.
    assert "13/05/2021 13/08/2021 Overdue" in flat
    second = text.split("\f")[1]
    assert "Risk Register – Adult Social Care and Health" in second.splitlines()[0]
    assert f"Page 2 of {pages}" in second
    assert "OPS0003" not in flat
    # The highest scores come first: both High 20 risks before any Medium one.
    pages = flat.split("Risk Title and Event", 1)[1]  # after the changes table
    order = [pages.index(heading) for heading in (
        "AH0005 Continued pressures", "AH0033 Adult Social Care Workforce", "AH0011 Business disruption")]
    assert order == sorted(order)

    png = subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path),
                          str(tmp_path / "page")], check=True, capture_output=True)
    assert png.returncode == 0
    picture = tmp_path / "page-01.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size > 5000


SCHEDULE_12A = "of Part 1 of Schedule 12A to the Local Government Act 1972"


def test_public_version_counts_an_exempt_risk_but_leaves_out_its_detail(demo, runner, tmp_path):
    risk = get_risk("AH0033")
    cause = risk.cause
    update_risk(risk, {"exempt": True}, None)
    db.session.commit()
    assert risk.exempt_paragraph == 3  # financial or business affairs, unless said otherwise

    public = _flat(_text(_make(runner, tmp_path, "--register", "AH", "--public", name="public.pdf")))
    assert "Green 0 Amber 4 Red 2 Total 6" in public  # still counted
    assert "AH0033 Exempt" in public
    assert "Adult Social Care Workforce" not in public
    assert _flat(cause)[:60] not in public
    assert "Kerena Hunter" not in public  # the owner of one of its actions
    assert "Includes 1 risk containing exempt information: counted here, listed by reference only" in public
    assert "Public version" in public
    assert f"The detail of this risk is exempt information under paragraph 3 {SCHEDULE_12A}" in public

    full = _flat(_text(_make(runner, tmp_path, "--register", "AH", name="full.pdf")))
    assert "AH0033 Adult Social Care Workforce" in full
    assert _flat(cause)[:60] in full
    assert f"Exempt information under paragraph 3 {SCHEDULE_12A}: not for publication" in full
    assert "Contains exempt information: not for publication" in full


def test_every_page_of_an_exempt_risk_names_its_schedule_12a_paragraph(app, runner, tmp_path):
    owner = gen_person("Pat Owner")
    words = " ".join(f"word{n}" for n in range(1100))  # runs on to a second page
    exempt = gen_risk(owner=owner, title="Contract dispute", cause=words, exempt=True, exempt_paragraph=5)
    gen_risk(register=exempt.register, owner=owner, title="Open risk", likelihood=1, impact=1)
    path = _make(runner, tmp_path, "--register", "TST")
    pages = _text(path).split("\f")[:-1]
    statement = f"Exempt information under paragraph 5 {SCHEDULE_12A}"
    theirs = [page for page in pages  # its own pages, not the summary's changes table
              if "TST0001" in page and "Current Risk Level Summary" not in page]
    assert len(theirs) >= 2
    assert all(statement in _flat(page) for page in theirs)
    assert not any("paragraph 5" in page for page in pages if page not in theirs)  # the summary, TST0002

    with pytest.raises(ValidationError, match="Exempt paragraph must be a paragraph of Schedule 12A from 1 to 7,"
                                              " not 8") as refused:
        update_risk(exempt, {"exempt_paragraph": 8}, None)
    assert refused.value.field == "exempt_paragraph"
    update_risk(exempt, {"exempt_paragraph": 1}, None)
    db.session.commit()
    public = _flat(_text(_make(runner, tmp_path, "--register", "TST", "--public",
                               name="public.pdf")))
    assert f"The detail of this risk is exempt information under paragraph 1 {SCHEDULE_12A}" in public
    assert "word1" not in public


def _words(path: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """Each word of a page and its box (x0, top, x1, bottom) in points from the top left."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout
    return [(unescape(word), float(x0), float(top), float(x1), float(bottom)) for x0, top, x1, bottom, word
            in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                          html)]


def test_summary_in_greyscale_each_band_is_its_own_lightness_and_named(app, runner, tmp_path):
    owner = gen_person()
    register = gen_risk(owner=owner, likelihood=1, impact=1).register  # Low 1
    gen_risk(register, owner, likelihood=2, impact=4)  # Medium 8
    gen_risk(register, owner, likelihood=4, impact=5)  # High 20
    path = _make(runner, tmp_path, "--register", "TST")
    subprocess.run(["pdftoppm", "-gray", "-png", "-r", "100", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "grey")], check=True)
    with Image.open(next(tmp_path.glob("grey*.png"))) as image:
        grey = image.convert("L")
    words = _words(path)

    def lightness_left_of(x0, top, bottom) -> int:
        """The grey just left of a word: the background of its cell."""
        return grey.getpixel((round((x0 - 5) * 100 / 72), round((top + bottom) / 2 * 100 / 72)))

    # The rating summary: Green 1 Amber 1 Red 1, lightest first.
    # The rating summary: the first of each colour word (the changes table names them too).
    chips = [next(lightness_left_of(x0, top, bottom) for word, x0, top, x1, bottom in words
                  if word == colour) for colour in ("Green", "Amber", "Red")]
    # The heat map: what is inside the grid (left of the key, above the impact labels).
    key_left = next(x0 for word, x0, *_ in words if word == "Key")
    grid_bottom = next(top for word, x0, top, *_ in words if word == "Minor")
    grid_top = next(bottom for word, x0, top, x1, bottom in words if word == "Likelihood")
    in_grid = [(word, x0, top, bottom) for word, x0, top, x1, bottom in words
               if grid_top < top and bottom < grid_bottom and x0 < key_left and not word.startswith("(")
               and word not in ("Very", "Likely", "Unlikely", "Possible")]
    assert [word for word, *_ in in_grid] == ["1", "High", "1", "Medium", "1", "Low"]  # empty cells blank
    cells = [lightness_left_of(x0, top, bottom) for band in ("Low", "Medium", "High")
             for word, x0, top, bottom in in_grid if word == band]
    for levels in (chips, cells):
        assert len(levels) == 3
        assert all(lighter - darker >= 30 for lighter, darker in pairwise(levels)), levels


def test_long_texts_split_across_pages(app, tmp_path):
    owner = gen_person("Long Text Owner")
    words = " ".join(f"word{n}" for n in range(1100))  # about 8,000 characters
    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):  # recorded on the as-of day
        risk = gen_risk(owner=owner, title="Very long risk", cause=f"Start of cause. {words} End of cause.",
                        consequence="Short consequence.")
        risk.controls.append(Control(description=f"Start of control. {words} End of control.", owner=owner))
        db.session.commit()
    appendix = build_appendix(["TST"], date(2026, 1, 5), date(2025, 10, 5), "Test Council")
    path = tmp_path / "long.pdf"
    path.write_bytes(render_appendix(appendix, generated_on=date(2026, 1, 6)))
    reader = PdfReader(path)
    assert len(reader.pages) >= 4
    flat = _flat(_text(path))
    for marker in ("Start of cause.", "word1099 End of cause.", "Start of control.", "End of control."):
        assert marker in flat
    # Continuation pages say whose they are, and the table header repeats.
    assert "TST0001 continued" in flat
    assert flat.count("Control / Action Owner Type Target Date") >= 2


def test_changes_since_list_ratings_up_and_down_new_and_closed_risks(demo, tmp_path):
    manager = db.session.query(User).filter_by(email="richard.smith@example.gov.uk").one()
    with clock.frozen(datetime(2021, 9, 1, 10, tzinfo=UTC)):
        record_review(get_risk("AH0005"), manager, date(2021, 9, 1), likelihood=3, impact=4,
                      comment="Funding settlement confirmed.", lower_confirmed=True)
        db.session.commit()
    with clock.frozen(datetime(2021, 9, 10, 9, tzinfo=UTC)):
        new = gen_risk(register=get_register("AH"), owner=manager, likelihood=2, impact=2,
                       title="Winter fuel supply disruption")
    with clock.frozen(datetime(2021, 9, 15, 10, tzinfo=UTC)):
        set_status(get_risk("AH0038"), "closed", manager, reason="Merged into AH0033")
        escalate(get_risk("OPS0003"), manager, reason="Needs the directorate's budget")
        db.session.commit()

    appendix = build_appendix(["AH"], date(2021, 9, 29), date(2021, 8, 20), "Test Council")
    section = appendix.sections[0]
    assert [(c.reference, c.change, c.reason) for c in section.changes] == [
        ("AH0005", "Decreased", ""), (new.reference, "New", ""),
        ("OPS0003", "Escalated", "Needs the directorate's budget"),
        ("AH0038", "Closed", "Merged into AH0033"),
        ("AH0011", "No change", ""), ("AH0033", "No change", ""), ("AH0035", "No change", ""),
        ("AH0037", "No change", "")]
    assert section.summary == "Green 1 Amber 4 Red 2 Total 7"
    with clock.frozen(datetime(2021, 9, 20, 10, tzinfo=UTC)):
        get_risk("AH0038").exempt = True
        db.session.commit()
    public = build_appendix(["AH"], date(2021, 9, 29), date(2021, 8, 20), "Test Council",
                            public=True).sections[0]
    assert "AH0038" not in [c.reference for c in public.changes]  # left out, only counted
    assert public.changes_withheld == 1
    path = tmp_path / "changes.pdf"
    path.write_bytes(render_appendix(appendix, generated_on=date(2021, 10, 1)))
    flat = _flat(_text(path))
    assert "Decreased High 20 Medium 12" in flat
    assert (f"{new.reference} Winter fuel supply disruption New – Low 4 10/09/2021 Green since 10 Sep"
            " 2021, under a quarter") in flat
    assert ("AH0038 Information governance Closed Medium 12 Closed Reason: Merged into AH0033"
            " 15/09/2021") in flat
    assert ("OPS0003 Recruitment and retention of AMHPs Escalated – High 20 Reason: Needs the"
            " directorate's budget 15/09/2021") in flat
    assert "AH0011 Business disruption No change Medium 12 Medium 12 Amber since 9 Jun 2021, 1 quarter" in flat


def test_every_register_by_default_each_in_its_own_section(demo, runner, tmp_path):
    flat = _flat(_text(_make(runner, tmp_path)))
    assert "Risk Registers – Corporate Risk Register, Adult Social Care and Health" in flat
    assert "OPS Adult Social Care and Health Operations Green 0 Amber 0 Red 3 Total 3" in flat
    assert "Risk Register – Adult Social Care and Health Operations Current Risk Level Summary" in flat
    assert "OPS0003" in flat and "AH0005" in flat


@pytest.mark.parametrize("option", ["--as-of", "--since"])
def test_a_bad_date_exits_1_naming_the_option(app, runner, tmp_path, option):
    result = runner.invoke(args=["report", "register", str(tmp_path / "x.pdf"), option, "2021-13-40"])
    assert result.exit_code == 1
    assert option in result.stderr and "2021-13-40" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_since_after_as_of_is_refused(app, runner, tmp_path):
    result = runner.invoke(args=["report", "register", str(tmp_path / "x.pdf"), "--as-of", "2021-09-29",
                                 "--since", "2021-10-01"])
    assert result.exit_code == 1
    assert "since date 2021-10-01 is after the as-of date 2021-09-29" in result.stderr


def test_unknown_register_exits_1_listing_the_known_ones(demo, runner, tmp_path):
    result = runner.invoke(args=["report", "register", str(tmp_path / "x.pdf"), "--register", "XYZ"])
    assert result.exit_code == 1
    assert "No register with code 'XYZ'; known registers: AH, CORP, OPS" in result.stderr


def test_unwritable_path_exits_1_naming_it_and_leaves_no_file(demo, runner, tmp_path):
    missing_folder = tmp_path / "no-such-folder" / "appendix.pdf"
    in_the_way = tmp_path / "a-folder.pdf"
    in_the_way.mkdir()
    for target in (missing_folder, in_the_way):
        result = runner.invoke(args=["report", "register", str(target), "--register", "AH"])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: Cannot write {target}:")
        assert "Traceback" not in result.output
    assert not missing_folder.parent.exists()
    assert list(in_the_way.iterdir()) == [] and not list(tmp_path.glob(".a-folder.pdf*"))


def _registers_and_a_viewer():
    """CORP above AH and OPS, a risk on each of those two, and a viewer to sign in as."""
    corp = gen_register("CORP", level="corporate")
    owner = gen_person("Chris McKenzie")
    for code in ("AH", "OPS"):
        gen_risk(gen_register(code, parent=corp), owner, as_of=date(2021, 6, 1), title=f"{code} risk")
    return gen_user("Val Viewer", "viewer")


def test_web_download_for_a_viewer(login):
    client = login(_registers_and_a_viewer())
    page = client.get("/risks?register=AH")
    assert 'href="/appendix.pdf?register=AH"' in page.get_data(as_text=True)
    response = client.get("/appendix.pdf?register=AH&since=2021-06-29&public=1")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename=register-appendix-AH-')
    assert disposition.endswith("-public.pdf")
    assert response.data.startswith(b"%PDF")


def test_web_download_refuses_bad_input(login):
    client = login(_registers_and_a_viewer())
    unknown = client.get("/appendix.pdf?register=XYZ")
    assert unknown.status_code == 404
    assert "known registers: AH, CORP, OPS" in unknown.get_data(as_text=True)
    bad = client.get("/appendix.pdf?register=AH&since=2021-13-40")
    assert bad.status_code == 400
    assert "is not a date" in bad.get_data(as_text=True)


def test_web_download_needs_sign_in(login):
    _registers_and_a_viewer()
    response = login(None).get("/appendix.pdf?register=AH")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_each_review_comment_is_printed_once(app, tmp_path):
    owner = gen_person("Review Owner")
    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):
        risk = gen_risk(owner=owner, title="Reviewed twice")
        db.session.commit()
    for day, comment in ((date(2026, 2, 2), "First look at the controls."),
                         (date(2026, 3, 2), "Second look at the controls.")):
        with clock.frozen(datetime.combine(day, datetime.min.time(), tzinfo=UTC)):
            record_review(risk, owner, day, likelihood=3, impact=4, comment=comment)
            db.session.commit()
    appendix = build_appendix(["TST"], date(2026, 3, 31), date(2026, 1, 1), "Test Council")
    entry = next(appendix.sections[0].risks)
    assert [c.comment for c in entry.comments] == ["Second look at the controls.",
                                                   "First look at the controls."]
    path = tmp_path / "reviews.pdf"
    path.write_bytes(render_appendix(
        build_appendix(["TST"], date(2026, 3, 31), date(2026, 1, 1), "Test Council"),
        generated_on=date(2026, 4, 1)))
    flat = _flat(_text(path))
    assert flat.count("First look at the controls.") == 1
    assert flat.count("Second look at the controls.") == 1


def test_an_action_names_the_lessons_it_answered_on_the_as_of_day(app):
    """A link made later between an action and a lesson is not in an earlier appendix."""
    from riskkit.services.lessons import link_action
    from tests.factories import gen_action, gen_lesson

    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):
        risk = gen_risk(title="Linked later")
        action = gen_action(risk, description="Buy a second generator")
        lesson = gen_lesson(statement="The generator failed")
    with clock.frozen(datetime(2026, 2, 1, 9, tzinfo=UTC)):
        link_action(lesson, None, action)
        db.session.commit()

    def items(as_of):
        entry = next(build_appendix(["TST"], as_of, date(2025, 12, 1), "Test Council").sections[0].risks)
        return [item.description for item in entry.items if item.type != "Control"]

    assert items(date(2026, 1, 31)) == ["Buy a second generator"]
    assert items(date(2026, 2, 1)) == [f"Buy a second generator (From lesson {lesson.reference}, Exercise Oak.)"]
