"""Trend charts and the level strip, rendered: PNGs looked at pixel by pixel in greyscale,
PDFs read back with pdftotext."""

import io
import subprocess
from datetime import date, timedelta

import pytest
from PIL import Image

from riskkit.reports.charts import PNG_SCALE, level_strip, to_pdf, to_png, trend_chart
from riskkit.services.trends import LevelBand, LevelDay, LevelStrip, Reading, Trend

END = date(2026, 12, 6)
OPEL = [LevelBand(1, "OPEL 1", "Green", 70, None), LevelBand(2, "OPEL 2", "Amber", 50, 70),
        LevelBand(3, "OPEL 3", "Red", 35, 50), LevelBand(4, "OPEL 4", "Black", None, 35)]


def staffing(readings=(), bands=OPEL, span=30) -> Trend:
    return Trend("Short-term Pathway Team staffing", "%", END, span, list(readings), list(bands),
                 higher_is_better=True, least=0, most=100)


def grey(png: bytes) -> Image.Image:
    """The picture as a greyscale printer would see it."""
    return Image.open(io.BytesIO(png)).convert("L")


def pixel(image: Image.Image, drawing, x: float, y: float) -> int:
    """The grey at (x, y) in points from the drawing's bottom left."""
    return image.getpixel((round(x * PNG_SCALE), round((drawing.height - y) * PNG_SCALE)))


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "chart.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_bands_print_darker_in_greyscale_the_more_severe_they_are():
    chart = trend_chart(staffing())
    image = grey(to_png(chart.drawing))
    assert list(chart.bands) == ["OPEL 1 Green", "OPEL 2 Amber", "OPEL 3 Red", "OPEL 4 Black"]
    greys = [pixel(image, chart.drawing, x0 + 4, (y0 + y1) / 2) for x0, y0, _, y1 in chart.bands.values()]
    assert greys == sorted(greys, reverse=True)
    assert len(set(greys)) == 4
    # Green's band reaches from 70 to the top of the axis, Black's from 0 to 35.
    green, black = chart.bands["OPEL 1 Green"], chart.bands["OPEL 4 Black"]
    assert black[3] - black[1] == pytest.approx((green[3] - green[1]) * 35 / 30)


def test_the_chart_names_each_band_and_threshold_in_words(tmp_path):
    readings = [Reading(END - timedelta(days=n), 80 - n) for n in range(30)]
    chart = trend_chart(staffing(readings))
    text = pdf_text(to_pdf(chart.drawing, "Staffing"), tmp_path)
    for words in ("Short-term Pathway Team staffing (%)", "OPEL 1 Green", "OPEL 2 Amber", "OPEL 3 Red",
                  "OPEL 4 Black", "higher is better", "latest 80 on 6 Dec", "29 Nov", "6 Dec"):
        assert words in text, words
    thresholds = {line.strip() for line in text.splitlines()}
    assert {"70", "50", "35"} <= {t.split()[0] for t in thresholds if t}


def test_the_line_passes_through_each_reading():
    readings = [Reading(END - timedelta(days=29), 20), Reading(END, 90)]
    chart = trend_chart(staffing(readings))
    image = grey(to_png(chart.drawing))
    black_x0, black_y0, _, _ = chart.bands["OPEL 4 Black"]
    _, _, green_x1, green_y1 = chart.bands["OPEL 1 Green"]
    # 0 to 100 from the bottom of the black band to the top of the green one.
    per_unit = (green_y1 - black_y0) / 100
    assert pixel(image, chart.drawing, black_x0, black_y0 + 20 * per_unit) < 60
    assert pixel(image, chart.drawing, green_x1, black_y0 + 90 * per_unit) < 60


def test_triggers_under_development_and_no_readings_say_so(tmp_path):
    chart = trend_chart(staffing(bands=[], span=90))
    assert chart.bands == {}
    text = pdf_text(to_pdf(chart.drawing, "Referrals"), tmp_path)
    assert "Trigger levels under development" in text
    assert "No readings in these 90 days" in text
    assert "Last 90 days to 6 Dec 2026" in text


def test_readings_outside_the_span_are_left_out(tmp_path):
    readings = [Reading(END - timedelta(days=30), 5), Reading(END - timedelta(days=1), 64)]
    text = pdf_text(to_pdf(trend_chart(staffing(readings)).drawing, "Staffing"), tmp_path)
    assert "latest 64 on 5 Dec" in text


def test_without_a_range_the_axis_fits_the_readings_and_thresholds(tmp_path):
    beds = Trend("Assessment beds available", "beds", END, 30, [Reading(END, 3.5)],
                 [LevelBand(1, "OPEL 1", "Green", 6, None), LevelBand(2, "OPEL 2", "Amber", 2, 6),
                  LevelBand(3, "OPEL 3", "Red", None, 2)])
    text = pdf_text(to_pdf(trend_chart(beds).drawing, "Beds"), tmp_path)
    assert "latest 3.5 on 6 Dec" in text
    assert "Assessment beds available (beds)" in text


def test_the_strip_marks_each_day_in_the_row_of_its_level(tmp_path):
    start = date(2026, 11, 1)
    ranks = [None] * 3 + [1] * 20 + [2] * 20 + [3] * 20 + [4] * 10 + [2] * 20
    strip = LevelStrip("Organisation level, winter 2026/27", OPEL,
                       [LevelDay(start + timedelta(days=n), rank) for n, rank in enumerate(ranks)])
    chart = level_strip(strip)
    image = grey(to_png(chart.drawing))
    column = (chart.drawing.width - chart.bands["OPEL 1 Green"][0]) / len(ranks)
    rows = {band.rank: chart.bands[band.label] for band in OPEL}
    for n, rank in enumerate(ranks):
        x = rows[1][0] + (n + 0.5) * column
        marked = {r for r, (_, y0, _, y1) in rows.items() if pixel(image, chart.drawing, x, (y0 + y1) / 2) < 250}
        assert marked == ({rank} if rank else set()), (n, rank, marked)
    text = pdf_text(to_pdf(chart.drawing, "Levels"), tmp_path)
    for words in ("OPEL 4 Black", "OPEL 1 Green", "Nov 2026", "Dec 2026", "Jan 2027", "Feb 2027"):
        assert words in text
