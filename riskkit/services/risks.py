"""Risks: create, edit, find, list, and the summary every face prints.

Listing queries are written once here, with eager loading chosen so that the
number of SQL statements does not grow with the number of risks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, not_, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from riskkit import permissions, scoring, vocab
from riskkit.audit import acting_as
from riskkit.errors import Conflict, NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, Lesson, Register, Review, Risk, User
from riskkit.models.objectives import risk_objectives
from riskkit.services.appetite import above, above_condition, appetites
from riskkit.services.names import same_name
from riskkit.services.paging import ascending_nulls_last, check_key, keyset_page
from riskkit.services.registers import register_and_children

#: Fields a risk form may change. Current likelihood and impact change only through
#: a review (services.reviews), so that every score change has a dated record.
EDITABLE = (
    "title", "description", "cause", "consequence", "category", "owner", "status",
    "response", "exempt", "exempt_paragraph", "target_likelihood", "target_impact", "target_date",
    "inherent_likelihood", "inherent_impact", "objectives",
)
#: The statuses of a risk still being managed on a register.
LIVE = ("open", "escalated")
SORTS = {
    "score": lambda: (Risk.current_score.desc(), Risk.reference),
    "reference": lambda: (Risk.reference,),
    "next_review": lambda: (Risk.next_review_date.asc().nulls_last(), Risk.reference),
}


@dataclass
class RiskFilter:
    """What to list. Empty fields do not filter. Statuses default to the live ones."""

    registers: list[Register] = field(default_factory=list)
    include_children: bool = False
    owner: User | None = None
    statuses: tuple[str, ...] = LIVE
    rating: str | None = None  # a band name
    category: str | None = None
    overdue_as_of: date | None = None  # only risks whose next review is before this date
    likelihood: int | None = None  # one heat map cell
    impact: int | None = None
    above_appetite: bool | None = None  # True: only those above; False: only those within
    objective_id: int | None = None  # only risks threatening this register objective


#: What a person who lost a race to another save is told.
LOST_RACE = ("Someone else saved this record, or one like it, at the same moment. Nothing of"
             " yours was saved: reload the page to see their change, then make yours again.")


def commit(change=lambda: None):
    """Run `change` (service calls) and commit it, as one. Losing a race to another save
    is a Conflict, like a stale form: the row's version moved on between reading and
    writing, or a row with the same unique value (a plan's service, a link) was saved
    since the service checked there was none. Either shows at a flush inside the change
    as often as at the commit. Anything else refused rolls back and is raised as it is."""
    try:
        result = change()
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        if isinstance(error, IntegrityError) and not _unique_violation(error):
            raise
        raise Conflict(LOST_RACE) from None
    except BaseException:
        db.session.rollback()
        raise
    return result


def _unique_violation(error: IntegrityError) -> bool:
    """Whether the database refused a row because another has the same unique key."""
    orig = error.orig
    return (getattr(orig, "sqlstate", None) == "23505"  # PostgreSQL unique_violation
            or getattr(orig, "sqlite_errorname", None) in (
                "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"))


def check_version(record, expected_version: int | None, name: str) -> None:
    if expected_version is not None and record.version != expected_version:
        raise Conflict(
            f"{name} was changed by someone else since you opened it"
            f" (you had version {expected_version}, it is now version {record.version})."
            " Nothing of yours was saved yet."
        )


def _filter_statement(filters: RiskFilter):
    statement = select(Risk)
    if filters.registers:
        ids = []
        for register in filters.registers:
            ids.extend(register_and_children(register) if filters.include_children
                       else [register.id])
        statement = statement.where(Risk.register_id.in_(ids))
    if filters.owner is not None:
        statement = statement.where(Risk.owner_id == filters.owner.id)
    if filters.statuses:
        statement = statement.where(Risk.status.in_(filters.statuses))
    if filters.category:
        statement = statement.where(same_name(Risk.category, filters.category))
    if filters.overdue_as_of is not None:
        statement = statement.where(Risk.next_review_date < filters.overdue_as_of)
    if filters.rating:
        statement = statement.where(_rating_condition(filters.rating))
    if filters.likelihood is not None:
        statement = statement.where(Risk.likelihood == filters.likelihood)
    if filters.impact is not None:
        statement = statement.where(Risk.impact == filters.impact)
    if filters.objective_id is not None:
        statement = statement.where(Risk.id.in_(select(risk_objectives.c.risk_id).where(
            risk_objectives.c.objective_id == filters.objective_id)))
    if filters.above_appetite is not None:
        above_it = above_condition(appetites())
        statement = statement.where(above_it if filters.above_appetite else not_(above_it))
    return statement


def matching_ids(filters: RiskFilter):
    """The ids of the risks matching filters, as a SELECT to use inside another query."""
    return _filter_statement(filters).with_only_columns(Risk.id)


def check_rating(band_name: str) -> None:
    """Refuse a band name that no matrix in use has (a ValidationError naming rating)."""
    _rating_condition(band_name)


def _rating_condition(band_name: str):
    """SQL for 'rated band_name': per matrix in use, the cells that fall in that band."""
    conditions = []
    for register in db.session.scalars(select(Register)):
        matrix = register.matrix
        cells = [(lk, im) for lk in matrix.levels("likelihood") for im in matrix.levels("impact")
                 if scoring.rating(matrix, lk, im).name.lower() == band_name.lower()]
        if cells:
            conditions.append((Risk.register_id == register.id)
                              & tuple_(Risk.likelihood, Risk.impact).in_(cells))
    if not conditions:
        raise ValidationError(f"No matrix in use has a rating called {band_name!r}", "rating")
    return or_(*conditions)


def count_risks(filters: RiskFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(
        _filter_statement(filters).subquery()))


def list_risks(filters: RiskFilter, sort: str = "score", page: int | None = None,
               per_page: int = 50) -> list[Risk]:
    """Risks matching filters, each with register, matrix and owner already loaded."""
    if sort not in SORTS:
        raise ValidationError(f"Sort must be one of {', '.join(SORTS)}, not {sort!r}", "sort")
    statement = (
        _filter_statement(filters)
        .options(joinedload(Risk.owner), joinedload(Risk.register))
        .order_by(*SORTS[sort]())
    )
    if page is not None:
        statement = statement.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(db.session.scalars(statement))


def risk_page(filters: RiskFilter, sort: str, after: list | None, size: int
              ) -> tuple[list[Risk], list | None]:
    """A page of list_risks() by key rather than number (services.paging.keyset_page):
    the risks after the key `after` (None: from the start), and the next page's key."""
    if sort not in SORTS:
        raise ValidationError(f"Sort must be one of {', '.join(SORTS)}, not {sort!r}", "sort")
    statement = (_filter_statement(filters)
                 .options(joinedload(Risk.owner), joinedload(Risk.register))
                 .order_by(*SORTS[sort]()))
    return keyset_page(statement, None if after is None else _after_key(sort, after), size,
                       lambda last: _key(sort, last))


def _key(sort: str, risk: Risk) -> list:
    """The page key of the last risk on a page: its sort values, as JSON can carry them."""
    if sort == "score":
        return [risk.current_score, risk.reference]
    if sort == "next_review":
        return [_iso(risk.next_review_date), risk.reference]
    return [risk.reference]


def _after_key(sort: str, key: list):
    """SQL for 'comes after the key' in the sort's order; a key that is not one is refused."""
    shapes = {"score": (int, str), "next_review": ((str, type(None)), str), "reference": (str,)}
    reference = check_key(key, shapes[sort])[-1]
    if sort == "reference":
        return Risk.reference > reference
    if sort == "score":
        score = key[0]
        return or_(Risk.current_score < score,
                   and_(Risk.current_score == score, Risk.reference > reference))
    return ascending_nulls_last(Risk.next_review_date, Risk.reference, key)


def get_risk(reference: str) -> Risk:
    """One risk whole: controls, actions (with the lessons they answer) and reviews with
    their people, in a fixed number of statements."""
    risk = db.session.scalar(
        select(Risk)
        .where(Risk.reference == (reference or "").strip().upper())
        .options(
            joinedload(Risk.owner), joinedload(Risk.register), joinedload(Risk.origin_register),
            selectinload(Risk.controls).joinedload(Control.owner),
            selectinload(Risk.controls).joinedload(Control.tested_by_event),
            selectinload(Risk.actions).joinedload(Action.owner),
            selectinload(Risk.actions).selectinload(Action.lessons).joinedload(Lesson.event),
            selectinload(Risk.reviews).joinedload(Review.reviewer),
        )
    )
    if risk is None:
        raise NotFound(f"No risk with reference {reference!r}")
    return risk


def create_risk(register: Register, by: User | None, as_of: date, *, title: str, owner: User,
                likelihood: int, impact: int, target_likelihood: int | None = None,
                target_impact: int | None = None, reference_number: int | None = None,
                reference: str | None = None, **details) -> Risk:
    """Add a risk to a register with the next reference; its first review falls due
    after its band's review interval from `as_of`. `reference` keeps one written
    elsewhere (an imported `CRR-004`): later risks are numbered after it."""
    if by is not None:
        permissions.require(by, "create_risk")
    unknown = set(details) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown risk fields: {', '.join(sorted(unknown))}", "risk")
    if "exempt_paragraph" in details:
        check_exempt_paragraph(details["exempt_paragraph"])
    check_objectives(register, details.get("objectives", []))
    matrix = register.matrix
    scoring.check_scores(matrix, likelihood, impact, "current")
    target_likelihood = target_likelihood or likelihood
    target_impact = target_impact or impact
    _check_target(matrix, likelihood, impact, target_likelihood, target_impact)
    if reference:
        digits = re.search(r"(\d+)$", reference)
        _take_number(register, int(digits.group(1)) if digits else 0)  # later ones follow it
    else:
        reference = register.reference(_take_number(register, reference_number))
    if db.session.scalar(select(Risk.id).where(Risk.reference == reference)) is not None:
        raise ValidationError(f"Reference {reference} is already used", field="reference")
    with acting_as(by):
        risk = Risk(
            register=register, reference=reference, title=title, owner=owner,
            likelihood=likelihood, impact=impact, target_likelihood=target_likelihood,
            target_impact=target_impact,
            next_review_date=scoring.next_review_date(matrix, likelihood, impact, as_of),
            **details,
        )
        db.session.add(risk)
        db.session.flush()
    return risk


def _take_number(register: Register, wanted: int | None = None) -> int:
    """The register's next reference number (or `wanted`, from an import), moving its
    counter past it in one UPDATE ... RETURNING: two risks added at once get different
    numbers on any database, and as the counter only goes up no number is handed out
    twice."""
    counter = Register.next_number
    moved = counter + 1 if wanted is None else case((counter > wanted, counter),
                                                     else_=wanted + 1)
    taken = db.session.execute(
        update(Register).where(Register.id == register.id).values(next_number=moved)
        .returning(counter).execution_options(synchronize_session="fetch")).scalar_one()
    return taken - 1 if wanted is None else wanted


def update_risk(risk: Risk, changes: dict, by: User | None,
                expected_version: int | None = None) -> list[str]:
    """Apply form changes to a risk; return the names of the fields that changed.
    `by` None is the command line or an import, which the operator runs."""
    if by is not None:
        permissions.require(by, "edit_risk", risk)
    check_version(risk, expected_version, risk.reference)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}"
            " (record a review to change the current score)", field=sorted(unknown)[0])
    changed = [key for key, value in changes.items() if getattr(risk, key) != value]
    if not changed:
        return []
    if "status" in changes:
        vocab.check(vocab.RISK_STATUSES, changes["status"], "status")
    if "exempt_paragraph" in changes:
        check_exempt_paragraph(changes["exempt_paragraph"])
    check_objectives(risk.register, changes.get("objectives", []))
    target = (changes.get("target_likelihood", risk.target_likelihood),
              changes.get("target_impact", risk.target_impact))
    _check_target(risk.register.matrix, risk.likelihood, risk.impact, *target)
    with acting_as(by):
        for key in changed:
            setattr(risk, key, changes[key])
        db.session.flush()
    return changed


def register_and_ancestors(register: Register) -> list[int]:
    """Ids of a register and every register above it (a cycle in the data ends the walk)."""
    ids, current = [], register
    while current is not None and current.id not in ids:
        ids.append(current.id)
        current = current.parent
    return ids


def check_objectives(register: Register, objectives) -> None:
    """A risk threatens only the objectives of its register and of those above it."""
    allowed = register_and_ancestors(register)
    if any(objective.register_id not in allowed for objective in objectives):
        raise ValidationError(f"A risk on the {register.name} register can only threaten the"
                              " objectives of its register and those above it", field="objectives")


def check_exempt_paragraph(value) -> None:
    """Refuse anything but the number of a paragraph of Part 1 of Schedule 12A."""
    paragraphs = vocab.values(vocab.EXEMPTION_PARAGRAPHS)
    if not isinstance(value, int) or isinstance(value, bool) or value not in paragraphs:
        raise ValidationError(f"Exempt paragraph must be a paragraph of Schedule 12A from {paragraphs[0]}"
                              f" to {paragraphs[-1]}, not {value!r}", field="exempt_paragraph")


def _check_target(matrix, likelihood, impact, target_likelihood, target_impact) -> None:
    scoring.check_scores(matrix, target_likelihood, target_impact, "target")
    if scoring.score(target_likelihood, target_impact) > scoring.score(likelihood, impact):
        raise ValidationError(
            f"The target score ({scoring.score(target_likelihood, target_impact)}) cannot be"
            f" above the current score ({scoring.score(likelihood, impact)})",
            field="target_likelihood",
        )


# --- the summary every face prints ------------------------------------------------


def rated(matrix: scoring.Matrix, likelihood: int | None, impact: int | None) -> dict | None:
    """A score as the JSON output and the pages give it."""
    if likelihood is None or impact is None:
        return None
    band = scoring.rating(matrix, likelihood, impact)
    return {
        "likelihood": likelihood, "impact": impact, "score": scoring.score(likelihood, impact),
        "rating": band.name, "colour": band.colour, "colour_name": band.colour_name,
        "label": scoring.describe(matrix, likelihood, impact),
        "levels": scoring.describe_levels(matrix, likelihood, impact),
    }


def summarise(risk: Risk, appetite: dict[str, int]) -> dict:
    """The register-line view of a risk: what `riskkit risks --format json` prints."""
    matrix = risk.register.matrix
    limit, above_appetite = above(appetite, risk.category, risk.score)
    return {
        "reference": risk.reference,
        "title": risk.title,
        "register": risk.register.code,
        "owner": risk.owner.name,
        "category": risk.category,
        "status": risk.status,
        "current": rated(matrix, risk.likelihood, risk.impact),
        "previous": rated(matrix, risk.previous_likelihood, risk.previous_impact),
        "target": rated(matrix, risk.target_likelihood, risk.target_impact),
        "target_date": _iso(risk.target_date),
        "trend": scoring.trend(risk.previous_score, risk.score),
        "last_review_date": _iso(risk.last_review_date),
        "next_review_date": _iso(risk.next_review_date),
        "appetite": limit,
        "above_appetite": above_appetite,
    }


def describe_whole(risk: Risk, appetite: dict[str, int]) -> dict:
    """Everything about one risk: what `riskkit risk REF --format json` prints."""
    matrix = risk.register.matrix
    data = summarise(risk, appetite)
    data.update({
        "description": risk.description,
        "cause": risk.cause,
        "consequence": risk.consequence,
        "response": risk.response,
        "exempt": risk.exempt,
        "exempt_paragraph": risk.exempt_paragraph,
        "inherent": rated(matrix, risk.inherent_likelihood, risk.inherent_impact),
        "escalated_from": risk.origin_register.code if risk.origin_register else None,
        "version": risk.version,
        "controls": [
            {"id": c.id, "description": c.description, "owner": c.owner.name,
             "effectiveness": c.effectiveness, "effectiveness_words": c.effectiveness_words,
             "last_tested": _iso(c.last_tested), "version": c.version}
            for c in risk.controls
        ],
        "actions": [
            {"id": a.id, "description": a.description, "owner": a.owner.name,
             "target_date": _iso(a.target_date), "status": a.status,
             "completed_date": _iso(a.completed_date), "version": a.version}
            for a in risk.actions
        ],
        "reviews": [
            {"id": r.id, "reviewed_on": _iso(r.reviewed_on), "reviewer": r.reviewer.name,
             "comment": r.comment, "before": rated(matrix, r.before_likelihood, r.before_impact),
             "after": rated(matrix, r.after_likelihood, r.after_impact),
             "next_review_date": _iso(r.next_review_date),
             "next_review_reason": r.next_review_reason}
            for r in risk.reviews
        ],
    })
    return data


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
