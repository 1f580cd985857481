"""The web face: GOV.UK Frontend pages for the management team and risk owners."""

from datetime import date

from flask import Flask, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from riskkit import permissions, scoring, vocab
from riskkit.errors import NotFound, PermissionDenied
from riskkit.web import (
    admin,
    appendix,
    auth,
    dashboard,
    exercise_reports,
    exercises,
    exports,
    health,
    heatmaps,
    imports,
    lessons,
    overdue,
    programme,
    register,
    risks,
)
from riskkit.web.auth import login_manager

csrf = CSRFProtect()

#: Endpoints anyone may reach: signing in, and the static assets.
PUBLIC_ENDPOINTS = {"auth.login", "static", "exports.calendar_feed", "health.healthz"}


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(app.template_folder),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    WTFormsHelpers(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    for blueprint in (auth.bp, dashboard.bp, register.bp, risks.bp, admin.bp, overdue.bp,
                      heatmaps.bp, appendix.bp, exports.bp, exercises.bp, lessons.bp,
                      programme.bp, exercise_reports.bp, health.bp, imports.bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def security_headers(response):
        # Everything is served from this app: no page loads anything from elsewhere.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
            " script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    # Globals rather than a context processor, so imported macros see them too.
    app.jinja_env.globals.update(
        can=lambda action, item=None: permissions.can(current_user, action, item),
        vocab=vocab,
        trend_words=scoring.TREND_WORDS,
        trend_arrows=scoring.TREND_ARROWS,
        organisation=app.config["ORGANISATION_NAME"],
    )

    app.add_template_filter(_uk_date, "uk_date")
    app.add_template_filter(scoring.text_colour, "ink")

    @app.errorhandler(PermissionDenied)
    @app.errorhandler(403)
    def forbidden(error):
        message = str(error) if isinstance(error, PermissionDenied) else None
        return render_template("errors/403.html", message=message), 403

    @app.errorhandler(NotFound)
    @app.errorhandler(404)
    def not_found(error):
        message = str(error) if isinstance(error, NotFound) else None
        return render_template("errors/404.html", message=message), 404

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_template("errors/400.html", message=(
            "This form had expired or did not come from riskkit. Go back, reload the page"
            " and try again.")), 400


def _uk_date(value) -> str:
    """07/10/2021, as the committee papers write dates (from a date or an ISO string)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")
