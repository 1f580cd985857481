"""The columns of a control, action or review written from what a file's row gave, the
same whether it joins a new risk or one already in riskkit."""

from __future__ import annotations

from datetime import date

from riskkit import scoring
from riskkit.scoring import Matrix


def control_values(item: dict) -> dict:
    return {"description": item["description"], "effectiveness": item["effectiveness"],
            "last_tested": item["last_tested"]}


def action_values(item: dict, as_of: date) -> dict:
    """A done action without a completed date was completed on the day of the import."""
    done = item["status"] == "done"
    return {"description": item["description"], "target_date": item["target_date"],
            "status": item["status"],
            "completed_date": (item["completed_date"] or as_of) if done else None}


def review_values(item: dict, matrix: Matrix) -> dict:
    """The next review is scheduled from the rating when the file gives no date."""
    next_date = item["next_review_date"] or scoring.next_review_date(
        matrix, item["after_likelihood"], item["after_impact"], item["reviewed_on"])
    return {"reviewed_on": item["reviewed_on"], "comment": item["comment"],
            "before_likelihood": item["before_likelihood"], "before_impact": item["before_impact"],
            "after_likelihood": item["after_likelihood"], "after_impact": item["after_impact"],
            "next_review_date": next_date, "next_review_reason": item["next_review_reason"]}
