"""An evidence pack (services.evidence) as a PDF (A4 portrait, the committee papers'
fonts and page furniture) and as an Excel workbook: a summary sheet with the figures,
then a sheet per section. Every pack is drawn by the same code; they differ only in
what their service gathers."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

# Escapes text for ReportLab markup; parses no XML, so bandit's B406 does not apply.
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from riskkit.reports.pages import (
    BOLD,
    FONT,
    GRID,
    HEADER_ROW,
    PLAIN,
    STYLES,
    WIDTH,
    PageTotalCanvas,
    PortraitDocument,
    draw_page_furniture,
    fit,
)
from riskkit.reports.workbook import workbook_bytes
from riskkit.services.evidence.pack import Pack, Section

#: A cell's padding, left and right (pages.GRID), and a little to spare.
PADDING = 10
#: The most room a column is given for its longest word before the word is broken.
LONGEST_WORD = 90
#: Characters Excel refuses in a sheet's name, and the longest name it takes.
SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LIMIT = 31


def words(value) -> str:
    """A cell as text: dates as the committee papers write them, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


# --- the PDF --------------------------------------------------------------------------


def evidence_pdf(pack: Pack, organisation: str, generated_on: date) -> bytes:
    out = io.BytesIO()
    document = PortraitDocument(out, title=f"{pack.title}, {pack.period_words}", author=organisation,
                                subject=f"{pack.title} for {pack.period_words}",
                                generated_on=generated_on, decorate=_decorate)
    document.pack, document.organisation = pack, organisation
    document.build(_story(pack, organisation), canvasmaker=PageTotalCanvas)
    return out.getvalue()


def _decorate(canv, document: PortraitDocument) -> None:
    """The running header: the title and period, cut short to leave room for the
    organisation's name."""
    pack, organisation = document.pack, document.organisation
    room = WIDTH - stringWidth(organisation, FONT, 8) - 12
    draw_page_furniture(canv, document.page, fit(f"{pack.title}, {pack.period_words}", BOLD, room),
                        organisation, document.generated_on)


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, STYLES[style])


def _story(pack: Pack, organisation: str) -> list[Flowable]:
    flow: list[Flowable] = [_p(escape(organisation), "organisation"), _p(escape(pack.title), "title"),
                            _p(f"Period: {pack.period_words}. Judged as of {pack.as_of:%d/%m/%Y}."
                               + (f" {escape(pack.scope)}." if pack.scope else ""))]
    flow += [_p("Summary", "heading"),
             _table(("Figure", "Value"), [(label, value) for label, value in pack.summary])]
    for number, section in enumerate(pack.sections, start=1):
        flow += [CondPageBreak(45 * mm), _p(f"{number}. {escape(section.heading)}", "heading")]
        if section.intro:
            flow.append(_p(escape(section.intro), "note"))
        flow.append(_table(section.headers, section.rows) if section.rows
                    else _p(escape(section.empty)))
    return flow


def _table(headers, rows) -> Table:
    texts = [[words(v) for v in row] for row in rows]
    widths = column_widths(headers, texts)
    cells = [[_p(escape(h), "label") for h in headers]]
    # A cell that fits its column is drawn as it is, without parsing or breaking lines
    # (most: dates, numbers, names), which is far quicker for a pack of thousands of rows.
    cells += [[text if stringWidth(text, FONT, 8) + PADDING <= width else _p(escape(text), "cell")
               for text, width in zip(row, widths, strict=True)] for row in texts]
    table = Table(cells, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle(GRID + PLAIN + HEADER_ROW))
    return table


def column_widths(headers, texts: list[list[str]]) -> list[float]:
    """Each column as wide as its widest cell (a date, a number, a name: never broken)
    where that fits its share of the page; the long texts share what is left, each at
    least as wide as its longest word (up to a point), the rest in proportion to their
    length."""
    least, natural = [], []
    for n, header in enumerate(headers):
        word = max([stringWidth(w, BOLD, 8) for w in header.split()]
                   + [stringWidth(w, FONT, 8) for r in texts for w in r[n].split()], default=0)
        least.append(min(word, LONGEST_WORD) + PADDING)
        longest = max((stringWidth(r[n], FONT, 8) for r in texts), default=0) + PADDING
        natural.append(max(longest, least[-1]))
    fixed: dict[int, float] = {}
    while True:
        rest = [n for n in range(len(headers)) if n not in fixed]
        room = WIDTH - sum(fixed.values())
        fits = {n: natural[n] for n in rest if natural[n] <= room / len(rest)}
        fixed |= fits
        if not fits or len(fits) == len(rest):
            break
    rest = [n for n in range(len(headers)) if n not in fixed]
    spare = WIDTH - sum(fixed.values()) - sum(least[n] for n in rest)
    extra = {n: min(natural[n], WIDTH) - least[n] for n in rest}
    widths = [fixed[n] if n in fixed else least[n] + spare * extra[n] / sum(extra.values())
              for n in range(len(headers))]
    return [w * WIDTH / sum(widths) for w in widths]  # a table of short columns fills the page


# --- the workbook ---------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceSheet:
    """A sheet as reports.workbook writes one (the shape of services.exports.Sheet)."""

    name: str
    headers: tuple[str, ...]
    rows: list[tuple]

    @property
    def widths(self) -> list[int]:
        return [min(max([len(h)] + [len(words(r[n])) for r in self.rows]), 60) + 2
                for n, h in enumerate(self.headers)]


def evidence_workbook(pack: Pack) -> bytes:
    summary = [("Pack", pack.title), ("From", pack.start), ("To", pack.end),
               ("Judged as of", pack.as_of)]
    summary += [("Scope", pack.scope)] if pack.scope else []
    sheets = [EvidenceSheet("Summary", ("Figure", "Value"), summary + list(pack.summary))]
    sheets += [EvidenceSheet(sheet_name(number, section), section.headers, section.rows)
               for number, section in enumerate(pack.sections, start=1)]
    return workbook_bytes(sheets, title=f"{pack.title}, {pack.period_words}")


def sheet_name(number: int, section: Section) -> str:
    """The section's heading as a sheet's name: numbered (so each is its own), without the
    characters Excel refuses, cut to its 31 characters."""
    return SHEET_NAME_REFUSED.sub("-", f"{number} {section.heading}")[:SHEET_NAME_LIMIT].rstrip()
