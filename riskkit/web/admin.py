"""Administration: users, teams, registers, scoring matrices and risk appetite (admins only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import func, select

from riskkit import permissions, scoring
from riskkit.extensions import db
from riskkit.models import MatrixDefinition, Register, Risk, User
from riskkit.services import appetite as appetite_service
from riskkit.services import teams as team_service
from riskkit.services.matrices import all_matrices, save_matrix
from riskkit.services.names import as_numbers
from riskkit.services.people import save_person
from riskkit.services.registers import all_registers, register_and_children, save_register
from riskkit.web import choices, forms
from riskkit.web.admin_forms import AppetiteForm, TeamForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    permissions.require(current_user, "administer")


@bp.get("/users")
def users():
    """Everyone who can sign in or own risks."""
    people = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("admin/users.html", title="Users", section="admin", people=people)


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id):
    """Add a user, or change a user's name, email, role, password or sign-in."""
    person = db.session.get(User, user_id) if user_id else None
    if user_id and person is None:
        abort(404)
    form = forms.UserForm(obj=person if request.method == "GET" else None)
    if form.validate_on_submit():
        saved, _, _ = forms.save(form, lambda: save_person(
            current_user, person, name=form.name.data, email=form.email.data,
            role=form.role.data, active=form.active.data, password=form.password.data))
        if saved:
            if saved == current_user and saved.is_active:
                # A new password ended all their sessions: keep this one, the admin's own
                # (with its clocks: it is not a new sign-in).
                login_user(saved)
            flash(f"Saved {saved.name}.", "success")
            return redirect(url_for("admin.users"))
    title = f"Edit {person.name}" if person else "Add a user"
    return render_template("admin/form.html", title=title, section="admin", form=form,
                           back=url_for("admin.users")), 400 if form.errors else 200


@bp.get("/teams")
def teams():
    """The teams that own things, and their members."""
    return render_template("admin/teams.html", title="Teams", section="admin",
                           teams=team_service.list_teams())


@bp.route("/teams/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def team(team_id):
    """Add a team, or choose who is in one."""
    item = team_service.get_team(team_id) if team_id else None
    form = TeamForm()
    people = team_service.people()
    form.members.choices = forms.options((p.id, p.name) for p in people)
    if item is not None:
        del form.name
        if not form.is_submitted():
            form.members.data = [m.id for m in item.members]
            form.members_were.data = ",".join(str(m.id) for m in item.members)
    conflict = None
    if form.validate_on_submit():
        def change():
            team = item or team_service.add_team(current_user, form.name.data)
            chosen = [choices.record(User, p, "members", "members") for p in form.members.data or []]
            were = None if item is None else _ids(form.members_were.data)
            team_service.set_members(current_user, team, chosen, were)
            return team

        saved, conflict, _ = forms.save(form, change)
        if saved:
            flash(f"Saved team {saved.name}: {len(saved.members)} member"
                  f"{'s' if len(saved.members) != 1 else ''}.", "success")
            return redirect(url_for("admin.teams"))
        if conflict and item is not None:  # the next save is made knowing the change
            form.members_were.data = ",".join(str(m.id) for m in item.members)
    title = f"Members of {item.name}" if item else "Add a team"
    return render_template("admin/form.html", title=title, section="admin", form=form,
                           conflict=conflict, back=url_for("admin.teams")), \
        409 if conflict else 400 if form.errors else 200


def _ids(text: str | None) -> list[int]:
    """The member ids a team form was opened with (a hidden field: ids, comma-separated)."""
    return as_numbers(text)


@bp.get("/appetite")
def appetites():
    """The risk appetite for each category of risk."""
    return render_template("admin/appetite.html", title="Risk appetite", section="admin",
                           appetites=appetite_service.list_appetites())


@bp.route("/appetite/new", methods=["GET", "POST"], defaults={"appetite_id": None})
@bp.route("/appetite/<int:appetite_id>", methods=["GET", "POST"])
def appetite(appetite_id):
    """Add a category's appetite, or change its score threshold and statement."""
    item = appetite_service.get_appetite(appetite_id) if appetite_id else None
    form = AppetiteForm(obj=item if request.method == "GET" else None)
    forms.stamp(form, item)
    conflict = None
    if form.validate_on_submit():
        history_of = {"entity": "appetite", "entity_id": item.id} if item else {}
        saved, conflict, _ = forms.save(form, lambda: appetite_service.save_appetite(
            current_user, item, category=form.category.data, max_score=form.max_score.data,
            statement=form.statement.data or "", expected_version=forms.expected(form)),
            item, **history_of)
        if saved:
            flash(f"Saved the {saved.category} risk appetite.", "success")
            return redirect(url_for("admin.appetites"))
    title = f"{item.category} risk appetite" if item else "Add a risk appetite"
    return render_template("admin/form.html", title=title, section="admin", form=form,
                           conflict=conflict, back=url_for("admin.appetites")), \
        409 if conflict else 400 if form.errors else 200


@bp.get("/registers")
def registers():
    """The registers, their levels, matrices and owners."""
    counts = dict(db.session.execute(select(Risk.register_id, func.count()).group_by(
        Risk.register_id)).all())
    return render_template("admin/registers.html", title="Registers", section="admin",
                           registers=all_registers(), counts=counts)


@bp.route("/registers/new", methods=["GET", "POST"], defaults={"register_id": None})
@bp.route("/registers/<int:register_id>", methods=["GET", "POST"])
def register(register_id):
    """Add a register or change one (its code, once it has risks, stays)."""
    item = db.session.get(Register, register_id) if register_id else None
    if register_id and item is None:
        abort(404)
    form = forms.RegisterForm(obj=item if request.method == "GET" else None)
    below = register_and_children(item) if item else []  # not offered: they would make a cycle
    form.parent.choices = forms.options([("", "None (top level)")] + [
        (r.id, f"{r.code} – {r.name}") for r in all_registers() if r.id not in below])
    form.matrix.choices = forms.options((m.id, m.name) for m in all_matrices())
    form.owner.choices = forms.options([("", "No owner")] + [
        (p.id, p.name) for p in db.session.scalars(select(User).order_by(User.name))])
    if request.method == "GET" and item is not None:
        form.parent.data, form.matrix.data, form.owner.data = (
            item.parent_id, item.matrix_id, item.owner_id)
    if form.validate_on_submit():
        saved, _, _ = forms.save(form, lambda: save_register(
            current_user, item, code=form.code.data, name=form.name.data, level=form.level.data,
            parent=choices.record(Register, form.parent.data, "parent", "a parent register"),
            matrix=choices.record(MatrixDefinition, form.matrix.data, "matrix", "a matrix", required=True),
            owner=choices.record(User, form.owner.data, "owner", "an owner"),
            escalate_at=form.escalate_at.data))
        if saved:
            flash(f"Saved register {saved.code}.", "success")
            return redirect(url_for("admin.registers"))
    title = f"Edit register {item.code}" if item else "Add a register"
    return render_template("admin/form.html", title=title, section="admin", form=form,
                           back=url_for("admin.registers")), 400 if form.errors else 200


@bp.get("/matrices")
def matrices():
    """The scoring matrices, drawn, with their bands and review intervals."""
    in_use = set(db.session.scalars(select(Register.matrix_id)))
    return render_template("admin/matrices.html", title="Scoring matrices", section="admin",
                           matrices=all_matrices(), in_use=in_use, scoring=scoring)


@bp.route("/matrices/<int:matrix_id>", methods=["GET", "POST"])
def matrix(matrix_id):
    """Edit a matrix's bands and review intervals. The result must still give every
    score (or grid cell) exactly one band, so no risk is ever left unrated."""
    row = db.session.get(MatrixDefinition, matrix_id)
    if row is None:
        abort(404)
    current = row.matrix
    form = forms.MatrixForm(data={"name": row.name, "bands": [
        {"name": b.name, "colour": b.colour, "colour_name": b.colour_name, "min": b.min_score,
         "max": b.max_score, "review_months": b.review_months} for b in current.bands]}
        if request.method == "GET" else None)
    if form.validate_on_submit() and forms.save(form, lambda: save_matrix(
            current_user, row, form.name.data, form.bands.data), place=_on_name)[0]:
        flash(f"Saved matrix {row.name}.", "success")
        return redirect(url_for("admin.matrices"))
    return render_template("admin/matrix.html", title=f"Edit {row.name}", section="admin",
                           form=form, row=row), 400 if form.errors else 200


def _on_name(form, error) -> None:
    """A matrix is refused as a whole (bands that overlap or leave a gap): say so at its name."""
    form.name.errors = list(form.name.errors) + [str(error)]
