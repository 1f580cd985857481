"""One risk: its page, and the forms that change it. Views parse the form, call a
service, and render; the rules live in the services."""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from riskkit import permissions, scoring
from riskkit.errors import Conflict, ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, HistoryEntry, Register, User
from riskkit.services import history_words, lifecycle
from riskkit.services.events import events_for_risk
from riskkit.services.lessons import lessons_for_risk
from riskkit.services.registers import all_registers
from riskkit.services.reviews import record_review
from riskkit.services.risks import (
    appetites,
    commit,
    create_risk,
    describe_whole,
    get_risk,
    rated,
    update_risk,
)
from riskkit.web import forms
from riskkit.web.params import int_arg, today

bp = Blueprint("risks", __name__, url_prefix="/risks")
#: Saves shown per page of a risk's change history (and on the risk page itself).
HISTORY_PER_PAGE = 20

EDIT_FIELDS = ("title", "description", "cause", "consequence", "category", "response",
               "exempt", "target_likelihood", "target_impact", "target_date",
               "inherent_likelihood", "inherent_impact")


def _people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


def _owner_choices(form_field) -> None:
    form_field.choices = forms.options([("", "Choose a person")] + [(p.id, p.name) for p in _people()])


def _person(person_id) -> User:
    person = db.session.get(User, person_id) if isinstance(person_id, int) else None
    if person is None:
        raise ValidationError("Choose an owner from the list", field="owner")
    return person


@bp.get("/review")
def update_review():
    """Straight to a risk's review form from its reference (the register's "Update a
    review" box): the keyboard's short way to a review."""
    reference = (request.args.get("reference") or "").strip()
    if not reference:
        return render_template("errors/400.html", message=(
            "Enter the reference of the risk to review, like AH0005")), 400
    return redirect(url_for("risks.review", reference=get_risk(reference).reference))


@bp.get("/<reference>")
def show(reference):
    """Everything the papers show for a risk, with its score and change history."""
    risk = get_risk(reference)
    data = describe_whole(risk, appetites())
    changes, pages = history_words.risk_changes(risk, per_page=HISTORY_PER_PAGE)
    return render_template(
        "risks/show.html", title=_risk_title(risk), section="register",
        risk=risk, data=data, changes=changes, history_pages=pages, confirm=forms.ConfirmForm(),
        events=events_for_risk(risk), lessons=lessons_for_risk(risk),
        as_of=today(),
    )


@bp.get("/<reference>/history")
def history(reference):
    """Every change to a risk and its controls, actions and reviews, in words, paged."""
    risk = get_risk(reference)
    page = int_arg(request.args, "page") or 1
    changes, pages = history_words.risk_changes(risk, page=page, per_page=HISTORY_PER_PAGE)
    page = min(page, pages)
    return render_template(
        "risks/history.html", title=f"Changes, page {page} of {pages} – {_risk_title(risk)}",
        section="register", risk=risk, changes=changes, page=page, pages=pages,
        page_url=lambda n: url_for("risks.history", reference=risk.reference, page=n))


def _risk_title(risk) -> str:
    """Where the reader is: 'AH0005 Market sustainability – Adult Social Care and Health
    register' (base.html adds the service name)."""
    return f"{risk.reference} {risk.title} – {risk.register.name} register"


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a risk to a register."""
    permissions.require(current_user, "create_risk")
    registers = all_registers()
    form = forms.RiskForm()
    form.register.choices = forms.options((r.id, f"{r.code} – {r.name}") for r in registers)
    _owner_choices(form.owner)
    register = db.session.get(Register, form.register.data) if form.register.data else None
    register = register or (registers[0] if registers else None)
    if register is None:
        abort(404)
    forms.set_score_choices(form, register.matrix,
                            blank_first=("inherent_likelihood", "inherent_impact"),
                            choose_first=("likelihood", "impact", "target_likelihood",
                                          "target_impact"))
    forms.stamp(form, None)
    if form.validate_on_submit():
        def change():
            details = {name: getattr(form, name).data for name in (
                "description", "cause", "consequence", "category", "response", "exempt",
                "target_date", "inherent_likelihood", "inherent_impact")}
            return create_risk(
                register, current_user, today(), title=form.title.data, owner=_person(
                    form.owner.data), likelihood=form.likelihood.data, impact=form.impact.data,
                target_likelihood=form.target_likelihood.data,
                target_impact=form.target_impact.data, **details)

        risk, _, _ = forms.save(form, change)
        if risk:
            flash(f"{risk.reference} added to the {register.name} register.")
            return redirect(url_for("risks.show", reference=risk.reference))
    return _form_page(form, "risks/form.html", "Add a risk", risk=None)


@bp.route("/<reference>/edit", methods=["GET", "POST"])
def edit(reference):
    """Edit a risk's words, owner, target and response (scores change by review)."""
    risk = get_risk(reference)
    permissions.require(current_user, "edit_risk", risk)
    form = forms.RiskForm(obj=risk if request.method == "GET" else None)
    del form.register, form.likelihood, form.impact
    _owner_choices(form.owner)
    if request.method == "GET":
        form.owner.data = risk.owner_id
    forms.set_score_choices(form, risk.register.matrix,
                            blank_first=("inherent_likelihood", "inherent_impact"))
    forms.stamp(form, risk)
    conflict = None
    if form.validate_on_submit():
        def change():
            changes = {name: getattr(form, name).data for name in EDIT_FIELDS}
            changes["owner"] = _person(form.owner.data)
            return update_risk(risk, changes, current_user, forms.expected(form)) or ["nothing had changed"]

        changed, conflict, _ = forms.save(form, change, risk, risk_id=risk.id)
        if changed:
            flash(f"Saved {risk.reference}: " + ", ".join(f.replace("_", " ") for f in changed)
                  + ".")
            return redirect(url_for("risks.show", reference=risk.reference))
    return _form_page(form, "risks/form.html", f"Edit {_risk_title(risk)}", risk=risk,
                      conflict=conflict, current=rated(
                          risk.register.matrix, risk.likelihood, risk.impact))


@bp.route("/<reference>/review", methods=["GET", "POST"])
def review(reference):
    """Record a review: new score (or no change), comment, next review date."""
    risk = get_risk(reference)
    permissions.require(current_user, "record_review", risk)
    matrix = risk.register.matrix
    form = forms.ReviewForm()
    forms.set_score_choices(form, matrix)
    forms.stamp(form, risk)
    if request.method == "GET":
        form.reviewed_on.data = today()
        form.likelihood.data, form.impact.data = risk.likelihood, risk.impact
    conflict, warn_lower = None, False
    if form.no_change.data and form.reviewed_on.data:
        form.likelihood.data, form.impact.data = risk.likelihood, risk.impact
    if form.validate_on_submit():
        lower = scoring.score(form.likelihood.data or 0, form.impact.data or 0) < risk.score
        warn_lower = lower and not _mitigation_changed_since_review(risk)
        if warn_lower and not form.confirm_lower.data:
            form.confirm_lower.errors = [
                "No control or action has changed since the last review: confirm the lower"
                " score, or record what changed first"]
        else:
            saved, conflict, _ = forms.save(form, lambda: record_review(
                risk, current_user, form.reviewed_on.data, form.likelihood.data,
                form.impact.data, form.comment.data or "",
                next_review_date=form.next_review_date.data,
                next_review_reason=form.next_review_reason.data or "",
                expected_version=forms.expected(form)), risk, risk_id=risk.id)
            if saved:
                flash(f"Review of {risk.reference} recorded: now"
                      f" {scoring.describe(matrix, risk.likelihood, risk.impact)}, next review"
                      f" {risk.next_review_date:%d/%m/%Y}.")
                return redirect(url_for("risks.show", reference=risk.reference))
    return _form_page(form, "risks/review.html", f"Record a review – {_risk_title(risk)}",
                      risk=risk,
                      conflict=conflict, warn_lower=warn_lower,
                      current=rated(matrix, risk.likelihood, risk.impact))


def _mitigation_changed_since_review(risk) -> bool:
    """Whether any control or action of the risk changed since its last review."""
    since = risk.reviews[-1].created_at if risk.reviews else risk.created_at
    return db.session.scalar(select(HistoryEntry.id).where(
        HistoryEntry.risk_id == risk.id, HistoryEntry.entity.in_(("control", "action")),
        HistoryEntry.at > since).limit(1)) is not None


@bp.post("/<reference>/<any(close, reopen, escalate, de_escalate):change>")
def change_status(reference, change):
    """Close, reopen, escalate to the parent register or de-escalate back."""
    risk = get_risk(reference)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return _refused(form)
    version = forms.expected(form)
    step = {"close": lambda: lifecycle.set_status(risk, "closed", current_user, version),
            "reopen": lambda: lifecycle.set_status(risk, "open", current_user, version),
            "escalate": lambda: lifecycle.escalate(risk, current_user, version),
            "de_escalate": lambda: lifecycle.de_escalate(risk, current_user, version)}[change]
    try:
        commit(step)
        flash({"close": f"{risk.reference} closed.", "reopen": f"{risk.reference} reopened.",
               "escalate": f"{risk.reference} escalated to the {risk.register.name} register.",
               "de_escalate": f"{risk.reference} returned to the {risk.register.name} register."
               }[change])
    except (Conflict, ValidationError) as error:
        flash(str(error))
    return redirect(url_for("risks.show", reference=risk.reference))


# --- controls and actions ------------------------------------------------------------


@bp.route("/<reference>/controls/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/<reference>/controls/<int:item_id>", methods=["GET", "POST"])
def control(reference, item_id):
    """Add or edit a control."""
    return _child(reference, item_id, Control, forms.ControlForm, "control")


@bp.route("/<reference>/actions/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/<reference>/actions/<int:item_id>", methods=["GET", "POST"])
def action(reference, item_id):
    """Add or edit an action."""
    return _child(reference, item_id, Action, forms.ActionForm, "action")


def _item_of(risk, model, item_id):
    """The control or action with this id on this risk, or 404 (ids of another risk's
    rows are not reachable through this one's URLs)."""
    item = db.session.get(model, item_id)
    if item is None or item.risk_id != risk.id:
        abort(404)
    return item


def _child(reference, item_id, model, form_class, kind):
    risk = get_risk(reference)
    permissions.require(current_user, "edit_controls", risk)
    item = _item_of(risk, model, item_id) if item_id is not None else None
    form = form_class(obj=item if request.method == "GET" else None)
    _owner_choices(form.owner)
    if request.method == "GET":
        form.owner.data = item.owner_id if item else risk.owner_id
    forms.stamp(form, item)
    conflict = None
    if form.validate_on_submit():
        def change():
            owner = _person(form.owner.data)
            if kind == "control":
                return lifecycle.save_control(
                    risk, current_user, item, description=form.description.data, owner=owner,
                    effectiveness=form.effectiveness.data, last_tested=form.last_tested.data,
                    expected_version=forms.expected(form))
            return lifecycle.save_action(
                risk, current_user, item, description=form.description.data, owner=owner,
                target_date=form.target_date.data, status=form.status.data, as_of=today(),
                expected_version=forms.expected(form))

        saved, conflict, _ = forms.save(form, change, item, risk_id=risk.id)
        if saved:
            flash(f"{kind.capitalize()} saved on {risk.reference}.")
            return redirect(url_for("risks.show", reference=risk.reference, _anchor=f"{kind}s"))
    named = f" “{item.description[:40]}”" if item else ""
    title = f"{'Edit' if item else 'Add a'} {kind}{named} – {_risk_title(risk)}"
    return _form_page(form, "risks/child_form.html", title, risk=risk, item=item, kind=kind,
                      conflict=conflict)


@bp.post("/<reference>/<any(controls, actions):kind>/<int:item_id>/remove")
def remove(reference, kind, item_id):
    """Remove a control or action (its history stays)."""
    risk = get_risk(reference)
    item = _item_of(risk, Control if kind == "controls" else Action, item_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return _refused(form)
    try:
        commit(lambda: lifecycle.remove(risk, current_user, item, forms.expected(form)))
        flash(f"{kind[:-1].capitalize()} removed from {risk.reference}.")
    except Conflict as error:
        flash(str(error))
    return redirect(url_for("risks.show", reference=risk.reference, _anchor=kind))


@bp.post("/<reference>/actions/<int:item_id>/done")
def action_done(reference, item_id):
    """Mark an action done today."""
    risk = get_risk(reference)
    item = _item_of(risk, Action, item_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return _refused(form)
    try:
        commit(lambda: lifecycle.save_action(
            risk, current_user, item, description=item.description, owner=item.owner,
            target_date=item.target_date, status="done", as_of=today(),
            expected_version=forms.expected(form)))
        flash(f"Action marked done on {risk.reference}.")
    except Conflict as error:
        flash(str(error))
    return redirect(url_for("risks.show", reference=risk.reference, _anchor="actions"))


def _refused(form):
    """A confirm button's post that its form refused (no version, say): the reason."""
    reasons = [message for messages in form.errors.values() for message in messages]
    # The error page ends the message with its own full stop.
    return render_template("errors/400.html", message=" ".join(reasons).rstrip(".") or None), 400


def _form_page(form, template, title, **context):
    status = 409 if context.get("conflict") else (400 if form.errors else 200)
    return render_template(template, form=form, title=title, section="register",
                           **context), status
