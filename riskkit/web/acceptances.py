"""Risk acceptance: the list of risks accepted above appetite, asking for a risk to be
accepted, and deciding on it. Views parse the form, call services.acceptance, render."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.services import acceptance as service
from riskkit.services.appetite import above, appetites
from riskkit.services.risks import get_risk
from riskkit.web import forms
from riskkit.web.issue_forms import AcceptanceRequestForm, DecisionForm
from riskkit.web.params import today

bp = Blueprint("acceptances", __name__)


@bp.get("/accepted")
def index():
    """Risks accepted above appetite with their expiry, and acceptances waiting for a decision."""
    return render_template("acceptances/index.html", section="register", title="Accepted risks",
                           accepted=service.accepted(today()), waiting=service.asked(current_user),
                           may_decide=permissions.can(current_user, "approve_acceptance"))


@bp.route("/risks/<reference>/accept", methods=["GET", "POST"])
def request_acceptance(reference):
    """Ask for a risk above appetite to be tolerated until a date (its owner or a manager)."""
    risk = get_risk(reference)
    permissions.require(current_user, "edit_risk", risk)
    form = AcceptanceRequestForm()
    forms.stamp(form, risk)
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: service.request(
            risk, current_user, today(), rationale=form.rationale.data,
            expires_on=form.expires_on.data, expected_version=forms.expected(form)),
            risk, risk_id=risk.id)
        if saved:
            flash(f"Acceptance of {risk.reference} asked for: a manager of the register, or the"
                  " DMT, decides.", "success")
            return redirect(url_for("risks.show", reference=risk.reference))
    limit, _ = above(appetites(), risk.category, risk.score)
    return forms.page(
        "issues/form.html", form, conflict, None, section="register",
        heading="Ask for the risk to be accepted above appetite",
        title=f"Ask for acceptance – {risk.reference} {risk.title}",
        caption=f"{risk.reference} {risk.title}",
        back=url_for("risks.show", reference=risk.reference), back_text=f"Back to {risk.reference}",
        intro="Tolerating a risk above its appetite is decided by someone else: a manager of"
              " its register, or the DMT at a meeting. Once approved, the risk is due for"
              " review by the expiry; a review that moves its score up a band voids the"
              " acceptance.",
        facts=[("Current score", str(risk.score)),
               ("Appetite", f"{risk.category}: {limit}" if limit is not None else "None set")])


@bp.route("/acceptances/<int:acceptance_id>/decide", methods=["GET", "POST"])
def decide(acceptance_id):
    """Approve or decline an acceptance asked for (not by who asked, nor the risk's owner)."""
    acceptance = service.get_acceptance(acceptance_id)
    permissions.require(current_user, "approve_acceptance", acceptance.risk)
    if acceptance.status != "requested":
        abort(404)
    risk = acceptance.risk
    form = DecisionForm()
    forms.stamp(form, acceptance)
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: service.decide(
            acceptance, current_user, today(), approve=form.decision.data == "approve",
            note=form.note.data, dmt_meeting_on=form.dmt_meeting_on.data,
            expected_version=forms.expected(form)), acceptance, risk_id=risk.id)
        if saved:
            flash(f"Acceptance of {risk.reference} {acceptance.status}.", "success")
            return redirect(url_for("acceptances.index"))
    return forms.page(
        "issues/form.html", form, conflict, None, section="register",
        heading=f"Decide on accepting {risk.reference}",
        title=f"Decide on acceptance – {risk.reference} {risk.title}",
        caption=f"{risk.reference} {risk.title}",
        back=url_for("acceptances.index"), back_text="Back to accepted risks",
        facts=[("Asked by", acceptance.requested_by.display_name),
               ("Asked on", f"{acceptance.requested_on:%d/%m/%Y}"),
               ("Score", str(acceptance.score)),
               ("Until", f"{acceptance.expires_on:%d/%m/%Y}"),
               ("Rationale", acceptance.rationale)])
