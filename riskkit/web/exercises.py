"""Exercises and incidents: the list, planning an exercise (from a scenario pack or
from scratch), recording an incident, the event page, its outcome and status, and its
debriefs with their observations. Views parse the form, call a service, commit and
redirect; the rules live in the services."""

from functools import partial

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions, vocab
from riskkit.errors import NotFound, ValidationError
from riskkit.services import debriefs as debrief_service
from riskkit.services import events as event_service
from riskkit.services import packs as pack_service
from riskkit.services.paging import paginate
from riskkit.services.plans import list_plans
from riskkit.services.themes import list_themes
from riskkit.web import choices, event_forms
from riskkit.web.event_forms import place_error
from riskkit.web.forms import expected, options, page, save, stamp
from riskkit.web.params import int_arg, today

bp = Blueprint("exercises", __name__)
SCRATCH = "scratch"  # the chooser's "Start from scratch"
PER_PAGE = 50  # exercises and incidents listed a page at a time


def earlier_for(themes, event) -> list:
    return debrief_service.earlier_observations([t.id for t in themes], exclude_event=event)


# --- the list ---------------------------------------------------------------------------------


@bp.get("/exercises")
def index():
    """Exercises and incidents, newest first, filtered by kind and status."""
    args, errors = request.args, {}
    kind, status = args.get("kind") or None, args.get("status") or None
    if kind and kind not in vocab.values(vocab.EVENT_KINDS):
        errors["kind"], kind = f"{kind!r} is not a kind: choose exercise or incident", None
    if status and status not in vocab.values(vocab.EVENT_STATUSES):
        errors["status"], status = f"{status!r} is not a status: choose one from the list", None
    listing = paginate(event_service.events_statement(kind, status), int_arg(args, "page"),
                       PER_PAGE)
    return page("exercises/index.html", None, None, errors, title="Exercises and incidents",
                events=listing.items, listing=listing, kind=kind, status=status,
                page_url=lambda n: url_for("exercises.index", **{**args.to_dict(), "page": n}))


# --- planning and recording -------------------------------------------------------------------


@bp.route("/exercises/new", methods=["GET", "POST"])
def new():
    """Plan an exercise: choose a scenario pack (or none), then fill in the form."""
    permissions.require(current_user, "edit_exercises")
    slug = request.args.get("pack", "")
    if not slug:  # the chooser, or the chooser sent back with nothing chosen
        return _chooser("Choose a scenario pack, or start from scratch"
                        if "chosen" in request.args else None)
    pack = None
    if slug != SCRATCH:
        try:
            pack = pack_service.get_pack(current_app.config["EXERCISE_PACKS_DIR"], slug)
        except (NotFound, ValidationError) as error:
            return _chooser(str(error), 404 if isinstance(error, NotFound) else 400)
    return _event_form("exercise", None, pack)


def _chooser(error: str | None = None, status: int = 400):
    try:
        packs, fault = pack_service.list_packs(current_app.config["EXERCISE_PACKS_DIR"]), None
    except ValidationError as bad:
        packs, fault = [], str(bad)
    return render_template("exercises/choose_pack.html", title="Plan an exercise", packs=packs,
                           fault=fault, page_errors={"pack": error} if error else {},
                           ), status if error else 200


@bp.route("/incidents/new", methods=["GET", "POST"])
def new_incident():
    """Record an incident that has happened."""
    permissions.require(current_user, "edit_exercises")
    return _event_form("incident", None)


@bp.route("/exercises/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id):
    """Edit an exercise or incident."""
    permissions.require(current_user, "edit_exercises")
    event = event_service.get_event(event_id)
    return _event_form(event.kind, event)


def _event_form(kind: str, event, pack=None):
    form = (event_forms.ExerciseForm if kind == "exercise" else event_forms.IncidentForm)()
    if event is None:
        del form.improvement_plan_agreed
    choices.person_choices(form.lead, "No lead named")
    plans = list_plans()
    form.plans.choices = options((p.id, p.service) for p in plans)
    risks = choices.risk_choices(form.risks, keep=event.risks if event else ())
    stamp(form, event)
    if not form.is_submitted():
        _fill(form, event, pack)
    controls = choices.control_choices(form, risks)
    conflict, page_errors = None, {}
    if form.is_submitted() and not form.refresh.data and form.validate():
        def change():
            fields = {name: form[name].data or "" for name in (
                "scenario", "description", "services_affected") if name in form}
            if "objectives" in form:
                fields["objectives"] = (form.objectives.data or "").splitlines()
            if "improvement_plan_agreed" in form:
                fields["improvement_plan_agreed"] = form.improvement_plan_agreed.data
            fields["lead_organisation"] = form.lead_organisation.data or ""
            fields["partner_report_date"] = form.partner_report_date.data
            picked_risks = choices.chosen(risks, form.risks.data, "risks", "the risks")
            return event_service.save_event(
                current_user, event, kind=kind, name=form.name.data, event_type=form.event_type.data,
                start_date=form.start_date.data, end_date=form.end_date.data,
                lead=choices.person(form.lead.data, "lead", required=False),
                participants=form.participants.data or "", multi_agency=form.multi_agency.data,
                plans=choices.chosen(plans, form.plans.data, "plans", "the plans"), risks=picked_risks,
                controls=choices.chosen_controls(controls, form.controls.data),
                pack=pack.slug if pack else "", expected_version=expected(form), **fields)

        saved, conflict, page_errors = save(form, change, event, place_error, entity="event",
                                            entity_id=event.id if event else None)
        if saved:
            flash(f"{saved.name} saved.", "success")
            return redirect(url_for("exercises.show", event_id=saved.id))
    words = "exercise" if kind == "exercise" else "incident"
    title = (f"Edit {event.name}" if event else
             "Plan an exercise" if kind == "exercise" else "Record an incident")
    return page("exercises/form.html", form, conflict, page_errors, title=title, event=event,
                pack=pack, kind=kind, words=words)


def _fill(form, event, pack) -> None:
    """The form's first display: the event as it is, or the pack's scenario."""
    if event is not None:
        for name, value in form.record_values(event).items():
            form[name].data = value
    elif pack is not None:
        form.event_type.data = pack.type
        form.scenario.data = pack.scenario
        form.objectives.data = "\n".join(pack.objectives)
        form.lead.data = current_user.id


# --- the event page ---------------------------------------------------------------------------


@bp.get("/exercises/<int:event_id>")
def show(event_id):
    """Everything about an exercise or incident: what it tested, how it went, its
    debriefs and observations, and the lessons from it."""
    return _show(event_service.get_event(event_id))


def _show(event, form=None, conflict=None, page_errors=None):
    if form is None:
        form = event_forms.StatusForm(formdata=None)
        form.version.data = event.version
        form.status.data = _next_status(event)
    form.status.choices = options((value, words) for value, words in vocab.EVENT_STATUSES
                                  if value != event.status)
    pack, pack_fault = None, None
    if event.pack:
        try:
            pack = pack_service.get_pack(current_app.config["EXERCISE_PACKS_DIR"], event.pack)
        except NotFound:
            pack_fault = (f"The scenario pack “{event.pack}” it was made from is no longer in"
                          " the packs folder, so its injects and questions cannot be shown.")
        except ValidationError as error:
            pack_fault = f"The scenario pack “{event.pack}” cannot be read: {error}"
    return page("exercises/show.html", form, conflict, page_errors, title=event.name,
                event=event, pack=pack, pack_fault=pack_fault, as_of=today())


def _next_status(event) -> str:
    order = vocab.values(vocab.EVENT_STATUSES)
    here = order.index(event.status)
    return order[here + 1] if here + 1 < len(order) else order[0]


@bp.post("/exercises/<int:event_id>/status")
def change_status(event_id):
    """Mark an event held, debriefed or closed (or back to an earlier status)."""
    permissions.require(current_user, "edit_exercises")
    event = event_service.get_event(event_id)
    form = event_forms.StatusForm()
    done, conflict, page_errors = None, None, {}
    if form.validate_on_submit():
        done, conflict, page_errors = save(form, lambda: event_service.set_status(
            event, current_user, form.status.data, as_of=today(),
            expected_version=expected(form)), event, place_error, entity="event",
            entity_id=event.id)
    if done:
        flash(f"{event.name} is now {vocab.label(vocab.EVENT_STATUSES, event.status).lower()}.", "success")
        return redirect(url_for("exercises.show", event_id=event.id))
    return _show(event, form, conflict, page_errors)


@bp.route("/exercises/<int:event_id>/outcome", methods=["GET", "POST"])
def outcome(event_id):
    """Rate each objective, and set the tested controls' effectiveness."""
    permissions.require(current_user, "edit_exercises")
    event = event_service.get_event(event_id)
    words = "this exercise" if event.is_exercise else "this incident"
    form = event_forms.outcome_form(event, words)
    stamp(form, event)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        ratings = {o.id: (form[f"rating_{o.id}"].data or None, form[f"note_{o.id}"].data or "")
                   for o in event.objectives}
        results = {c.id: form[f"control_{c.id}"].data or None for c in event.controls}
        done, conflict, page_errors = save(form, lambda: event_service.record_outcome(
            event, current_user, ratings=ratings, control_results=results, as_of=today(),
            expected_version=expected(form)), event, partial(place_error, page_field="event-status"),
            entity="event", entity_id=event.id)
        if done:
            tested = len(event.controls)
            flash(f"Outcome of {event.name} recorded." + (
                f" {tested} control{'s' if tested != 1 else ''} last tested"
                f" {event.end_date:%d/%m/%Y}." if tested else ""), "success")
            return redirect(url_for("exercises.show", event_id=event.id))
    return page("exercises/outcome.html", form, conflict, page_errors,
                title=f"Record the outcome of {event.name}", event=event, words=words)


# --- debriefs and observations ----------------------------------------------------------------


@bp.route("/exercises/<int:event_id>/debriefs/new", methods=["GET", "POST"])
def new_debrief(event_id):
    """Record a hot or cold debrief."""
    permissions.require(current_user, "edit_exercises")
    event = event_service.get_event(event_id)
    form = event_forms.DebriefForm()
    if not form.is_submitted():
        form.multi_agency.data = event.multi_agency
    page_errors = {}
    if form.validate_on_submit():
        debrief, _, page_errors = save(form, lambda: debrief_service.record_debrief(
            event, current_user, kind=form.kind.data, held_on=form.held_on.data,
            facilitator=(form.facilitator.data or "").strip(), attendees=form.attendees.data,
            multi_agency=form.multi_agency.data), place=partial(place_error, page_field="event-status"))
        if debrief:
            flash(f"{debrief.kind.capitalize()} debrief of {event.name} recorded: add what it"
                  " observed.", "success")
            return redirect(url_for("exercises.debrief", debrief_id=debrief.id))
    return page("exercises/debrief_form.html", form, None, page_errors,
                title=f"Record a debrief of {event.name}", event=event)


@bp.get("/debriefs/<int:debrief_id>")
def debrief(debrief_id):
    """A debrief, its observations, and (for editors) the form to add one."""
    debrief = debrief_service.get_debrief(debrief_id)
    form = event_forms.ObservationForm(formdata=None)
    form.themes.choices = options((t.id, t.name) for t in list_themes(active_only=True))
    last = debrief.observations[-1] if debrief.observations else None
    return _debrief_page(debrief, form, last.themes if last else [], last)


def _debrief_page(debrief, form, themes, last=None, page_errors=None):
    return page("exercises/debrief.html", form, None, page_errors, title=(
        f"{debrief.kind.capitalize()} debrief of {debrief.held_on:%d/%m/%Y} – {debrief.event.name}"),
        debrief=debrief,
        event=debrief.event, earlier=earlier_for(themes, debrief.event), earlier_themes=themes,
        last=last)


@bp.post("/debriefs/<int:debrief_id>/observations")
def add_observation(debrief_id):
    """Add an observation; or, with "Show earlier observations", see what other events
    observed on the ticked themes before saving."""
    permissions.require(current_user, "edit_exercises")
    debrief = debrief_service.get_debrief(debrief_id)
    form = event_forms.ObservationForm()
    themes = list_themes(active_only=True)
    form.themes.choices = options((t.id, t.name) for t in themes)
    ticked = [t for t in themes if t.id in (form.themes.data or [])]
    page_errors = {}
    if not form.check.data and form.validate_on_submit():
        observation, _, page_errors = save(form, lambda: debrief_service.add_observation(
            debrief, current_user, prompt=form.prompt.data, kind=form.kind.data,
            text=form.text.data, themes=choices.chosen(themes, form.themes.data, "themes", "the themes")),
            place=place_error)
        if observation:
            flash("Observation added.", "success")
            return redirect(url_for("exercises.debrief", debrief_id=debrief.id))
    return _debrief_page(debrief, form, ticked, page_errors=page_errors)
