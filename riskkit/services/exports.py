"""What the Excel/CSV export and the calendar feed show, gathered as plain rows.

The export reads columns, not risk objects, in batches (`yield_per`), so a register of
10,000 risks and their children never sits in memory as objects. The sheet headers are
the workbook's format: the import reads them back, so they are only ever added to.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from riskkit import scoring, vocab
from riskkit.errors import NotFound
from riskkit.extensions import db
from riskkit.models import Action, Control, Issue, IssueAction, Register, RegisterObjective, Review, Risk, User
from riskkit.models.issues import severity_words
from riskkit.models.objectives import risk_objectives
from riskkit.services.appetite import above, appetites
from riskkit.services.registers import all_registers
from riskkit.services.risks import LIVE, SORTS, RiskFilter, matching_ids

#: Rows fetched from the database at a time.
BATCH = 1000

RISK_HEADERS = (
    "reference", "register", "title", "description", "cause", "consequence", "category", "owner",
    "status", "response", "exempt", "exempt_paragraph", "likelihood", "impact", "score", "rating",
    "previous_likelihood", "previous_impact", "target_likelihood", "target_impact", "target_score",
    "target_rating", "target_date", "inherent_likelihood", "inherent_impact", "last_review_date",
    "next_review_date", "above_appetite", "objectives",
)
CONTROL_HEADERS = ("reference", "description", "owner", "effectiveness", "last_tested")
ACTION_HEADERS = ("reference", "description", "owner", "target_date", "status", "completed_date")
REVIEW_HEADERS = (
    "reference", "reviewed_on", "reviewer", "comment", "before_likelihood", "before_impact",
    "after_likelihood", "after_impact", "next_review_date", "next_review_reason",
)
#: Column widths in characters for the text columns; the others fit their header, with
#: room for the filter button.
_WIDTHS = {
    "title": 60, "description": 60, "cause": 60, "consequence": 60, "comment": 60,
    "next_review_reason": 40, "category": 24, "owner": 24, "reviewer": 24,
}


@dataclass(frozen=True)
class Sheet:
    """One sheet of the export: its name, headers, column widths and rows. `rows` is
    lazy: its query runs when the renderer iterates it, inside the app context."""

    name: str
    headers: tuple[str, ...]
    rows: Iterator[tuple]

    @property
    def widths(self) -> list[int]:
        return [max(_WIDTHS.get(h, 0), len(h) + 4) for h in self.headers]


def export_sheets(filters: RiskFilter | None = None, sort: str = "reference") -> list[Sheet]:
    """The risks matching filters (by default every risk, of every status) in the order
    `sort` names, with their controls, actions and reviews. The register page's download
    passes the page's own filters (services.register_query)."""
    risk_ids = matching_ids(filters) if filters is not None else None
    return [
        Sheet("Risks", RISK_HEADERS, _risk_rows(risk_ids, sort)),
        Sheet("Controls", CONTROL_HEADERS, _child_rows(risk_ids, select(
            Risk.reference, Control.description, User.name, Control.effectiveness, Control.last_tested,
        ).join(Risk, Control.risk_id == Risk.id).join(User, Control.owner_id == User.id)
            .order_by(Risk.reference, Control.id))),
        Sheet("Actions", ACTION_HEADERS, _child_rows(risk_ids, select(
            Risk.reference, Action.description, User.name, Action.target_date, Action.status,
            Action.completed_date,
        ).join(Risk, Action.risk_id == Risk.id).join(User, Action.owner_id == User.id)
            .order_by(Risk.reference, Action.id))),
        Sheet("Reviews", REVIEW_HEADERS, _child_rows(risk_ids, select(
            Risk.reference, Review.reviewed_on, User.name, Review.comment, Review.before_likelihood,
            Review.before_impact, Review.after_likelihood, Review.after_impact, Review.next_review_date,
            Review.next_review_reason,
        ).join(Risk, Review.risk_id == Risk.id).join(User, Review.reviewer_id == User.id)
            .order_by(Risk.reference, Review.reviewed_on, Review.id))),
    ]


def register_filter(register: Register) -> RiskFilter:
    """Every risk of one register, of any status: a corporate register takes in the
    registers below it, as the register page does."""
    return RiskFilter(registers=[register], include_children=register.level == "corporate", statuses=())


def _batched(statement):
    return db.session.execute(statement.execution_options(yield_per=BATCH))


def _child_rows(risk_ids, statement) -> Iterator[tuple]:
    if risk_ids is not None:
        statement = statement.where(Risk.id.in_(risk_ids))
    for row in _batched(statement):
        yield tuple(row)


def _risk_rows(risk_ids, sort: str) -> Iterator[tuple]:
    # Read once before streaming: registers are few, and their matrices rate every row.
    registers = all_registers()
    matrices, codes = {r.id: r.matrix for r in registers}, {r.id: r.code for r in registers}
    appetite = appetites()
    threatened = _objective_names(risk_ids)
    statement = select(
        Risk.id, Risk.reference, Risk.register_id, Risk.title, Risk.description, Risk.cause, Risk.consequence,
        Risk.category, User.name, Risk.status, Risk.response, Risk.exempt, Risk.exempt_paragraph,
        Risk.likelihood, Risk.impact,
        Risk.previous_likelihood, Risk.previous_impact, Risk.target_likelihood, Risk.target_impact,
        Risk.target_date, Risk.inherent_likelihood, Risk.inherent_impact, Risk.last_review_date,
        Risk.next_review_date,
    ).join(User, Risk.owner_id == User.id).order_by(*SORTS[sort]())
    if risk_ids is not None:
        statement = statement.where(Risk.id.in_(risk_ids))
    for r in _batched(statement):
        matrix = matrices[r.register_id]
        score = scoring.score(r.likelihood, r.impact)
        yield (
            r.reference, codes[r.register_id], r.title, r.description, r.cause, r.consequence,
            r.category, r.name, r.status, r.response, _yes_no(r.exempt), r.exempt_paragraph,
            r.likelihood, r.impact, score,
            scoring.rating(matrix, r.likelihood, r.impact).name, r.previous_likelihood, r.previous_impact,
            r.target_likelihood, r.target_impact, scoring.score(r.target_likelihood, r.target_impact),
            scoring.rating(matrix, r.target_likelihood, r.target_impact).name, r.target_date,
            r.inherent_likelihood, r.inherent_impact, r.last_review_date, r.next_review_date,
            _yes_no(above(appetite, r.category, score)[1]), "\n".join(threatened.get(r.id, ())),
        )


def _objective_names(risk_ids) -> dict[int, list[str]]:
    """The names of the objectives each risk threatens, one a line as the import reads
    them: read whole before the risks stream (a link is two numbers and a risk threatens
    a few objectives at most)."""
    statement = select(risk_objectives.c.risk_id, RegisterObjective.name).join(
        RegisterObjective, risk_objectives.c.objective_id == RegisterObjective.id).order_by(
        RegisterObjective.id)
    if risk_ids is not None:
        statement = statement.where(risk_objectives.c.risk_id.in_(risk_ids))
    names: dict[int, list[str]] = {}
    for risk_id, name in db.session.execute(statement):
        names.setdefault(risk_id, []).append(name)
    return names


def _yes_no(value: bool) -> str:
    # Words rather than TRUE/FALSE cells, so the CSV and the workbook read the same.
    return "yes" if value else "no"


# --- the calendar feed -------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """An all-day calendar event: a review falling due, or an action's target date, of a
    risk or of an issue."""

    key: str  # the item, its record and its date ("review-AH0033-20210813"): the same each fetch
    day: date
    summary: str
    description: str
    reference: str  # the risk or issue, for a link to its page
    record: str = "risk"  # which of the two `reference` names


def new_calendar_token(user: User) -> str:
    """Give the user a new secret feed address. The column holds one token, so the old
    address stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def calendar_owner(token: str) -> User:
    """The person whose feed this token opens. A revoked token, or a person who may no
    longer sign in, opens nothing."""
    user = db.session.scalar(select(User).where(User.calendar_token == token)) if token else None
    if user is None or not user.active:
        raise NotFound("There is no calendar feed at this address. It may have been replaced by a new one")
    return user


def calendar_entries(user: User) -> list[CalendarEntry]:
    """Next review dates of the live risks and open issues the user owns, and target dates
    of the open actions they own on them, in date order."""
    matrices = {r.id: r.matrix for r in all_registers()}
    entries = []
    reviews = select(
        Risk.reference, Risk.title, Risk.register_id, Risk.likelihood, Risk.impact, Risk.next_review_date,
    ).where(Risk.owner_id == user.id, Risk.status.in_(LIVE), Risk.next_review_date.is_not(None))
    for reference, title, register_id, likelihood, impact, due in db.session.execute(reviews):
        rating = scoring.describe(matrices[register_id], likelihood, impact)
        entries.append(CalendarEntry(
            f"review-{reference}-{due:%Y%m%d}", due, f"Review {reference}: {_shorten(title)}",
            f"Review of risk {reference}: {title}\nCurrent risk: {rating}", reference,
        ))
    actions = select(
        Action.id, Action.description, Action.status, Action.target_date, Risk.reference, Risk.title,
        Risk.register_id, Risk.likelihood, Risk.impact,
    ).join(Risk, Action.risk_id == Risk.id).where(
        Action.owner_id == user.id, Action.status.in_(vocab.ACTION_OPEN), Action.target_date.is_not(None),
        Risk.status.in_(LIVE))
    for action_id, words, status, due, reference, title, register_id, likelihood, impact in \
            db.session.execute(actions):
        rating = scoring.describe(matrices[register_id], likelihood, impact)
        entries.append(CalendarEntry(
            f"action-{action_id}-{reference}-{due:%Y%m%d}", due, f"Action due {reference}: {_shorten(words)}",
            f"Action on risk {reference} ({vocab.label(vocab.ACTION_STATUSES, status)}): {words}\n"
            f"Risk: {title}\nCurrent risk: {rating}", reference,
        ))
    entries += _issue_entries(user)
    entries.sort(key=lambda e: (e.day, e.key))
    return entries


def _issue_entries(user: User) -> list[CalendarEntry]:
    """An issue has no likelihood: its description gives its severity where a risk's gives
    its rating. Its key says "issue", so it can never share a risk's."""
    entries = []
    reviews = select(Issue.reference, Issue.title, Issue.severity, Issue.next_review_date).where(
        Issue.owner_id == user.id, Issue.status == "open", Issue.next_review_date.is_not(None))
    for reference, title, severity, due in db.session.execute(reviews):
        entries.append(CalendarEntry(
            f"issue-review-{reference}-{due:%Y%m%d}", due, f"Review issue {reference}: {_shorten(title)}",
            f"Review of issue {reference}: {title}\nSeverity now: {severity_words(severity)}", reference,
            "issue"))
    actions = select(IssueAction.id, IssueAction.description, IssueAction.status, IssueAction.target_date,
                     Issue.reference, Issue.title).join(Issue, IssueAction.issue_id == Issue.id).where(
        IssueAction.owner_id == user.id, IssueAction.status.in_(vocab.ACTION_OPEN),
        IssueAction.target_date.is_not(None), Issue.status == "open")
    for action_id, words, status, due, reference, title in db.session.execute(actions):
        entries.append(CalendarEntry(
            f"issue-action-{action_id}-{reference}-{due:%Y%m%d}", due,
            f"Action due {reference}: {_shorten(words)}",
            f"Action on issue {reference} ({vocab.label(vocab.ACTION_STATUSES, status)}): {words}\n"
            f"Issue: {title}", reference, "issue"))
    return entries


def _shorten(text: str, limit: int = 60) -> str:
    """A calendar shows only the start of a summary; the whole text is in the description."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
