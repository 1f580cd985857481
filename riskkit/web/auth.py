"""Signing in and out (the rules are in services/signin.py)."""

import time
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import utcnow
from riskkit.services import signin
from riskkit.web import forms
from riskkit.web.forms import Form

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"


@login_manager.user_loader
def load_user(session_id: str):
    """The signed-in user, unless their sessions were ended or this one has expired."""
    user = signin.user_for_session(session_id)
    now = time.time()
    if user is None:
        session.clear()
        return None
    if signin.session_expired(session.get("signed_in_at"), session.get("seen_at"), now,
                              current_app.config["SESSION_IDLE_MINUTES"],
                              current_app.config["SESSION_MAX_HOURS"]):
        session.clear()
        flash("Your session has ended. Sign in again.", "info")
        return None
    session["seen_at"] = now
    return user


class LoginForm(Form):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = signin.sign_in(form.email.data, form.password.data, request.remote_addr or "",
                                  utcnow())
        except ValidationError as error:
            forms.put_error(form, error)
        else:
            session.clear()  # a fresh session: nothing from before signing in carries over
            login_user(user)
            session["signed_in_at"] = session["seen_at"] = time.time()
            return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out, here and on every other browser this user signed in on."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the dashboard. Judged as a browser
    would read it: percent-decoded, without the tabs, line breaks and other control
    characters browsers drop, and with backslashes read as slashes."""
    if target:
        seen = target
        while unquote(seen) != seen:  # in case something on the way decodes it again
            seen = unquote(seen)
        seen = "".join(c for c in seen if not c.isspace() and unicodedata.category(c)[0] != "C")
        seen = seen.replace("\\", "/")
        parts = urlsplit(seen)
        if seen.startswith("/") and not seen.startswith("//") and not parts.scheme \
                and not parts.netloc:
            return target
    return url_for("dashboard.index")
