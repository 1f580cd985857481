"""Control assurance: recording an opinion on a control, and the DMT's list of controls
lacking assurance. Views parse, call services.assurance, and render."""

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Control, ControlAssurance
from riskkit.services import assurance
from riskkit.services.exercise_report import plural
from riskkit.services.imports import uploads
from riskkit.services.imports.assurance import ImportRefused, import_assurance
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


@bp.route("/assurance/import", methods=["GET", "POST"])
def upload():
    """Internal audit's opinions from a workbook, all or nothing, as `riskkit controls
    import-assurance` takes them; each row only on a control the person may assure."""
    if not permissions.assures_some_control(current_user):
        permissions.require(current_user, "record_assurance")  # the 403, saying so
    errors: dict[str, str] = {}
    problems: list[tuple[str, str]] = []  # each row and column refused, after `errors`
    if request.method == "POST":
        sent = request.files.get("file")
        name = Path(sent.filename or "").name if sent else ""
        if not name:
            errors["file"] = "Choose the workbook of opinions to upload"
        else:
            # Kept under a name of riskkit's own, with the suffix the reader goes by (the
            # service refuses any but .xlsx and .csv by `name`, before reading).
            suffix = Path(name).suffix.lower()
            _, path = uploads.new_upload(current_app.config["SETTINGS"].data_dir,
                                         suffix if suffix in (".xlsx", ".csv") else ".upload",
                                         datetime.now(UTC))
            try:
                sent.save(path)
                count = import_assurance(path, current_user._get_current_object(), name)
            except ImportRefused as refused:
                errors["file"] = f"{plural(len(refused.problems), 'problem')} in {name}: nothing was recorded"
                problems = [("file", str(problem)) for problem in refused.problems]
            except ValidationError as error:
                errors["file"] = str(error)
            finally:
                path.unlink(missing_ok=True)
        if not errors:
            flash(f"Recorded {plural(count, 'assurance opinion')} from {name}.", "success")
            return redirect(url_for("assurance.index"))
    return render_template("assurance/import.html", title="Upload audit opinions", section="assurance",
                           errors=errors, problems=problems), 400 if errors else 200


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
