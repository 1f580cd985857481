"""Signing in and out, with failed attempts slowed down."""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from sqlalchemy import delete, func, select
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired

from riskkit.extensions import db
from riskkit.models import FailedLogin, User
from riskkit.models.base import utcnow
from riskkit.web.forms import Form

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"

#: After this many failures for one email address within the window, refuse to try.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


class LoginForm(Form):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _recent_failures(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(FailedLogin).where(
        FailedLogin.email == email, FailedLogin.at > utcnow() - WINDOW))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if _recent_failures(email) >= MAX_FAILURES:
            form.email.errors.append(
                "Too many failed attempts to sign in as this user. Wait 15 minutes and try again.")
        else:
            user = db.session.scalar(select(User).where(User.email == email))
            if user is not None and user.is_active and user.check_password(form.password.data):
                db.session.execute(delete(FailedLogin).where(FailedLogin.email == email))
                db.session.commit()
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            db.session.add(FailedLogin(email=email, address=request.remote_addr or ""))
            db.session.commit()
            form.email.errors.append("The email address or password is not right")
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out."""
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")
