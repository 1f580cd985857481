"""Downloads of an exercise's (or incident's) report as a PDF and of the improvement plan
as an Excel workbook, each with its accessible HTML version, for anyone signed in."""

import re

from flask import Blueprint, current_app, request
from flask_login import current_user

from riskkit import permissions
from riskkit.services.events import get_event
from riskkit.services.exercise_report import build_improvement_plan, build_report
from riskkit.web.documents import send_logged
from riskkit.web.params import as_of_arg, int_arg, today

bp = Blueprint("exercise_reports", __name__)


def slug(name: str) -> str:
    """exercise-lemur: a file name's worth of an event's name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].rstrip("-") or "event"


@bp.get("/exercises/<int:event_id>/report.pdf")
def report(event_id):
    """The exercise report, or an incident's debrief report (an unknown number is a 404)."""
    from riskkit.reports.exercise import render_exercise_report  # on first use: the CLI starts fast
    return _send_report(event_id, render_exercise_report, "pdf")


@bp.get("/exercises/<int:event_id>/report.html")
def accessible_report(event_id):
    """The accessible HTML version of the same report."""
    from riskkit.reports.html import exercise_report_html  # on first use: the CLI starts fast
    return _send_report(event_id, exercise_report_html, "html")


def _send_report(event_id: int, render, kind: str):
    permissions.require(current_user, "view")
    event = get_event(event_id)
    data = build_report(event, current_app.config["ORGANISATION_NAME"], as_of=as_of_arg())
    name = ("exercise-report-" if event.is_exercise else "incident-debrief-report-") + slug(event.name)
    return send_logged(render(data, generated_on=today()), data.title, name, kind)


@bp.get("/improvement-plan.xlsx")
def improvement_plan():
    """Every lesson, or one event's (?event=7); ?open=1 for the open lessons only."""
    from riskkit.reports.improvement_plan import improvement_plan_bytes  # on first use: the CLI starts fast
    return _send_plan(improvement_plan_bytes, "xlsx")


@bp.get("/improvement-plan.html")
def accessible_improvement_plan():
    """The accessible HTML version of the same improvement plan, from the same parameters."""
    from riskkit.reports.html import improvement_plan_html  # on first use: the CLI starts fast
    organisation = current_app.config["ORGANISATION_NAME"]
    return _send_plan(lambda plan: improvement_plan_html(plan, organisation, today()), "html")


def _send_plan(render, kind: str):
    permissions.require(current_user, "view")
    event = None
    event_id = int_arg(request.args, "event",
                       message="{value!r} is not an exercise or incident number")
    if event_id is not None:
        event = get_event(event_id)
    plan = build_improvement_plan(event, as_of=as_of_arg(), open_only=request.args.get("open") == "1")
    which = slug(event.name) if event else "all"
    return send_logged(render(plan), plan.title, f"improvement-plan-{which}-{today().isoformat()}", kind)
