"""Objectives: each register's list, the page of one objective with its risks and their
heat map, and the forms managers add and change them with."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.services import objectives
from riskkit.services.registers import all_registers, get_register
from riskkit.web import forms

bp = Blueprint("objectives", __name__, url_prefix="/objectives")


@bp.get("")
def index():
    """Every register's objectives, with how many live risks threaten each."""
    listed = objectives.list_objectives()
    return render_template("objectives/index.html", title="Objectives", section="register",
                           listed=listed, registers=all_registers())


@bp.get("/<int:objective_id>")
def show(objective_id):
    """One objective: the risks that threaten it, their ratings, and a heat map of them."""
    view = objectives.objective_view(objectives.get_objective(objective_id))
    return render_template("objectives/show.html", title=f"{view.objective.name} – objective",
                           section="register", view=view)


@bp.route("/new", methods=["GET", "POST"], defaults={"objective_id": None})
@bp.route("/<int:objective_id>/edit", methods=["GET", "POST"])
def edit(objective_id):
    """Add an objective to a register (?register=CODE), or change one's words."""
    permissions.require(current_user, "edit_objectives")
    objective = objectives.get_objective(objective_id) if objective_id else None
    register = objective.register if objective else get_register(request.args.get("register", ""))
    form = forms.ObjectiveForm(obj=objective if request.method == "GET" else None)
    forms.stamp(form, objective)
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: objectives.save_objective(
            register, current_user, objective, name=form.name.data,
            description=form.description.data or "", expected_version=forms.expected(form)),
            objective, entity="register objective", entity_id=objective.id if objective else None)
        if saved:
            flash(f"Objective saved on the {register.name} register.", "success")
            return redirect(url_for("objectives.show", objective_id=saved.id))
    title = f"{'Change an' if objective else 'Add an'} objective – {register.name} register"
    return forms.page("objectives/form.html", form, conflict, title=title, section="register",
                      register=register, objective=objective)
