"""The internal-audit pack of the risk register for a period: reviews held on time per
owner, actions overdue at the end, delivery of actions per register and owner against
the target, controls without assurance, risks accepted above appetite and their expiry,
and who published, exported or downloaded committee documents."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from riskkit import clock, permissions, vocab
from riskkit.extensions import db
from riskkit.models import DocumentLog, Register, User
from riskkit.services import acceptance, assurance, delivery, overdue
from riskkit.services.evidence.pack import TITLES, Pack, Section, period, share, yes_no
from riskkit.services.registers import register_and_children
from riskkit.services.reviews import ReviewDue, reviews_fallen_due

ONE_DAY = timedelta(days=1)
DELIVERY_HEADERS = ("Due", "On time", "Late or not done", "Share on time", "Meets target")


def build(start: date | None, end: date | None, today: date, *, target: int,
          assurance_months: int, register: Register | None = None,
          by: User | None = None) -> Pack:
    """The pack for start to end, judged as of end (or today, if sooner); on a register
    and those below it, or every register. `by` None is the command line; the log of
    committee documents is shown to those who may read it."""
    start, end, as_of = period(start, end, today)
    ids = register_and_children(register) if register is not None else None
    fallen_due = reviews_fallen_due(start, end, as_of, ids)
    reviews = _reviews(fallen_due)
    # As the overdue report has them on that day (`riskkit overdue --as-of`).
    late_actions = overdue.due_items(as_of, ids, kinds=("action",))
    delivered = delivery.delivery(start, end, as_of, target, ids)
    unassured = assurance.unassured(as_of, assurance_months, [register] if register else None)
    accepted = acceptance.in_force_during(start, as_of, ids)
    log = _log(start, end, by)
    due, on_time = len(fallen_due), sum(r.on_time for r in fallen_due)
    summary = [
        ("Reviews due in the period", due),
        ("Reviews held by their due date", on_time),
        ("Share of reviews held on time", share(on_time, due)),
        (f"Actions overdue on {as_of:%d/%m/%Y}", len(late_actions)),
        ("Actions due in the period", delivered.total.due),
        ("Actions completed by their target date", delivered.total.on_time),
        (f"Share of actions on time (target {target}%)", share(delivered.total.on_time,
                                                               delivered.total.due)),
        ("Controls lacking assurance", len(unassured)),
        ("Risks accepted above appetite in the period", len(accepted)),
        ("Committee documents published, exported or downloaded",
         len(log.rows) if _may_read_log(by) else "Not shown"),
    ]
    sections = [
        reviews,
        Section("Reviews due in the period", "Each review that fell due, the day the risk's"
                " next review was held, and whether that was by the due date.",
                ("Risk", "Title", "Owner", "Due", "Held on", "On time"),
                [(r.reference, r.title, r.owner, r.due, r.held_on,
                  yes_no(r.on_time)) for r in fallen_due], "No review fell due in the period."),
        Section(f"Actions overdue on {as_of:%d/%m/%Y}", "Actions not done or cancelled whose"
                " target date had passed, as they stood that day, most overdue first.",
                ("Risk", "Register", "Action", "Owner", "Target date", "Days overdue"),
                [(i.reference, i.register, i.action, i.owner, i.due_date, i.days_overdue)
                 for i in late_actions], "No action was overdue."),
        _delivery_section("Action delivery by register", "Register", delivered.registers,
                          target),
        _delivery_section("Action delivery by owner", "Owner", delivered.owners, target),
        Section("Controls lacking assurance", f"Controls of live risks whose latest opinion"
                f" by {as_of:%d/%m/%Y} was limited or no assurance, or with no assurance in"
                f" the {assurance_months} months before it.",
                ("Risk", "Control", "Control owner", "Latest opinion", "Why listed"),
                [(item.control.risk.reference, item.control.description, item.control.owner.name,
                  item.latest.opinion_words if item.latest else "None", item.reason)
                 for item in unassured], "Every control had assurance."),
        Section("Risks accepted above appetite", "Acceptances in force at some time in the"
                " period: who approved them, when they expire, and how they stood at its end.",
                ("Risk", "Title", "Owner", "Score", "Approved by", "Approved on",
                 "DMT meeting", "Expires", f"On {as_of:%d/%m/%Y}"),
                [(a.risk.reference, a.risk.title, a.risk.owner.name, a.score,
                  a.decided_by.name if a.decided_by else "", a.decided_on, a.dmt_meeting_on,
                  a.expires_on, _standing(a, as_of)) for a in accepted],
                "No risk was accepted above appetite."),
        log,
    ]
    scope = f"Register {register.code} and those below it" if register is not None else ""
    return Pack("audit", TITLES["audit"], start, end, as_of, summary, sections, scope)


def _reviews(fallen_due: list[ReviewDue]) -> Section:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for review in fallen_due:
        tally[review.owner][0] += 1
        tally[review.owner][1] += review.on_time
    rows = [(owner, due, on_time, due - on_time, share(on_time, due))
            for owner, (due, on_time) in sorted(tally.items())]
    return Section("Reviews on time, by owner", "Each review sets the date of the next."
                   " Of the reviews that fell due in the period, the share held by their due"
                   " date, per risk owner.",
                   ("Owner", "Reviews due", "Held on time", "Late or not held", "Share on time"),
                   rows, "No review fell due in the period.")


def _delivery_section(heading: str, first: str, rows, target: int) -> Section:
    return Section(heading, f"Of the actions whose target date fell in the period (and had"
                   f" passed), the share completed by it, against the target of {target}%.",
                   (first, *DELIVERY_HEADERS),
                   [(r.name, r.due, r.on_time, r.late, share(r.on_time, r.due),
                     "–" if r.meets_target is None else yes_no(r.meets_target)) for r in rows],
                   "No action fell due in the period.")


def _standing(accepted, as_of: date) -> str:
    if accepted.voided_on is not None and accepted.voided_on <= as_of:
        return f"Void {accepted.voided_on:%d/%m/%Y}"
    if accepted.expires_on < as_of:
        return "Expired: due for review"
    return "In force"


def _may_read_log(by: User | None) -> bool:
    return by is None or permissions.can(by, "read_document_log")


def _log(start: date, end: date, by: User | None) -> Section:
    heading = "Committee documents log"
    if not _may_read_log(by):
        return Section(heading, "", ("When",), [], "Only managers and admins may read this log.")
    entries = db.session.scalars(
        select(DocumentLog).where(DocumentLog.at > clock.end_of(start - ONE_DAY),
                                  DocumentLog.at <= clock.end_of(end))
        .order_by(DocumentLog.at, DocumentLog.id))
    return Section(heading, "Who published, exported or downloaded each committee document"
                   " in the period, and when (the command line under its account's name).",
                   ("When", "Who", "What", "Document", "File"),
                   [(f"{clock.local(e.at):%d/%m/%Y %H:%M}", e.actor,
                     vocab.label(vocab.DOCUMENT_ACTIONS, e.action), e.document, e.detail)
                    for e in entries], "Nothing was published, exported or downloaded.")
