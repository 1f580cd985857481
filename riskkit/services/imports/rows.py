"""Every row of every sheet read and checked into a plan of what to write: the risks
with their own controls and actions, then the sheets of controls, actions and reviews
keyed by risk reference. Nothing here writes; every problem is noted, not raised."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from riskkit import scoring, vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Register, RegisterObjective, Risk
from riskkit.services.imports import headings, values
from riskkit.services.imports.owners import People
from riskkit.services.imports.reading import Sheet
from riskkit.services.imports.results import ImportResult, RowResult
from riskkit.services.imports.scores import ScoreReader
from riskkit.services.imports.table import data_rows

TEXT_FIELDS = ("title", "description", "cause", "consequence", "category")
STATUS_WORDS = {"active": "open", "live": "open", "current": "open"}
EFFECTIVENESS_WORDS = {"green": "effective", "amber": "partly_effective", "red": "not_effective",
                       "partial": "partly_effective", "not tested": "not_tested",
                       "untested": "not_tested"}
ACTION_WORDS = {"complete": "done", "completed": "done", "closed": "done", "open": "planned",
                "not started": "planned", "ongoing": "in_progress", "started": "in_progress"}
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False,
          "false": False, "0": False, "": False}
#: How many references one query looks up.
CHUNK = 500


@dataclass
class RiskPlan:
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
    # The objectives it threatens, by name; None when the file has no such column (an
    # update then leaves the risk's as they are).
    objectives: list[RegisterObjective] | None = None
    existing: Risk | None = None  # the risk this row updates (with --update)


class RowReader:
    """Reads the mapped sheets into `plans` (by reference, or sheet:row when a row has
    none), noting each problem in the result."""

    def __init__(self, result: ImportResult, sheets: dict[str, Sheet], register: Register,
                 people: People):
        self.result, self.sheets, self.register, self.people = result, sheets, register, people
        self.matrix = register.matrix
        self.scores = ScoreReader(result, self.matrix)
        self.plans: dict[str, RiskPlan] = {}
        # Imported here: services.objectives reaches services.as_of, which reads the
        # importer's name for itself (IMPORT_ACTOR) from this package.
        from riskkit.services.objectives import objective_finder

        self.objective = objective_finder(register)

    def problem(self, where, heading: str, message: str) -> None:
        self.result.problem(where, heading, message)

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
            for number, cells in data_rows(self.sheets[mapping.name], mapping, self.result):
                self.read_risk(mapping.name, number, cells)

    def read_risk(self, sheet: str, number: int, cells: dict) -> None:
        def cell(name):
            return cells.get(name, ("", None))

        reference = values.text(cell("reference")[1]).upper()
        row = RowResult(sheet, number, reference, values.text(cell("title")[1]))
        self.result.rows.append(row)
        plan = RiskPlan(row)
        if len(reference) > 16:
            self.problem(row, cell("reference")[0], f"{reference!r} is longer than 16 characters")
        key = reference or f"{sheet}:{number}"
        if key in self.plans:
            first = self.plans[key].result
            self.problem(row, cell("reference")[0],
                         f"{reference} is also used on {first.sheet} row {first.row}")
        else:
            self.plans[key] = plan
        self.read_words(plan, cell)
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
        self.read_scores(plan, cells)
        self.check_person(row, cell("owner")[0], plan.owner)
        action_owner = values.text(cell("action_owner")[1]) or plan.owner
        if cell("action_owner")[0]:
            self.check_person(row, cell("action_owner")[0], action_owner)
        plan.controls = [{"description": text, "owner": plan.owner, "effectiveness": "not_tested",
                          "last_tested": None} for text in values.items(cell("controls")[1])]
        plan.actions = [{"description": text, "owner": action_owner,
                         "target_date": cell("action_due")[1], "status": "planned",
                         "completed_date": None} for text in values.items(cell("actions")[1])]
        self.read_objectives(plan, *cell("objectives"))

    def read_objectives(self, plan: RiskPlan, heading: str, value) -> None:
        """The objectives the risk threatens, one a line, each named as its register holds it."""
        if not heading:
            return
        plan.objectives = []
        for words in values.items(value):
            try:
                objective = self.objective(words)
            except ValidationError as error:
                self.problem(plan.result, heading, str(error))
            else:
                if objective not in plan.objectives:
                    plan.objectives.append(objective)

    def read_words(self, plan: RiskPlan, cell) -> None:
        """The title and other text, the owner, and the status, response and exempt
        words."""
        row = plan.result
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
        heading, value = cell("exempt_paragraph")
        if heading and values.text(value):
            paragraph = values.text(value).lower().removeprefix("paragraph").strip()
            if paragraph not in [str(n) for n in vocab.values(vocab.EXEMPTION_PARAGRAPHS)]:
                self.problem(row, heading, f"{values.text(value)!r} is not a paragraph of Schedule 12A"
                             " (1 to 7)")
            else:
                plan.fields["exempt_paragraph"] = int(paragraph)

    def read_scores(self, plan: RiskPlan, cells: dict) -> None:
        row = plan.result
        plan.current = self.scores.scores(row, cells, "current", required=True)
        plan.target = self.scores.scores(row, cells, "target")
        plan.inherent = self.scores.scores(row, cells, "inherent")
        previous = self.scores.parts(row, cells, "previous_likelihood", "previous_impact")
        plan.previous = previous if None not in previous else (None, None)
        if plan.current[0] and plan.target[0] and \
                scoring.score(*plan.target) > scoring.score(*plan.current):
            self.problem(row, cells.get("target_score", cells.get("target_likelihood", ("",)))[0],
                         f"the target score ({scoring.score(*plan.target)}) is above the current"
                         f" score ({scoring.score(*plan.current)})")

    def check_person(self, row: RowResult, heading: str, name: str) -> None:
        if name and name not in self.people and not self.result.mapping.create_owners:
            self.problem(row, heading, f"{name!r} is not a person in riskkit: add them first"
                         " (riskkit users add), or let the import create people without a"
                         " sign-in (--create-owners, or create_owners: true in the mapping)")

    def read_children(self, mapping: headings.SheetMapping) -> None:
        """A sheet of controls, actions or reviews, each row naming its risk's reference."""
        kind = mapping.kind
        for number, cells in data_rows(self.sheets[mapping.name], mapping, self.result):
            reference = values.text(cells.get("reference", ("", None))[1]).upper()
            where = (mapping.name, number)
            plan = self.plans.get(reference)
            if plan is None:
                self.problem(where, cells.get("reference", ("reference",))[0],
                             f"no risk with reference {reference!r} in this file")
                continue
            try:
                if kind == "reviews":
                    plan.reviews.append(self.review(plan, cells))
                else:
                    self.child(plan, kind, cells)
            except _CellError as error:
                self.problem(where, error.heading, error.message)
                plan.result.outcome = "rejected"

    def child(self, plan: RiskPlan, kind: str, cells: dict) -> None:
        """One row of controls or actions (several in its cell become several)."""
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
                    "effectiveness": _choose(cells, "effectiveness", vocab.EFFECTIVENESS,
                                             EFFECTIVENESS_WORDS) or "not_tested",
                    "last_tested": _date(cells, "last_tested")})
            else:
                plan.actions.append({
                    "description": description, "owner": owner,
                    "target_date": _date(cells, "due"),
                    "status": _choose(cells, "status", vocab.ACTION_STATUSES,
                                      ACTION_WORDS) or "planned",
                    "completed_date": _date(cells, "completed")})

    def review(self, plan: RiskPlan, cells: dict) -> dict:
        review = {"reviewer": values.text(cells.get("reviewer", ("", None))[1]) or plan.owner,
                  "comment": values.text(cells.get("comment", ("", None))[1]),
                  "next_review_reason": values.text(cells.get("next_review_reason", ("", None))[1]),
                  "reviewed_on": _date(cells, "reviewed_on"),
                  "next_review_date": _date(cells, "next_review_date")}
        for name in ("before_likelihood", "before_impact", "after_likelihood", "after_impact"):
            heading, value = cells.get(name, (name, None))
            try:
                review[name] = values.level(value, self.matrix, name.split("_")[1])
            except ValueError as error:
                raise _CellError(heading, str(error)) from None
            if review[name] is None:
                raise _CellError(heading, f"the review's {name.replace('_', ' ')} is missing")
        if review["reviewed_on"] is None:
            raise _CellError(cells.get("reviewed_on", ("reviewed_on",))[0],
                             "the review date is missing")
        self.check_person(plan.result, cells.get("reviewer", ("reviewer",))[0], review["reviewer"])
        return review

    def check_existing(self, update: bool) -> None:
        """References already in riskkit are updated with --update, else are errors."""
        references = [r for r in self.plans if ":" not in r]
        existing = {}
        for start in range(0, len(references), CHUNK):
            for risk in db.session.scalars(select(Risk).where(
                    Risk.reference.in_(references[start:start + CHUNK]))):
                existing[risk.reference] = risk
        for reference, plan in self.plans.items():
            risk = existing.get(reference)
            if risk is None:
                continue
            if risk.register_id != self.register.id:
                self.problem(plan.result, "", f"{reference} is already a risk on register"
                             f" {risk.register.code}")
            elif not update:
                self.problem(plan.result, "", f"{reference} is already in riskkit: import with"
                             " --update to update it")
            else:
                plan.existing = risk


def _date(cells: dict, name: str) -> date | None:
    heading, value = cells.get(name, (name, None))
    try:
        return values.uk_date(value)
    except ValueError as error:
        raise _CellError(heading, str(error)) from None


def _choose(cells, name, vocabulary, also) -> str | None:
    heading, value = cells.get(name, (name, None))
    try:
        return values.choice(value, vocabulary, name, also)
    except ValueError as error:
        raise _CellError(heading, str(error)) from None


class _CellError(Exception):
    def __init__(self, heading: str, message: str):
        super().__init__(message)
        self.heading, self.message = heading, message
