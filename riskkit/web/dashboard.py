"""The dashboard: what the DMT looks at first."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from riskkit.services.events import evidence_since, unexercised_top_risks
from riskkit.services.registers import all_registers, rollup_ids
from riskkit.services.risks import RiskFilter, appetites, count_risks, list_risks, summarise
from riskkit.services.summaries import (
    actions_overdue,
    cell_data,
    count_actions_overdue,
    heat_map,
    rating_changes,
)
from riskkit.web.params import date_arg, last_month, today

bp = Blueprint("dashboard", __name__)
SHOWN = 10  # rows of each overdue list; the full list is one link away


@bp.get("/")
def index():
    """Rating summary and heat map per register, changes, overdue items, my risks."""
    errors: dict[str, str] = {}
    as_of = date_arg(request.args, "as_of", today(), errors)
    since = date_arg(request.args, "since", last_month(as_of), errors)
    registers = all_registers()
    data = cell_data([r.id for r in registers])
    cards = []
    for register in registers:
        ids = rollup_ids(register, registers)
        cards.append({"register": register, "map": heat_map(register.matrix, ids, data=data),
                      "rolled_up": [r for r in registers if r.id in ids and r.id != register.id]})
    changes, change_count = rating_changes([r.id for r in registers], since, limit=SHOWN)
    appetite = appetites()
    overdue_filter = RiskFilter(overdue_as_of=as_of)
    mine = RiskFilter(owner=current_user)
    return render_template(
        "dashboard/index.html", title="Dashboard", section="dashboard", errors=errors,
        as_of=as_of, since=since, cards=cards,
        changes=changes, change_count=change_count,
        overdue_reviews=[summarise(r, appetite) for r in list_risks(
            overdue_filter, sort="next_review", page=1, per_page=SHOWN)],
        overdue_review_count=count_risks(overdue_filter),
        overdue_actions=actions_overdue(as_of, limit=SHOWN),
        overdue_action_count=count_actions_overdue(as_of),
        my_risks=[summarise(r, appetite) for r in list_risks(mine, page=1, per_page=SHOWN)],
        my_risk_count=count_risks(mine),
        unexercised=unexercised_top_risks(registers, as_of, limit=SHOWN),
        evidence_since=evidence_since(as_of),
    )
