"""The web face: GOV.UK Frontend pages for the management team and risk owners."""

from datetime import date

from flask import Flask, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from riskkit import api, permissions, scoring, vocab
from riskkit.services import history_words
from riskkit.services.overdue import describe_due
from riskkit.web import (
    acceptances,
    account,
    admin,
    appendix,
    assurance,
    auth,
    dashboard,
    debriefs,
    delivery,
    errors,
    evidence,
    exercise_reports,
    exercises,
    exports,
    health,
    heatmaps,
    imports,
    indicators,
    issues,
    lessons,
    levels,
    objectives,
    overdue,
    params,
    programme,
    published,
    register,
    response,
    risks,
    testability,
)
from riskkit.web.auth import login_manager

csrf = CSRFProtect()

#: Endpoints anyone may reach: signing in, and the static assets.
PUBLIC_ENDPOINTS = {"auth.login", "static", "exports.calendar_feed", "health.healthz"}


def init_app(app: Flask) -> None:
    errors.init_app(app)  # first: its request timer and log line wrap every other hook
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(app.template_folder),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Set, not setdefault: Flask's own defaults already hold these keys.
    secure = app.config["SECURE_COOKIES"]
    for cookie in ("SESSION", "REMEMBER"):
        app.config.update({f"{cookie}_COOKIE_HTTPONLY": True, f"{cookie}_COOKIE_SAMESITE": "Lax",
                           f"{cookie}_COOKIE_SECURE": secure})
    WTFormsHelpers(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    # Before any route is added: ids too large for the database and path segments with
    # control characters match no route.
    app.url_map.converters.update(params.CONVERTERS)
    app.before_request(params.refuse_control_characters)
    for blueprint in (auth.bp, dashboard.bp, register.bp, risks.bp, admin.bp, overdue.bp,
                      heatmaps.bp, appendix.bp, exports.bp, exercises.bp, lessons.bp,
                      programme.bp, exercise_reports.bp, health.bp, imports.bp, debriefs.bp,
                      account.bp, published.bp, indicators.bp, levels.bp, issues.bp,
                      acceptances.bp, assurance.bp, objectives.bp, testability.bp, delivery.bp,
                      response.bp, evidence.bp):
        app.register_blueprint(blueprint)
    api.init_app(app, csrf)

    @app.before_request
    def require_login():
        # The API's requests carry a token (api.auth), never a session.
        if request.endpoint in PUBLIC_ENDPOINTS or api.problems.wanted() or current_user.is_authenticated:
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
        if secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint not in PUBLIC_ENDPOINTS:
            # Pages behind the sign-in (and their redirects to it) stay out of any cache:
            # no copy for the next person at a shared computer or behind a proxy.
            response.headers["Cache-Control"] = "no-store"
        return response

    # Globals rather than a context processor, so imported macros see them too.
    app.jinja_env.globals.update(
        can=lambda action, item=None: permissions.can(current_user, action, item),
        reviews_some_risk=lambda: permissions.reviews_some_risk(current_user),
        assures_some_control=lambda: permissions.assures_some_control(current_user),
        vocab=vocab,
        trend_words=scoring.TREND_WORDS,
        trend_arrows=scoring.TREND_ARROWS,
        organisation=app.config["ORGANISATION_NAME"],
    )

    app.add_template_filter(_uk_date, "uk_date")
    app.add_template_filter(history_words.plain_date, "plain_date")
    app.add_template_filter(scoring.text_colour, "ink")
    app.add_template_filter(describe_due, "due_words")


def _uk_date(value) -> str:
    """07/10/2021, as the committee papers write dates (from a date or an ISO string)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")
