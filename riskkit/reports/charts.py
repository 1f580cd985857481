"""Small charts of operational pressure: an indicator's readings over 30 or 90 days with
its trigger bands behind them, and the level declared each day of a winter as a strip
of days by levels. Each is one reportlab Drawing, which is a flowable (the sitrep places
it in its PDF as it is) and is drawn to PNG for the web page through the same PDF, so
the two never differ.

Readable without colour: every band is named in words beside the chart and its
thresholds are printed on the axis; the bands' shades step evenly in greyscale, the
more severe the darker (reports/shades.py). In the strip the level is the row a day is
marked in, so position alone tells it. Plain data in (services.trends), nothing read
from the database or the clock.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import pypdfium2 as pdfium
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from riskkit.reports import fonts
from riskkit.reports.outline import OutlinedCanvas
from riskkit.reports.pages import fit
from riskkit.reports.shades import band_shades
from riskkit.services.trends import LevelBand, LevelStrip, Trend

REGULAR, BOLD = fonts.REGULAR, fonts.BOLD
INK, SECONDARY, RULE, WHITE = HexColor("#0b0c0c"), HexColor("#505a5f"), HexColor("#b1b4b6"), HexColor("#ffffff")
#: The OPEL words' colours (GOV.UK's green, yellow, red and black); a level whose word is
#: none of these is painted grey, its shade still set by its rank.
WORD_COLOURS = {"green": "#00703c", "amber": "#ffbf47", "red": "#d4351c", "black": "#0b0c0c"}
OTHER_COLOUR = "#505a5f"
#: Behind a line the bands are pale: luma from nearly white to mid grey.
PALEST, DEEPEST = 245.0, 150.0
#: Pixels per point of the PNGs: 2, sharp on a high-density screen.
PNG_SCALE = 2


class _Swatch(NamedTuple):
    name: str
    colour: str


@dataclass
class Chart:
    drawing: Drawing
    #: band label -> (x0, y0, x1, y1) in points from the bottom left: where each band was
    #: painted, so a test can look inside it.
    bands: dict[str, tuple[float, float, float, float]]


def colour_of(band: LevelBand) -> str:
    return WORD_COLOURS.get(band.word.strip().lower(), OTHER_COLOUR)


def shades(levels: list[LevelBand], palest: float = PALEST, deepest: float = DEEPEST) -> dict[str, str]:
    """Each level's label -> its shade, least severe palest."""
    ordered = sorted(levels, key=lambda b: b.rank)
    return band_shades([_Swatch(b.label, colour_of(b)) for b in ordered], palest, deepest)


# --- an indicator's trend -----------------------------------------------------------


def trend_chart(trend: Trend, width: float = 480, height: float = 200) -> Chart:
    """The readings as a line with a dot for each, on the trigger bands, with the
    thresholds on the axis and the bands named on the right."""
    drawing = Drawing(width, height, initialFontName=REGULAR)
    label_room = max([stringWidth(b.label, REGULAR, 7) for b in trend.bands] + [0]) + 10
    left, right, bottom, top = 34, width - label_room, 22, height - 30
    _trend_heading(drawing, trend, height)
    low, high = _value_range(trend)

    def y_of(value: float) -> float:
        return bottom + (value - low) / (high - low) * (top - bottom)

    def x_of(day: date) -> float:
        return left + (day - trend.start).days / max(trend.span - 1, 1) * (right - left)

    placed = {}
    painted = shades(trend.bands)
    labels = []
    for band in sorted(trend.bands, key=lambda b: b.rank):
        y0 = y_of(max(low, band.lower if band.lower is not None else low))
        y1 = y_of(min(high, band.upper if band.upper is not None else high))
        if y1 <= y0:
            continue
        drawing.add(Rect(left, y0, right - left, y1 - y0, fillColor=HexColor(painted[band.label]),
                         strokeColor=None))
        placed[band.label] = (left, y0, right, y1)
        labels.append(((y0 + y1) / 2, band.label))
    for y, label in _spread(labels, bottom, top, 8):
        drawing.add(String(right + 5, y - 2.5, label, fontName=REGULAR, fontSize=7, fillColor=INK))
    if not trend.bands:
        drawing.add(String((left + right) / 2, top - 10, "Trigger levels under development", fontName=REGULAR,
                           fontSize=7, fillColor=SECONDARY, textAnchor="middle"))
    _value_axis(drawing, trend, left, right, bottom, top, low, high, y_of)
    _day_axis(drawing, trend, left, right, bottom, x_of)
    _readings(drawing, trend, left, right, bottom, top, x_of, y_of)
    return Chart(drawing, placed)


def _trend_heading(drawing: Drawing, trend: Trend, height: float) -> None:
    unit = f" ({trend.unit})" if trend.unit else ""
    drawing.add(String(0, height - 11, fit(f"{trend.title}{unit}", BOLD, drawing.width, 9), fontName=BOLD,
                       fontSize=9, fillColor=INK))
    direction = "higher is better" if trend.higher_is_better else "higher is worse"
    words = f"Last {trend.span} days to {_day(trend.end)} {trend.end.year}, {direction}"
    shown = trend.shown
    if shown:
        words += f"; latest {_number(shown[-1].value)} on {_day(shown[-1].day)}"
    drawing.add(String(0, height - 22, fit(words, REGULAR, drawing.width, 7), fontName=REGULAR, fontSize=7,
                       fillColor=SECONDARY))



def _value_range(trend: Trend) -> tuple[float, float]:
    """The values the axis runs between: the indicator's own range where it has one,
    else the readings and thresholds with a little room."""
    seen = [r.value for r in trend.shown]
    seen += [v for b in trend.bands for v in (b.lower, b.upper) if v is not None]
    low = trend.least if trend.least is not None else min(seen, default=0.0)
    high = trend.most if trend.most is not None else max(seen, default=1.0)
    if high - low <= 0:
        low, high = low - 1, high + 1
    room = (high - low) * 0.08
    return (low if trend.least is not None else low - room), (high if trend.most is not None else high + room)


def _value_axis(drawing, trend, left, right, bottom, top, low, high, y_of) -> None:
    """The axis line, and each threshold printed beside it with a dashed rule across."""
    drawing.add(Line(left, bottom, left, top, strokeColor=INK, strokeWidth=0.5))
    # The thresholds, and the ends of the indicator's own range; with neither, the
    # lowest and highest readings (not the padded ends of the axis, odd numbers).
    marks = {v for b in trend.bands for v in (b.lower, b.upper) if v is not None and low < v < high}
    marks |= {v for v in (trend.least, trend.most) if v is not None}
    if not marks:
        marks = {r.value for r in trend.shown} and {min(r.value for r in trend.shown),
                                                    max(r.value for r in trend.shown)}
    for value in sorted(marks):
        y = y_of(value)
        drawing.add(String(left - 3, y - 2.5, _number(value), fontName=REGULAR, fontSize=7, fillColor=INK,
                           textAnchor="end"))
        if low < value < high:
            drawing.add(Line(left, y, right, y, strokeColor=SECONDARY, strokeWidth=0.5, strokeDashArray=[2, 2]))


def _day_axis(drawing, trend, left, right, bottom, x_of) -> None:
    drawing.add(Line(left, bottom, right, bottom, strokeColor=INK, strokeWidth=0.5))
    step = 7 if trend.span <= 31 else 14
    day = trend.end
    while day >= trend.start:
        x = x_of(day)
        drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=INK, strokeWidth=0.5))
        drawing.add(String(x, bottom - 11, _day(day), fontName=REGULAR, fontSize=7, fillColor=INK,
                           textAnchor="middle"))
        day -= timedelta(days=step)


def _readings(drawing, trend, left, right, bottom, top, x_of, y_of) -> None:
    shown = trend.shown
    if not shown:
        drawing.add(String((left + right) / 2, (bottom + top) / 2, f"No readings in these {trend.span} days",
                           fontName=BOLD, fontSize=8, fillColor=INK, textAnchor="middle"))
        return
    points = [(x_of(r.day), y_of(r.value)) for r in shown]
    if len(points) > 1:
        flat = [c for point in points for c in point]
        # A white edge under the line keeps it clear of the darkest band.
        drawing.add(PolyLine(flat, strokeColor=WHITE, strokeWidth=3.5))
        drawing.add(PolyLine(flat, strokeColor=INK, strokeWidth=1.5))
    for x, y in points:
        drawing.add(Circle(x, y, 2.2, fillColor=INK, strokeColor=WHITE, strokeWidth=0.75))


def _spread(labels: list[tuple[float, str]], bottom: float, top: float, gap: float) -> list[tuple[float, str]]:
    """Labels at their heights, pushed apart to at least `gap` and kept between bottom
    and top, so the names of thin bands do not print over each other."""
    placed: list[tuple[float, str]] = []
    for y, label in sorted(labels):
        y = max(y, bottom + 3, placed[-1][0] + gap if placed else y)
        placed.append((y, label))
    overflow = placed[-1][0] - (top - 3) if placed else 0
    if overflow > 0:
        placed = [(y - overflow, label) for y, label in placed]
    return placed


# --- the level each day of a winter --------------------------------------------------


def level_strip(strip: LevelStrip, width: float = 640, height: float | None = None) -> Chart:
    """A row per level, most severe on top, and a column per day: a day's mark is in
    the row of the level declared that day, painted in that level's shade. Month names
    run along the bottom; a day before any declaration is left empty."""
    levels = sorted(strip.levels, key=lambda b: b.rank, reverse=True)
    row = 14
    height = height or 34 + row * len(levels) + 18
    drawing = Drawing(width, height, initialFontName=REGULAR)
    drawing.add(String(0, height - 11, strip.title, fontName=BOLD, fontSize=9, fillColor=INK))
    left = max([stringWidth(b.label, REGULAR, 7) for b in levels] + [0]) + 8
    top = height - 22
    days = sorted(strip.days, key=lambda d: d.day)
    column = (width - left) / max(len(days), 1)
    painted = shades(levels, 215.0, 70.0)
    placed = {}
    for n, level in enumerate(levels):
        y = top - (n + 1) * row
        drawing.add(String(left - 5, y + row / 2 - 2.5, level.label, fontName=REGULAR, fontSize=7, fillColor=INK,
                           textAnchor="end"))
        drawing.add(Line(left, y, width, y, strokeColor=RULE, strokeWidth=0.5))
        placed[level.label] = (left, y, width, y + row)
    rows = {level.rank: n for n, level in enumerate(levels)}
    for n, day in enumerate(days):
        if day.rank not in rows:
            continue
        level = levels[rows[day.rank]]
        y = top - (rows[day.rank] + 1) * row
        drawing.add(Rect(left + n * column, y + 1, max(column, 0.8), row - 2,
                         fillColor=HexColor(painted[level.label]), strokeColor=None))
    bottom = top - len(levels) * row
    for n, day in enumerate(days):
        if day.day.day == 1 or n == 0:
            x = left + n * column
            words = f"{day.day:%b %Y}"
            drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=INK, strokeWidth=0.5))
            # A month that starts near the right edge is named ending at the edge, not past it.
            x = min(x + 1, width - stringWidth(words, REGULAR, 7))
            drawing.add(String(x, bottom - 11, words, fontName=REGULAR, fontSize=7, fillColor=INK))
    return Chart(drawing, placed)


# --- out as files ------------------------------------------------------------------


def to_pdf(drawing: Drawing, title: str) -> bytes:
    """The drawing alone on a page of its own size."""
    out = io.BytesIO()
    canvas = OutlinedCanvas(out, pagesize=(drawing.width, drawing.height), lang="en-GB")
    canvas.setTitle(title)
    canvas.setCreator("riskkit")
    renderPDF.draw(drawing, canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def to_png(drawing: Drawing, title: str = "Chart") -> bytes:
    """The drawing as a PNG, rasterised from its PDF."""
    document = pdfium.PdfDocument(to_pdf(drawing, title))
    try:
        image = document[0].render(scale=PNG_SCALE).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _day(value: date) -> str:
    return f"{value.day} {value:%b}"


def _number(value: float) -> str:
    """12, 12.5 or 0.25: no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
