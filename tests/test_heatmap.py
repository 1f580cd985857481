"""Heat map PDFs and PNGs: read back with pypdf and poppler, each reference found in
its cell, the CLI's bad input, and the dashboard's download."""

import re
import subprocess
import time
from datetime import UTC, date, datetime
from html import unescape
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from riskkit import clock, scoring
from riskkit.reports.heatmap import PAGE_HEIGHT, RASTER_DPI, REGULAR, fit_references, ink_for, page, to_pdf
from riskkit.reports.shades import band_shades
from riskkit.services.heatmaps import build_report
from riskkit.services.registers import get_register
from riskkit.services.risks import get_risk
from riskkit.services.summaries import Cell, HeatMap
from tests.factories import gen_person, gen_register, gen_risk, gen_user

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
GENERATED = date(2026, 11, 23)
DEMO_REFERENCES = ["AH0005", "AH0011", "AH0033", "AH0035", "AH0037", "AH0038", "OPS0003", "OPS0005", "OPS0059"]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The generated date is the one day the renderer's input comes from the clock."""
    monkeypatch.setattr("riskkit.commands.heatmap.today", lambda: GENERATED)
    monkeypatch.setattr("riskkit.web.heatmaps.today", lambda: GENERATED)
    monkeypatch.setattr("riskkit.web.params.today", lambda: GENERATED)  # the default as_of


def layout_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return text.stdout


def words_with_boxes(path: Path) -> list[tuple[str, float, float, float, float]]:
    """Each word and its box (x0, y0, x1, y1) in points from the bottom left, as the
    renderer's cell geometry is given (pdftotext -bbox counts from the top)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    found = []
    for x0, top, x1, bottom, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html):
        found.append((unescape(word), float(x0), PAGE_HEIGHT - float(bottom), float(x1), PAGE_HEIGHT - float(top)))
    return found


def test_pdf_of_the_directorate_register_reads_back(demo, runner, tmp_path):
    out = tmp_path / "heat.pdf"
    result = runner.invoke(args=["heatmap", "--register", "AH", "--as-of", "2021-09-29", "--pdf", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote {out}"

    reader = PdfReader(out)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    meta = reader.metadata
    assert meta.title == "Risk heat map: Adult Social Care and Health (AH)"
    assert meta.author == "Example County Council"
    assert meta.subject == "Current risk heat map as of 29 September 2021"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "Page 1 of 1" in reader.pages[0].extract_text()

    text = layout_text(out)
    for expected in ("Example County Council", "Risk heat map", "Register: Adult Social Care and Health (AH)",
                     "As of 29 September 2021", "Generated 23 November 2026", "Page 1 of 1",
                     "Current risk", "Green 0 Amber 4 Red 2 Total 6", "Likelihood", "Impact",
                     "Very Likely (5)", "Very Unlikely (1)", "Minor (1)", "Major (5)",
                     "Low (Green) 1–6", "Medium (Amber) 8–15", "High (Red) 16–25",
                     "High 20", "2 risks", "3 risks", "1 risk", "Medium 12"):
        assert expected in text, expected
    # Only a cell with risks in it says anything: an empty one's score would read as a count.
    assert "Low 1" not in text and "Medium 10" not in text and "High 25" not in text
    assert "Target risk" not in text and "OPS0003" not in text
    assert re.findall(r"\d+ risks?\b", text) == ["2 risks", "3 risks", "1 risk"]  # top row first


def test_each_reference_lands_in_its_cell_and_the_cells_under_their_labels(demo, tmp_path):
    corporate = get_register("CORP")
    report = build_report(corporate, "both", None, date(2021, 9, 29), GENERATED, "Example County Council")
    out = tmp_path / "both.pdf"
    out.write_bytes(to_pdf(report))
    cells = page(report).cells
    words = words_with_boxes(out)

    def cell_of(x0, y0, x1, y1):
        middle = ((x0 + x1) / 2, (y0 + y1) / 2)
        inside = [key for key, (cx0, cy0, cx1, cy1) in cells.items()
                  if cx0 <= middle[0] <= cx1 and cy0 <= middle[1] <= cy1]
        assert len(inside) == 1, middle
        return inside[0]

    placed = {(which, word): (lk, im) for word, *box in words
              if re.fullmatch(r"(AH|OPS)\d{4}", word) for which, lk, im in [cell_of(*box)]}
    assert sorted(placed) == sorted((which, ref) for which in ("current", "target") for ref in DEMO_REFERENCES)
    for (which, reference), cell in placed.items():
        risk = get_risk(reference)
        expected = (risk.likelihood, risk.impact) if which == "current" else (risk.target_likelihood,
                                                                               risk.target_impact)
        assert cell == expected, (which, reference)
    assert placed[("current", "OPS0003")] == (4, 5) and placed[("target", "AH0005")] == (3, 4)

    # The row and column labels sit beside their own cells: "(5)" left of the grid is
    # likelihood 5, level with the top row; "(5)" below it is impact 5, under the last column.
    matrix = corporate.matrix
    current = {key[1:]: box for key, box in cells.items() if key[0] == "current"}
    grid_left = min(box[0] for box in current.values())
    grid_bottom = min(box[1] for box in current.values())
    for word, x0, y0, x1, y1 in words:
        level = re.fullmatch(r"\((\d+)\)", word)
        if not level or x0 > max(box[2] for box in current.values()):
            continue
        n = int(level.group(1))
        if x1 < grid_left:
            row = current[(n, 1)]
            assert row[1] <= (y0 + y1) / 2 <= row[3], f"likelihood label {n} is not level with its row"
        else:
            assert y1 < grid_bottom
            column = current[(1, n)]
            assert column[0] <= (x0 + x1) / 2 <= column[2], f"impact label {n} is not under its column"
    assert len(matrix.likelihood) == 5 and len(matrix.impact) == 5


def test_both_and_target_scores(demo, runner, tmp_path):
    both = tmp_path / "both.pdf"
    assert runner.invoke(args=["heatmap", "--scores", "both", "--pdf", str(both)]).exit_code == 0
    text = layout_text(both)
    assert "Current risk" in text and "Target risk" in text
    assert "Register: Corporate Risk Register (CORP), rolling up AH, OPS" in text
    assert "Green 0 Amber 4 Red 5 Total 9" in text and "Green 0 Amber 8 Red 1 Total 9" in text
    assert PdfReader(both).metadata.subject == "Current risk and Target risk heat map as of 23 November 2026"

    target = tmp_path / "target.pdf"
    result = runner.invoke(args=["heatmap", "--register", "AH", "--scores", "target", "--pdf", str(target)])
    assert result.exit_code == 0, result.output
    text = layout_text(target)
    assert "Target risk" in text and "Current risk" not in text
    assert "Green 0 Amber 6 Red 0 Total 6" in text
    assert re.findall(r"\d+ risks?\b", text) == ["5 risks", "1 risk"]  # Medium 9 and Medium 12


def test_printed_in_greyscale_each_band_is_its_own_lightness_darker_as_it_is_more_severe(app, runner, tmp_path):
    placed = {"Low": (1, 1), "Moderate": (2, 2), "High": (2, 4), "Extreme": (5, 5)}
    with clock.frozen(datetime(2026, 1, 5, 9, tzinfo=UTC)):  # on the register before GENERATED
        register = gen_register("NHS", matrix="nhs-5x5")  # four bands: Low, Moderate, High, Extreme
        owner = gen_person()
        for likelihood, impact in placed.values():
            gen_risk(register, owner, likelihood, impact)
    png, pdf = tmp_path / "heat.png", tmp_path / "heat.pdf"
    result = runner.invoke(args=["heatmap", "--register", "NHS",
                                 "--png", str(png), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    report = build_report(register, "current", None, GENERATED, GENERATED, "Example County Council")
    cells = page(report).cells
    matrix = register.matrix
    scale = RASTER_DPI / 72

    with Image.open(png) as image:
        grey = image.convert("L")  # as a greyscale printer sees it
    lightness: dict[str, set[int]] = {}
    for (_, likelihood, impact), (x0, y0, x1, y1) in cells.items():
        # Inside the white border, the colour most pixels have: the cell's background.
        box = (round(x0 * scale) + 4, round((PAGE_HEIGHT - y1) * scale) + 4,
               round(x1 * scale) - 4, round((PAGE_HEIGHT - y0) * scale) - 4)
        background = max(grey.crop(box).getcolors(), key=lambda pair: pair[0])[1]
        band = scoring.rating(matrix, likelihood, impact).name
        lightness.setdefault(band, set()).add(background)
    assert all(max(values) - min(values) <= 2 for values in lightness.values()), lightness
    levels = [min(lightness[band.name]) for band in matrix.bands]  # least severe first
    assert levels == sorted(levels, reverse=True)
    assert all(lighter - darker >= 30 for lighter, darker in pairwise(levels)), levels

    # A cell with risks names its band (so no one needs the colour); an empty one is blank.
    inside = {}
    for word, x0, y0, x1, y1 in words_with_boxes(pdf):
        for key, (cx0, cy0, cx1, cy1) in cells.items():
            if cx0 <= (x0 + x1) / 2 <= cx1 and cy0 <= (y0 + y1) / 2 <= cy1:
                inside.setdefault(key[1:], []).append(word)
    assert sorted(inside) == sorted(placed.values())
    for band, cell in placed.items():
        assert inside[cell][:3] == [band, str(scoring.score(*cell)), "1"], inside[cell]


def test_owner_filter_names_the_owner(demo, runner, tmp_path):
    out = tmp_path / "mine.pdf"
    result = runner.invoke(args=["heatmap", "--owner", "chris mckenzie", "--pdf", str(out)])
    assert result.exit_code == 0, result.output
    text = layout_text(out)
    assert "Owner: Chris McKenzie" in text and "Total 1" in text
    assert re.findall(r"(?:AH|OPS)\d{4}", text) == ["AH0033"]


def test_png_output_and_the_pdf_rendered_by_poppler(demo, runner, tmp_path):
    png, pdf = tmp_path / "heat.png", tmp_path / "heat.pdf"
    result = runner.invoke(args=["heatmap", "--register", "AH", "--png", str(png), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == PNG_MAGIC
    with Image.open(png) as image:
        assert image.size[0] == 1754 and abs(image.size[1] - 1240) <= 1  # A4 landscape at 150 dpi (rounding)
        # ...and marked 300 dpi, so it prints sharp at 148 mm wide (pHYs, read back by Pillow).
        assert tuple(round(value) for value in image.info["dpi"]) == (300, 300)
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    shades = band_shades(get_register("AH").matrix.bands)
    assert {tuple(int(shades[band][i:i + 2], 16) for i in (1, 3, 5)) for band in ("Low", "Medium", "High")} <= colours

    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    rendered = next(tmp_path.glob("page*.png"))
    assert rendered.read_bytes()[:8] == PNG_MAGIC
    with Image.open(rendered) as image:
        assert abs(image.width - 702) <= 2 and abs(image.height - 496) <= 2


def test_bad_input_is_one_line_exit_1_and_writes_nothing(demo, runner, tmp_path):
    out = tmp_path / "heat.pdf"
    bad_date = runner.invoke(args=["heatmap", "--pdf", str(out), "--as-of", "2021-13-40"])
    assert bad_date.exit_code == 1
    assert bad_date.stderr.strip() == (
        "Error: Invalid value for --as-of: '2021-13-40' is not a date in the form YYYY-MM-DD")

    unknown = runner.invoke(args=["heatmap", "--pdf", str(out), "--register", "XYZ"])
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "Error: No register with code 'XYZ'; known registers: AH, CORP, OPS"

    nowhere = runner.invoke(args=["heatmap"])
    assert nowhere.exit_code == 1
    assert nowhere.stderr.strip() == (
        "Error: Say where to write the heat map: --pdf FILE, --png FILE, --html FILE or more than one")

    tmp_path = tmp_path / "out"  # the test database lives in tmp_path itself
    tmp_path.mkdir()
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for option in ("--pdf", "--png"):
        unwritable = runner.invoke(args=["heatmap", option, str(folder)])
        assert unwritable.exit_code == 1
        assert unwritable.stderr.strip() == f"Error: Cannot write {folder}: Is a directory"
    missing = runner.invoke(args=["heatmap", "--pdf", str(tmp_path / "no" / "such" / "heat.pdf")])
    assert missing.exit_code == 1 and str(tmp_path / "no" / "such" / "heat.pdf") in missing.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["a-folder"]  # no report, no temporary file
    assert list(folder.iterdir()) == []


def test_without_a_corporate_register_a_register_must_be_named(app, runner, tmp_path):
    result = runner.invoke(args=["heatmap", "--pdf", str(tmp_path / "heat.pdf")])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: No single corporate register to show by default: name a register (known registers: none yet)")


def test_crowded_cells_end_in_n_more_without_slowing_down():
    references = [f"AH{n:05d}" for n in range(10_000)]
    started = time.perf_counter()
    lines = fit_references(references, 10_000, 120, 4, 8)
    assert time.perf_counter() - started < 0.1
    assert len(lines) == 4
    shown = sum(len(re.findall(r"AH\d{5}", line)) for line in lines)
    assert lines[-1].endswith(f"+{10_000 - shown} more")
    # Risks the services did not send (count above the references given) are counted too.
    assert fit_references(["AH0001", "AH0002"], 5, 200, 3, 8) == ["AH0001 AH0002 +3 more"]
    assert fit_references(["AH0001", "AH0002"], 2, 200, 3, 8) == ["AH0001 AH0002"]
    room = stringWidth("AH0001 +2 more", REGULAR, 8) + 1  # one reference and the rest counted
    assert fit_references(["AH0001", "AH0002", "AH0003"], 3, room, 1, 8) == ["AH0001 +2 more"]
    assert fit_references(["AH0001"], 1, 200, 0, 8) == []


def test_a_10000_risk_map_is_one_readable_page(tmp_path):
    matrix = scoring.parse_matrix({
        "slug": "t", "name": "T", "likelihood": ["Rare", "Likely"], "impact": ["Small", "Big"],
        "bands": [{"name": "Low", "colour": "#00703c", "colour_name": "Green", "min": 1, "max": 2,
                   "review_months": 6},
                  {"name": "High", "colour": "#ffdd00", "colour_name": "Yellow", "min": 3, "max": 4,
                   "review_months": 1}]})
    rows = [[Cell(lk, im, scoring.rating(matrix, lk, im), 2_500, [f"R{lk}{im}{n:04d}" for n in range(2_500)])
             for im in (1, 2)] for lk in (2, 1)]
    from riskkit.services.heatmaps import HeatMapReport

    report = HeatMapReport([HeatMap(matrix, rows, "current")], "Test (T)", "Org", GENERATED, GENERATED)
    out = tmp_path / "big.pdf"
    out.write_bytes(to_pdf(report))
    text = layout_text(out)
    assert "Total 10000" in text and text.count("2500 risks") == 4 and text.count(" more") == 4
    assert "High (Yellow) 3–4" in text


def test_ink_is_black_or_white_for_contrast():
    assert ink_for("#d4351c").hexval() == "0xffffff"  # white on red
    assert ink_for("#f47738").hexval() == "0x0b0c0c"  # black on amber
    assert ink_for("#ffdd00").hexval() == "0x0b0c0c"


def test_web_download_for_a_signed_in_viewer(login):
    corp = gen_register("CORP", level="corporate")
    for code in ("AH", "OPS"):
        gen_risk(gen_register(code, parent=corp), title=f"{code} risk")
    assert login(None).get("/heatmap.pdf?register=AH").status_code == 302  # to the sign-in page
    client = login(gen_user("Val Viewer", "viewer"))
    response = client.get("/heatmap.pdf?register=AH&scores=both")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=heatmap-AH-both-2026-11-23.pdf"
    assert response.data.startswith(b"%PDF")
    default = client.get("/heatmap.pdf")
    assert default.headers["Content-Disposition"] == "attachment; filename=heatmap-CORP-2026-11-23.pdf"

    missing = client.get("/heatmap.pdf?register=XYZ")
    assert missing.status_code == 404 and "known registers: AH, CORP, OPS" in missing.get_data(as_text=True)
    assert client.get("/heatmap.pdf?register=AH&scores=all").status_code == 400

    dashboard = client.get("/").get_data(as_text=True)
    for code in ("AH", "CORP", "OPS"):
        assert f'href="/heatmap.pdf?register={code}"' in dashboard


@pytest.mark.parametrize("most", [3, 8, 9, 150])
def test_each_cell_counts_its_risks_and_lists_its_first_references_in_order(app, most):
    """Both ways of reading a cell's references (index walks for a few, one window for
    many, as a PDF asks) give the same count and the first references in order."""
    from riskkit.extensions import db
    from riskkit.services.summaries import cell_data
    from tests.factories import gen_person, gen_register, gen_risk

    register, other, owner = gen_register("CELL"), gen_register("OTH"), gen_person()
    references = sorted(gen_risk(register, owner, likelihood=4, impact=5).reference
                        for _ in range(12))
    gen_risk(register, owner, likelihood=1, impact=1)
    gen_risk(other, owner, likelihood=4, impact=5)
    db.session.commit()
    data = cell_data([register.id], max_references=most)
    assert set(data) == {(register.id, 4, 5), (register.id, 1, 1)}
    count, first = data[(register.id, 4, 5)]
    assert count == 12 and sorted(first) == references[:most]
    assert data[(register.id, 1, 1)][0] == 1
