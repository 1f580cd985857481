"""The response to a declared level: card steps marked done from the dashboard, the
decision log, the day's situation report, trend charts and the level strip, and the
administration of response roles."""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import clock, permissions
from riskkit.models import Area, User
from riskkit.services import action_cards, decision_log, indicators, levels, trends
from riskkit.services.names import as_numbers
from riskkit.services.query_args import date_arg
from riskkit.services.risks import commit
from riskkit.services.sitrep import KIND_WORDS, WHOLE, gather
from riskkit.services.teams import people
from riskkit.web import choices, forms
from riskkit.web.documents import send_document
from riskkit.web.params import int_arg, refuse, today
from riskkit.web.response_forms import DecisionForm, HoldersForm, StepDoneForm

bp = Blueprint("response", __name__)


@bp.app_template_filter("local_time")
def local_time(moment) -> str:
    """A stored moment as people there read it: 09:30 06/12/2026."""
    return f"{clock.local(moment):%H:%M %d/%m/%Y}"


# --- cards -----------------------------------------------------------------------------


@bp.post("/cards/<int:declaration_id>/steps/<int:step_id>")
def mark_done(declaration_id, step_id):
    """Mark a step of one's card done, with a note; back to the dashboard."""
    form = StepDoneForm()
    if not form.validate_on_submit():
        refuse("; ".join(e for errors in form.errors.values() for e in errors))
    done = commit(lambda: action_cards.mark_done(current_user, declaration_id, step_id, form.note.data))
    flash(f"Marked done: {done.step.text}", "success")
    # The confirmation banner at the top takes the focus, as after every save.
    return redirect(url_for("dashboard.index"))


# --- the decision log --------------------------------------------------------------------


@bp.route("/log", methods=["GET", "POST"])
def log():
    """The decision log of a day (or a span of days), and a form to log a decision."""
    errors: dict[str, str] = {}
    day = date_arg(request.args, "date", today(), errors)
    until = date_arg(request.args, "until", day, errors)
    if until < day:
        errors["until"] = "The end of the span must be on or after its start"
        until = day
    form = DecisionForm()
    areas = indicators.list_areas()
    form.area.choices = forms.options([("", WHOLE)] + [(a.id, a.name) for a in areas])
    may_log = decision_log.may_log(current_user)
    if request.method == "POST":
        if not may_log:
            permissions.require(current_user, "edit_exercises")  # the 403 page, saying so
        if form.validate_on_submit():
            saved, _, _ = forms.save(form, lambda: decision_log.record_decision(
                current_user, form.text.data, area=choices.record(Area, form.area.data, "area", "an area")))
            if saved:
                flash("Logged the decision.", "success")
                return redirect(url_for("response.log"))
    return render_template(
        "response/log.html", title="Decision log", section="sitrep", errors=errors, day=day, until=until,
        entries=decision_log.entries(day, until), kind_words=KIND_WORDS, whole=WHOLE, form=form,
        may_log=may_log), 400 if form.errors else 200


# --- the situation report ---------------------------------------------------------------


@bp.get("/sitrep")
def sitrep():
    """The day's situation report, with its charts, and its PDF, text and HTML."""
    report, errors = _report()
    return render_template("response/sitrep.html", title=report.title, section="sitrep", report=report,
                           errors=errors, kind_words=KIND_WORDS)


@bp.get("/sitrep.<kind>")
def sitrep_download(kind):
    """The sitrep as a PDF, as text to paste into an email, or its accessible HTML."""
    from riskkit.reports.html import sitrep_html
    from riskkit.reports.sitrep import sitrep_pdf, sitrep_text

    if kind not in ("pdf", "html", "txt"):
        abort(404)
    report, errors = _report()
    if errors:
        refuse(". ".join(errors.values()))
    name = f"sitrep-{report.day.isoformat()}"
    if kind == "txt":
        return current_app.response_class(sitrep_text(report), mimetype="text/plain",
                                          headers={"Content-Disposition": f"inline; filename={name}.txt"})
    render = sitrep_pdf if kind == "pdf" else sitrep_html
    return send_document(render(report, today()), name, kind)


def _report():
    errors: dict[str, str] = {}
    day = date_arg(request.args, "date", today(), errors)
    return gather(day, current_app.config["ORGANISATION_NAME"]), errors


# --- charts --------------------------------------------------------------------------------


@bp.get("/indicators/<int:indicator_id>/chart.png")
def indicator_chart(indicator_id):
    """?span=30|90&area=ID&end=YYYY-MM-DD: the indicator's trend on its trigger bands."""
    from riskkit.reports.charts import to_png, trend_chart

    indicator = indicators.get_indicator(indicator_id)
    area_id = int_arg(request.args, "area")
    area = indicators.get_area(area_id) if area_id else None
    span = int_arg(request.args, "span", 1, 366) or 30
    end = _day_arg("end", today())
    trend = trends.indicator_trend(indicator, area, end, span)
    return _png(to_png(trend_chart(trend).drawing, trend.title))


@bp.get("/levels/strip.png")
def level_strip():
    """?start=&end=&area=ID: the level declared each day, as a strip of days by levels
    (default: the 1 October before the end to the end)."""
    from riskkit.reports.charts import level_strip as draw
    from riskkit.reports.charts import to_png

    end = _day_arg("end", today())
    start = _day_arg("start", date(end.year if end.month >= 10 else end.year - 1, 10, 1))
    area_id = int_arg(request.args, "area")
    strip = trends.level_strip(levels.get_scheme(), start, end,
                               indicators.get_area(area_id) if area_id else None)
    return _png(to_png(draw(strip).drawing, strip.title))


def _day_arg(name: str, default: date) -> date:
    errors: dict[str, str] = {}
    value = date_arg(request.args, name, default, errors)
    if errors:
        refuse(errors[name])
    return value


def _png(data: bytes):
    return current_app.response_class(data, mimetype="image/png")


# --- response roles (admins) ------------------------------------------------------------


@bp.get("/admin/roles")
def roles():
    """The response roles, their holders and their card steps by level."""
    permissions.require(current_user, "administer")
    return render_template("response/roles.html", title="Response roles", section="admin",
                           roles=action_cards.list_roles())


@bp.route("/admin/roles/<int:role_id>", methods=["GET", "POST"])
def role(role_id):
    """Choose who holds a role; the role's card at each level below."""
    permissions.require(current_user, "administer")
    item = action_cards.get_role(role_id)
    form = HoldersForm()
    form.holders.choices = forms.options((p.id, p.name) for p in people())
    if not form.is_submitted():
        form.holders.data = [h.id for h in item.holders]
        form.holders_were.data = ",".join(str(h.id) for h in item.holders)
    conflict = None
    if form.validate_on_submit():
        def change():
            chosen = [choices.record(User, p, "holders", "holders") for p in form.holders.data or []]
            were = as_numbers(form.holders_were.data)
            return action_cards.set_holders(current_user, item, chosen, were)

        saved, conflict, _ = forms.save(form, change)
        if saved:
            flash(f"Saved the holders of {item.name}.", "success")
            return redirect(url_for("response.roles"))
        if conflict:  # the next save is made knowing the change
            form.holders_were.data = ",".join(str(h.id) for h in item.holders)
    by_level = {}
    for step in item.steps:
        by_level.setdefault(step.level.label, []).append(step.text)
    return render_template("response/role.html", title=f"Holders of {item.name}", section="admin", form=form,
                           conflict=conflict, role=item, by_level=by_level,
                           back=url_for("response.roles")), 409 if conflict else 400 if form.errors else 200

