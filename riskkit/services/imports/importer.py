"""The import: every row of every sheet read and checked, then written in one
transaction, committed only when no row has an error (and never on a dry run or a
preview, which see exactly what a real import would do)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from riskkit import permissions, scoring
from riskkit.audit import acting_as, current_actor
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Register, User
from riskkit.services import matrices
from riskkit.services.imports import headings
from riskkit.services.imports.creating import Creator
from riskkit.services.imports.owners import People
from riskkit.services.imports.reading import read_file
from riskkit.services.imports.results import ImportResult
from riskkit.services.imports.rows import RowReader
from riskkit.services.imports.updating import Updater

#: How the history names an import's changes: this, the file name and who imported it.
IMPORT_ACTOR = "import of "


def import_file(path: Path, *, register_code: str, as_of: date, by: User | None = None,
                file_name: str | None = None, matrix: str | None = None,
                mapping: dict | None = None, sheet: str | None = None, update: bool = False,
                dry_run: bool = False, create_owners: bool = False) -> ImportResult:
    """Import a register from FILE.xlsx or FILE.csv. Row errors are returned, all of
    them, and nothing is written; a file that cannot be read at all raises."""
    if by is not None:
        permissions.require(by, "create_risk")
    file_name = file_name or path.name
    sheets = read_file(path, file_name)
    register = _register(register_code, matrix)
    guessed = guess_mapping(sheets, register.matrix, sheet)
    if create_owners:
        guessed.create_owners = True
    chosen = headings.merge(guessed, mapping)
    result = ImportResult(file_name, register.code, chosen)
    who = by.name if by is not None else current_actor()[1]
    actor = f"{IMPORT_ACTOR}{file_name[:60]} ({who})"[:120]
    try:
        with acting_as(by, actor):
            _run(result, {s.name: s for s in sheets}, register, as_of, update)
        if dry_run or result.problems:
            db.session.rollback()
        else:
            db.session.commit()
            result.written = True
    except BaseException:
        db.session.rollback()
        raise
    return result


def _register(code: str, matrix: str | None) -> Register:
    """The register to import into, created with the named matrix if it is new."""
    code = (code or "").strip().upper()
    register = db.session.scalar(select(Register).where(Register.code == code))
    if register is not None:
        if matrix and register.matrix_definition.slug != matrix:
            raise ValidationError(f"Register {code} already uses the"
                                  f" {register.matrix_definition.slug} matrix, not {matrix}",
                                  field="matrix")
        return register
    if not matrix:
        known = ", ".join(m.slug for m in matrices.all_matrices())
        raise NotFound(f"No register with code {code!r}: give a matrix ({known}) to create it")
    register = Register(code=code, name=f"{code} register", level="directorate",
                        matrix_definition=matrices.get_matrix(matrix))
    db.session.add(register)
    db.session.flush()
    return register


def guess_mapping(sheets, matrix: scoring.Matrix, only_sheet: str | None = None) -> headings.Mapping:
    names = [s.name for s in sheets]
    if only_sheet and only_sheet not in names:
        raise ValidationError(f"There is no sheet called {only_sheet!r}; the sheets are"
                              f" {', '.join(names)}", field="sheet")
    labels = {label.lower() for label in matrix.likelihood + matrix.impact}
    guessed = {}
    for sheet in sheets:
        mapping = headings.guess_sheet(sheet.name, sheet.rows, labels)
        if only_sheet and sheet.name != only_sheet and mapping.kind == "risks":
            mapping.kind = "ignore"
        guessed[sheet.name] = mapping
    return headings.Mapping(guessed)


def _run(result: ImportResult, sheets: dict, register: Register, as_of: date,
         update: bool) -> None:
    """Read every row, then write those without problems: new risks in bulk, existing
    ones (with --update) through the risk services."""
    mappings = result.mapping.sheets.values()
    risk_sheets = [m for m in mappings if m.kind == "risks"]
    if not risk_sheets:
        raise ValidationError(
            f"{result.file_name}: no sheet has a header riskkit recognises (a row with"
            " headings such as Ref, Title, Owner, Likelihood, Impact). Name the columns in a"
            " mapping file (see --dry-run for its form)", field="file")
    people = People()
    reader = RowReader(result, sheets, register, people)
    for mapping in risk_sheets:
        reader.read_risks(mapping)
    for mapping in mappings:
        if mapping.kind in ("controls", "actions", "reviews"):
            reader.read_children(mapping)
    if not result.problems:
        reader.check_existing(update)
    plans = [plan for plan in reader.plans.values() if plan.result.outcome != "rejected"]
    people.add_all(plans, result)
    plans = [plan for plan in plans if plan.result.outcome != "rejected"]
    Creator(result, register, as_of, people).create([p for p in plans if p.existing is None])
    updater = Updater(result, register.matrix, as_of, people)
    for plan in plans:
        if plan.existing is not None:
            updater.update(plan)
