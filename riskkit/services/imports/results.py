"""What an import reports: each row's outcome, and every problem where the user will
find it (sheet, row number and column heading as written)."""

from __future__ import annotations

from dataclasses import dataclass, field

from riskkit.services.imports import headings


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

    def problem(self, where: RowResult | tuple[str, int], heading: str, message: str) -> None:
        """Note a problem at a risk's row (which is then rejected) or at (sheet, row)."""
        sheet, row = (where.sheet, where.row) if isinstance(where, RowResult) else where
        self.problems.append(Problem(sheet, row, heading, message))
        if isinstance(where, RowResult):
            where.outcome = "rejected"

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(o)} {o}" for o in ("created", "updated", "unchanged",
                                                          "rejected"))
