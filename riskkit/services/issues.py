"""Issues beside risks: raising one (directly, from an incident, or by turning a risk
that has happened into one), reviewing it, its actions, and resolving it (which can
reopen its risk). Each step takes the acting user, checks permission and the version
counter, and leaves its history through the session hook (riskkit.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from riskkit import permissions, vocab
from riskkit.audit import acting_as, because
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Event, HistoryEntry, Issue, IssueAction, IssueReview, Register, Risk, User
from riskkit.models.base import clean_text
from riskkit.models.issues import check_severity, severity_words
from riskkit.services import history_words
from riskkit.services.as_of import Past, records_at
from riskkit.services.risks import LIVE, check_exempt_paragraph, check_version

#: What an issue's owner must be told when none is given: every issue is someone's.
NO_OWNER = "Choose the issue's owner: every issue has one"


def next_review(severity: int, as_of: date) -> date:
    """When an open issue of this severity is next reviewed (vocab.ISSUE_REVIEW_MONTHS)."""
    return as_of + relativedelta(months=vocab.ISSUE_REVIEW_MONTHS[severity])


def _reference(register: Register) -> str:
    """The register's next issue reference: AH-I001. Issues are never deleted, so the
    count of the register's issues numbers the next; two raised at once clash on the
    unique reference, and the second is told to try again (services.risks.commit)."""
    taken = db.session.scalar(select(func.count()).select_from(Issue).where(
        Issue.register_id == register.id))
    return f"{register.code}-I{taken + 1:03d}"


def raise_issue(register: Register, by: User | None, as_of: date, *, title: str,
                owner: User | None, severity: int, description: str = "",
                event: Event | None = None, exempt: bool = False,
                exempt_paragraph: int = vocab.DEFAULT_EXEMPTION_PARAGRAPH,
                risk: Risk | None = None) -> Issue:
    """Raise an issue on a register, owned by `owner` (required), first reviewed after
    its severity's interval. `event` is the incident it was raised from. `by` None is
    the operator (the command line, the demo loader)."""
    permissions.require_unless_operator(by, "raise_issue")
    if owner is None:
        raise ValidationError(NO_OWNER, field="owner")
    check_severity(severity)
    check_exempt_paragraph(exempt_paragraph)
    if event is not None and event.kind != "incident":
        raise ValidationError(f"{event.name} is an exercise: an issue is raised from an"
                              " incident", field="event")
    with acting_as(by):
        issue = Issue(register=register, reference=_reference(register), title=title,
                      description=clean_text(description, "description"), owner=owner,
                      severity=severity, status="open", raised_on=as_of, event=event,
                      risk=risk, exempt=exempt, exempt_paragraph=exempt_paragraph,
                      next_review_date=next_review(severity, as_of), resolution="")
        db.session.add(issue)
        db.session.flush()
    return issue


def materialise(risk: Risk, by: User | None, as_of: date, *, severity: int,
                owner: User | None = None, title: str | None = None, description: str = "",
                expected_version: int | None = None) -> Issue:
    """Turn a risk that has happened into an issue: the risk leaves the live register,
    marked materialised (its history says as which issue), and the issue links back to
    it, with the risk's owner, title and exemption unless told otherwise."""
    permissions.require_unless_operator(by, "raise_issue")
    check_version(risk, expected_version, risk.reference)
    if risk.status not in LIVE:
        raise ValidationError(f"{risk.reference} is {risk.status}: only a live risk can"
                              " become an issue", field="status")
    issue = raise_issue(risk.register, by, as_of, title=title or risk.title,
                        owner=owner or risk.owner, severity=severity,
                        description=description or risk.description, exempt=risk.exempt,
                        exempt_paragraph=risk.exempt_paragraph, risk=risk)
    with acting_as(by), because(f"Materialised: now issue {issue.reference}"):
        risk.status = "materialised"
        db.session.flush()
    return issue


def review_issue(issue: Issue, by: User | None, reviewed_on: date, severity: int,
                 comment: str = "", expected_version: int | None = None,
                 reviewer: User | None = None) -> IssueReview:
    """Record a review of an open issue: the severity now, and why it moved."""
    permissions.require_unless_operator(by, "edit_issue", issue)
    reviewer = reviewer or by
    if reviewer is None:
        raise ValidationError("Say who reviewed the issue", field="reviewer")
    check_version(issue, expected_version, issue.reference)
    _check_open(issue)
    check_severity(severity)
    if issue.last_review_date and reviewed_on < issue.last_review_date:
        raise ValidationError(f"The review date cannot be before the last review"
                              f" ({issue.last_review_date:%d/%m/%Y})", field="reviewed_on")
    comment = clean_text(comment, "comment")
    if severity != issue.severity and not comment:
        raise ValidationError(f"Enter a comment saying why the severity moves from"
                              f" {issue.severity_words} to {severity_words(severity)}",
                              field="comment")
    with acting_as(by):
        review = IssueReview(issue=issue, reviewer=reviewer, reviewed_on=reviewed_on,
                             comment=comment, before_severity=issue.severity,
                             after_severity=severity,
                             next_review_date=next_review(severity, reviewed_on))
        db.session.add(review)
        issue.severity, issue.last_review_date = severity, reviewed_on
        issue.next_review_date = review.next_review_date
        db.session.flush()
    return review


def save_action(issue: Issue, by: User | None, action: IssueAction | None, *,
                description: str, owner: User | None, target_date: date | None,
                status: str, as_of: date, expected_version: int | None = None) -> IssueAction:
    """Add or change an action on an issue (its owner or a manager)."""
    permissions.require_unless_operator(by, "edit_issue", issue)
    if owner is None:
        raise ValidationError("Choose the action's owner", field="owner")
    vocab.check(vocab.ACTION_STATUSES, status, "status")
    with acting_as(by):
        if action is None:
            _check_open(issue)
            action = IssueAction(issue=issue)
            db.session.add(action)
        else:
            check_version(action, expected_version, "This action")
        action.description, action.owner, action.target_date = description, owner, target_date
        action.status = status
        action.completed_date = (action.completed_date or as_of) if status == "done" else None
        db.session.flush()
    return action


def resolve(issue: Issue, by: User | None, as_of: date, resolution: str,
            reopen_risk: bool = False, expected_version: int | None = None) -> None:
    """Resolve an issue, saying how. With `reopen_risk`, the risk it came from returns to
    the live register, due for review today: the cause may still be there."""
    permissions.require_unless_operator(by, "resolve_issue", issue)
    check_version(issue, expected_version, issue.reference)
    _check_open(issue)
    resolution = clean_text(resolution, "resolution")
    if not resolution:
        raise ValidationError("Enter how the issue was resolved", field="resolution")
    if reopen_risk and (issue.risk is None or issue.risk.status != "materialised"):
        raise ValidationError(f"{issue.reference} has no materialised risk to reopen",
                              field="reopen_risk")
    with acting_as(by), because(resolution):
        issue.status, issue.resolved_on, issue.resolution = "resolved", as_of, resolution
        issue.next_review_date = None
        db.session.flush()
    if reopen_risk:
        with acting_as(by), because(f"Reopened: issue {issue.reference} resolved"):
            issue.risk.status = "open"
            issue.risk.next_review_date = as_of
            db.session.flush()


def _check_open(issue: Issue) -> None:
    if not issue.is_open:
        raise ValidationError(f"{issue.reference} is resolved", field="status")


# --- finding and listing -------------------------------------------------------------


def get_issue(reference: str) -> Issue:
    issue = db.session.scalar(
        select(Issue).where(Issue.reference == (reference or "").strip().upper())
        .options(joinedload(Issue.owner), joinedload(Issue.register), joinedload(Issue.risk),
                 joinedload(Issue.event),
                 selectinload(Issue.actions).joinedload(IssueAction.owner),
                 selectinload(Issue.reviews).joinedload(IssueReview.reviewer)))
    if issue is None:
        raise NotFound(f"No issue with reference {reference!r}")
    return issue


def list_issues(register_ids: list[int] | None = None, status: str | None = "open") -> list[Issue]:
    """Issues (open ones unless told; None for all), most severe first, then oldest."""
    statement = (select(Issue).options(joinedload(Issue.owner), joinedload(Issue.register),
                                       joinedload(Issue.risk))
                 .order_by(Issue.severity.desc(), Issue.raised_on, Issue.reference))
    if status is not None:
        statement = statement.where(Issue.status == vocab.check(vocab.ISSUE_STATUSES, status,
                                                                "status"))
    if register_ids:
        statement = statement.where(Issue.register_id.in_(register_ids))
    return list(db.session.scalars(statement))


def issues_of_risk(risk: Risk) -> list[Issue]:
    """The issues a risk materialised as, newest first."""
    return list(db.session.scalars(select(Issue).where(Issue.risk_id == risk.id)
                                   .order_by(Issue.id.desc())))


def count_open(register_ids: list[int] | None = None) -> int:
    statement = select(func.count()).select_from(Issue).where(Issue.status == "open")
    if register_ids:
        statement = statement.where(Issue.register_id.in_(register_ids))
    return db.session.scalar(statement)


@dataclass(frozen=True)
class IssueAt:
    """An issue as it stood at the end of a day, with its actions as they stood then.
    Fields are named as the history names them (owner by name, register by code)."""

    issue: Past
    risk_reference: str  # the risk it came from, or "" (a reference never changes)
    actions: list[Past]


def issues_at(as_of: date, register_ids: list[int]) -> list[IssueAt]:
    """The issues open at the end of `as_of` on these registers, as they stood then, most
    severe first: what the committee appendix lists. As with risks (services.as_of), a
    later review, action or resolution is undone, and an issue recorded after the day is
    not there, so a paper published again says what it said. (Issues are never deleted
    and never move register, so the live table holds every one there was.)"""
    issues = list(db.session.scalars(
        select(Issue).where(Issue.register_id.in_(register_ids), Issue.raised_on <= as_of)
        .options(joinedload(Issue.owner), joinedload(Issue.risk), joinedload(Issue.register),
                 selectinload(Issue.actions).joinedload(IssueAction.owner))))
    then = records_at(as_of, issues)
    actions: dict[int, list[Past]] = {}
    for action in sorted(records_at(as_of, [a for i in issues for a in i.actions]).values(),
                         key=lambda a: a.id):
        actions.setdefault(action.issue_id, []).append(action)
    open_then = [IssueAt(then[i.id], i.risk.reference if i.risk else "", actions.get(i.id, []))
                 for i in issues
                 if i.id in then and (then[i.id].resolved_on is None or then[i.id].resolved_on > as_of)]
    return sorted(open_then, key=lambda e: (-e.issue.severity, e.issue.raised_on, e.issue.reference))


def issue_changes(issue: Issue) -> list[history_words.Change]:
    """The issue's history and its actions' and reviews', newest first, in words."""
    action_ids = [a.id for a in issue.actions]
    review_ids = [r.id for r in issue.reviews]
    rows = list(db.session.scalars(select(HistoryEntry).where(or_(
        and_(HistoryEntry.entity == "issue", HistoryEntry.entity_id == issue.id),
        and_(HistoryEntry.entity == "issue action", HistoryEntry.entity_id.in_(action_ids)),
        and_(HistoryEntry.entity == "issue review", HistoryEntry.entity_id.in_(review_ids)),
    )).order_by(HistoryEntry.at.desc(), HistoryEntry.id)))
    names = {("issue action", a.id): a.description for a in issue.actions}
    names.update({("issue review", r.id): history_words.plain_date(r.reviewed_on)
                  for r in issue.reviews})
    return history_words.describe(rows, issue.register.matrix, own_entity="issue", names=names)
