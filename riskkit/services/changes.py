"""The committee changes table ("Current Risk Level Changes"): every risk on a register
once, its rating and score at the end of the `since` day (the last published papers, by
default) against its rating and score at the end of the as-of day, both rebuilt from the
history (services.as_of); the risks added, reopened, moved between registers or closed
between the two, with the reason given then; and how long each has stood at its rating.

A move within a band (High 16 to High 20) is a change like any other. A risk a load (the
demo, an import) added is never "New": the load is where riskkit's record of it begins.
The public version leaves exempt risks out (services.appendix counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from riskkit import clock, scoring
from riskkit.extensions import db
from riskkit.models import HistoryEntry, Register
from riskkit.services.as_of import RiskAt, risks_at, with_children
from riskkit.services.risks import LIVE

#: The order the groups are listed in; each group by reference.
ORDER = ("Increased", "Decreased", "New", "Reopened", "Escalated", "Returned", "Moved", "Closed",
         "No change")


@dataclass(frozen=True)
class Short:
    """A rating in brief, for the changes table: High 20."""

    text: str
    colour: str


@dataclass(frozen=True)
class Change:
    """A line of the changes table: one risk, its rating then and now."""

    reference: str
    title: str
    change: str  # one of ORDER
    before: Short | None  # None when it was not on the register (new, moved in)
    after: Short | None  # None when it is no longer on it (closed, moved away)
    on: date | None = None  # when it was added, moved or closed
    reason: str = ""  # why it was moved or closed, as given then
    standing: str = ""  # Red since 31 Mar 2024, 3 quarters
    exempt: bool = False

    def as_row(self) -> list[str]:
        """The line as the CSV version of the table gives it."""
        return [self.reference, self.title, self.change, self.before.text if self.before else "",
                self.after.text if self.after else "", self.on.isoformat() if self.on else "",
                self.reason, self.standing]


#: The CSV version's columns, in as_row's order.
HEADERS = ["reference", "title", "change", "previous", "current", "on", "reason",
           "current_rating_since"]


def build(register: Register, now: list[RiskAt], then: list[RiskAt], since: date,
          as_of: date) -> list[Change]:
    """The register's changes table, exempt risks marked. `now` and `then` are the risks
    as they stood at the end of `as_of` and of `since` (services.as_of.risks_at)."""
    matrix = register.matrix
    on_now = {r.risk.id: r for r in now if r.risk.register == register.code and r.risk.status in LIVE}
    on_then = {r.risk.id: r for r in then if r.risk.register == register.code and r.risk.status in LIVE}
    everywhere_now = {r.risk.id: r for r in now}
    # Where those no longer on the registers asked about went.
    gone = on_then.keys() - everywhere_now.keys()
    everywhere_now |= {r.risk.id: r for r in risks_at(as_of, ids=gone)} if gone else {}
    with_children(as_of, list(on_now.values()), kinds=["reviews"])
    steps = _steps(list(on_now.keys() | on_then.keys()), since, as_of)
    start = clock.end_of(since)
    changes = []
    for risk_id in on_now.keys() | on_then.keys():
        current, before = on_now.get(risk_id), on_then.get(risk_id)
        risk = (current or before).risk
        on, reason = steps.get(risk_id, (None, ""))
        if current is None:
            later = everywhere_now.get(risk_id)
            if later is not None and later.risk.status == "closed" and later.risk.register == register.code:
                word = "Closed"
            else:
                word = "Moved" if later is None else ("Escalated" if later.risk.status == "escalated"
                                                      else "Returned")
                reason = f"To {later.risk.register}. {reason}".strip() if later is not None else reason
        elif before is None:
            if current.created >= start and not current.loaded:
                word, on, reason = "New", clock_day(current.created), ""
            elif risk_id in {r.risk.id for r in then if r.risk.register == register.code}:
                word = "Reopened"
            else:
                word = "Escalated" if current.risk.status == "escalated" else "Returned"
        else:
            word = {1: "Increased", -1: "Decreased", 0: "No change"}[
                (current.risk.score > before.risk.score) - (current.risk.score < before.risk.score)]
            on, reason = None, ""
        changes.append(Change(
            risk.reference, risk.title, word, _short(matrix, before), _short(matrix, current), on,
            reason, standing(matrix, current, as_of) if current else "",
            any(state.risk.exempt for state in (before, everywhere_now.get(risk_id)) if state)))
    return sorted(changes, key=lambda c: (ORDER.index(c.change), c.reference))


def clock_day(moment) -> date:
    """The day a recorded moment fell on where riskkit runs."""
    return moment.astimezone().date()


def _short(matrix: scoring.Matrix, at: RiskAt | None) -> Short | None:
    if at is None:
        return None
    band = scoring.rating(matrix, at.risk.likelihood, at.risk.impact)
    return Short(f"{band.name} {at.risk.score}", band.colour)


def _steps(risk_ids: list[int], since: date, as_of: date) -> dict[int, tuple[date, str]]:
    """The latest change of status or register of each risk between the two days: when,
    and the reason given for it."""
    found: dict[int, tuple[date, str]] = {}
    for start in range(0, len(risk_ids), 1000):
        for risk_id, at, reason in db.session.execute(
                select(HistoryEntry.entity_id, HistoryEntry.at, HistoryEntry.reason)
                .where(HistoryEntry.entity == "risk", HistoryEntry.field.in_(("status", "register")),
                       HistoryEntry.at >= clock.end_of(since), HistoryEntry.at < clock.end_of(as_of),
                       HistoryEntry.entity_id.in_(risk_ids[start:start + 1000]))
                .order_by(HistoryEntry.id)):
            found[risk_id] = (clock_day(at), reason or "")
    return found


def standing(matrix: scoring.Matrix, at: RiskAt, as_of: date) -> str:
    """How long the risk has stood at its current rating: "Red since 31 Mar 2024, 3
    quarters". Its reviews date the moves between bands; with none, it has stood there
    since it was first reviewed, or recorded."""
    risk = at.risk
    band = scoring.rating(matrix, risk.likelihood, risk.impact)
    since = at.reviews[0].reviewed_on if at.reviews else clock_day(at.created)
    for review in at.reviews:
        if (scoring.rating(matrix, review.before_likelihood, review.before_impact).name
                != scoring.rating(matrix, review.after_likelihood, review.after_impact).name):
            since = review.reviewed_on
    # relativedelta counts 31 March to 30 June as three whole months, as people do.
    gap = relativedelta(as_of, since)
    quarters = max(gap.years * 12 + gap.months, 0) // 3
    length = ("under a quarter" if quarters == 0 else
              f"{quarters} quarter{'s' if quarters != 1 else ''}")
    return f"{band.colour_name} since {since.day} {since:%b %Y}, {length}"
