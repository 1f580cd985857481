"""The import: every row of every sheet read and checked, then saved through the risk
services in one transaction, committed only when no row has an error (and never on a
dry run or a preview, which see exactly what a real import would do)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from riskkit import permissions, scoring, vocab
from riskkit.audit import acting_as, current_actor
from riskkit.errors import NotFound, RiskkitError, ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, HistoryEntry, Register, Review, Risk, User
from riskkit.services import matrices
from riskkit.services.imports import headings, values
from riskkit.services.imports.reading import UNSAVED, read_file
from riskkit.services.people import add_person
from riskkit.services.reviews import record_review
from riskkit.services.risks import create_risk, update_risk

TEXT_FIELDS = ("title", "description", "cause", "consequence", "category")
STATUS_WORDS = {"active": "open", "live": "open", "current": "open"}
EFFECTIVENESS_WORDS = {"green": "effective", "amber": "partly_effective", "red": "not_effective",
                       "partial": "partly_effective", "not tested": "not_tested",
                       "untested": "not_tested"}
ACTION_WORDS = {"complete": "done", "completed": "done", "closed": "done", "open": "planned",
                "not started": "planned", "ongoing": "in_progress", "started": "in_progress"}
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False,
          "false": False, "0": False, "": False}
#: A first cell like these below the table starts a key or legend, not a risk.
LEGEND_WORDS = ("key", "legend", "notes", "note", "scoring", "risk scoring", "rating key")


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported, where the user will find it."""

    sheet: str
    row: int
    heading: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" + (f", {self.heading}" if self.heading else "")
        return f"{where}: {self.message}"


@dataclass
class RowResult:
    sheet: str
    row: int
    reference: str
    title: str
    outcome: str = ""  # created, updated, unchanged or rejected
    detail: str = ""


@dataclass
class ImportResult:
    file_name: str
    register: str
    mapping: headings.Mapping
    rows: list[RowResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(o)} {o}" for o in ("created", "updated", "unchanged",
                                                          "rejected"))


@dataclass
class _Risk:
    """One risk row as read, before saving."""

    result: RowResult
    fields: dict = field(default_factory=dict)
    current: tuple = (None, None)
    target: tuple = (None, None)
    inherent: tuple = (None, None)
    previous: tuple = (None, None)
    owner: str = ""
    controls: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    last_review: date | None = None
    next_review: date | None = None
    direction: str = ""
    existing: Risk | None = None  # the risk this row updates (with --update)


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
    actor = f"import of {file_name[:60]} ({who})"[:120]
    try:
        with acting_as(by, actor):
            _Import(result, sheets, register, as_of, update).run()
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
    # Each score column's own heading ("I x L") says its order; score_order is for all.
    return headings.Mapping(guessed)


class _Import:
    def __init__(self, result: ImportResult, sheets, register: Register, as_of: date,
                 update: bool):
        self.result, self.register, self.as_of, self.update = result, register, as_of, update
        self.sheets = {s.name: s for s in sheets}
        self.matrix = register.matrix
        self.impact_first = result.mapping.score_order == "impact x likelihood"
        self.people = {u.name.lower(): u for u in db.session.scalars(select(User))}
        self.people.update({u.email: u for u in self.people.values() if u.email})
        self.risks: dict[str, _Risk] = {}

    def problem(self, where: RowResult | tuple, heading: str, message: str) -> None:
        sheet, row = (where.sheet, where.row) if isinstance(where, RowResult) else where
        self.result.problems.append(Problem(sheet, row, heading, message))
        if isinstance(where, RowResult):
            where.outcome = "rejected"

    def run(self) -> None:
        mappings = self.result.mapping.sheets.values()
        risk_sheets = [m for m in mappings if m.kind == "risks"]
        if not risk_sheets:
            raise ValidationError(
                f"{self.result.file_name}: no sheet has a header riskkit recognises (a row with"
                " headings such as Ref, Title, Owner, Likelihood, Impact). Name the columns in a"
                " mapping file (see --dry-run for its form)", field="file")
        for mapping in risk_sheets:
            self.read_risks(mapping)
        for mapping in mappings:
            if mapping.kind in ("controls", "actions", "reviews"):
                self.read_children(mapping)
        if not self.result.problems:
            self.check_existing()
        for plan in self.risks.values():
            if plan.result.outcome != "rejected":
                self.save(plan)

    # --- reading ----------------------------------------------------------------------

    def table(self, mapping: headings.SheetMapping):
        """(row number, {field: (heading, value)}) for each data row of a sheet, up to
        the first empty row or a key/legend below the table."""
        sheet = self.sheets[mapping.name]
        header_index = mapping.header_row - 1
        header = sheet.rows[header_index] if header_index < len(sheet.rows) else []
        groups = sheet.rows[header_index - 1] if header_index else []
        columns = {}
        for position in range(len(header)):
            key = headings.column_key(header, groups, position)
            target = mapping.columns.get(key, "ignore")
            if key and target != "ignore":
                columns[position] = (key, target)
        missing = set(mapping.columns.values()) - {t for _, t in columns.values()} - {"ignore"}
        if missing and not columns:
            raise ValidationError(f"Sheet {mapping.name!r} row {mapping.header_row} is not its"
                                  " header: none of the mapped headings are there", "header_row")
        last = len(sheet.rows)
        for number in range(mapping.header_row + 1, len(sheet.rows) + 1):
            row = sheet.rows[number - 1]
            filled = [cell for cell in row if cell not in (None, "")]
            first = values.text(filled[0]).lower().rstrip(":") if filled else ""
            if not filled or first in LEGEND_WORDS:
                last = number - 1
                break
            cells = {}
            for position, (heading, target) in columns.items():
                value = row[position] if position < len(row) else None
                if value is UNSAVED:
                    self.problem((mapping.name, number), heading,
                                 "the formula in this cell has no saved value: open the file in"
                                 " Excel and save it again, or type the value")
                    value = None
                cells.setdefault(target, (heading, value))
            yield number, cells
        for first_row, last_row, ref in sheet.merged:
            if first_row <= last and last_row > mapping.header_row:
                self.problem((mapping.name, max(first_row, mapping.header_row + 1)), "",
                             f"cells {ref} are merged: unmerge them so each row has its own"
                             " values")

    def read_risks(self, mapping: headings.SheetMapping) -> None:
        fields = set(mapping.columns.values())
        missing = []
        if "title" not in fields:
            missing.append("no column is the title (a heading such as Title or Risk Title):"
                           " choose one in the mapping")
        if not fields & {"current_score", "current_likelihood"}:
            missing.append("no column holds the current score (a heading such as Likelihood,"
                           " Impact, Score or Residual Score): choose one in the mapping")
        for message in missing:
            self.problem((mapping.name, mapping.header_row), "", message)
        if not missing:
            for number, cells in self.table(mapping):
                self.read_risk(mapping.name, number, cells)

    def read_risk(self, sheet: str, number: int, cells: dict) -> None:
        def cell(name):
            return cells.get(name, ("", None))

        reference = values.text(cell("reference")[1]).upper()
        row = RowResult(sheet, number, reference, values.text(cell("title")[1]))
        self.result.rows.append(row)
        plan = _Risk(row)
        if len(reference) > 16:
            self.problem(row, cell("reference")[0], f"{reference!r} is longer than 16 characters")
        key = reference or f"{sheet}:{number}"
        if key in self.risks:
            first = self.risks[key].result
            self.problem(row, cell("reference")[0],
                         f"{reference} is also used on {first.sheet} row {first.row}")
        else:
            self.risks[key] = plan
        for name in TEXT_FIELDS:
            heading, value = cell(name)
            if heading and name != "title":
                plan.fields[name] = values.text(value)
        heading, value = cell("title")
        if not values.text(value):
            self.problem(row, heading, "a risk needs a title")
        plan.fields["title"] = values.text(value)
        plan.owner = values.text(cell("owner")[1])
        for name, limit in (("category", 80), ("owner", 120)):
            heading, value = cell(name)
            if len(values.text(value)) > limit:
                self.problem(row, heading, f"{values.text(value)[:30]!r}... is longer than"
                             f" {limit} characters")
        if not plan.owner:
            self.problem(row, cell("owner")[0] or "owner", "a risk needs an owner")
        for name, vocabulary, also in (("status", vocab.RISK_STATUSES, STATUS_WORDS),
                                       ("response", vocab.RISK_RESPONSES, None)):
            heading, value = cell(name)
            try:
                chosen = values.choice(value, vocabulary, name, also)
            except ValueError as error:
                self.problem(row, heading, str(error))
            else:
                if chosen:
                    plan.fields[name] = chosen
        heading, value = cell("exempt")
        if heading:
            if values.text(value).lower() not in YES_NO:
                self.problem(row, heading, f"{values.text(value)!r} is not yes or no")
            else:
                plan.fields["exempt"] = YES_NO[values.text(value).lower()]
        for name in ("target_date", "last_review", "next_review", "action_due"):
            heading, value = cell(name)
            try:
                cells[name] = (heading, values.uk_date(value))
            except ValueError as error:
                self.problem(row, heading, str(error))
                cells[name] = (heading, None)
        if cell("target_date")[0]:
            plan.fields["target_date"] = cell("target_date")[1]
        plan.last_review, plan.next_review = cell("last_review")[1], cell("next_review")[1]
        plan.direction = values.text(cell("direction")[1])
        plan.current = self.scores(row, cells, "current", required=True)
        plan.target = self.scores(row, cells, "target")
        plan.inherent = self.scores(row, cells, "inherent")
        previous = self.parts(row, cells, "previous_likelihood", "previous_impact")
        plan.previous = previous if None not in previous else (None, None)
        if plan.current[0] and plan.target[0] and \
                scoring.score(*plan.target) > scoring.score(*plan.current):
            self.problem(row, cells.get("target_score", cells.get("target_likelihood", ("",)))[0],
                         f"the target score ({scoring.score(*plan.target)}) is above the current"
                         f" score ({scoring.score(*plan.current)})")
        self.check_person(row, cell("owner")[0], plan.owner)
        action_owner = values.text(cell("action_owner")[1]) or plan.owner
        if cell("action_owner")[0]:
            self.check_person(row, cell("action_owner")[0], action_owner)
        plan.controls = [{"description": text, "owner": plan.owner, "effectiveness": "not_tested",
                          "last_tested": None} for text in values.items(cell("controls")[1])]
        plan.actions = [{"description": text, "owner": action_owner,
                         "target_date": cell("action_due")[1], "status": "planned",
                         "completed_date": None} for text in values.items(cell("actions")[1])]

    def parts(self, row, cells, likelihood_field, impact_field) -> tuple:
        """(likelihood, impact) from their own columns; a part not given is None."""
        found = []
        for name, axis in ((likelihood_field, "likelihood"), (impact_field, "impact")):
            heading, value = cells.get(name, ("", None))
            try:
                found.append(values.level(value, self.matrix, axis))
            except ValueError as error:
                self.problem(row, heading, str(error))
                found.append(None)
        return tuple(found)

    def scores(self, row: RowResult, cells: dict, which: str, required: bool = False) -> tuple:
        """(likelihood, impact) of one of the current, target and inherent scores, from
        its likelihood and impact columns and/or its one-cell score, which must agree."""
        before = len(self.result.problems)
        likelihood_heading = cells.get(f"{which}_likelihood", ("",))[0]
        impact_heading = cells.get(f"{which}_impact", ("",))[0]
        likelihood, impact = self.parts(row, cells, f"{which}_likelihood", f"{which}_impact")
        heading, value = cells.get(f"{which}_score", ("", None))
        try:
            parts = values.score(value, self.matrix, self.impact_first or headings.impact_first(heading))
        except ValueError as error:
            self.problem(row, heading, str(error))
            parts = (None, None, None)
        if parts[0] is not None:
            for given, read, axis_heading, axis in ((likelihood, parts[0], likelihood_heading, "likelihood"),
                                                    (impact, parts[1], impact_heading, "impact")):
                if given is not None and given != read:
                    self.problem(row, heading, f"the score gives {axis} {read} but"
                                 f" {axis_heading} gives {given}")
            likelihood, impact = likelihood or parts[0], impact or parts[1]
        elif parts[2] is not None:
            if likelihood and impact:
                if likelihood * impact != parts[2]:
                    self.problem(row, heading, f"score {parts[2]} disagrees with likelihood"
                                 f" {likelihood} x impact {impact} = {likelihood * impact}")
            elif likelihood or impact:
                other = parts[2] // (likelihood or impact)
                if other * (likelihood or impact) != parts[2]:
                    self.problem(row, heading, f"score {parts[2]} cannot be made with"
                                 f" {'likelihood' if likelihood else 'impact'}"
                                 f" {likelihood or impact}")
                likelihood, impact = likelihood or other, impact or other
            else:
                split = values.split_score(parts[2], self.matrix)
                if split is None:
                    self.problem(row, heading, f"a score of {parts[2]} alone does not say the"
                                 " likelihood and impact: give them (like 3x4=12) or add their"
                                 " columns")
                likelihood, impact = split or (None, None)
        if len(self.result.problems) > before:
            return None, None
        if (likelihood is None) != (impact is None):
            self.problem(row, likelihood_heading if likelihood is None else impact_heading,
                         f"the {which} {'likelihood' if likelihood is None else 'impact'} is"
                         " missing")
            return None, None
        if required and likelihood is None:
            self.problem(row, heading or likelihood_heading, f"the {which} score is missing")
        return likelihood, impact

    def check_person(self, row: RowResult, heading: str, name: str) -> None:
        if name and name.lower() not in self.people and not self.result.mapping.create_owners:
            self.problem(row, heading, f"{name!r} is not a person in riskkit: add them first"
                         " (riskkit users add), or let the import create people without a"
                         " sign-in (--create-owners, or create_owners: true in the mapping)")

    def read_children(self, mapping: headings.SheetMapping) -> None:
        kind = mapping.kind
        for number, cells in self.table(mapping):
            reference = values.text(cells.get("reference", ("", None))[1]).upper()
            where = (mapping.name, number)
            plan = self.risks.get(reference)
            if plan is None:
                self.problem(where, cells.get("reference", ("reference",))[0],
                             f"no risk with reference {reference!r} in this file")
                continue
            try:
                if kind == "reviews":
                    plan.reviews.append(self.review(plan, cells))
                    continue
                owner = values.text(cells.get("owner", ("", None))[1]) or plan.owner
                self.check_person(plan.result, cells.get("owner", ("owner",))[0], owner)
                descriptions = values.items(cells.get("description", ("", None))[1])
                if not descriptions:
                    raise _CellError(cells.get("description", ("description",))[0],
                                     f"the {kind[:-1]} needs a description")
                for description in descriptions:
                    if kind == "controls":
                        plan.controls.append({
                            "description": description, "owner": owner,
                            "effectiveness": self.choose(cells, "effectiveness", vocab.EFFECTIVENESS,
                                                         EFFECTIVENESS_WORDS) or "not_tested",
                            "last_tested": self.date(cells, "last_tested")})
                    else:
                        plan.actions.append({
                            "description": description, "owner": owner,
                            "target_date": self.date(cells, "due"),
                            "status": self.choose(cells, "status", vocab.ACTION_STATUSES,
                                                  ACTION_WORDS) or "planned",
                            "completed_date": self.date(cells, "completed")})
            except _CellError as error:
                self.problem(where, error.heading, error.message)
                plan.result.outcome = "rejected"

    def review(self, plan: _Risk, cells: dict) -> dict:
        review = {"reviewer": values.text(cells.get("reviewer", ("", None))[1]) or plan.owner,
                  "comment": values.text(cells.get("comment", ("", None))[1]),
                  "next_review_reason": values.text(cells.get("next_review_reason", ("", None))[1]),
                  "reviewed_on": self.date(cells, "reviewed_on"),
                  "next_review_date": self.date(cells, "next_review_date")}
        for name in ("before_likelihood", "before_impact", "after_likelihood", "after_impact"):
            heading, value = cells.get(name, (name, None))
            try:
                review[name] = values.level(value, self.matrix, name.split("_")[1])
            except ValueError as error:
                raise _CellError(heading, str(error)) from None
            if review[name] is None:
                raise _CellError(heading, f"the review's {name.replace('_', ' ')} is missing")
        if review["reviewed_on"] is None:
            raise _CellError(cells.get("reviewed_on", ("reviewed_on",))[0], "the review date is missing")
        self.check_person(plan.result, cells.get("reviewer", ("reviewer",))[0], review["reviewer"])
        return review

    def date(self, cells: dict, name: str) -> date | None:
        heading, value = cells.get(name, (name, None))
        try:
            return values.uk_date(value)
        except ValueError as error:
            raise _CellError(heading, str(error)) from None

    def choose(self, cells, name, vocabulary, also) -> str | None:
        heading, value = cells.get(name, (name, None))
        try:
            return values.choice(value, vocabulary, name, also)
        except ValueError as error:
            raise _CellError(heading, str(error)) from None

    def check_existing(self) -> None:
        """References already in riskkit are updated with --update, else are errors."""
        references = [r for r in self.risks if ":" not in r]
        existing = {}
        for start in range(0, len(references), 500):
            for risk in db.session.scalars(select(Risk).where(
                    Risk.reference.in_(references[start:start + 500]))):
                existing[risk.reference] = risk
        for reference, plan in self.risks.items():
            risk = existing.get(reference)
            if risk is None:
                continue
            if risk.register_id != self.register.id:
                self.problem(plan.result, "", f"{reference} is already a risk on register"
                             f" {risk.register.code}")
            elif not self.update:
                self.problem(plan.result, "", f"{reference} is already in riskkit: import with"
                             " --update to update it")
            else:
                plan.existing = risk

    # --- saving -------------------------------------------------------------------------

    def person(self, name: str) -> User:
        key = name.lower()
        if key not in self.people:
            self.people[key] = add_person(name, role="owner")
        return self.people[key]

    def save(self, plan: _Risk) -> None:
        row = plan.result
        try:
            risk = plan.existing
            if risk is None:
                risk = self.create(plan)
                row.outcome, row.reference = "created", risk.reference
            else:
                changed = self.change(plan, risk)
                row.outcome = "updated" if changed else "unchanged"
                row.detail = ", ".join(changed)
            added = self.add_children(plan, risk)
            db.session.flush()
        except RiskkitError as error:
            self.problem(row, getattr(error, "field", "") or "", str(error))
            return
        # Saved rows leave the session: every flush looks at every object in it, so a
        # session holding thousands of risks would make each row slower than the last.
        for obj in [risk, *added]:
            db.session.expunge(obj)

    def create(self, plan: _Risk) -> Risk:
        details = dict(plan.fields)
        details.pop("title")
        if plan.inherent[0]:
            details["inherent_likelihood"], details["inherent_impact"] = plan.inherent
        reference = plan.result.reference or None
        risk = create_risk(self.register, None, plan.last_review or self.as_of,
                           title=plan.fields["title"], owner=self.person(plan.owner),
                           likelihood=plan.current[0], impact=plan.current[1],
                           target_likelihood=plan.target[0], target_impact=plan.target[1],
                           reference=reference, **details)
        if plan.previous[0]:
            risk.previous_likelihood, risk.previous_impact = plan.previous
        risk.last_review_date = plan.last_review
        if plan.next_review:
            risk.next_review_date = plan.next_review
        if plan.direction:
            self.note(risk, plan.direction)
        return risk

    def change(self, plan: _Risk, risk: Risk) -> list[str]:
        changes = {key: value for key, value in plan.fields.items()}
        changes["owner"] = self.person(plan.owner)
        if plan.target[0]:
            changes["target_likelihood"], changes["target_impact"] = plan.target
        if plan.inherent[0]:
            changes["inherent_likelihood"], changes["inherent_impact"] = plan.inherent
        changed = update_risk(risk, changes, None)
        if (risk.likelihood, risk.impact) != plan.current:
            comment = f"Imported from {self.result.file_name}"
            if plan.direction:
                comment += f"; direction of travel: {plan.direction}"
            record_review(risk, None, plan.last_review or self.as_of, *plan.current,
                          comment=comment, reviewer=risk.owner,
                          lower_confirmed=True)  # the workbook's score, agreed already
            changed.append("score")
        elif plan.direction and changed:
            self.note(risk, plan.direction)
        return changed

    def note(self, risk: Risk, direction: str) -> None:
        """The direction of travel column is the author's note on the risk, not a field."""
        user_id, actor = current_actor()
        db.session.add(HistoryEntry(user_id=user_id, actor=actor, entity="risk",
                                    entity_id=risk.id, risk_id=risk.id, change="note",
                                    field="direction of travel", new_value=direction))

    def add_children(self, plan: _Risk, risk: Risk) -> list:
        """Controls, actions and reviews not already on the risk (so a second import of
        the same file adds nothing); the file's own repeats are kept, as written. They
        are linked by id, so a new risk's empty lists are never read back."""
        existing, added = plan.existing is not None, []
        have = {c.description.lower() for c in risk.controls} if existing else set()
        for item in plan.controls:
            if item["description"].lower() not in have:
                added.append(Control(
                    risk_id=risk.id, description=item["description"],
                    owner=self.person(item["owner"]), effectiveness=item["effectiveness"],
                    last_tested=item["last_tested"]))
        have = {a.description.lower() for a in risk.actions} if existing else set()
        for item in plan.actions:
            if item["description"].lower() not in have:
                done = item["status"] == "done"
                added.append(Action(
                    risk_id=risk.id, description=item["description"],
                    owner=self.person(item["owner"]), target_date=item["target_date"],
                    status=item["status"],
                    completed_date=(item["completed_date"] or self.as_of) if done else None))
        have = {(r.reviewed_on, r.after_likelihood, r.after_impact) for r in risk.reviews} \
            if existing else set()
        for item in plan.reviews:
            if (item["reviewed_on"], item["after_likelihood"], item["after_impact"]) in have:
                continue
            next_date = item["next_review_date"] or scoring.next_review_date(
                self.matrix, item["after_likelihood"], item["after_impact"], item["reviewed_on"])
            added.append(Review(
                risk_id=risk.id, reviewer=self.person(item["reviewer"]),
                reviewed_on=item["reviewed_on"], comment=item["comment"],
                before_likelihood=item["before_likelihood"], before_impact=item["before_impact"],
                after_likelihood=item["after_likelihood"], after_impact=item["after_impact"],
                next_review_date=next_date, next_review_reason=item["next_review_reason"]))
        db.session.add_all(added)
        return added


class _CellError(Exception):
    def __init__(self, heading: str, message: str):
        super().__init__(message)
        self.heading, self.message = heading, message

