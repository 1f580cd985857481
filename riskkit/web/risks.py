"""One risk: its page, and the forms that change it. Views parse the form, call a
service, and render; the rules live in the services."""


from typing import NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions, scoring
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Control, Register
from riskkit.services import escalation, history_words, levels, lifecycle
from riskkit.services.appetite import appetites
from riskkit.services.events import events_for_risk
from riskkit.services.lessons import lessons_for_risk
from riskkit.services.registers import all_registers
from riskkit.services.reviews import record_review
from riskkit.services.risks import (
    create_risk,
    describe_whole,
    get_risk,
    rated,
    update_risk,
)
from riskkit.web import forms
from riskkit.web.choices import owner_choices, person
from riskkit.web.params import int_arg, today

bp = Blueprint("risks", __name__, url_prefix="/risks")
#: Saves shown per page of a risk's change history (and on the risk page itself).
HISTORY_PER_PAGE = 20

EDIT_FIELDS = ("title", "description", "cause", "consequence", "category", "response",
               "exempt", "exempt_paragraph", "target_likelihood", "target_impact", "target_date",
               "inherent_likelihood", "inherent_impact")


def _owner(person_id):
    return person(person_id, "owner", what="an owner")


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
        risk=risk, data=data, changes=changes, history_pages=pages,
        events=events_for_risk(risk), lessons=lessons_for_risk(risk),
        as_of=today(), restore_url=_restore_url(risk),
        indicators=levels.risk_statuses(risk, today()),
    )


def _restore_url(risk):
    """change -> the link that adds a removed control or action back, for those who may."""
    if not permissions.can(current_user, "edit_controls", risk):
        return None
    return lambda change: url_for(f"risks.{change.entity}", reference=risk.reference,
                                  restore=change.entity_id)


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
        page_url=lambda n: url_for("risks.history", reference=risk.reference, page=n),
        restore_url=_restore_url(risk))


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
    owner_choices(form.owner)
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
                "exempt_paragraph", "target_date", "inherent_likelihood", "inherent_impact")}
            return create_risk(
                register, current_user, today(), title=form.title.data,
                owner=_owner(form.owner.data), likelihood=form.likelihood.data,
                impact=form.impact.data, target_likelihood=form.target_likelihood.data,
                target_impact=form.target_impact.data, **details)

        risk, _, _ = forms.save(form, change)
        if risk:
            flash(f"{risk.reference} added to the {register.name} register.", "success")
            return redirect(url_for("risks.show", reference=risk.reference))
    return _page(form, "risks/form.html", "Add a risk", risk=None)


@bp.route("/<reference>/edit", methods=["GET", "POST"])
def edit(reference):
    """Edit a risk's words, owner, target and response (scores change by review)."""
    risk = get_risk(reference)
    permissions.require(current_user, "edit_risk", risk)
    form = forms.RiskForm(obj=risk if request.method == "GET" else None)
    del form.register, form.likelihood, form.impact
    owner_choices(form.owner)
    if request.method == "GET":
        form.owner.data = risk.owner_id
    forms.set_score_choices(form, risk.register.matrix,
                            blank_first=("inherent_likelihood", "inherent_impact"))
    forms.stamp(form, risk)
    conflict = None
    if form.validate_on_submit():
        def change():
            changes = {name: getattr(form, name).data for name in EDIT_FIELDS}
            changes["owner"] = _owner(form.owner.data)
            return update_risk(risk, changes, current_user, forms.expected(form)) or None

        changed, conflict, _ = forms.save(form, change, risk, risk_id=risk.id)
        if changed:
            if changed is True:  # saved, but the form held what was stored already
                flash(f"Nothing had changed on {risk.reference}.", "info")
            else:
                flash(f"Saved {risk.reference}: " + ", ".join(
                    f.replace("_", " ") for f in changed) + ".", "success")
            return redirect(url_for("risks.show", reference=risk.reference))
    return _page(form, "risks/form.html", f"Edit {_risk_title(risk)}", conflict, risk=risk,
                 current=rated(risk.register.matrix, risk.likelihood, risk.impact))


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
    conflict = None
    if form.no_change.data and form.reviewed_on.data:
        form.likelihood.data, form.impact.data = risk.likelihood, risk.impact
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: record_review(
            risk, current_user, form.reviewed_on.data, form.likelihood.data,
            form.impact.data, form.comment.data or "",
            next_review_date=form.next_review_date.data,
            next_review_reason=form.next_review_reason.data or "",
            expected_version=forms.expected(form), lower_confirmed=form.confirm_lower.data),
            risk, risk_id=risk.id)
        if saved:
            flash(f"Review of {risk.reference} recorded: now"
                  f" {scoring.describe(matrix, risk.likelihood, risk.impact)}, next review"
                  f" {risk.next_review_date:%d/%m/%Y}.", "success")
            return redirect(url_for("risks.show", reference=risk.reference))
    return _page(form, "risks/review.html", f"Record a review – {_risk_title(risk)}", conflict, risk=risk,
                 warn_lower=bool(form.confirm_lower.errors),
                 current=rated(matrix, risk.likelihood, risk.impact))


class Step(NamedTuple):
    """The confirmation page of a step: its heading, what the step does, its button, the
    label of its reason box (None: the step takes none) and what the risk's page says
    after it, with {risk} and {kind} filled in. Which steps need a reason is the
    services' rule."""

    heading: str
    explanation: str
    button: str
    reason: str | None
    done: str


STEPS = {
    "close": Step("Close {risk.reference}?", "A closed risk leaves the live register and the"
                  " committee appendix. A manager can reopen it from its page.", "Close risk",
                  "Why is the risk being closed?", "{risk.reference} closed."),
    "reopen": Step("Reopen {risk.reference}?", "It returns to the live register, with its"
                   " score and next review date as they were.", "Reopen risk",
                   "Reason (optional)", "{risk.reference} reopened."),
    "escalate": Step("Escalate {risk.reference} to the {risk.register.parent.name} register?",
                     "It moves up with its reference, owner and score, and remembers the"
                     " register it came from. A manager can return it.", "Escalate risk",
                     "Why is the risk being escalated?",
                     "{risk.reference} escalated to the {risk.register.name} register."),
    "de_escalate": Step("Return {risk.reference} to the {risk.origin_register.name} register?",
                        "It goes back to the register it was escalated from.", "Return risk",
                        "Reason (optional)",
                        "{risk.reference} returned to the {risk.register.name} register."),
    "decline": Step("Decline escalating {risk.reference} to the {risk.register.parent.name}"
                    " register?", "It stays on the {risk.register.name} register, and is not"
                    " proposed for escalation again until its score changes.",
                    "Decline escalation", "Why is the risk not being escalated?",
                    "{risk.reference} stays on the {risk.register.name} register: escalation"
                    " declined."),
    "remove": Step("Remove this {kind} from {risk.reference}?", "Its history stays on the"
                   " risk's page; a manager can add it again from there.", "Remove {kind}",
                   None, "The {kind} was removed from {risk.reference}."),
    "done": Step("Mark this action done?", "Its completion date is today. A manager can set"
                 " its status back on the action's edit page.", "Mark done",
                 "Completion note: what was done", "Action marked done on {risk.reference}."),
}
#: Who may take each step of a risk.
STEP_PERMISSIONS = {"close": "close_risk", "reopen": "close_risk", "escalate": "escalate_risk",
                    "de_escalate": "escalate_risk", "decline": "escalate_risk"}
#: The step that takes each change (decline: a proposal to escalate, services.escalation).
MOVES = {"escalate": lifecycle.escalate, "de_escalate": lifecycle.de_escalate,
         "decline": escalation.decline}


@bp.route("/<reference>/<any(close, reopen, escalate, de_escalate, decline):change>",
          methods=["GET", "POST"])
def change_status(reference, change):
    """Close, reopen, escalate to the parent register or return a risk, or decline a
    proposal to escalate it, on a page that asks for confirmation and the reason."""
    risk = get_risk(reference)
    permissions.require(current_user, STEP_PERMISSIONS[change], risk)
    if change in ("escalate", "decline") and risk.register.parent is None or (
            change == "de_escalate" and risk.origin_register is None):
        abort(404)  # no such step for this risk: its page offers no link to it

    def step(version, reason):
        if change in ("close", "reopen"):
            status = "closed" if change == "close" else "open"
            return lifecycle.set_status(risk, status, current_user, version, reason)
        return MOVES[change](risk, current_user, version, reason)

    return _step(risk, risk, change, step)


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
    item = _item_of(risk, model, item_id) if item_id is not None else None
    permissions.require(current_user, "update_item" if item else "edit_controls", item or risk)
    restored = _restored(risk, kind, item)
    form = form_class(obj=item if request.method == "GET" else None, data=restored)
    # The item's own owner updates its progress; what it is and who owns it are the
    # risk owner's (the service refuses them too: this only leaves them off the form).
    progress_only = not permissions.can(current_user, "edit_controls", risk)
    if progress_only:
        del form.description, form.owner
    else:
        owner_choices(form.owner)
    if request.method == "GET" and not progress_only:
        owner = item.owner if item else restored.get("owner") or risk.owner
        form.owner.data = owner.id if owner else None
    forms.stamp(form, item)
    conflict = None
    if form.validate_on_submit():
        def change():
            description, owner = ((item.description, item.owner) if progress_only else
                                  (form.description.data, _owner(form.owner.data)))
            if kind == "control":
                return lifecycle.save_control(
                    risk, current_user, item, description=description, owner=owner,
                    effectiveness=form.effectiveness.data, last_tested=form.last_tested.data,
                    expected_version=forms.expected(form))
            return lifecycle.save_action(
                risk, current_user, item, description=description, owner=owner,
                target_date=form.target_date.data, status=form.status.data, as_of=today(),
                expected_version=forms.expected(form))

        saved, conflict, _ = forms.save(form, change, item, risk_id=risk.id)
        if saved:
            flash(f"{kind.capitalize()} saved on {risk.reference}.", "success")
            return redirect(url_for("risks.show", reference=risk.reference))
    named = f" “{item.description[:40]}”" if item else ""
    title = f"{'Edit' if item else 'Add an' if kind == 'action' else 'Add a'} {kind}{named}" \
            f" – {_risk_title(risk)}"
    return _page(form, "risks/child_form.html", title, conflict, risk=risk, item=item,
                 kind=kind)


def _restored(risk, kind, item) -> dict:
    """A removed control or action to add back (?restore=ID on the add page, linked from the
    history): its values as they were, for the add form; 404 if this risk had no such item."""
    restore = int_arg(request.args, "restore")
    if item is not None or restore is None or request.method != "GET":
        return {}
    restored = lifecycle.removed_item(risk, current_user, kind, restore)
    if not restored:
        abort(404)
    return restored


@bp.route("/<reference>/<any(controls, actions):kind>/<int:item_id>/remove",
          methods=["GET", "POST"])
def remove(reference, kind, item_id):
    """Remove a control or action, once confirmed (its history stays)."""
    risk = get_risk(reference)
    permissions.require(current_user, "edit_controls", risk)
    item = _item_of(risk, Control if kind == "controls" else Action, item_id)
    return _step(risk, item, "remove", lambda version, reason: lifecycle.remove(
        risk, current_user, item, version), kind=kind[:-1])


@bp.route("/<reference>/actions/<int:item_id>/done", methods=["GET", "POST"])
def action_done(reference, item_id):
    """Mark an action done today, with a completion note: for the risk's owner, a manager
    or the action's own owner."""
    risk = get_risk(reference)
    item = _item_of(risk, Action, item_id)
    permissions.require(current_user, "update_item", item)
    return _step(risk, item, "done", lambda version, note: lifecycle.mark_done(
        risk, current_user, item, note, today(), version), kind="action")


def _step(risk, record, name, step, kind: str = ""):
    """The confirmation page of a step on `record` (the risk, or its control or action):
    shown on GET, taken on a confirmed POST, then back to the risk's page."""
    heading, explanation, button, reason = (
        text.format(risk=risk, kind=kind) if text else text for text in STEPS[name][:4])
    form = forms.StepForm()
    form.submit.label.text = button
    if reason is None:
        del form.reason
    else:
        form.reason.label.text = reason
    forms.stamp(form, record)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        reason_given = form.reason.data if reason is not None else ""
        taken, conflict, page_errors = forms.save(
            form, lambda: step(forms.expected(form), reason_given), record, _place_step,
            risk_id=risk.id)
        if taken:  # said as the risk is now (escalated: the register it moved to)
            flash(STEPS[name].done.format(risk=risk, kind=kind), "success")
            return redirect(url_for("risks.show", reference=risk.reference))
    return _page(form, "risks/confirm.html", heading, conflict, page_errors, risk=risk,
                 item=record if record is not risk else None, explanation=explanation,
                 warning=name in ("close", "remove"), quoted=name in ("close", "escalate"))


def _place_step(form, error: ValidationError) -> dict[str, str]:
    """A missing reason or completion note goes beside its box; any other refusal (the
    risk is closed already, say) at the top of the page, linked to the button."""
    if error.field in ("reason", "note") and "reason" in form:
        form.reason.errors = list(form.reason.errors) + [str(error)]
        return {}
    return {"submit": str(error)}


def _page(form, template, title, conflict=None, page_errors=None, **context):
    return forms.page(template, form, conflict, page_errors, title=title, section="register",
                      **context)
