"""The signed-in person's account page: their API tokens, made, listed and revoked
there; and the administrators' list of everyone's tokens (services.tokens)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired

from riskkit import permissions, vocab
from riskkit.models import ApiToken
from riskkit.models.base import utcnow
from riskkit.services.tokens import DEFAULT_DAYS, create_token, get_token, list_tokens, revoke_token
from riskkit.web import forms
from riskkit.web.params import today

bp = Blueprint("account", __name__)


class TokenForm(forms.Form):
    name = StringField("Token name", widget=GovTextInput(), validators=[
        InputRequired("Enter a name for the token"), forms.fits(ApiToken.name, "Token name")],
        description="What it is for, so you know which to revoke: like Power BI risk dashboard.")
    scope = RadioField("What it may do", widget=GovRadioInput(), default="read",
                       choices=forms.options(vocab.TOKEN_SCOPES))
    expires_on = forms.date_field("Expiry date", description=(
        f"The last day it works, within a year. Leave blank for {DEFAULT_DAYS} days from today."))
    submit = SubmitField("Make token", widget=GovSubmitInput())


@bp.route("/account", methods=["GET", "POST"])
def index():
    """Your API tokens, and the form that makes one (its secret is shown once, here)."""
    form, secret = TokenForm(), None
    if form.validate_on_submit():
        made, _, _ = forms.save(form, lambda: create_token(
            current_user, current_user, name=form.name.data, scope=form.scope.data,
            expires_on=form.expires_on.data, today=today()))
        if made:
            secret = made[1]
            form = TokenForm(formdata=None)
    status = 400 if form.errors else 200
    return render_template("account/index.html", title="Your account", form=form, secret=secret,
                           tokens=list_tokens(current_user, current_user), today=today(),
                           section="account"), status


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke(token_id):
    """Revoke one of your tokens (an administrator, anyone's)."""
    token = get_token(token_id)
    forms.save(forms.Form(), lambda: revoke_token(current_user, token, utcnow()))
    flash(f"Token {token.name} of {token.user.name} is revoked: it no longer works.", "success")
    mine = token.user_id == current_user.id
    return redirect(url_for(".index" if mine else ".everyone"))


@bp.get("/admin/tokens")
def everyone():
    """Every person's API tokens (administrators)."""
    permissions.require(current_user, "administer")
    return render_template("account/tokens.html", title="API tokens", section="admin",
                           tokens=list_tokens(current_user), today=today())
