"""Audit opinions on controls from a workbook, as internal audit sends them: one row per
control, all or nothing. The first sheet's first row names the columns:

  Risk, Control, Line, Source, Reference, Date, Opinion, Next due

Risk is the risk's reference; Control is the control's id as riskkit shows it, or its
words as the register holds them (in any case). Line, Source and Reference default to
3, audit report and the file's name. Every problem is reported with its row and column,
and then nothing is written; so is a row on a control the person importing may not
record assurance on (permissions: record_assurance)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from riskkit import permissions
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Risk, User
from riskkit.services import assurance
from riskkit.services.imports.reading import read_file
from riskkit.services.imports.values import text, uk_date
from riskkit.services.risks import commit

COLUMNS = ("risk", "control", "line", "source", "reference", "date", "opinion", "next due")
REQUIRED = ("risk", "control", "date", "opinion")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column {self.column}: {self.message}"


class ImportRefused(ValidationError):
    """Problems in the file: nothing was imported."""

    def __init__(self, problems: list[Problem], name: str):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in {name}; nothing was imported: "
                         + "; ".join(str(p) for p in problems[:20]), field="file")


def import_assurance(path: Path, by: User | None, name: str | None = None) -> int:
    """Record every row's opinion, or none; return how many were recorded."""
    name = name or path.name
    sheet = read_file(path, name)[0]
    if not sheet.rows:
        raise ValidationError(f"{name} has no rows to import", field="file")
    headings = [text(cell).lower() for cell in sheet.rows[0]]
    missing = [c for c in REQUIRED if c not in headings]
    if missing:
        raise ValidationError(f"{name} has no column {', '.join(c.capitalize() for c in missing)}:"
                              f" the first row names the columns {', '.join(c.capitalize() for c in COLUMNS)}",
                              field="file")
    where = {column: headings.index(column) for column in COLUMNS if column in headings}
    problems: list[Problem] = []
    rows = []
    for number, cells in enumerate(sheet.rows[1:], start=2):
        values = {c: cells[i] if i < len(cells) else None for c, i in where.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        rows.append((number, values))
    risks = _risks({text(v["risk"]).upper() for _, v in rows})

    def change():
        for number, values in rows:
            try:
                _record(number, values, risks, by, name)
            except _CellProblem as problem:
                problems.append(problem.problem)
        if problems:
            raise ImportRefused(problems, name)
        return len(rows)

    return commit(change)


class _CellProblem(Exception):
    def __init__(self, row: int, column: str, message: str):
        super().__init__(message)
        self.problem = Problem(row, column, message)


def _risks(references: set[str]) -> dict[str, Risk]:
    found = db.session.scalars(select(Risk).where(Risk.reference.in_(references))
                               .options(selectinload(Risk.controls)))
    return {risk.reference: risk for risk in found}


def _record(number: int, values: dict, risks: dict[str, Risk], by: User | None, name: str):
    reference = text(values["risk"]).upper()
    if not reference:
        raise _CellProblem(number, "Risk", "Enter the risk's reference")
    risk = risks.get(reference)
    if risk is None:
        raise _CellProblem(number, "Risk", f"No risk with reference {reference!r}")
    control = _control(number, risk, text(values["control"]))
    if by is not None and not permissions.can(by, "record_assurance", control):
        raise _CellProblem(number, "Control", "you may not record assurance on this control (its"
                           " owner, its risk's owner or a manager may)")
    dates = {}
    for column, field in (("date", "assured_on"), ("next due", "next_due")):
        try:
            dates[field] = uk_date(values.get(column))
        except ValueError as error:
            raise _CellProblem(number, column.capitalize(), str(error)) from None
    try:
        assurance.save_assurance(
            control, by, line=text(values.get("line")) or 3,
            source=text(values.get("source")) or "audit_report",
            reference=text(values.get("reference")) or name, opinion=text(values["opinion"]),
            **dates)
    except ValidationError as error:
        column = {"assured_on": "Date", "next_due": "Next due"}.get(error.field or "",
                                                                    (error.field or "").capitalize())
        raise _CellProblem(number, column or "Opinion", str(error)) from None


def _control(number: int, risk: Risk, words: str):
    """The risk's control named by its id or its words."""
    for control in risk.controls:
        if words == str(control.id) or words.lower() == control.description.strip().lower():
            return control
    raise _CellProblem(number, "Control", f"{risk.reference} has no control {words[:60]!r}:"
                       " give its id or its words as the register holds them")
