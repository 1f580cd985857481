"""The committee register appendix ("Appendix B - Directorate Risk Register"), gathered
as plain data for the PDF renderer, as the registers stood at the end of the as-of day
(services.as_of rebuilds them from the history).

Each register's summary page, heat map and changes table come from the risks as they
stood then. Its risks are streamed: each batch's controls, actions and reviews are read
and turned into plain rows before the next batch is read, so memory stays flat however
long the register is. With `public`, the detail of an exempt risk never leaves this
module, and exempt risks are left out of the changes table (only counted).

After the registers come the issues open on the as-of day and the risks accepted above
appetite then (with who approved and the expiry), exempt ones withheld alike; then, when
asked for or when an indicator is linked to a risk on the registers, the operational
pressure indicators' summary for the quarter (services.indicator_quarter).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from riskkit import scoring, vocab
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Acceptance, Event, Lesson, Register
from riskkit.models.issues import severity_words
from riskkit.models.lessons import lesson_reference
from riskkit.services import assurance
from riskkit.services import changes as changes_table
from riskkit.services.acceptance import accepted_at
from riskkit.services.as_of import RiskAt, risks_at, with_children
from riskkit.services.changes import Change
from riskkit.services.indicator_quarter import QuarterSummary, linked_indicators, quarter_summary
from riskkit.services.issues import IssueAt, issues_at
from riskkit.services.links_at import lessons_of_actions
from riskkit.services.registers import all_registers, get_register
from riskkit.services.risks import LIVE
from riskkit.services.summaries import HeatMap, heat_map_of

BATCH = 100
#: The papers' words for the two kinds of row in the controls and actions table.
CONTROL_TYPE = "Control"
ACTION_TYPE = "A - Accepted"
#: What the public version prints in place of an exempt risk's title.
EXEMPT_TITLE = "Exempt"


def default_since(as_of: date) -> date:
    """Changes are reported since the last published papers before the as-of day, or
    else since three months before it."""
    from riskkit.services.publishing import last_published  # publishing builds appendices

    return last_published(before=as_of) or as_of - relativedelta(months=3)


@dataclass(frozen=True)
class Rated:
    """A score as the papers print it."""

    label: str  # High 20 Serious (4) Very Likely (5)
    colour: str


@dataclass(frozen=True)
class Item:
    """A row of a risk's controls and actions table."""

    description: str
    owner: str
    type: str  # Control, or A - Accepted for an agreed action
    status: str  # an action's status in words; empty for a control
    target_date: date | None


@dataclass(frozen=True)
class Comment:
    reviewed_on: date
    reviewer: str
    comment: str


@dataclass(frozen=True)
class RiskEntry:
    """One risk whole, as the appendix prints it. `withheld` marks an exempt risk in
    the public version: only its reference is real, every other field is empty."""

    reference: str
    title: str
    exempt: bool
    withheld: bool = False
    exempt_paragraph: int = 0  # of Schedule 12A, for an exempt risk (public, so kept when withheld)
    description: str = ""
    cause: str = ""
    consequence: str = ""
    owner: str = ""
    last_review: date | None = None
    next_review: date | None = None
    review_overdue: bool = False
    current: Rated | None = None
    previous: Rated | None = None
    target: Rated | None = None
    target_date: date | None = None
    trend: str = ""  # Increased, Decreased, No change, New
    items: list[Item] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)  # newest first


@dataclass
class Section:
    """One register: its summary page, then its live risks one by one."""

    code: str
    name: str
    level: str
    heat_map: HeatMap
    exempt_count: int
    changes: list[Change]  # each risk once; exempt ones left out of the public version
    risks: Iterator[RiskEntry]  # streamed from the database while the PDF is drawn
    changes_withheld: int = 0  # exempt risks left out of the public changes table

    @property
    def summary(self) -> str:
        return self.heat_map.summary_text()

    @property
    def total(self) -> int:
        return self.heat_map.total


@dataclass(frozen=True)
class IssueEntry:
    """An issue open on the as-of day, as the appendix prints it after the risks. As with
    a risk, `withheld` marks an exempt issue in the public version: only its reference
    and paragraph are real."""

    reference: str
    title: str
    exempt: bool
    withheld: bool = False
    exempt_paragraph: int = 0
    register: str = ""
    owner: str = ""
    severity: str = ""  # 4 Serious
    raised_on: date | None = None
    next_review: date | None = None
    review_overdue: bool = False
    from_risk: str = ""  # the risk that materialised as it
    description: str = ""
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class AcceptedEntry:
    """A risk accepted above its appetite on the as-of day, with who approved and when it
    expires. An exempt risk's title and rationale are left out of the public version."""

    reference: str
    title: str
    owner: str
    score: int
    approved_by: str
    approved_on: date
    dmt_meeting_on: date | None
    expires_on: date
    rationale: str


@dataclass
class Appendix:
    title: str
    organisation: str
    as_of: date
    since: date
    public: bool
    sections: list[Section]
    issues: list[IssueEntry] = field(default_factory=list)
    accepted: list[AcceptedEntry] = field(default_factory=list)
    indicators: QuarterSummary | None = None  # None: the section is left out

    @property
    def subject(self) -> str:
        registers = ", ".join(f"{s.code} {s.name}" for s in self.sections)
        return f"Risk register appendix: {registers}; as at {self.as_of:%d/%m/%Y}"


def build_appendix(codes: list[str] | tuple[str, ...], as_of: date, since: date, organisation: str,
                   public: bool = False, indicators: bool | None = None) -> Appendix:
    """The appendix for the registers named by code (all of them when none is named),
    as the registers stood at the end of `as_of`, with each risk's rating then against
    its rating at the end of `since`, and the risks added, moved or closed between.
    `indicators`: whether to include the indicators summary for the quarter; None
    includes it when an indicator is linked to a risk on the registers."""
    if since > as_of:
        raise ValidationError(f"The since date {since.isoformat()} is after the as-of date"
                              f" {as_of.isoformat()}: changes are reported between the two", field="since")
    registers = _chosen(codes)
    codes = [r.code for r in registers]
    now, then = risks_at(as_of, codes), risks_at(since, codes)
    sections = []
    for register in registers:
        live = [r for r in now if r.risk.register == register.code and r.risk.status in LIVE]
        changes = changes_table.build(register, now, then, since, as_of)
        sections.append(Section(
            code=register.code, name=register.name,
            level=vocab.label(vocab.REGISTER_LEVELS, register.level),
            heat_map=heat_map_of(register, live),
            exempt_count=sum(1 for r in live if r.risk.exempt),
            changes=[c for c in changes if not (public and c.exempt)],
            changes_withheld=sum(1 for c in changes if public and c.exempt),
            risks=_risks(register.matrix, live, as_of, public),
        ))
    if len(registers) == 1:
        title = f"Risk Register – {registers[0].name}"
    else:
        title = "Risk Registers – " + ", ".join(r.name for r in registers)
    ids = [r.id for r in registers]
    if indicators is None:
        indicators = bool(linked_indicators(ids))
    return Appendix(title, organisation, as_of, since, public, sections,
                    issues=[_issue(i, as_of, public) for i in issues_at(as_of, ids)],
                    accepted=[_accepted(a, public) for a in accepted_at(as_of, ids)],
                    indicators=quarter_summary(ids, as_of) if indicators else None)


def _issue(entry: IssueAt, as_of: date, public: bool) -> IssueEntry:
    issue = entry.issue
    if public and issue.exempt:
        return IssueEntry(issue.reference, EXEMPT_TITLE, exempt=True, withheld=True,
                          exempt_paragraph=issue.exempt_paragraph)
    return IssueEntry(
        reference=issue.reference, title=issue.title, exempt=issue.exempt,
        exempt_paragraph=issue.exempt_paragraph if issue.exempt else 0,
        register=issue.register, owner=issue.owner or "",
        severity=severity_words(issue.severity), raised_on=issue.raised_on,
        next_review=issue.next_review_date,
        review_overdue=issue.next_review_date is not None and issue.next_review_date < as_of,
        from_risk=entry.risk_reference, description=issue.description,
        items=[Item(a.description, a.owner or "", ACTION_TYPE,
                    vocab.label(vocab.ACTION_STATUSES, a.status), a.target_date)
               for a in entry.actions])


def _accepted(acceptance: Acceptance, public: bool) -> AcceptedEntry:
    risk = acceptance.risk
    withheld = public and risk.exempt
    return AcceptedEntry(
        reference=risk.reference, title=EXEMPT_TITLE if withheld else risk.title,
        owner=risk.owner.display_name, score=acceptance.score,
        approved_by=acceptance.decided_by.display_name, approved_on=acceptance.decided_on,
        dmt_meeting_on=acceptance.dmt_meeting_on, expires_on=acceptance.expires_on,
        rationale="" if withheld else acceptance.rationale)


def _chosen(codes) -> list[Register]:
    """The registers asked for, each once, in the order given; all of them when none is
    named, top of the tree first (corporate, directorate, operational)."""
    if codes:
        registers: list[Register] = []
        for code in codes:
            register = get_register(code)
            if register not in registers:
                registers.append(register)
        return registers
    levels = vocab.values(vocab.REGISTER_LEVELS)
    return sorted(all_registers(), key=lambda r: (levels.index(r.level), r.code))


def _rated(matrix: scoring.Matrix, likelihood: int | None, impact: int | None) -> Rated | None:
    if likelihood is None or impact is None:
        return None
    band = scoring.rating(matrix, likelihood, impact)
    return Rated(scoring.describe(matrix, likelihood, impact), band.colour)


def _risks(matrix: scoring.Matrix, live: list[RiskAt], as_of: date, public: bool) -> Iterator[RiskEntry]:
    """The register's live risks, highest score first, a batch at a time."""
    ordered = sorted(live, key=lambda r: (-r.risk.score, r.risk.reference))
    for start in range(0, len(ordered), BATCH):
        batch = with_children(as_of, ordered[start:start + BATCH])
        origins = lesson_origins([a.id for r in batch for a in r.actions], as_of)
        assured = assurance.assurances_of([c for r in batch for c in r.controls])
        for risk in batch:
            yield _entry(risk, matrix, as_of, public, origins, assured)
        # Dropping the batch lets its rows go before the next is read.
        del batch


def lesson_origins(action_ids: list[int], as_of: date) -> dict[int, str]:
    """' (From lesson L0003, Exercise Lemur.)' by action id: the lessons each action
    answered at the end of `as_of` (services.links_at)."""
    answered = lessons_of_actions(as_of, action_ids)
    events = dict(db.session.execute(
        select(Lesson.id, Event.name).join(Event, Event.id == Lesson.event_id)
        .where(Lesson.id.in_({i for ids in answered.values() for i in ids}))).all())
    return {action_id: " (From " + "; ".join(f"lesson {lesson_reference(i)}, {events[i]}" for i in ids
                                             if i in events) + ".)"
            for action_id, ids in answered.items() if any(i in events for i in ids)}


def _entry(at: RiskAt, matrix: scoring.Matrix, as_of: date, public: bool,
           origins: dict[int, str], assured: dict) -> RiskEntry:
    risk = at.risk
    if public and risk.exempt:
        return RiskEntry(risk.reference, EXEMPT_TITLE, exempt=True, withheld=True,
                         exempt_paragraph=risk.exempt_paragraph)
    # Agreed actions first, then the controls in place, as the papers list them.
    items = [Item(a.description + origins.get(a.id, ""), a.owner, ACTION_TYPE,
                  vocab.label(vocab.ACTION_STATUSES, a.status), a.target_date) for a in at.actions]
    # A control says the assurance behind it on the day, as an action says its lessons.
    items += [Item(f"{c.description} ({assurance.in_words(assured.get(c.id, []), as_of)}.)",
                   c.owner, CONTROL_TYPE, "", None) for c in at.controls]
    previous = (None if risk.previous_likelihood is None
                else scoring.score(risk.previous_likelihood, risk.previous_impact))
    return RiskEntry(
        reference=risk.reference, title=risk.title, exempt=risk.exempt,
        exempt_paragraph=risk.exempt_paragraph if risk.exempt else 0,
        description=risk.description or "", cause=risk.cause or "", consequence=risk.consequence or "",
        owner=risk.owner, last_review=risk.last_review_date, next_review=risk.next_review_date,
        review_overdue=risk.next_review_date is not None and risk.next_review_date < as_of,
        current=_rated(matrix, risk.likelihood, risk.impact),
        previous=_rated(matrix, risk.previous_likelihood, risk.previous_impact),
        target=_rated(matrix, risk.target_likelihood, risk.target_impact),
        target_date=risk.target_date,
        trend=scoring.TREND_WORDS[scoring.trend(previous, risk.score)],
        items=items,
        comments=[Comment(r.reviewed_on, r.reviewer, r.comment or "") for r in reversed(at.reviews)],
    )
