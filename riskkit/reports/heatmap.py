"""Heat maps as an A4 landscape page: one reportlab Drawing, written out as PDF for
committee papers and as PNG for slides, so the two never differ.

Takes plain data (HeatMaps from services.summaries, names and dates) and returns
bytes; it never reads the database or the clock. Bands are painted in their print
shades (reports/shades.py: the more severe, the darker in greyscale) and every cell with
risks in it names its band and score in words; an empty cell is left blank, so no number
on the grid is anything but a count of risks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from riskkit import scoring
from riskkit.reports import fonts
from riskkit.reports.outline import OutlinedCanvas
from riskkit.reports.shades import band_shades

if TYPE_CHECKING:
    from riskkit.services.heatmaps import HeatMapReport
    from riskkit.services.summaries import HeatMap

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 36
TEXT, SECONDARY, RULE, WHITE = HexColor("#0b0c0c"), HexColor("#505a5f"), HexColor("#b1b4b6"), HexColor("#ffffff")
REGULAR, BOLD = fonts.REGULAR, fonts.BOLD
CAPTIONS = {"current": "Current risk", "target": "Target risk"}


@dataclass
class Page:
    drawing: Drawing
    #: (which, likelihood, impact) -> (x0, y0, x1, y1) in points from the bottom left:
    #: where each cell was drawn, so a test can check what landed inside it.
    cells: dict[tuple[str, int, int], tuple[float, float, float, float]]


def to_pdf(report: HeatMapReport) -> bytes:
    out = io.BytesIO()
    canvas = OutlinedCanvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), lang="en-GB")
    title = f"{report.title}: {report.register}"
    canvas.setTitle(title)
    canvas.setAuthor(report.organisation)
    canvas.setSubject(f"{_which_words(report)} heat map as of {_long_date(report.as_of)}")
    canvas.setCreator("riskkit")
    canvas.bookmark(title, 0)
    for heat_map in report.maps:
        canvas.bookmark(f"{_caption(heat_map.which)}: {heat_map.summary_text()}", 1)
    renderPDF.draw(page(report).drawing, canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


#: The PNG is drawn at this resolution (1754 x 1240 pixels: sharp on a projected slide)...
RASTER_DPI = 150
#: ...and marked with this one, so a word processor places it 148 mm wide, which fits a
#: portrait page, and prints it at 300 dots to the inch.
PRINT_DPI = 300


def to_png(report: HeatMapReport) -> bytes:
    """The same page as a picture, rasterised from the PDF itself (PDFium ships as a
    wheel, so nothing has to be compiled)."""
    document = pdfium.PdfDocument(to_pdf(report))
    try:
        image = document[0].render(scale=RASTER_DPI / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(PRINT_DPI, PRINT_DPI))
    return out.getvalue()


def page(report: HeatMapReport) -> Page:
    # reportlab would otherwise start the drawing in Helvetica, a font not embedded.
    drawing = Drawing(PAGE_WIDTH, PAGE_HEIGHT, initialFontName=REGULAR)
    cells: dict = {}
    _header(drawing, report)
    key_top = _key(drawing, report.maps[0].matrix)
    _footer(drawing, report)
    gap = 28
    top, bottom = PAGE_HEIGHT - MARGIN - 84, key_top + 12
    width = (PAGE_WIDTH - 2 * MARGIN - gap * (len(report.maps) - 1)) / len(report.maps)
    for n, heat_map in enumerate(report.maps):
        x = MARGIN + n * (width + gap)
        cells.update(_matrix(drawing, heat_map, x, bottom, width, top - bottom))
    return Page(drawing, cells)


def _header(drawing: Drawing, report: HeatMapReport) -> None:
    top = PAGE_HEIGHT - MARGIN
    drawing.add(String(MARGIN, top - 10, report.organisation, fontName=REGULAR, fontSize=10, fillColor=SECONDARY))
    drawing.add(String(MARGIN, top - 34, report.title, fontName=BOLD, fontSize=20, fillColor=TEXT))
    drawing.add(String(MARGIN, top - 54, f"Register: {report.register}", fontName=REGULAR, fontSize=11,
                       fillColor=TEXT))
    details = f"As of {_long_date(report.as_of)}"
    if report.owner:
        details += f"  ·  Owner: {report.owner}"
    drawing.add(String(MARGIN, top - 70, details, fontName=REGULAR, fontSize=11, fillColor=TEXT))


def _footer(drawing: Drawing, report: HeatMapReport) -> None:
    drawing.add(Line(MARGIN, MARGIN + 12, PAGE_WIDTH - MARGIN, MARGIN + 12, strokeColor=RULE, strokeWidth=0.5))
    words = (f"{report.title}  ·  {report.register}  ·  As of {_long_date(report.as_of)}"
             f"  ·  Generated {_long_date(report.generated)}")
    drawing.add(String(MARGIN, MARGIN, words, fontName=REGULAR, fontSize=8, fillColor=SECONDARY))
    # One page always: crowded cells end in "+N more" rather than running over.
    drawing.add(String(PAGE_WIDTH - MARGIN, MARGIN, "Page 1 of 1", fontName=REGULAR, fontSize=8,
                       fillColor=SECONDARY, textAnchor="end"))


def _key(drawing: Drawing, matrix) -> float:
    """The bands in a row above the footer: swatch, name, colour word, scores. Returns its top."""
    y, x, size = MARGIN + 24, MARGIN, 9
    drawing.add(String(x, y, "Key", fontName=BOLD, fontSize=size, fillColor=TEXT))
    x += stringWidth("Key", BOLD, size) + 12
    shades = band_shades(matrix.bands)
    for band in matrix.bands:
        drawing.add(Rect(x, y - 2, 11, 11, fillColor=HexColor(shades[band.name]), strokeColor=TEXT,
                         strokeWidth=0.5))
        words = band.name if band.colour_name == band.name else f"{band.name} ({band.colour_name})"
        if band.min_score is not None and band.max_score is not None:
            words += f" {band.min_score}–{band.max_score}"
        drawing.add(String(x + 15, y, words, fontName=REGULAR, fontSize=size, fillColor=TEXT))
        x += 15 + stringWidth(words, REGULAR, size) + 18
    drawing.add(String(PAGE_WIDTH - MARGIN, y, "Each cell with risks: rating and score, number of risks, references",
                       fontName=REGULAR, fontSize=8, fillColor=SECONDARY, textAnchor="end"))
    return y + size + 2


def _matrix(drawing: Drawing, heat_map: HeatMap, x: float, y: float, width: float, height: float) -> dict:
    """One matrix with its axis labels and caption in the box (x, y, width, height)."""
    matrix = heat_map.matrix
    top = y + height
    caption = _caption(heat_map.which)
    drawing.add(String(x, top - 13, caption, fontName=BOLD, fontSize=13, fillColor=TEXT))
    drawing.add(String(x + stringWidth(caption, BOLD, 13) + 12, top - 13, heat_map.summary_text(),
                       fontName=REGULAR, fontSize=10, fillColor=TEXT))
    label_width = min(96.0, width * 0.16)
    grid_x, grid_y = x + 16 + label_width, y + 36
    grid_width, grid_height = x + width - grid_x, top - 24 - grid_y
    columns, rows = len(matrix.impact), len(matrix.likelihood)
    cell_width, cell_height = grid_width / columns, grid_height / rows
    label_size = 9 if cell_width >= 70 else 8

    rotated = Group(String(0, 0, "Likelihood", fontName=BOLD, fontSize=9, fillColor=TEXT, textAnchor="middle"),
                    transform=(0, 1, -1, 0, x + 9, grid_y + grid_height / 2))
    drawing.add(rotated)
    drawing.add(String(grid_x + grid_width / 2, y + 2, "Impact", fontName=BOLD, fontSize=9, fillColor=TEXT,
                       textAnchor="middle"))
    for level in matrix.levels("impact"):
        centre = grid_x + (level - 0.5) * cell_width
        lines = simpleSplit(f"{matrix.impact[level - 1]} ({level})", REGULAR, label_size, cell_width - 4)
        for n, line in enumerate(lines[:2]):
            drawing.add(String(centre, grid_y - 4 - label_size - n * (label_size + 1), line, fontName=REGULAR,
                               fontSize=label_size, fillColor=TEXT, textAnchor="middle"))

    placed = {}
    shades = band_shades(matrix.bands)
    for r, row in enumerate(heat_map.rows):
        cell_y = grid_y + grid_height - (r + 1) * cell_height
        lines = simpleSplit(f"{matrix.likelihood[row[0].likelihood - 1]} ({row[0].likelihood})", REGULAR,
                            label_size, label_width - 6)[:3]
        first = cell_y + cell_height / 2 + (len(lines) - 1) * (label_size + 1) / 2 - label_size / 3
        for n, line in enumerate(lines):
            drawing.add(String(grid_x - 6, first - n * (label_size + 1), line, fontName=REGULAR,
                               fontSize=label_size, fillColor=TEXT, textAnchor="end"))
        for cell in row:
            cell_x = grid_x + (cell.impact - 1) * cell_width
            _cell(drawing, cell, shades[cell.band.name], cell_x, cell_y, cell_width, cell_height)
            placed[(heat_map.which, cell.likelihood, cell.impact)] = (
                cell_x, cell_y, cell_x + cell_width, cell_y + cell_height)
    return placed


def _cell(drawing: Drawing, cell, shade: str, x: float, y: float, width: float, height: float) -> None:
    """The band's shade; then, if risks are in the cell, in black or white, whichever
    reads better on it: band name and score, the number of risks, and as many references
    as fit. An empty cell shows nothing but its shade."""
    drawing.add(Rect(x, y, width, height, fillColor=HexColor(shade), strokeColor=WHITE, strokeWidth=2))
    if not cell.count:
        return
    ink = ink_for(shade)
    size = 8 if width >= 90 else 7 if width >= 64 else 6  # two references a line even side by side
    pad = 4
    inner = width - 2 * pad
    line_y = y + height - pad - size
    drawing.add(String(x + pad, line_y, f"{cell.band.name} {cell.score}", fontName=REGULAR, fontSize=size,
                       fillColor=ink))
    line_y -= size + 4
    drawing.add(String(x + pad, line_y, f"{cell.count} risk{'s' if cell.count != 1 else ''}", fontName=BOLD,
                       fontSize=size + 2, fillColor=ink))
    leading = size * 1.25
    room = int((line_y - y - pad - 2) // leading)  # lines whose descenders stay inside the cell
    for line in fit_references(cell.references, cell.count, inner, room, size):
        line_y -= leading
        drawing.add(String(x + pad, line_y, line, fontName=REGULAR, fontSize=size, fillColor=ink))


def fit_references(references: list[str], count: int, width: float, lines: int, size: float) -> list[str]:
    """References wrapped into at most `lines` lines of `width` points, ending "+N more"
    for the `count` risks that did not fit or were not given. Work stops when the lines
    are full, so a cell of thousands of risks costs no more than one of forty."""
    if lines <= 0:
        return []
    capacity = sum(len(line) for line in _wrap(references, width, size, lines))
    for shown in range(capacity, -1, -1):
        tokens = references[:shown]
        if count > shown:
            tokens.append(f"+{count - shown} more")
        wrapped = _wrap(tokens, width, size, lines + 1)
        if len(wrapped) <= lines:
            return [" ".join(line) for line in wrapped]
    return []


def _wrap(tokens: list[str], width: float, size: float, most: int) -> list[list[str]]:
    """Greedy wrap of tokens separated by spaces (no commas: two references fit a line of
    a narrow cell), stopping after `most` lines."""
    space = stringWidth(" ", REGULAR, size)
    lines: list[list[str]] = []
    used = 0.0
    for token in tokens:
        token_width = stringWidth(token, REGULAR, size)
        if lines and used + space + token_width <= width:
            lines[-1].append(token)
            used += space + token_width
            continue
        if len(lines) == most:
            break
        lines.append([token])
        used = token_width
    return lines


def ink_for(colour: str) -> Color:
    """Black or white text, whichever has the higher WCAG contrast on a band colour."""
    return HexColor(scoring.text_colour(colour))


def _caption(which: str) -> str:
    return CAPTIONS.get(which, which.capitalize())


def _which_words(report: HeatMapReport) -> str:
    return " and ".join(_caption(m.which) for m in report.maps)


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
