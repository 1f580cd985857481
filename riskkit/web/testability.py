"""Marking a risk, or a category of risk, not testable by exercise (with the reason).
Views parse the form, call services.testability, and render."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from riskkit import permissions
from riskkit.services import testability
from riskkit.services.risks import commit, get_risk
from riskkit.web import forms
from riskkit.web.forms import Form, VersionedForm, options

bp = Blueprint("testability", __name__)


class RiskTestabilityForm(VersionedForm):
    testable = RadioField("Can an exercise test this risk?", widget=GovRadioInput(),
                          choices=options([("yes", "Yes"),
                                           ("no", "No: leave it out of “top-rated risks not"
                                                  " exercised”")]),
                          validators=[InputRequired("Choose whether an exercise can test it")])
    reason = TextAreaField("Why no exercise could test it", widget=GovTextArea(),
                           description="Needed when it cannot be tested: a budget or workforce"
                                       " risk, say.")
    submit = SubmitField("Save", widget=GovSubmitInput())
    merge_fields = ()


class CategoryForm(Form):
    category = SelectField("Category", widget=GovSelect(), validate_choice=False,
                           validators=[InputRequired("Choose the category")])
    reason = TextAreaField("Why no exercise could test its risks", widget=GovTextArea(),
                           validators=[DataRequired("Enter the reason")])
    submit = SubmitField("Mark not testable by exercise", widget=GovSubmitInput())


@bp.route("/risks/<reference>/testability", methods=["GET", "POST"])
def risk(reference):
    """Mark a risk not testable by exercise, with the reason, or testable again."""
    item = get_risk(reference)
    permissions.require(current_user, "edit_risk", item)
    form = RiskTestabilityForm()
    forms.stamp(form, item)
    if not form.is_submitted():
        form.testable.data = "no" if item.not_testable_reason else "yes"
        form.reason.data = item.not_testable_reason
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = forms.save(form, lambda: testability.mark_risk(
            item, current_user, testable=form.testable.data == "yes",
            reason=form.reason.data or "", expected_version=forms.expected(form)),
            item, entity="risk", entity_id=item.id)
        if saved:
            flash(f"Saved whether an exercise can test {item.reference}.", "success")
            return redirect(url_for("risks.show", reference=item.reference))
    return forms.page("testability/risk.html", form, conflict, title=(
        f"Can an exercise test {item.reference}?"), risk=item)


@bp.route("/categories/not-testable", methods=["GET", "POST"])
def categories():
    """The categories of risk no exercise could test, and the form to mark another."""
    form = CategoryForm()
    form.category.choices = options([("", "Choose a category")] + [
        (c, c) for c in testability.known_categories()])
    if request.method == "POST":
        permissions.require(current_user, "set_aside_categories")
        if form.validate_on_submit() and forms.save(form, lambda: testability.mark_category(
                current_user, form.category.data, form.reason.data))[0]:
            flash(f"{form.category.data} risks are now left out of “top-rated risks not"
                  " exercised”.", "success")
            return redirect(url_for("testability.categories"))
    return render_template("testability/categories.html", title="Categories not testable by"
                           " exercise", form=form, items=testability.list_categories(),
                           ), 400 if form.errors else 200


@bp.post("/categories/not-testable/remove")
def remove_category():
    """Make a category testable by exercise again."""
    permissions.require(current_user, "set_aside_categories")
    category = request.form.get("category", "")
    commit(lambda: testability.unmark_category(current_user, category))
    flash(f"{category} risks count in “top-rated risks not exercised” again.", "success")
    return redirect(url_for("testability.categories"))
