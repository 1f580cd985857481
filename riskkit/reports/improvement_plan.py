"""The improvement plan as an Excel workbook: plain data in (services.exercise_report),
bytes out.

Sheet "Improvement plan": one row per lesson. Sheet "Actions": the actions those lessons
raised on risks. Each has a bold, frozen header row with filters on every column, set
column widths and wrapped text; dates are real Excel dates shown dd/mm/yyyy.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from riskkit.reports.workbook import DATE_FORMAT
from riskkit.services.exercise_report import ActionRow, ImprovementPlan, LessonRow

#: (header, width in characters) for each sheet.
LESSON_COLUMNS = (
    ("Lesson", 9), ("Event", 30), ("Event date", 12), ("Themes", 26), ("Issue", 50),
    ("Recommendation", 55), ("Owner", 20), ("Due date", 12), ("Priority", 10), ("Status", 16),
    ("Actions", 55), ("Evidence event", 30),
)
ACTION_COLUMNS = (
    ("Lesson", 12), ("Risk", 9), ("Action", 65), ("Owner", 20), ("Target date", 12), ("Status", 13),
)
LESSON_HEADERS = tuple(name for name, _ in LESSON_COLUMNS)
ACTION_HEADERS = tuple(name for name, _ in ACTION_COLUMNS)

_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_FILL = PatternFill("solid", fgColor="F3F2F1")


def improvement_plan_bytes(plan: ImprovementPlan) -> bytes:
    book = Workbook(write_only=True)
    book.properties.title = plan.title
    book.properties.creator = "riskkit"
    _sheet(book, "Improvement plan", LESSON_COLUMNS, (_lesson_row(lesson) for lesson in plan.lessons))
    _sheet(book, "Actions", ACTION_COLUMNS, (_action_row(action) for action in plan.actions))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _lesson_row(lesson: LessonRow) -> tuple:
    # "AH0011: Fallback communications ...", one action a line.
    actions = ";\n".join(f"{a.risk}: {a.description.rstrip('.')}" for a in lesson.actions)
    evidence = ""
    if lesson.evidence_event:
        evidence = f"{lesson.evidence_event} ({lesson.evidence_date:%d/%m/%Y})"
    return (lesson.reference, lesson.event, lesson.event_date, "; ".join(lesson.themes), lesson.statement,
            lesson.recommendation, lesson.owner, lesson.due_date, lesson.priority, lesson.status, actions,
            evidence)


def _action_row(action: ActionRow) -> tuple:
    return (action.lesson, action.risk, action.description, action.owner, action.target_date,
            action.status)


def _sheet(book: Workbook, name: str, columns: Sequence[tuple[str, int]], rows: Iterable[tuple]) -> None:
    ws = book.create_sheet(name)
    # Write-only sheets take their columns and panes before the first row.
    for number, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(number)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    bold = Font(bold=True)
    header = []
    for title, _ in columns:
        cell = WriteOnlyCell(ws, title)
        cell.font, cell.alignment, cell.fill = bold, _WRAP, _HEADER_FILL
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        ws.append([_cell(ws, value) for value in row])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _cell(ws, value) -> WriteOnlyCell:
    if isinstance(value, str):
        # Control characters (pasted from other programs) are not allowed in the file format.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, not a formula
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    cell.alignment = _WRAP
    return cell
