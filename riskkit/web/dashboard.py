"""The dashboard: what the DMT looks at first."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from riskkit.services.appetite import appetites
from riskkit.services.events import evidence_since, unexercised_top_risks
from riskkit.services.registers import all_registers, get_register, rollup_ids
from riskkit.services.risks import RiskFilter, count_risks, list_risks, summarise
from riskkit.services.summaries import (
    actions_overdue,
    count_actions_overdue,
    heat_map,
    rating_changes,
    register_summaries,
)
from riskkit.web.params import date_arg, last_month, today

bp = Blueprint("dashboard", __name__)
SHOWN = 10  # rows of each overdue list; the full list is one link away
MAPS = 3  # heat maps drawn on the dashboard; every register's is one link away


@bp.get("/")
def index():
    """Every register's rating summary, the heat maps of the user's own registers (or the
    top of the tree), changes, overdue items, my risks."""
    errors: dict[str, str] = {}
    as_of = date_arg(request.args, "as_of", today(), errors)
    since = date_arg(request.args, "since", last_month(as_of), errors)
    registers = all_registers()
    summaries = register_summaries(registers)
    own = [s for s in summaries if s.register.owner_id == current_user.id]
    top = [s for s in summaries if s.register.parent_id is None]
    changes, change_count = rating_changes([r.id for r in registers], since, limit=SHOWN)
    appetite = appetites()
    overdue_filter = RiskFilter(overdue_as_of=as_of)
    mine = RiskFilter(owner=current_user)
    return render_template(
        "dashboard/index.html", title="Dashboard", section="dashboard", errors=errors,
        as_of=as_of, since=since, summaries=summaries, cards=(own or top)[:MAPS],
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


@bp.get("/heatmap")
def register_heat_map():
    """One register's heat map (a corporate register's rolled up), with the references in
    each cell."""
    register = get_register(request.args.get("register", ""))
    registers = all_registers()
    ids = rollup_ids(register, registers)
    return render_template(
        "dashboard/heat_map.html", title=f"Heat map: {register.name}", section="dashboard",
        register=register, map=heat_map(register.matrix, ids),
        rolled_up=[r for r in registers if r.id in ids and r.id != register.id])
