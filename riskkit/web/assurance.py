"""Control assurance: recording an opinion on a control, and the DMT's list of controls
lacking assurance. Views parse, call services.assurance, and render."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.extensions import db
from riskkit.models import Control, ControlAssurance
from riskkit.services import assurance
from riskkit.services.paging import page_of
from riskkit.services.registers import all_registers
from riskkit.services.risks import get_risk
from riskkit.web import forms
from riskkit.web.params import as_of_arg, int_arg, today

bp = Blueprint("assurance", __name__)
#: Controls listed a page on the DMT's list (`riskkit controls unassured` prints them all).
PER_PAGE = 100


@bp.route("/risks/<reference>/controls/<int:control_id>/assurance", methods=["GET", "POST"],
          defaults={"entry_id": None})
@bp.route("/risks/<reference>/controls/<int:control_id>/assurance/<int:entry_id>",
          methods=["GET", "POST"])
def record(reference, control_id, entry_id):
    """Record an assurance opinion on a control, or correct one recorded."""
    risk = get_risk(reference)
    control = db.session.get(Control, control_id)
    if control is None or control.risk_id != risk.id:
        abort(404)
    entry = db.session.get(ControlAssurance, entry_id) if entry_id is not None else None
    if entry_id is not None and (entry is None or entry.control_id != control.id):
        abort(404)
    permissions.require(current_user, "record_assurance", control)
    form = forms.AssuranceForm(obj=entry if request.method == "GET" else None)
    if request.method == "GET" and entry is None:
        form.assured_on.data = today()
    if request.method == "GET" and entry is not None:
        form.line.data = str(entry.line)
    forms.stamp(form, entry)
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: assurance.save_assurance(
            control, current_user, entry, line=form.line.data, source=form.source.data,
            reference=form.reference.data or "", assured_on=form.assured_on.data,
            opinion=form.opinion.data, next_due=form.next_due.data,
            expected_version=forms.expected(form)), entry, risk_id=risk.id)
        if saved:
            flash(f"Assurance saved on a control of {risk.reference}.", "success")
            return redirect(url_for("risks.show", reference=risk.reference))
    title = f"{'Correct' if entry else 'Record'} assurance – {risk.reference} {risk.title}"
    return forms.page("assurance/form.html", form, conflict, title=title, section="register",
                      risk=risk, control=control, entry=entry)


@bp.get("/assurance")
def index():
    """Controls of live risks with limited or no assurance, or none in the period: the DMT's list."""
    errors: dict[str, str] = {}
    as_of = as_of_arg()
    months = int_arg(request.args, "months", 1, 120) or current_app.config["ASSURANCE_MONTHS"]
    registers = all_registers()
    code = (request.args.get("register") or "").strip().upper()
    chosen = [r for r in registers if r.code == code]
    if code and not chosen:
        errors["register"] = f"There is no register with the code {code[:40]!r}"
    listing = page_of(assurance.unassured(as_of, months, chosen), int_arg(request.args, "page"),
                      PER_PAGE)
    return render_template(
        "assurance/index.html", section="assurance", listing=listing, as_of=as_of,
        months=months, registers=registers, code=code if chosen else "", errors=errors,
        title="Controls lacking assurance" + (
            f", page {listing.number} of {listing.pages}" if listing.pages > 1 else ""),
        page_url=lambda n: url_for("assurance.index", **{**request.args.to_dict(), "page": n}))
