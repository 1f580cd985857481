"""The committee register appendix as a PDF: A4 portrait, laid out like the council's
"Appendix B - Directorate Risk Register". Plain data in (services.appendix), bytes out.

A summary page per register (rating summary, heat map, changes since the last papers),
then each risk whole on its own page. The story is fed to reportlab a risk at a time
from the streamed entries, so memory does not grow with the register; "Page x of y"
uses a form drawn once at the end, so one pass is enough.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

# Escapes text for ReportLab markup; parses no XML, so bandit's B406 does not apply.
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from riskkit import scoring
from riskkit.reports.pages import (
    ALERT,
    BOLD,
    FONT,
    GREY,
    GRID,
    HEADER_ROW,
    MARGIN,
    PAGE_HEIGHT,
    PLAIN,
    SHADE,
    STYLES,
    TABLE_FONT,
    WIDTH,
    PageTotalCanvas,
    bookmark_heading,
    draw_page_furniture,
)
from riskkit.reports.shades import band_shades
from riskkit.services import indicator_quarter as quarter
from riskkit.services.appendix import Appendix, IssueEntry, Rated, RiskEntry, Section
from riskkit.services.changes import Change, Short


def render_appendix(appendix: Appendix, generated_on: date) -> bytes:
    """The whole appendix as PDF bytes; `generated_on` is printed in every footer."""
    out = io.BytesIO()
    document = _Document(out, appendix, generated_on)
    document.chunks = _story(appendix)
    document.story = next(document.chunks)
    document.build(document.story, canvasmaker=PageTotalCanvas)
    return out.getvalue()


class _Document(BaseDocTemplate):
    def __init__(self, out, appendix: Appendix, generated_on: date):
        super().__init__(
            out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=22 * mm,
            bottomMargin=20 * mm, title=appendix.title, author=appendix.organisation,
            subject=appendix.subject, creator="riskkit", lang="en-GB",
        )
        self.appendix = appendix
        self.generated_on = generated_on
        self.section_title = appendix.title
        self.risk: tuple[str, int, int] | None = None  # reference, page it starts on, exempt paragraph
        self.chunks: Iterator[list[Flowable]] = iter(())
        self.story: list[Flowable] = []
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        # At page end, so that a section starting on this page has already named itself.
        self.addPageTemplates([PageTemplate("page", [frame], onPageEnd=_decorate)])

    def filterFlowables(self, flowables):
        # Top the story up a risk at a time: only the next risk's flowables exist at once.
        # (reportlab also passes its own list of page-start actions here: leave that be.)
        while flowables is self.story and len(flowables) < 2:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            flowables.extend(chunk)

    def afterFlowable(self, flowable):  # noqa: N802 (reportlab's name)
        # The outline: the title, each register (_SectionStart), its summary's headings
        # and each risk (_RiskStart).
        bookmark_heading(self.canv, flowable, {"title": 0, "heading": 2})


class _SectionStart(ActionFlowable):
    """Names the register in the running header from the page it starts on, and in the
    outline."""

    def __init__(self, title: str):
        super().__init__()
        self.title = title

    def apply(self, document):
        document.section_title = self.title
        document.risk = None
        document.canv.bookmark(self.title, 1)


class _RiskStart(ActionFlowable):
    """Remembers which risk is being printed, so its later pages say "continued" and an
    exempt risk's pages each name the paragraph of Schedule 12A that applies; and enters
    it in the outline."""

    def __init__(self, reference: str, title: str, paragraph: int):
        super().__init__()
        self.reference = reference
        self.title = title
        self.paragraph = paragraph  # 0 if the risk's detail is not exempt or not printed

    def apply(self, document):
        document.risk = (self.reference, document.page, self.paragraph)
        document.canv.bookmark(f"{self.reference} {self.title}", 2)


def _decorate(canv: canvas.Canvas, document: _Document) -> None:
    appendix = document.appendix
    heading = document.section_title
    if document.risk and document.risk[1] < document.page:
        heading += f"  ·  {document.risk[0]} continued"
    notice = exemption(document.risk[2]) if document.risk and document.risk[2] else ""
    draw_page_furniture(canv, document.page, heading, appendix.organisation,
                        document.generated_on, marking=_marking(appendix), notice=notice)


def exemption(paragraph: int) -> str:
    """The words a committee paper's exempt (Part B) pages carry."""
    return (f"Exempt information under paragraph {paragraph} of Part 1 of Schedule 12A"
            " to the Local Government Act 1972")


def _marking(appendix: Appendix) -> str:
    if appendix.public:
        return "Public version"
    if any(s.exempt_count for s in appendix.sections):
        return "Contains exempt information: not for publication"
    return ""


# --- the story ---------------------------------------------------------------------


#: A band colour -> the shade it is printed in (reports/shades.py), for one register's matrix.
Paint = dict[str, str]


def _story(appendix: Appendix) -> Iterator[list[Flowable]]:
    """The flowables in order, one chunk per summary page and per risk."""
    several = len(appendix.sections) > 1
    yield _cover(appendix)
    for number, section in enumerate(appendix.sections):
        bands = section.heat_map.matrix.bands
        shades = band_shades(bands)
        paint = {band.colour: shades[band.name] for band in bands}
        yield _summary(appendix, section, paint, new_page=number > 0 or several)
        for entry in section.risks:
            yield _risk(entry, paint)
    if appendix.issues or appendix.accepted:  # else the papers carry no empty section
        yield _issues_start(appendix)
        for issue in appendix.issues:
            yield _issue(issue)
    if appendix.indicators is not None:
        yield _indicators(appendix.indicators)


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, STYLES[style])


def _text(value: str | None) -> str:
    """User text made safe for reportlab's paragraph markup, line breaks kept."""
    return escape(value or "").replace("\n", "<br/>")


def _date(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _ink(shade: str) -> str:
    return colors.HexColor(scoring.text_colour(shade)).hexval()


def _on(shade: str, text: str, style: str) -> Paragraph:
    """Text in the colour that reads on a band's shade."""
    return _p(f'<font color="{_ink(shade)}">{text}</font>', style)


#: Padding either side of a cell's text (pages.GRID), in points.
PADDING = 8


def _table(rows, widths_mm, style=(), header=True, **kw) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths_mm], hAlign="LEFT", **kw)
    bold_header = [("FONTNAME", (0, 0), (-1, 0), BOLD)] if header else []
    table.setStyle(TableStyle(GRID + PLAIN + (HEADER_ROW if header else []) + bold_header + list(style)))
    return table


def _plain(text: str | None, width_mm: float, bold: bool = False) -> str | Paragraph:
    """A cell of plain text: the text itself when each of its lines fits the column,
    which reportlab draws without parsing markup or breaking lines (most cells: dates,
    names, references), else a Paragraph that wraps."""
    text = text or ""
    room = width_mm * mm - PADDING
    size = STYLES["cell"].fontSize
    font = BOLD if bold else FONT
    lines = text.split("\n")
    if len(lines) <= 3 and all(stringWidth(line, font, size) <= room for line in lines):
        return text
    return _p(_text(text), "label" if bold else "cell")


def _header(words: tuple[str, ...], widths_mm: list[float]) -> list[str | Paragraph]:
    """A table's header row, bold (by _table's style when plain)."""
    return [_plain(word, width, bold=True) for word, width in zip(words, widths_mm, strict=True)]


def _cover(appendix: Appendix) -> list[Flowable]:
    registers = "<br/>".join(
        f"{_text(s.code)} – {_text(s.name)} ({s.level.lower()} register)" for s in appendix.sections)
    total = sum(s.total for s in appendix.sections)
    exempt = sum(s.exempt_count for s in appendix.sections)
    if appendix.public:
        version = "Public: risks containing exempt information are counted and listed by reference only"
    elif exempt:
        version = (f"Full: includes {exempt} risk{'s' if exempt != 1 else ''} containing exempt"
                   " information, not for publication")
    else:
        version = "Full"
    facts = [
        ("Registers", registers),
        ("As at", _date(appendix.as_of)),
        ("Changes since", _date(appendix.since)),
        ("Risks", f"{total} live risk{'s' if total != 1 else ''} (open or escalated),"
                  " highest current score first"),
        ("Version", version),
    ]
    flow: list[Flowable] = [
        _p(_text(appendix.organisation), "organisation"),
        _p(_text(appendix.title), "title"),
        _table([[_p(k, "label"), _p(v, "cell")] for k, v in facts], [32, WIDTH / mm - 32],
               style=[("BACKGROUND", (0, 0), (0, -1), SHADE)], header=False),
    ]
    if len(appendix.sections) > 1:
        widths = [18, 86, 70]
        flow += [_p("Registers in this appendix", "heading"), _table(
            [_header(("Code", "Register", "Current risk level summary"), widths)]
            + [[_plain(s.code, widths[0]), _plain(s.name, widths[1]), _plain(s.summary, widths[2])]
               for s in appendix.sections],
            widths, repeatRows=1)]
    return flow


def _summary(appendix: Appendix, section: Section, paint: Paint, new_page: bool) -> list[Flowable]:
    title = f"Risk Register – {section.name}"
    flow: list[Flowable] = [PageBreak()] if new_page else []
    flow.append(_SectionStart(title))
    if new_page:
        flow.append(_p(_text(title), "section"))
    flow += [_p("Current Risk Level Summary", "heading"), _rag_chips(section, paint), Spacer(1, 4 * mm),
             _p(f"Heat map of current risk: the number of live risks in each cell, and their rating"
                f" ({_text(section.heat_map.matrix.name)} matrix). An empty cell is left blank.", "note"),
             Spacer(1, 2 * mm), _heat_map_and_key(section, paint)]
    if section.exempt_count:
        counted = (f"{section.exempt_count} risk{'s' if section.exempt_count != 1 else ''}"
                   " containing exempt information")
        flow.append(_p(f"Includes {counted}: counted here"
                       + (", listed by reference only." if appendix.public else
                          ", marked as exempt on their pages and omitted from the public version."),
                       "note"))
    flow += [_p(f"Current Risk Level Changes since {_date(appendix.since)}", "heading"),
             _changes(section.changes, appendix.since, paint)]
    if section.changes_withheld:
        flow.append(_p(f"{section.changes_withheld} risk{'s' if section.changes_withheld != 1 else ''}"
                       " containing exempt information not listed in this table.", "note"))
    if not section.total:
        flow += [Spacer(1, 4 * mm), _p("There are no live risks on this register.")]
    return flow


def _rag_chips(section: Section, paint: Paint) -> Table:
    counts = section.heat_map.band_counts()
    cells = [_on(paint[band.colour], f"{escape(band.colour_name)} {count}", "chip") for band, count in counts]
    cells.append(_p(f"Total {section.total}", "chip"))
    style = [("BACKGROUND", (i, 0), (i, 0), colors.HexColor(paint[band.colour]))
             for i, (band, _) in enumerate(counts)]
    style += [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 5),
              ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]
    return _table([cells], [30] * len(cells), style=style, header=False)


def _heat_map_and_key(section: Section, paint: Paint) -> Table:
    """The matrix, each cell in its band's shade; a cell with risks in it shows their
    number and the band's name, an empty one nothing (a number there would read as a
    count). Beside it the key, most severe band first."""
    matrix = section.heat_map.matrix
    columns = len(matrix.impact)
    cell_width = min(17.0, 104.0 / columns)
    rows = [[_p("<b>Likelihood</b>", "axis")] + [""] * columns]
    style = [("SPAN", (0, 0), (-1, 0)), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for y, row in enumerate(section.heat_map.rows, start=1):
        likelihood = row[0].likelihood
        line = [_p(f"{_text(matrix.likelihood[likelihood - 1])} ({likelihood})", "axis")]
        for x, cell in enumerate(row, start=1):
            shade = paint[cell.band.colour]
            line.append([_on(shade, str(cell.count), "count"), _on(shade, _text(cell.band.name), "band")]
                        if cell.count else "")
            style += [("BACKGROUND", (x, y), (x, y), colors.HexColor(shade)),
                      ("BOX", (x, y), (x, y), 1, colors.white)]
        rows.append(line)
    rows.append([""] + [_p(f"{_text(label)} ({n})", "axis-centre")
                        for n, label in enumerate(matrix.impact, start=1)])
    rows.append([""] + [_p("<b>Impact</b>", "axis-centre")] + [""] * (columns - 1))
    style += [("SPAN", (1, len(rows) - 1), (-1, len(rows) - 1)),
              ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
              ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    heights = [None] + [11 * mm] * len(section.heat_map.rows) + [None, None]
    grid = Table(rows, colWidths=[24 * mm] + [cell_width * mm] * columns, rowHeights=heights)
    grid.setStyle(TableStyle(TABLE_FONT + style))

    key_rows = [[_p("Key", "label"), ""]]
    key_style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("SPAN", (0, 0), (-1, 0)),
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    for band in reversed(matrix.bands):
        scores = (f"scores {band.min_score}–{band.max_score}; "
                  if band.min_score is not None and band.max_score is not None else "")
        key_rows.append(["", _p(f"<b>{_text(band.name)}</b> ({_text(band.colour_name)})<br/>"
                                f"{scores}reviewed every {band.review_months} months", "cell")])
        row = len(key_rows) - 1
        key_style += [("BACKGROUND", (0, row), (0, row), colors.HexColor(paint[band.colour])),
                      ("BOX", (0, row), (0, row), 1, colors.white)]
    key = Table(key_rows, colWidths=[7 * mm, 38 * mm], hAlign="LEFT")
    key.setStyle(TableStyle(TABLE_FONT + key_style))
    grid_width = 24 + cell_width * columns
    outer = Table([[grid, key]], colWidths=[(grid_width + 6) * mm, (WIDTH / mm - grid_width - 6) * mm],
                  hAlign="LEFT")
    outer.setStyle(TableStyle(TABLE_FONT + [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return outer


def _short(rating: Short | None, missing: str, paint: Paint) -> Paragraph:
    if rating is None:
        return _p(missing, "cell")
    return _on(paint[rating.colour], f"<b>{escape(rating.text)}</b>", "cell")


def _changes(changes: list[Change], since: date, paint: Paint) -> Flowable:
    if not changes:
        return _p(f"There were no live risks on this register on {_date(since)} or since.", "body")
    widths = [20, 78, 24, 21, 31]
    rows = [_header(("Risk Ref", "Risk Title", "Change", "Previous", "Current"), widths)]
    style = []
    for y, change in enumerate(changes, start=1):
        what = change.change + (f"\n{_date(change.on)}" if change.on else "")
        title = (_p(_text(change.title) + f"<br/><i>Reason: {_text(change.reason)}</i>", "cell")
                 if change.reason else _plain(change.title, widths[1]))
        current = [_short(change.after, "Closed" if change.change == "Closed" else "–", paint)]
        if change.standing:  # on the band's shade, so in the ink that reads on it
            current.append(_on(paint[change.after.colour], _text(change.standing), "cell")
                           if change.after else _p(_text(change.standing), "cell"))
        rows.append([_plain(change.reference, widths[0]), title, _plain(what, widths[2]),
                     _short(change.before, "–", paint), current])
        # Each rating cell painted in its band's colour.
        style += [("BACKGROUND", (x, y), (x, y), colors.HexColor(paint[rating.colour]))
                  for x, rating in ((3, change.before), (4, change.after)) if rating is not None]
    return _table(rows, widths, style=style, repeatRows=1)


def _risk(entry: RiskEntry, paint: Paint) -> list[Flowable]:
    """One risk whole, on a page of its own, in the order the papers print it."""
    next_review = _date(entry.next_review)
    if entry.review_overdue:
        next_review += f'<br/><font color="{ALERT.hexval()}"><b>Overdue</b></font>'
    widths = [23, 74, 35, 21, 21]
    header = _table(
        [_header(("Risk Ref", "Risk Title and Event", "Owner", "Last Review", "Next Review"), widths),
         [_p(_text(entry.reference), "reference"), _p(_text(entry.title), "risk-title"),
          _plain(entry.owner, widths[2]), _date(entry.last_review),
          _p(next_review, "cell") if entry.review_overdue else next_review]],
        widths)
    part_b = entry.exempt_paragraph if entry.exempt and not entry.withheld else 0
    flow: list[Flowable] = [PageBreak(), _RiskStart(entry.reference, entry.title, part_b), header]
    if entry.withheld:
        flow += [Spacer(1, 4 * mm), _p(
            f"The detail of this risk is {_lower_first(exemption(entry.exempt_paragraph))} and is not"
            " published. The risk is counted in the register summary.", "body")]
        return flow
    if entry.exempt:
        flow.append(_p(f'<font color="{ALERT.hexval()}"><b>{exemption(entry.exempt_paragraph)}:'
                       " not for publication.</b></font> This risk is listed by reference only in"
                       " the public version.", "body"))
    flow.append(Spacer(1, 3 * mm))
    if entry.description:
        flow.append(_p(_text(entry.description)))
    for heading, words in (("Cause", entry.cause), ("Consequence", entry.consequence)):
        flow += _subheading(heading) + [_p(_text(words) or "Not recorded.")]
    flow += _subheading("Risk Rating", 36 * mm) + [_ratings(entry, paint)]
    flow += _subheading("Controls and Actions") + [_items(entry)]
    flow += _subheading("Review Comments") + [_comments(entry)]
    return flow


def _issues_start(appendix: Appendix) -> list[Flowable]:
    """The "Issues" section after the risks: the risks accepted above appetite first (a
    table), then each open issue on a page of its own."""
    flow: list[Flowable] = [PageBreak(), _SectionStart("Issues"), _p("Issues", "section"),
                            _p("Risks accepted above appetite", "heading")]
    if appendix.accepted:
        rows = [[_p(h, "label") for h in ("Risk Ref", "Risk Title", "Owner", "Score",
                                          "Approved", "Expires", "Rationale")]]
        rows += [[_p(_text(a.reference), "cell"), _p(_text(a.title), "cell"),
                  _p(_text(a.owner), "cell"), _p(str(a.score), "cell"),
                  _p(_text(a.approved_by) + f"<br/>{_date(a.approved_on)}"
                     + (f"<br/>DMT {_date(a.dmt_meeting_on)}" if a.dmt_meeting_on else ""), "cell"),
                  _p(_date(a.expires_on), "cell"), _p(_text(a.rationale), "cell")]
                 for a in appendix.accepted]
        flow.append(_long_table(rows, [18, 34, 24, 12, 26, 21, 39]))
    else:
        flow.append(_p("No risk is accepted above appetite."))
    flow.append(_p("Open issues", "heading"))
    flow.append(_p(f"{len(appendix.issues)} open issue{'s' if len(appendix.issues) != 1 else ''},"
                   " most severe first, each on its own page." if appendix.issues else
                   "There are no open issues on these registers."))
    return flow


def _indicators(summary: quarter.QuarterSummary) -> list[Flowable]:
    """The operational pressure indicators linked to the registers' risks over the quarter:
    the same rows and words as the HTML version's table."""
    flow: list[Flowable] = [PageBreak(), _SectionStart(quarter.TITLE),
                            _p(quarter.TITLE, "section"), _p(_text(quarter.quarter_words(summary)))]
    if not summary.rows:
        return flow + [_p("No indicator is linked to a risk on these registers.")]
    rows = [[_p(h, "label") for h in quarter.headings(summary)]]
    rows += [[_p(_text(row.indicator + (f", {row.area}" if row.area else "")), "cell"),
              _p(_text(", ".join(row.risks)), "cell"), _p(_text(row.level), "cell"),
              _p(_text(row.highest), "cell"), _p(_text(row.days_words), "cell")]
             for row in summary.rows]
    return flow + [_long_table(rows, [46, 22, 30, 30, 46])]


def _issue(entry: IssueEntry) -> list[Flowable]:
    """One open issue, on a page of its own, laid out as a risk is."""
    header = _table(
        [[_p(h, "label") for h in ("Issue Ref", "Issue", "Owner", "Severity", "Next Review")],
         [_p(_text(entry.reference), "reference"), _p(_text(entry.title), "risk-title"),
          _p(_text(entry.owner), "cell"), _p(_text(entry.severity), "cell"),
          _p(_date(entry.next_review) + (f'<br/><font color="{ALERT.hexval()}"><b>Overdue</b>'
                                         "</font>" if entry.review_overdue else ""), "cell")]],
        [23, 74, 35, 21, 21])
    part_b = entry.exempt_paragraph if entry.exempt and not entry.withheld else 0
    flow: list[Flowable] = [PageBreak(), _RiskStart(entry.reference, entry.title, part_b), header]
    if entry.withheld:
        return flow + [Spacer(1, 4 * mm), _p(
            f"The detail of this issue is {_lower_first(exemption(entry.exempt_paragraph))} and is"
            " not published.", "body")]
    if entry.exempt:
        flow.append(_p(f'<font color="{ALERT.hexval()}"><b>{exemption(entry.exempt_paragraph)}:'
                       " not for publication.</b></font>", "body"))
    raised = f"Raised {_date(entry.raised_on)} on the {_text(entry.register)} register" + (
        f", when risk {_text(entry.from_risk)} materialised" if entry.from_risk else "") + "."
    flow += [Spacer(1, 3 * mm), _p(raised)]
    if entry.description:
        flow.append(_p(_text(entry.description)))
    flow += _subheading("Actions") + [_items(entry)]
    return flow


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _subheading(text: str, room: float = 30 * mm) -> list[Flowable]:
    """A heading that starts a new page when fewer than `room` are left under it. Not
    keepWithNext, which would carry a whole long table to the next page with it."""
    return [CondPageBreak(room), _p(text, "subheading")]


def _ratings(entry: RiskEntry, paint: Paint) -> Table:
    def line(name: str, rating: Rated | None, extra: str = "", missing: str = "") -> tuple[list, str | None]:
        if rating is None:
            return [name, "", missing], None
        return [name, "", _p(f"<b>{escape(rating.label)}</b>{extra}", "cell")], rating.colour

    lines = [
        line("Current Risk", entry.current, f" &nbsp; <font color='{GREY.hexval()}'>"
                                            f"({escape(entry.trend).lower()} since the last review)</font>"),
        line("Previous Current Risk", entry.previous, missing="None: not yet reviewed"),
        line("Target Risk", entry.target),
        (["Target Date", "", _date(entry.target_date) or "Not set"], None),
    ]
    style = [("BACKGROUND", (0, 0), (0, -1), SHADE), ("FONTNAME", (0, 0), (0, -1), BOLD)]
    style += [("BACKGROUND", (1, y), (1, y), colors.HexColor(paint[colour]))
              for y, (_, colour) in enumerate(lines) if colour]
    return _table([row for row, _ in lines], [40, 4, WIDTH / mm - 44], style=style, header=False)


def _items(entry: RiskEntry | IssueEntry) -> Flowable:
    if not entry.items:
        return _p("No controls or actions recorded.")
    widths = [94, 32, 22, 26]
    rows = [_header(("Control / Action", "Owner", "Type", "Target Date"), widths)]
    for item in entry.items:
        kind = item.type + (f"\n{item.status}" if item.status else "")
        rows.append([_plain(item.description, widths[0]), _plain(item.owner, widths[1]),
                     _plain(kind, widths[2]), _date(item.target_date)])
    return _long_table(rows, widths)


def _comments(entry: RiskEntry) -> Flowable:
    if not entry.comments:
        return _p("No reviews recorded.")
    widths = [20, 36, WIDTH / mm - 56]
    rows = [_header(("Date", "Reviewed by", "Comment"), widths)]
    rows += [[_date(c.reviewed_on), _plain(c.reviewer, widths[1]),
              _plain(c.comment or "No comment recorded.", widths[2])] for c in entry.comments]
    return _long_table(rows, widths)


def _long_table(rows: list[list[str | Paragraph]], widths_mm: list[float]) -> Table:
    """A table that splits between rows across pages, repeating its header. Only when a
    row is taller than a page may it split inside the row: reportlab's in-row splitting
    otherwise also fills the last few millimetres of a page, repeating the header there."""
    room = PAGE_HEIGHT - 42 * mm - 20 * mm  # the frame, less a header row and some text
    too_tall = any(
        cell.wrap(width * mm - 8, room)[1] > room
        for row in rows[1:] for cell, width in zip(row, widths_mm, strict=True)
        # Only a long text can fill a page (a plain cell is a few short lines): measure just those.
        if isinstance(cell, Paragraph) and len(cell.text) > 1500
    )
    return _table(rows, widths_mm, repeatRows=1, splitInRow=int(too_tall))
