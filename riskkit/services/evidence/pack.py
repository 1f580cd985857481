"""What every evidence pack is: a title, the period, the summary figures and its
sections, each a table of plain values (text, whole numbers, dates), and the period
check they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from riskkit.services.delivery import check_period, last_year

#: The packs, by the name the command and the address use, with their titles.
TITLES = {
    "eprr": "NHS EPRR training and exercising evidence",
    "iso22301": "ISO 22301 exercising and corrective action evidence (clauses 8.5 and 9.1)",
    "audit": "Internal audit: the risk register",
}
Value = str | int | date | None


@dataclass(frozen=True)
class Section:
    """One table of a pack: its heading, a sentence saying what it counts, and its rows."""

    heading: str
    intro: str
    headers: tuple[str, ...]
    rows: list[tuple[Value, ...]]
    empty: str = "None in the period."  # said instead of an empty table


@dataclass(frozen=True)
class Pack:
    name: str  # eprr, iso22301 or audit
    title: str
    start: date
    end: date
    as_of: date  # the day it is judged for: the period's end, or today if sooner
    summary: list[tuple[str, Value]]
    sections: list[Section] = field(default_factory=list)
    scope: str = ""  # what it covers, when narrowed ("Register AH and those below it")

    @property
    def period_words(self) -> str:
        return f"{self.start:%d/%m/%Y} to {self.end:%d/%m/%Y}"


def period(start: date | None, end: date | None, today: date) -> tuple[date, date, date]:
    """The period checked (the end before the start is refused naming `to`), and the day
    to judge it as of."""
    check_period(start, end)
    return start, end, min(end, today)


def default_period(today: date) -> tuple[date, date]:
    """The twelve months to today."""
    return last_year(today), today


def yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def share(part: int, whole: int) -> str:
    """A share in whole per cent rounded down (as delivery counts it), or a dash."""
    return f"{part * 100 // whole}%" if whole else "–"
