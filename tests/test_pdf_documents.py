"""What every PDF riskkit makes shares, read back from each: the register appendix, the
heat map and the exercise report print any text in the embedded DejaVu Sans (Welsh,
Polish, the Euro sign, dashes; an emoji the font lacks as U+FFFD), and carry a title,
author, subject, language and an outline of their headings."""

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import current_app
from pypdf import PdfReader

from riskkit import clock
from riskkit.extensions import db
from tests.factories import gen_event, gen_lesson, gen_person, gen_risk

WELSH = "Llifogydd yng Nghwm Tawe: ŵ ŷ Ŵ Ŷ"
POLISH = "Łukasz Wróbel"
ROMANIAN = "Ștefan Bălan"
MONEY = "Cost €2m — not £2m – nor $2m"
EMOJI = "\N{THUMBS UP SIGN}"  # DejaVu Sans has no glyph for it
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def _text(path: Path) -> str:
    """The text in the order it is drawn: a table cell's lines together."""
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


def _fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) of each font the PDF uses, as poppler's pdffonts lists them."""
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """Each outline entry as (depth, title, page number from 1)."""
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


@pytest.fixture
def documents(app, runner, tmp_path) -> dict[str, Path]:
    """The appendix, heat map (PDF and PNG) and exercise report of a register and an
    exercise whose words are Welsh, Polish and Romanian, with money, dashes and an emoji."""
    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):  # recorded on the as-of day
        owner = gen_person(POLISH)
        risk = gen_risk(owner=owner, title=f"{WELSH} {EMOJI}", cause=f"{MONEY}. Raised by {ROMANIAN}.")
        risk.register.name = "Cyngor Sir Ynys Môn — Gwasanaethau"
        db.session.commit()
        event = gen_event(name=f"Ymarfer {WELSH}", risks=[risk])
        gen_lesson(event, owner=owner, statement=f"{MONEY} {EMOJI}")
    paths = {name: tmp_path / name for name in ("appendix.pdf", "heat.pdf", "heat.png", "exercise.pdf")}
    for args in (["report", "appendix", str(paths["appendix.pdf"]), "--register", "TST", "--as-of", "2026-01-05"],
                 ["heatmap", "--register", "TST", "--owner", POLISH, "--as-of", "2026-01-05",
                  "--pdf", str(paths["heat.pdf"]), "--png", str(paths["heat.png"])],
                 ["exercises", "report", str(event.id), str(paths["exercise.pdf"])]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return paths


def test_any_text_prints_in_the_embedded_font(documents):
    appendix = _flat(_text(documents["appendix.pdf"]))
    assert f"TST0001 {WELSH}" in appendix and POLISH in appendix
    assert REPLACEMENT in appendix and EMOJI not in appendix  # the title's emoji, as the font cannot print it
    assert f"{MONEY}. Raised by {ROMANIAN}." in appendix
    assert "Risk Register – Cyngor Sir Ynys Môn — Gwasanaethau" in appendix
    heat_map = _flat(_text(documents["heat.pdf"]))
    assert f"Owner: {POLISH}" in heat_map and "Register: Cyngor Sir Ynys Môn — Gwasanaethau (TST)" in heat_map
    exercise = _flat(_text(documents["exercise.pdf"]))
    assert f"Exercise report: Ymarfer {WELSH}" in exercise
    assert f"{MONEY} {REPLACEMENT}" in exercise and POLISH in exercise
    for name in ("appendix.pdf", "heat.pdf", "exercise.pdf"):
        fonts = _fonts(documents[name])
        # Only the shipped fonts, embedded (as subsets): no Helvetica, nothing left to the reader's computer.
        assert {font.split("+")[-1] for font, _ in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}, (name, fonts)
        assert {embedded for _, embedded in fonts} == {"yes"}, (name, fonts)


def test_every_pdf_has_its_metadata_and_an_outline_of_its_headings(documents):
    organisation = current_app.config["ORGANISATION_NAME"]
    expected = {
        "appendix.pdf": ("Risk Register – Cyngor Sir Ynys Môn — Gwasanaethau", "Risk register appendix: TST"),
        "heat.pdf": ("Risk heat map: Cyngor Sir Ynys Môn — Gwasanaethau (TST)", "Current risk heat map as of"),
        "exercise.pdf": (f"Exercise report: Ymarfer {WELSH}", "Tabletop exercise of 10/02/2026"),
    }
    outlines = {}
    for name, (title, subject) in expected.items():
        reader = PdfReader(documents[name])
        assert reader.metadata.title == title
        assert reader.metadata.author == organisation
        assert reader.metadata.subject.startswith(subject), reader.metadata.subject
        catalog = reader.trailer["/Root"]
        assert catalog["/Lang"] == "en-GB"
        assert catalog["/PageMode"] == "/UseOutlines" and catalog["/ViewerPreferences"]["/DisplayDocTitle"]
        outlines[name] = _outline(reader)
        assert outlines[name][0] == (0, title, 1)
    assert outlines["appendix.pdf"][1:] == [
        (1, "Risk Register – Cyngor Sir Ynys Môn — Gwasanaethau", 1),
        (2, "Current Risk Level Summary", 1),
        (2, "Current Risk Level Changes since 05/10/2025", 1),
        (2, f"TST0001 {WELSH} {EMOJI}", 2),
    ]
    assert outlines["heat.pdf"][1:] == [(1, "Current risk: Green 0 Amber 1 Red 0 Total 1", 1)]
    assert [(depth, title) for depth, title, _ in outlines["exercise.pdf"][1:]] == [
        (1, "1. Overview"), (1, "2. Objectives and ratings"), (1, "3. Debriefs held"), (1, "4. Strengths"),
        (1, "5. Areas for improvement"), (1, "6. Improvement plan"), (1, "7. Actions raised on risks")]
