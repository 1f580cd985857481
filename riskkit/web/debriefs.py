"""Correcting and removing debriefs and observations once recorded (the resilience
lead's job): each change is in the history, and a stale form is a conflict. Recording
them is on the event pages (web/exercises.py)."""

from functools import partial

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.services import debriefs as debrief_service
from riskkit.services.themes import list_themes
from riskkit.web import event_forms
from riskkit.web.event_forms import place_error
from riskkit.web.exercises import chosen, page
from riskkit.web.forms import expected, options, save, stamp

bp = Blueprint("debriefs", __name__)


@bp.route("/debriefs/<int:debrief_id>/edit", methods=["GET", "POST"])
def edit(debrief_id):
    """Correct a debrief's kind, date, facilitator, attendees or multi-agency flag."""
    permissions.require(current_user, "edit_exercises")
    debrief = debrief_service.get_debrief(debrief_id)
    form = event_forms.DebriefChangeForm(obj=None if _posted() else debrief)
    stamp(form, debrief)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        saved, conflict, page_errors = save(form, lambda: debrief_service.update_debrief(
            debrief, current_user, kind=form.kind.data, held_on=form.held_on.data,
            facilitator=(form.facilitator.data or "").strip(), attendees=form.attendees.data,
            multi_agency=form.multi_agency.data, expected_version=expected(form)), debrief,
            partial(place_error, page_field="event-status"), entity="debrief",
            entity_id=debrief.id)
        if saved:
            flash("Debrief saved.")
            return redirect(url_for("exercises.debrief", debrief_id=debrief.id))
    return page("exercises/debrief_form.html", form, conflict, page_errors,
                title=f"Correct the {debrief.kind} debrief of {debrief.held_on:%d/%m/%Y}"
                      f" – {debrief.event.name}", event=debrief.event, debrief=debrief,
                remove_form=_remove_form(debrief))


@bp.post("/debriefs/<int:debrief_id>/remove")
def remove(debrief_id):
    """Remove a debrief recorded in error, and its observations."""
    permissions.require(current_user, "edit_exercises")
    debrief = debrief_service.get_debrief(debrief_id)
    form = event_forms.RemoveForm()
    stamp(form, debrief)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        event, conflict, page_errors = save(form, lambda: debrief_service.remove_debrief(
            debrief, current_user, expected(form)), debrief,
            partial(place_error, page_field="event-status"), entity="debrief",
            entity_id=debrief.id)
        if event:
            flash("Debrief removed.")
            return redirect(url_for("exercises.show", event_id=event.id))
    change = event_forms.DebriefChangeForm(obj=debrief, formdata=None)
    stamp(change, debrief)
    return page("exercises/debrief_form.html", change, conflict, page_errors or _refusal(form),
                title=f"Correct the {debrief.kind} debrief of {debrief.held_on:%d/%m/%Y}"
                      f" – {debrief.event.name}", event=debrief.event, debrief=debrief,
                remove_form=_remove_form(debrief))


@bp.route("/observations/<int:observation_id>/edit", methods=["GET", "POST"])
def edit_observation(observation_id):
    """Correct an observation's question, kind, words or themes."""
    permissions.require(current_user, "edit_exercises")
    observation = debrief_service.get_observation(observation_id)
    form = event_forms.ObservationChangeForm(obj=None if _posted() else observation)
    themes = list_themes(active_only=True)
    themes += [t for t in observation.themes if t not in themes]
    form.themes.choices = options((t.id, t.name) for t in themes)
    if not _posted():
        form.themes.data = [t.id for t in observation.themes]
    stamp(form, observation)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        saved, conflict, page_errors = save(form, lambda: debrief_service.update_observation(
            observation, current_user, prompt=form.prompt.data, kind=form.kind.data,
            text=form.text.data, themes=chosen(themes, form.themes.data, "themes", "the themes"),
            expected_version=expected(form)), observation, place_error, entity="observation",
            entity_id=observation.id)
        if saved:
            flash("Observation saved.")
            return _to_debrief(observation)
    return _observation_page(observation, form, conflict, page_errors)


@bp.post("/observations/<int:observation_id>/remove")
def remove_observation(observation_id):
    """Remove an observation recorded in error."""
    permissions.require(current_user, "edit_exercises")
    observation = debrief_service.get_observation(observation_id)
    form = event_forms.RemoveForm()
    stamp(form, observation)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        debrief, conflict, page_errors = save(form, lambda: debrief_service.remove_observation(
            observation, current_user, expected(form)), observation, place_error,
            entity="observation", entity_id=observation.id)
        if debrief:
            flash("Observation removed.")
            return redirect(url_for("exercises.debrief", debrief_id=debrief.id,
                                    _anchor="observations"))
    change = event_forms.ObservationChangeForm(obj=observation, formdata=None)
    change.themes.choices = options((t.id, t.name) for t in observation.themes)
    change.themes.data = [t.id for t in observation.themes]
    stamp(change, observation)
    return _observation_page(observation, change, conflict, page_errors or _refusal(form))


def _observation_page(observation, form, conflict, page_errors):
    debrief = observation.debrief
    return page("exercises/observation_form.html", form, conflict, page_errors,
                title=f"Correct an observation – {debrief.kind} debrief of"
                      f" {debrief.held_on:%d/%m/%Y} – {debrief.event.name}",
                event=debrief.event, observation=observation,
                remove_form=_remove_form(observation))


def _remove_form(record):
    form = event_forms.RemoveForm(formdata=None)
    form.version.data = record.version
    return form


def _refusal(form) -> dict[str, str]:
    """A remove button's post that its form refused (no version, say), for the summary."""
    reasons = [m for messages in form.errors.values() for m in messages]
    return {"page": " ".join(reasons)} if reasons else {}


def _posted() -> bool:
    return request.method == "POST"


def _to_debrief(observation):
    return redirect(url_for("exercises.debrief", debrief_id=observation.debrief_id,
                            _anchor=f"observation-{observation.id}"))
