"""The dashboard: what the signed-in person must do first, then the registers at a glance."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from riskkit.services.action_cards import cards_for
from riskkit.services.delivery import delivery, last_year
from riskkit.services.escalation import proposed
from riskkit.services.events import evidence_since, unexercised_top_risks
from riskkit.services.levels import risks_under_pressure
from riskkit.services.overdue import DUE_SOON_DAYS, path_of, person_due
from riskkit.services.query_args import date_arg
from riskkit.services.registers import all_registers, get_register, rollup_ids
from riskkit.services.risks import RiskFilter, count_risks
from riskkit.services.summaries import (
    WHICH,
    chosen_heat_map,
    heat_map,
    home_register,
    rating_changes,
    register_summaries,
)
from riskkit.web.params import as_of_arg, last_month, refuse

bp = Blueprint("dashboard", __name__)
SHOWN = 10  # rows of each list; the whole list is one link away


@bp.get("/")
def index():
    """What the signed-in person must do, then every register's rating summary and what
    changed, then one heat map of the register and scores chosen."""
    args, errors = request.args, {}
    as_of = as_of_arg()
    since = date_arg(args, "since", last_month(as_of), errors)
    registers = all_registers()
    summaries = register_summaries(registers)
    home = home_register(registers, current_user)
    code = (args.get("register") or "").strip()
    chosen = next((r for r in registers if r.code == code.upper()), None) if code else home
    if chosen is None:
        errors["register"] = f"No register with code {code[:40]!r}" + (
            f": showing {home.code}" if home else "")
        chosen = home
    which = args.get("scores") or "current"
    if which not in WHICH:
        errors["scores"] = f"Scores must be current or target, not {which[:40]!r}"
        which = "current"
    changes, change_count = rating_changes([r.id for r in registers], since, limit=SHOWN)
    return render_template(
        "dashboard/index.html", title="Dashboard", section="dashboard", errors=errors,
        as_of=as_of, since=since, due_within=DUE_SOON_DAYS,
        my_work=person_due(current_user, as_of, shown=SHOWN),
        cards=cards_for(current_user),
        my_risk_count=count_risks(RiskFilter(owner=current_user)),
        proposals=proposed(current_user),
        under_pressure=risks_under_pressure(as_of),
        path_of=path_of,
        summaries=summaries, changes=changes, change_count=change_count,
        unexercised=unexercised_top_risks(registers, as_of, limit=SHOWN),
        delivery=delivery(last_year(as_of), as_of, as_of,
                          current_app.config["ACTION_DELIVERY_TARGET"]),
        evidence_since=evidence_since(as_of), registers=registers, which=which,
        chosen=chosen_heat_map(summaries, chosen, which) if chosen else None,
    )


@bp.get("/heatmap")
def register_heat_map():
    """One register's heat map (a corporate register's rolled up) of its current or
    target scores, with the references in each cell."""
    register = get_register(request.args.get("register", ""))
    which = request.args.get("scores") or "current"
    if which not in WHICH:
        refuse(f"Scores must be current or target, not {which[:40]!r}")
    registers = all_registers()
    ids = rollup_ids(register, registers)
    return render_template(
        "dashboard/heat_map.html", title=f"Heat map: {register.name}", section="dashboard",
        register=register, map=heat_map(register.matrix, ids, which), which=which,
        rolled_up=[r for r in registers if r.id in ids and r.id != register.id])
