"""Issues beside the register: their list, one issue whole, and the forms that raise,
review, action and resolve one, or turn a risk into one. Views parse the form, call
services.issues, and render."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions, vocab
from riskkit.extensions import db
from riskkit.models import Event, IssueAction, Register
from riskkit.services import events as event_service
from riskkit.services import issues as service
from riskkit.services.names import as_number
from riskkit.services.registers import all_registers, get_register
from riskkit.services.risks import get_risk
from riskkit.web import forms
from riskkit.web.choices import owner_choices, person, record
from riskkit.web.issue_forms import IssueForm, IssueReviewForm, ResolveForm
from riskkit.web.params import today

bp = Blueprint("issues", __name__)
STATUSES = (("open", "Open"), ("resolved", "Resolved"), ("all", "All"))


@bp.get("/issues")
def index():
    """Issues beside the register, most severe first: open ones unless asked."""
    status = request.args.get("status") or "open"
    if status not in dict(STATUSES):
        status = "open"
    code = request.args.get("register") or ""
    register = get_register(code) if code else None
    issues = service.list_issues([register.id] if register else None,
                                 None if status == "all" else status)
    return render_template("issues/index.html", section="issues", issues=issues,
                           status=status, statuses=STATUSES, register=register,
                           registers=all_registers(), as_of=today(),
                           title="Issues" + (f" on the {register.name} register" if register else ""))


@bp.get("/issues/<reference>")
def show(reference):
    """One issue whole: what happened, its severity, actions, reviews and history."""
    issue = service.get_issue(reference)
    return render_template("issues/show.html", section="issues", issue=issue, as_of=today(),
                           changes=service.issue_changes(issue),
                           title=f"{issue.reference} {issue.title} – issue")


@bp.route("/issues/new", methods=["GET", "POST"])
def new():
    """Raise an issue on a register, directly or from an incident."""
    permissions.require(current_user, "raise_issue")
    form = IssueForm()
    form.register.choices = forms.options(
        [("", "Choose a register")] + [(r.id, f"{r.code} – {r.name}") for r in all_registers()])
    owner_choices(form.owner)
    form.incident.choices = forms.options(
        [("", "None")] + [(e.id, f"{e.name}, {e.start_date:%d/%m/%Y}")
                          for e in event_service.list_events(kind="incident")])
    if request.method == "GET" and (incident := as_number(request.args.get("incident"))) is not None:
        form.incident.data = incident
    forms.stamp(form, None)
    if form.validate_on_submit():
        def change():
            return service.raise_issue(
                record(Register, form.register.data, "register", "a register", True),
                current_user, today(), title=form.title.data,
                owner=person(form.owner.data, "owner", what="an owner"),
                severity=form.severity.data, description=form.description.data,
                event=record(Event, form.incident.data, "incident", "an incident"),
                exempt=form.exempt.data)

        issue, _, _ = forms.save(form, change)
        if issue:
            flash(f"{issue.reference} raised on the {issue.register.name} register.", "success")
            return redirect(url_for("issues.show", reference=issue.reference))
    return _page(form, "Raise an issue", back=url_for("issues.index"), back_text="Back to issues")


@bp.route("/risks/<reference>/issue", methods=["GET", "POST"])
def materialise(reference):
    """Turn a risk that has happened into an issue; the risk is marked materialised."""
    risk = get_risk(reference)
    permissions.require(current_user, "raise_issue", risk)
    form = IssueForm(data={"description": risk.description} if request.method == "GET" else None)
    del form.register, form.title, form.incident, form.exempt
    form.submit.label.text = "Turn into an issue"
    owner_choices(form.owner)
    if request.method == "GET":
        form.owner.data = risk.owner_id
    forms.stamp(form, risk)
    conflict = None
    if form.validate_on_submit():
        issue, conflict, _ = forms.save(form, lambda: service.materialise(
            risk, current_user, today(), severity=form.severity.data,
            owner=person(form.owner.data, "owner", what="an owner"),
            description=form.description.data, expected_version=forms.expected(form)),
            risk, risk_id=risk.id)
        if issue:
            flash(f"{risk.reference} has materialised: it is now issue {issue.reference}.",
                  "success")
            return redirect(url_for("issues.show", reference=issue.reference))
    return _page(form, f"Turn {risk.reference} into an issue", conflict,
                 back=url_for("risks.show", reference=risk.reference),
                 back_text=f"Back to {risk.reference}", caption=f"{risk.reference} {risk.title}",
                 intro="The risk has happened. It leaves the live register, marked as"
                       " materialised, and the issue links back to it. Resolving the issue"
                       " can reopen the risk.")


@bp.route("/issues/<reference>/review", methods=["GET", "POST"])
def review(reference):
    """Record a review of an issue: its severity now and a comment."""
    issue = service.get_issue(reference)
    permissions.require(current_user, "edit_issue", issue)
    form = IssueReviewForm()
    forms.stamp(form, issue)
    if request.method == "GET":
        form.reviewed_on.data, form.severity.data = today(), issue.severity
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: service.review_issue(
            issue, current_user, form.reviewed_on.data, form.severity.data,
            form.comment.data, forms.expected(form)), issue, entity="issue", entity_id=issue.id)
        if saved:
            flash(f"Review of {issue.reference} recorded: severity {issue.severity_words}, next"
                  f" review {issue.next_review_date:%d/%m/%Y}.", "success")
            return redirect(url_for("issues.show", reference=issue.reference))
    return _issue_page(form, issue, "Record a review", conflict)


@bp.route("/issues/<reference>/actions/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/issues/<reference>/actions/<int:item_id>", methods=["GET", "POST"])
def action(reference, item_id):
    """Add or edit an action on an issue."""
    issue = service.get_issue(reference)
    permissions.require(current_user, "edit_issue", issue)
    item = None
    if item_id is not None:
        item = db.session.get(IssueAction, item_id)
        if item is None or item.issue_id != issue.id:
            abort(404)
    form = forms.ActionForm(obj=item if request.method == "GET" else None)
    owner_choices(form.owner)
    if request.method == "GET":
        form.owner.data = (item.owner if item else issue.owner).id
    forms.stamp(form, item)
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: service.save_action(
            issue, current_user, item, description=form.description.data,
            owner=person(form.owner.data, "owner", what="an owner"),
            target_date=form.target_date.data, status=form.status.data, as_of=today(),
            expected_version=forms.expected(form)), item,
            **({"entity": "issue action", "entity_id": item.id} if item else {}))
        if saved:
            flash(f"Action saved on {issue.reference}.", "success")
            return redirect(url_for("issues.show", reference=issue.reference))
    return _issue_page(form, issue, "Edit an action" if item else "Add an action", conflict)


@bp.route("/issues/<reference>/resolve", methods=["GET", "POST"])
def resolve(reference):
    """Resolve an issue, saying how; optionally reopen the risk it came from."""
    issue = service.get_issue(reference)
    permissions.require(current_user, "resolve_issue", issue)
    form = ResolveForm()
    if issue.risk is None or issue.risk.status != "materialised":
        del form.reopen_risk
    forms.stamp(form, issue)
    conflict = None
    if form.validate_on_submit():
        reopen = "reopen_risk" in form and form.reopen_risk.data
        saved, conflict, _ = forms.save(form, lambda: service.resolve(
            issue, current_user, today(), form.resolution.data, reopen,
            forms.expected(form)), issue, entity="issue", entity_id=issue.id)
        if saved:
            flash(f"{issue.reference} resolved." + (f" {issue.risk.reference} is open again,"
                                                     " due for review." if reopen else ""),
                  "success")
            return redirect(url_for("issues.show", reference=issue.reference))
    return _issue_page(form, issue, f"Resolve {issue.reference}", conflict)


def _issue_page(form, issue, heading, conflict=None):
    return _page(form, heading, conflict, back=url_for("issues.show", reference=issue.reference),
                 back_text=f"Back to {issue.reference}", caption=f"{issue.reference} {issue.title}")


def _page(form, heading, conflict=None, **context):
    return forms.page("issues/form.html", form, conflict, None, section="issues",
                      heading=heading, title=heading + (f" – {context['caption']}"
                                                        if context.get("caption") else ""),
                      severities=vocab.ISSUE_SEVERITIES, **context)
