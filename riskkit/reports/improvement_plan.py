"""The improvement plan as an Excel workbook: plain data in (services.exercise_report),
bytes out.

Sheet "Improvement plan": one row per lesson. Sheet "Actions": the actions those lessons
raised on risks. Each has a bold, frozen header row with filters on every column, set
column widths and wrapped text; dates are real Excel dates shown dd/mm/yyyy.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from riskkit.reports.workbook import write_table
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
    write_table(book.create_sheet(name), [title for title, _ in columns], [width for _, width in columns],
                rows, header_fill=_HEADER_FILL)
