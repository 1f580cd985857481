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
from riskkit.web.choices import chosen
from riskkit.web.event_forms import place_error
from riskkit.web.forms import expected, options, page, save, stamp

bp = Blueprint("debriefs", __name__)
#: A refusal about the debrief as a whole goes in the page's error summary.
PLACE_ON_DEBRIEF = partial(place_error, page_field="event-status")


@bp.route("/debriefs/<int:debrief_id>/edit", methods=["GET", "POST"])
def edit(debrief_id):
    """Correct a debrief's kind, date, facilitator, attendees or multi-agency flag."""
    debrief = _debrief(debrief_id)
    form = event_forms.DebriefChangeForm(obj=None if _posted() else debrief)
    return _correct(debrief, form, lambda: debrief_service.update_debrief(
        debrief, current_user, kind=form.kind.data, held_on=form.held_on.data,
        facilitator=(form.facilitator.data or "").strip(), attendees=form.attendees.data,
        multi_agency=form.multi_agency.data, expected_version=expected(form)),
        "debrief", PLACE_ON_DEBRIEF, url_for("exercises.debrief", debrief_id=debrief.id),
        partial(_debrief_page, debrief))


@bp.post("/debriefs/<int:debrief_id>/remove")
def remove(debrief_id):
    """Remove a debrief recorded in error, and its observations."""
    debrief = _debrief(debrief_id)
    return _remove(debrief, "debrief", debrief_service.remove_debrief, PLACE_ON_DEBRIEF,
                   lambda event: url_for("exercises.show", event_id=event.id),
                   lambda conflict, errors: _debrief_page(debrief, _unchanged(
                       event_forms.DebriefChangeForm(obj=debrief, formdata=None), debrief),
                       conflict, errors))


@bp.route("/observations/<int:observation_id>/edit", methods=["GET", "POST"])
def edit_observation(observation_id):
    """Correct an observation's question, kind, words or themes."""
    observation = _observation(observation_id)
    themes = list_themes(active_only=True)
    themes += [t for t in observation.themes if t not in themes]
    form = _observation_form(observation, themes, posted=_posted())
    return _correct(observation, form, lambda: debrief_service.update_observation(
        observation, current_user, prompt=form.prompt.data, kind=form.kind.data,
        text=form.text.data, themes=chosen(themes, form.themes.data, "themes", "the themes"),
        expected_version=expected(form)), "observation", place_error,
        url_for("exercises.debrief", debrief_id=observation.debrief_id),
        partial(_observation_page, observation))


@bp.post("/observations/<int:observation_id>/remove")
def remove_observation(observation_id):
    """Remove an observation recorded in error."""
    observation = _observation(observation_id)
    return _remove(observation, "observation", debrief_service.remove_observation, place_error,
                   lambda debrief: url_for("exercises.debrief", debrief_id=debrief.id),
                   lambda conflict, errors: _observation_page(observation, _unchanged(
                       _observation_form(observation, observation.themes, posted=False),
                       observation), conflict, errors))


def _correct(record, form, update, what, place, next_url, page_again):
    """Save a correction of a debrief or observation at the version its form carried and go
    back to the debrief; otherwise page_again(form, conflict, errors): the form, saying why."""
    stamp(form, record)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        saved, conflict, page_errors = save(form, update, record, place, entity=what,
                                            entity_id=record.id)
        if saved:
            flash(f"{what.capitalize()} saved.", "success")
            return redirect(next_url)
    return page_again(form, conflict, page_errors)


def _remove(record, what, service, place, next_url, page_again):
    """Remove a debrief or observation at the version its remove button carried; on a
    refusal or a conflict, page_again(conflict, errors): its correction page, saying why."""
    form = event_forms.RemoveForm()
    stamp(form, record)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        parent, conflict, page_errors = save(form, lambda: service(
            record, current_user, expected(form)), record, place, entity=what,
            entity_id=record.id)
        if parent:
            flash(f"{what.capitalize()} removed.", "success")
            return redirect(next_url(parent))
    reasons = [m for messages in form.errors.values() for m in messages]
    return page_again(conflict, page_errors or ({"page": " ".join(reasons)} if reasons else {}))


def _observation_form(observation, themes, posted: bool):
    """The correction form of an observation, offering these themes; filled from the
    observation unless it was posted."""
    form = event_forms.ObservationChangeForm(
        **({} if posted else {"obj": observation, "formdata": None}))
    form.themes.choices = options((t.id, t.name) for t in themes)
    if not posted:
        form.themes.data = [t.id for t in observation.themes]
    return form


def _debrief(debrief_id):
    permissions.require(current_user, "edit_exercises")
    return debrief_service.get_debrief(debrief_id)


def _observation(observation_id):
    permissions.require(current_user, "edit_exercises")
    return debrief_service.get_observation(observation_id)


def _debrief_page(debrief, form, conflict, page_errors):
    return page("exercises/debrief_form.html", form, conflict, page_errors,
                title=f"Correct the {debrief.kind} debrief of {debrief.held_on:%d/%m/%Y}"
                      f" – {debrief.event.name}", event=debrief.event, debrief=debrief,
                remove_form=_remove_form(debrief))


def _observation_page(observation, form, conflict, page_errors):
    debrief = observation.debrief
    return page("exercises/observation_form.html", form, conflict, page_errors,
                title=f"Correct an observation – {debrief.kind} debrief of"
                      f" {debrief.held_on:%d/%m/%Y} – {debrief.event.name}",
                event=debrief.event, observation=observation,
                remove_form=_remove_form(observation))


def _unchanged(form, record):
    """A correction form filled from the record as stored, stamped with its version: the
    page shown again after a refused remove."""
    form.version.data, form.opened_at.data = record.version, ""
    form.changes_existing = True
    return form


def _remove_form(record):
    form = event_forms.RemoveForm(formdata=None)
    form.version.data = record.version
    return form


def _posted() -> bool:
    return request.method == "POST"
