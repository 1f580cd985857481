"""The exercise programme (what is due, and the cadence rules), business continuity
plans and common themes, with the cross-reference of themes against events. Views
parse the form, call a service, and render; the rules live in the services."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.services import plans as plan_service
from riskkit.services import programme as programme_service
from riskkit.services import themes as theme_service
from riskkit.services.overdue import describe_due
from riskkit.services.paging import page_of, paginate
from riskkit.web import forms
from riskkit.web.choices import owner_choices, person
from riskkit.web.params import as_of_arg, int_arg, today
from riskkit.web.programme_forms import NewThemeForm, PlanForm, RuleForm, ThemeForm

bp = Blueprint("programme", __name__)
EVENTS_PER_PAGE = 20  # columns of the themes cross-reference
PER_PAGE = 50  # rows of the programme's due list and of the plans


def when(item) -> str:
    """'due now' (never held), '47 days overdue', 'due in 5 days'."""
    return "due now" if item.never else describe_due(item)


# --- the programme and its rules --------------------------------------------------------


@bp.get("/programme")
def index():
    """What the programme has due or overdue as of a date, and the rules it follows."""
    args, errors = request.args, {}
    as_of = as_of_arg()
    due_within = int_arg(args, "due_within", 0, 366) or 0
    items = programme_service.due(as_of, due_within)
    return render_template(
        "programme/index.html", title="Exercise programme", section="programme",
        listing=page_of(items, int_arg(args, "page"), PER_PAGE),
        counts=programme_service.count_by_rule(items), rules=programme_service.list_rules(),
        credits=programme_service.credits(as_of),
        awaiting=programme_service.awaiting_partner_report(as_of),
        as_of=as_of, due_within=due_within, errors=errors, when=when,
        page_url=lambda n: url_for("programme.index", **{**args.to_dict(), "page": n}))


@bp.route("/programme/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/programme/rules/<int:rule_id>/edit", methods=["GET", "POST"])
def rule(rule_id):
    """Add a cadence rule, or change one."""
    permissions.require(current_user, "edit_exercises")
    item = programme_service.get_rule(rule_id) if rule_id else None
    form = RuleForm(obj=item if request.method == "GET" else None)
    if item is not None and request.method == "GET":
        form.incident_types.data = item.credited_incidents
    if form.validate_on_submit() and forms.save(form, lambda: programme_service.save_rule(
            current_user, item, name=form.name.data, kind=form.kind.data,
            event_type=form.event_type.data or "", interval=form.interval.data,
            unit=form.unit.data, not_before_days=form.not_before_days.data,
            active=form.active.data, incident_types=form.incident_types.data or []))[0]:
        flash(f"Saved the rule {form.name.data.strip()}.", "success")
        return redirect(url_for("programme.index"))
    title = f"Change the rule {item.name}" if item else "Add a rule"
    return render_template("programme/rule.html", title=title, section="programme", form=form,
                           item=item), 400 if form.errors else 200


# --- business continuity plans ----------------------------------------------------------


@bp.get("/plans")
def plans():
    """Business continuity plans: owner, reviews, and when each was last exercised."""
    as_of = today()
    listing = paginate(plan_service.plans_statement(), int_arg(request.args, "page"), PER_PAGE)
    return render_template(
        "programme/plans.html", title="Business continuity plans", section="programme",
        plans=listing.items, listing=listing,
        exercised=plan_service.last_exercised(as_of, listing.items), as_of=as_of,
        page_url=lambda n: url_for("programme.plans", page=n))


@bp.route("/plans/new", methods=["GET", "POST"], defaults={"plan_id": None})
@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
def plan(plan_id):
    """Add a business continuity plan, or change one."""
    permissions.require(current_user, "edit_exercises")
    item = plan_service.get_plan(plan_id) if plan_id else None
    form = PlanForm(obj=item if request.method == "GET" else None)
    owner_choices(form.owner)
    if not form.is_submitted():
        form.owner.data = item.owner_id if item else None
    forms.stamp(form, item)
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: plan_service.save_plan(
            current_user, item, service=form.service.data, owner=person(form.owner.data, "owner", what="an owner"),
            last_reviewed=form.last_reviewed.data, next_review=form.next_review.data,
            expected_version=forms.expected(form)), item, entity="plan",
            entity_id=item.id if item else None)
        if saved:
            flash(f"Saved the plan for {form.service.data.strip()}.", "success")
            return redirect(url_for("programme.plans"))
    title = f"Change the plan for {item.service}" if item else "Add a plan"
    return forms.page("programme/plan.html", form, conflict, title=title, section="programme",
                      item=item)


# --- themes -----------------------------------------------------------------------------


@bp.route("/themes", methods=["GET", "POST"])
def themes():
    """The common themes; editors add one here."""
    form = NewThemeForm()
    if request.method == "POST":
        permissions.require(current_user, "edit_exercises")
        if form.validate_on_submit() and forms.save(form, lambda: theme_service.save_theme(
                current_user, None, name=form.name.data))[0]:
            flash(f"Added the theme {form.name.data.strip()}.", "success")
            return redirect(url_for("programme.themes"))
    return render_template("programme/themes.html", title="Themes", section="programme",
                           themes=theme_service.list_themes(), form=form
                           ), 400 if form.errors else 200


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
def theme(theme_id):
    """Rename a theme, or stop offering it."""
    permissions.require(current_user, "edit_exercises")
    item = theme_service.get_theme(theme_id)
    form = ThemeForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit() and forms.save(form, lambda: theme_service.save_theme(
            current_user, item, name=form.name.data, active=form.active.data))[0]:
        flash(f"Saved the theme {form.name.data.strip()}.", "success")
        return redirect(url_for("programme.themes"))
    return render_template("programme/theme.html", title=f"Change the theme {item.name}",
                           section="programme", form=form, item=item
                           ), 400 if form.errors else 200


@bp.get("/themes/cross-reference")
def cross_reference():
    """Themes against the exercises and incidents they came up in."""
    args = request.args
    return render_template(
        "programme/cross_reference.html", title="Themes cross-reference", section="programme",
        table=theme_service.cross_reference(int_arg(args, "page") or 1, EVENTS_PER_PAGE),
        page_url=lambda n: url_for("programme.cross_reference", **{**args.to_dict(), "page": n}))


@bp.get("/themes/cross-reference.csv")
def cross_reference_csv():
    """The cross-reference as CSV, one row per theme and event."""
    from riskkit.reports.workbook import csv_bytes  # on first use: the CLI starts fast
    headers, rows = theme_service.cross_reference_rows(theme_service.cross_reference())
    return Response(csv_bytes(headers, rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=cross-reference.csv"})

