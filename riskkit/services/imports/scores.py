"""A row's current, target and inherent scores, from their likelihood and impact columns
and/or a one-cell score, which must agree."""

from __future__ import annotations

from riskkit.scoring import Matrix
from riskkit.services.imports import headings, values
from riskkit.services.imports.results import ImportResult, RowResult


class ScoreReader:
    def __init__(self, result: ImportResult, matrix: Matrix):
        self.result, self.matrix = result, matrix
        # Each score column's own heading ("I x L") says its order; score_order is for all.
        self.impact_first = result.mapping.score_order == "impact x likelihood"

    def parts(self, row: RowResult, cells: dict, likelihood_field: str,
              impact_field: str) -> tuple:
        """(likelihood, impact) from their own columns; a part not given is None."""
        found = []
        for name, axis in ((likelihood_field, "likelihood"), (impact_field, "impact")):
            heading, value = cells.get(name, ("", None))
            try:
                found.append(values.level(value, self.matrix, axis))
            except ValueError as error:
                self.result.problem(row, heading, str(error))
                found.append(None)
        return tuple(found)

    def scores(self, row: RowResult, cells: dict, which: str, required: bool = False) -> tuple:
        """(likelihood, impact) of one of the current, target and inherent scores, from
        its likelihood and impact columns and/or its one-cell score, which must agree."""
        problem = self.result.problem
        before = len(self.result.problems)
        likelihood_heading = cells.get(f"{which}_likelihood", ("",))[0]
        impact_heading = cells.get(f"{which}_impact", ("",))[0]
        likelihood, impact = self.parts(row, cells, f"{which}_likelihood", f"{which}_impact")
        heading, value = cells.get(f"{which}_score", ("", None))
        try:
            parts = values.score(value, self.matrix,
                                 self.impact_first or headings.impact_first(heading))
        except ValueError as error:
            problem(row, heading, str(error))
            parts = (None, None, None)
        if parts[0] is not None:
            for given, read, axis_heading, axis in (
                    (likelihood, parts[0], likelihood_heading, "likelihood"),
                    (impact, parts[1], impact_heading, "impact")):
                if given is not None and given != read:
                    problem(row, heading, f"the score gives {axis} {read} but"
                            f" {axis_heading} gives {given}")
            likelihood, impact = likelihood or parts[0], impact or parts[1]
        elif parts[2] is not None:
            likelihood, impact = self._from_total(row, heading, parts[2], likelihood, impact)
        if len(self.result.problems) > before:
            return None, None
        if (likelihood is None) != (impact is None):
            problem(row, likelihood_heading if likelihood is None else impact_heading,
                    f"the {which} {'likelihood' if likelihood is None else 'impact'} is"
                    " missing")
            return None, None
        if required and likelihood is None:
            problem(row, heading or likelihood_heading, f"the {which} score is missing")
        return likelihood, impact

    def _from_total(self, row: RowResult, heading: str, total: int, likelihood, impact):
        """The parts of a score written as one number, with what its own columns give."""
        problem = self.result.problem
        if likelihood and impact:
            if likelihood * impact != total:
                problem(row, heading, f"score {total} disagrees with likelihood"
                        f" {likelihood} x impact {impact} = {likelihood * impact}")
            return likelihood, impact
        if likelihood or impact:
            known = likelihood or impact
            other = total // known
            if other * known != total:
                problem(row, heading, f"score {total} cannot be made with"
                        f" {'likelihood' if likelihood else 'impact'} {known}")
            return likelihood or other, impact or other
        split = values.split_score(total, self.matrix)
        if split is None:
            problem(row, heading, f"a score of {total} alone does not say the likelihood and"
                    " impact: give them (like 3x4=12) or add their columns")
        return split or (None, None)
