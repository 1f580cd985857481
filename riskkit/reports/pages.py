"""What riskkit's A4 portrait reports share: page size and margins, fonts and colours,
paragraph and table styles, the running header and the "Page x of y" footer, and the
outline of headings. "Page x of y" uses a form drawn once at the end, so one pass is
enough."""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from riskkit.reports import fonts
from riskkit.reports.outline import OutlinedCanvas

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
FONT, BOLD = fonts.REGULAR, fonts.BOLD  # embedded, so any text prints
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")
SHADE = colors.HexColor("#f3f2f1")
ALERT = colors.HexColor("#d4351c")
PAGE_TOTAL = "pageTotal"  # the form holding the number of pages, drawn at the end

_base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)
STYLES = {
    "body": _base,
    "cell": ParagraphStyle("cell", _base, fontSize=8, leading=10.5),
    "label": ParagraphStyle("label", _base, fontName=BOLD, fontSize=8, leading=10),
    "note": ParagraphStyle("note", _base, fontSize=8, leading=10.5, textColor=GREY),
    "organisation": ParagraphStyle("organisation", _base, fontSize=11, leading=14, textColor=GREY),
    "title": ParagraphStyle("title", _base, fontName=BOLD, fontSize=20, leading=24, spaceBefore=2,
                            spaceAfter=10),
    "section": ParagraphStyle("section", _base, fontName=BOLD, fontSize=15, leading=19, spaceAfter=6),
    "heading": ParagraphStyle("heading", _base, fontName=BOLD, fontSize=11.5, leading=14,
                              spaceBefore=12, spaceAfter=5, keepWithNext=1),
    "subheading": ParagraphStyle("subheading", _base, fontName=BOLD, fontSize=9.5, leading=12,
                                 spaceBefore=8, spaceAfter=2),
    "reference": ParagraphStyle("reference", _base, fontName=BOLD, fontSize=10, leading=12.5),
    "risk-title": ParagraphStyle("risk-title", _base, fontName=BOLD, fontSize=10, leading=12.5),
    "chip": ParagraphStyle("chip", _base, fontName=BOLD, fontSize=11, leading=13, alignment=TA_CENTER),
    "count": ParagraphStyle("count", _base, fontName=BOLD, fontSize=12, leading=13, alignment=TA_CENTER),
    "band": ParagraphStyle("band", _base, fontSize=6.5, leading=7.5, alignment=TA_CENTER),
    "axis": ParagraphStyle("axis", _base, fontSize=7, leading=8.5),
    "axis-centre": ParagraphStyle("axis-centre", _base, fontSize=7, leading=8.5, alignment=TA_CENTER),
}
#: Every table's own font: reportlab's default for a table cell is Helvetica, not embedded.
TABLE_FONT = [("FONTNAME", (0, 0), (-1, -1), FONT)]
GRID = TABLE_FONT + [
    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
]
HEADER_ROW = [("BACKGROUND", (0, 0), (-1, 0), SHADE)]
#: A plain cell (a string, not a Paragraph) is drawn as the "cell" style draws.
PLAIN = [("FONTSIZE", (0, 0), (-1, -1), STYLES["cell"].fontSize),
         ("LEADING", (0, 0), (-1, -1), STYLES["cell"].leading),
         ("TEXTCOLOR", (0, 0), (-1, -1), INK)]


class PageTotalCanvas(OutlinedCanvas):
    """The canvas to build with, so every footer can show the number of pages."""

    def save(self):
        # Every footer refers to this form; now the number of pages is known.
        self.beginForm(PAGE_TOTAL)
        self.setFont(FONT, 8)
        self.setFillColor(GREY)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


class PortraitDocument(BaseDocTemplate):
    """An A4 portrait report: one frame inside the margins, `decorate(canvas, document)`
    drawing the page furniture at the end of each page, and the title and numbered
    headings in the outline. Build it with canvasmaker=PageTotalCanvas."""

    def __init__(self, out, *, title: str, author: str, subject: str, generated_on: date, decorate):
        super().__init__(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=22 * mm,
                         bottomMargin=20 * mm, title=title, author=author, subject=subject,
                         creator="riskkit", lang="en-GB")
        self.generated_on = generated_on
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPageEnd=decorate)])

    def afterFlowable(self, flowable):  # noqa: N802 (reportlab's name)
        # The outline: the title, then each numbered section.
        bookmark_heading(self.canv, flowable, {"title": 0, "heading": 1})


def bookmark_heading(canv: OutlinedCanvas, flowable: Flowable, levels: dict[str, int]) -> None:
    """Once a paragraph is drawn: an outline entry for it if its style is one of `levels`
    (style name -> outline level)."""
    if isinstance(flowable, Paragraph) and flowable.style.name in levels:
        canv.bookmark(flowable.getPlainText(), levels[flowable.style.name])


def fit(text: str, font: str, width: float, size: float = 8) -> str:
    """Text cut short with an ellipsis to fit `width` points (a running header, the title
    of a chart beside another)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_page_furniture(canv: canvas.Canvas, page: int, heading: str, organisation: str,
                        generated_on: date, marking: str = "", notice: str = "") -> None:
    """The running header (from page 2: the first carries the title itself), with a
    notice under it if given, and the footer: "Page x of y", "Generated on", and a marking
    in the middle if given."""
    canv.saveState()
    canv.setFillColor(GREY)
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    if page > 1:
        top = PAGE_HEIGHT - 13 * mm
        canv.setFont(BOLD, 8)
        canv.drawString(MARGIN, top, heading)
        canv.setFont(FONT, 8)
        canv.drawRightString(PAGE_WIDTH - MARGIN, top, organisation)
        canv.line(MARGIN, top - 2.5 * mm, PAGE_WIDTH - MARGIN, top - 2.5 * mm)
        if notice:
            canv.setFont(BOLD, 8)
            canv.setFillColor(ALERT)
            canv.drawString(MARGIN, top - 6.5 * mm, notice)
            canv.setFillColor(GREY)
    bottom = 11 * mm
    canv.line(MARGIN, bottom + 4 * mm, PAGE_WIDTH - MARGIN, bottom + 4 * mm)
    canv.setFont(FONT, 8)
    words = f"Page {page} of "
    canv.drawString(MARGIN, bottom, words)
    canv.translate(MARGIN + stringWidth(words, FONT, 8), bottom)
    canv.doForm(PAGE_TOTAL)
    canv.translate(-(MARGIN + stringWidth(words, FONT, 8)), -bottom)
    canv.drawRightString(PAGE_WIDTH - MARGIN, bottom, f"Generated on {generated_on:%d/%m/%Y}")
    if marking:
        canv.setFont(BOLD, 8)
        canv.drawCentredString(PAGE_WIDTH / 2, bottom, marking)
    canv.restoreState()
