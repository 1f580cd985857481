"""An exercise report, or an incident debrief report, as a PDF: A4 portrait, laid out like
the debrief reports in the council's committee papers. Plain data in
(services.exercise_report), bytes out.

Overview, objectives and their ratings, the debriefs held, strengths and areas for
improvement, then the improvement plan and the actions its lessons raised on risks.
Tables split between rows across pages and repeat their header; a row taller than a
page splits inside itself. "Page x of y" uses a form drawn once at the end.
"""

from __future__ import annotations

import io
import re
from datetime import date

# Escapes text for ReportLab markup; parses no XML, so bandit's B406 does not apply.
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from riskkit.reports.pages import (
    ALERT,
    BOLD,
    FONT,
    GREY,
    GRID,
    HEADER_ROW,
    PAGE_HEIGHT,
    RULE,
    SHADE,
    STYLES,
    TABLE_FONT,
    WIDTH,
    PageTotalCanvas,
    PortraitDocument,
    draw_page_furniture,
    fit,
)
from riskkit.services.exercise_report import ExerciseReport, LessonRow, ObservationRow

#: How tall a piece of a long table cell may be: a page can break between pieces.
CHUNK = 20 * mm
#: Light tints behind each rating (the words carry the meaning; the tint helps the eye).
RATING_TINTS = {"met": "#cce2d8", "partly_met": "#fff7bf", "not_met": "#f4cdc6"}
_STYLES = {
    **STYLES,
    "small": ParagraphStyle("small", STYLES["cell"], fontSize=7.5, leading=9.5, textColor=GREY),
    "summary": ParagraphStyle("summary", STYLES["body"], fontSize=9.5, leading=13, spaceBefore=6),
}


def render_exercise_report(report: ExerciseReport, generated_on: date) -> bytes:
    """The whole report as PDF bytes; `generated_on` is printed in every footer."""
    out = io.BytesIO()
    document = _Document(out, report, generated_on)
    document.build(_story(report), canvasmaker=PageTotalCanvas)
    return out.getvalue()


class _Document(PortraitDocument):
    def __init__(self, out, report: ExerciseReport, generated_on: date):
        super().__init__(out, title=report.title, author=report.organisation, subject=report.subject,
                         generated_on=generated_on, decorate=_decorate)
        self.report = report


def _decorate(canv: canvas.Canvas, document: _Document) -> None:
    report = document.report
    draw_page_furniture(canv, document.page, fit(report.title, BOLD, WIDTH * 0.62),
                        fit(report.organisation, FONT, WIDTH * 0.36), document.generated_on)


# --- the story ---------------------------------------------------------------------


def _story(report: ExerciseReport) -> list[Flowable]:
    flow = _cover(report)
    sections = [
        ("Overview", _overview(report)),
        ("Objectives and ratings", _objectives(report)),
        ("Debriefs held", _debriefs(report)),
        ("Strengths", _observations(report.strengths, "No strengths were recorded.")),
        ("Areas for improvement", _observations(report.improvements,
                                                "No areas for improvement were recorded.")),
        ("Improvement plan", _improvement_plan(report)),
        ("Actions raised on risks", _actions(report)),
    ]
    for number, (heading, body) in enumerate(sections, start=1):
        flow += _heading(f"{number}. {heading}") + body
    return flow


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, _STYLES[style])


def _text(value: str | None) -> str:
    """User text made safe for reportlab's paragraph markup, line breaks kept."""
    return escape(value or "").replace("\n", "<br/>")


def _date(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _small(text: str) -> str:
    return f"<font color='{GREY.hexval()}' size='7.5'>{text}</font>"


def _alert(text: str) -> str:
    return f"<font color='{ALERT.hexval()}'><b>{text}</b></font>"


def _heading(text: str) -> list[Flowable]:
    """A heading that starts a new page when little room is left under it. Not
    keepWithNext, which would carry a whole long table to the next page with it."""
    return [CondPageBreak(35 * mm), _p(text, "heading")]


def _subheading(text: str) -> list[Flowable]:
    return [CondPageBreak(25 * mm), _p(text, "subheading")]


def _cover(report: ExerciseReport) -> list[Flowable]:
    return [_p(_text(report.organisation), "organisation"), _p(_text(report.title), "title"),
            _p(escape(report.summary), "summary")]


def _table(rows, widths_mm, style=(), header=True, **kw) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths_mm], hAlign="LEFT", **kw)
    table.setStyle(TableStyle(GRID + (HEADER_ROW if header else []) + list(style)))
    return table


def _long_table(rows: list[list], widths_mm: list[float],
                tints: dict[tuple[int, int], str] | None = None) -> Table:
    """A table that splits between rows across pages, repeating its header row. A record
    taller than CHUNK is laid out as several rows, its long text cut into pieces and no
    rule between them, so a page can break inside it; the page it runs on to names it
    ("L0012 continued"). (reportlab's own in-row splitting also fills the last few
    millimetres of a page, repeating the header there.) `tints` shades a cell, by
    (column, record) with the header as record 0."""
    laid: list[list] = [rows[0]]
    record_rows: list[tuple[int, int]] = [(0, 0)]  # each record's first and last row
    for row in rows[1:]:
        pieces = [_pieces(cell, width * mm - 8) for cell, width in zip(row, widths_mm, strict=True)]
        start = len(laid)
        for n in range(max(len(p) for p in pieces)):
            laid.append([p[n] if n < len(p) else "" for p in pieces])
            if n:
                laid[-1][0] = _Continued(_label(row[0]))
        record_rows.append((start, len(laid) - 1))
    style = TABLE_FONT + [("BOX", (0, 0), (-1, -1), 0.5, RULE), ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("LEFTPADDING", (0, 0), (-1, -1), 4),
             ("RIGHTPADDING", (0, 0), (-1, -1), 4)] + HEADER_ROW
    for first, last in record_rows:
        style.append(("LINEBELOW", (0, last), (-1, last), 0.5, RULE))
        if last > first:  # the pieces of a long text run on without a gap
            style += [("BOTTOMPADDING", (0, first), (-1, last - 1), 0),
                      ("TOPPADDING", (0, first + 1), (-1, last), 1)]
    for (column, record), tint in (tints or {}).items():
        first, last = record_rows[record]
        style.append(("BACKGROUND", (column, first), (column, last), colors.HexColor(tint)))
    table = _LongTable(laid, colWidths=[w * mm for w in widths_mm], hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _label(cell) -> str:
    """What a record is called in its first cell: L0012, A1, 2."""
    text = cell.text if isinstance(cell, Paragraph) else str(cell)
    return re.sub(r"<[^>]*>", "", text.split("<br/>")[0]).strip()


class _Continued(Flowable):
    """Marks the first cell of a record's later pieces; shows nothing unless a page
    breaks just before it (see _LongTable)."""

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        pass


class _LongTable(Table):
    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2:  # the rest goes on the next page: say whose piece it starts with
            rest = parts[1]
            at = rest.repeatRows
            row = rest._cellvalues[at]
            # reportlab holds a cell's flowables as a tuple, and each row's height as fixed.
            marker = row[0][0] if isinstance(row[0], tuple) and row[0] else row[0]
            if isinstance(marker, _Continued) and marker.label:
                note = _p(f"{escape(marker.label)}<br/>continued", "small")
                width = rest._colWidths[0] - 8
                if note.minWidth() <= width and note.wrap(width, PAGE_HEIGHT)[1] + 1 <= rest._argH[at]:
                    rest._cellvalues[at] = [[note], *row[1:]]
        return parts


def _pieces(cell, width: float) -> list:
    """A cell's paragraph cut into pieces no taller than CHUNK (most cells are one piece)."""
    if not isinstance(cell, Paragraph) or len(cell.text) < 400:  # short text is never that tall
        return [cell]
    pieces = []
    while True:
        if cell.wrap(width, CHUNK)[1] <= CHUNK:
            return pieces + [cell]
        parts = cell.split(width, CHUNK)
        if len(parts) < 2:
            return pieces + [cell]
        pieces.append(parts[0])
        cell = parts[1]


def _header(*names: str) -> list[Paragraph]:
    return [_p(name, "label") for name in names]


def _overview(report: ExerciseReport) -> list[Flowable]:
    what = "exercise" if report.is_exercise else "incident"
    facts = [
        ("Type", f"{escape(report.type_label)} {what}"),
        ("Date" if report.end_date == report.start_date else "Dates", report.dates),
        ("Lead", _text(report.lead) or "Not recorded"),
        ("Status", escape(report.status)),
        ("Multi-agency", "Yes" if report.multi_agency else "No"),
    ]
    if report.led_by:
        facts.append(("Led by", _text(report.led_by)))
    if report.participants or report.is_exercise:
        facts.append(("Participants", _text(report.participants) or "Not recorded"))
    if report.services_affected or not report.is_exercise:
        facts.append(("Services affected", _text(report.services_affected) or "Not recorded"))
    facts += [
        ("Plans tested" if report.is_exercise else "Plans activated",
         "<br/>".join(_text(plan) for plan in report.plans) or "None recorded"),
        ("Risks tested" if report.is_exercise else "Risks concerned",
         "<br/>".join(f"<b>{escape(ref)}</b> {_text(title)}" for ref, title in report.risks)
         or "None recorded"),
        ("Improvement plan agreed", _date(report.improvement_plan_agreed) or "Not yet agreed"),
    ]
    flow: list[Flowable] = [_table([[_p(label, "label"), _p(value, "cell")] for label, value in facts],
                                   [45, WIDTH / mm - 45], style=[("BACKGROUND", (0, 0), (0, -1), SHADE)],
                                   header=False)]
    flow += _subheading("Scenario" if report.is_exercise else "What happened")
    flow.append(_p(_text(report.narrative) or "Not recorded."))
    return flow


def _objectives(report: ExerciseReport) -> list[Flowable]:
    if not report.objectives:
        return [_p(f"No objectives were recorded for this {'exercise' if report.is_exercise else 'incident'}.")]
    rows = [_header("No.", "Objective", "Rating", "Notes")]
    tints = {}
    for y, objective in enumerate(report.objectives, start=1):
        rows.append([_p(str(objective.number), "cell"), _p(_text(objective.text), "cell"),
                     _p(f"<b>{escape(objective.rating)}</b>" if objective.rating else "Not rated", "cell"),
                     _p(_text(objective.note), "cell")])
        tint = RATING_TINTS.get(objective.rating_value)
        if tint:
            tints[(2, y)] = tint
    return [_long_table(rows, [10, 84, 22, 58], tints)]


def _debriefs(report: ExerciseReport) -> list[Flowable]:
    if not report.debriefs:
        return [_p("No debrief has been recorded yet.")]
    rows = [_header("Debrief", "Date", "Facilitator", "Attendees")]
    for debrief in report.debriefs:
        kind = escape(debrief.kind) + ("<br/>" + _small("Multi-agency") if debrief.multi_agency else "")
        rows.append([_p(kind, "cell"), _p(_date(debrief.held_on), "cell"),
                     _p(_text(debrief.facilitator) or "Not recorded", "cell"),
                     _p(_text(debrief.attendees) or "Not recorded", "cell")])
    return [_long_table(rows, [26, 20, 40, WIDTH / mm - 86])]


def _observations(observations: list[ObservationRow], empty: str) -> list[Flowable]:
    if not observations:
        return [_p(empty)]
    rows = [_header("Ref", "Observation", "Themes", "Raised at")]
    for observation in observations:
        text = _text(observation.text) + "<br/>" + _small(escape(observation.prompt))
        if observation.lessons:
            text += _small(f" · {'Lesson' if len(observation.lessons) == 1 else 'Lessons'} "
                           + ", ".join(observation.lessons))
        rows.append([_p(f"<b>{observation.reference}</b>", "cell"), _p(text, "cell"),
                     _p("<br/>".join(_text(theme) for theme in observation.themes) or "None", "cell"),
                     _p(escape(observation.debrief), "cell")])
    return [_long_table(rows, [12, 96, 38, 28])]


def _improvement_plan(report: ExerciseReport) -> list[Flowable]:
    if not report.lessons:
        return [_p("No lessons have been recorded yet.")]
    rows = [_header("Ref", "Issue", "Recommendation", "Owner", "Due date", "Status")]
    rows += [_lesson(lesson) for lesson in report.lessons]
    return [_long_table(rows, [24, 38, 44, 23, 20, 25])]


def _lesson(lesson: LessonRow) -> list[Paragraph]:
    reference = f"<b>{lesson.reference}</b><br/>" + _small(f"{escape(lesson.priority)} priority")
    if lesson.observation:
        reference += "<br/>" + _small(f"From {lesson.observation}")
    due = _date(lesson.due_date) or "Not set"
    if lesson.overdue:
        due += "<br/>" + _alert("Overdue")
    status = escape(lesson.status)
    if lesson.evidence_event:
        status += "<br/>" + _small(f"Evidence: {_text(lesson.evidence_event)}"
                                   f" ({_date(lesson.evidence_date)})")
    if lesson.evidence_note:
        status += "<br/>" + _small(_text(lesson.evidence_note))
    return [_p(reference, "cell"), _p(_text(lesson.statement), "cell"),
            _p(_text(lesson.recommendation) or "None recorded", "cell"), _p(_text(lesson.owner), "cell"),
            _p(due, "cell"), _p(status, "cell")]


def _actions(report: ExerciseReport) -> list[Flowable]:
    actions = report.actions
    if not actions:
        return [_p("No lesson has raised an action on a risk yet." if report.lessons else
                   "No actions have been raised.")]
    rows = [_header("Lesson", "Risk", "Action", "Owner", "Target date", "Status")]
    for action in actions:
        target = _date(action.target_date) or "Not set"
        if action.overdue:
            target += "<br/>" + _alert("Overdue")
        rows.append([_p(escape(action.lesson).replace(", ", "<br/>"), "cell"),
                     _p(f"<b>{escape(action.risk)}</b><br/>" + _small(_text(action.risk_title)), "cell"),
                     _p(_text(action.description), "cell"), _p(_text(action.owner), "cell"),
                     _p(target, "cell"), _p(escape(action.status), "cell")])
    intro = _p("The actions these lessons raised on the risk register. Each appears on its risk,"
               " in the overdue report and in the committee register appendix.", "note")
    return [intro, Spacer(1, 2 * mm), _long_table(rows, [17, 30, 61, 25, 20, 21])]
