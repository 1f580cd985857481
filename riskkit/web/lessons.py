"""Lessons: the list, a lesson's page, and the forms that move one on: make it from an
observation, edit it, move its status (validated needs its actions done and a later
event as evidence), raise an action on a risk or link an existing one. Views parse the
form, call a service, commit and redirect; the rules live in the services."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from riskkit import permissions, vocab
from riskkit.models import Action, Event
from riskkit.services import debriefs as debrief_service
from riskkit.services import history, history_words
from riskkit.services import lessons as lesson_service
from riskkit.services.paging import paginate
from riskkit.services.query_args import owner_arg
from riskkit.web import choices, event_forms
from riskkit.web.event_forms import place_error
from riskkit.web.forms import expected, options, page, save, stamp
from riskkit.web.params import int_arg, today

bp = Blueprint("lessons", __name__)
PER_PAGE = 50


@bp.get("/lessons")
def index():
    """Lessons, filtered by status, owner and whether still open; an owner's own first."""
    args, errors = request.args, {}
    status = args.get("status") or None
    if status and status not in vocab.values(vocab.LESSON_STATUSES):
        errors["status"], status = f"{status!r} is not a status: choose one from the list", None
    owner = owner_arg(args, errors)
    open_only = args.get("open") == "yes"
    show_mine = permissions.acts_as_owner(current_user)
    mine = lesson_service.lessons_owned_or_on_risks_of(current_user) if show_mine else []
    listing = paginate(lesson_service.lessons_statement(status, owner, open_only),
                       int_arg(args, "page"), PER_PAGE)
    return page("lessons/index.html", None, None, errors, title="Lessons",
                lessons=listing.items, listing=listing, mine=mine, show_mine=show_mine,
                page_url=lambda n: url_for("lessons.index", **{**args.to_dict(), "page": n}),
                status=status, owner=owner, open_only=open_only, as_of=today())


@bp.get("/lessons/<int:lesson_id>")
def show(lesson_id):
    """A lesson: what it says, where it came from, its actions, status and history."""
    return _show(lesson_service.get_lesson(lesson_id))


def _show(lesson, move_form=None, link_form=None, failed=None, conflict=None, page_errors=None):
    if move_form is None:
        move_form = event_forms.MoveForm(formdata=None)
        move_form.version.data = lesson.version
    _move_choices(move_form, lesson)
    link_form = link_form or event_forms.LinkActionForm(formdata=None)
    linkable = _link_choices(link_form, lesson)
    changes = history_words.describe(
        history.entries(entity="lesson", entity_id=lesson.id, limit=None), own_entity="lesson")
    return page("lessons/show.html", failed, conflict, page_errors,
                title=f"Lesson {lesson.reference} from {lesson.event.name}", lesson=lesson,
                move_form=move_form, link_form=link_form, linkable=linkable, changes=changes,
                as_of=today())


def _move_choices(form, lesson) -> list[Event]:
    form.status.choices = options((s, vocab.label(vocab.LESSON_STATUSES, s))
                                  for s in lesson_service.allowed_moves(lesson))
    candidates = lesson_service.evidence_candidates(lesson)
    form.evidence_event.choices = options(
        [("", "Choose an exercise or incident")]
        + [(e.id, f"{e.name} ({e.start_date:%d/%m/%Y})") for e in candidates])
    return candidates


def _link_choices(form, lesson) -> list[Action]:
    """Actions on the lesson's risks that do not answer it yet."""
    linkable = [a for risk in lesson.risks for a in risk.actions if a not in lesson.actions]
    form.action.choices = options(
        [("", "Choose an action")]
        + [(a.id, f"{a.risk.reference}: {choices.short(a.description, 90)}") for a in linkable])
    return linkable


@bp.post("/lessons/<int:lesson_id>/status")
def move(lesson_id):
    """Move a lesson on (or back); validated needs its evidence."""
    lesson = lesson_service.get_lesson(lesson_id)
    permissions.require(current_user, "progress_lesson", lesson)
    form = event_forms.MoveForm()
    candidates = _move_choices(form, lesson)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        def change():
            evidence = None
            if form.status.data == "validated" and form.evidence_event.data is not None:
                evidence, = choices.chosen(candidates, [form.evidence_event.data],
                                           "evidence_event", "the evidence")
            return lesson_service.move_lesson(
                lesson, current_user, form.status.data, evidence_event=evidence,
                evidence_note=form.evidence_note.data or "", expected_version=expected(form))

        moved, conflict, page_errors = save(form, change, lesson, place_error, entity="lesson",
                                            entity_id=lesson.id)
        if moved:
            flash(f"{lesson.reference} is now"
                  f" {vocab.label(vocab.LESSON_STATUSES, lesson.status).lower()}.", "success")
            return redirect(url_for("lessons.show", lesson_id=lesson.id))
    return _show(lesson, move_form=form, failed=form, conflict=conflict, page_errors=page_errors)


@bp.route("/lessons/<int:lesson_id>/actions/new", methods=["GET", "POST"])
def raise_action(lesson_id):
    """Raise a mitigating action on a risk, answering this lesson."""
    permissions.require(current_user, "edit_exercises")
    lesson = lesson_service.get_lesson(lesson_id)
    form = event_forms.RaiseActionForm()
    risks = choices.risk_choices(form.risk, keep=lesson.risks, blank="Choose a risk")
    choices.owner_choices(form.owner)
    if not form.is_submitted():
        form.description.data = lesson.recommendation or lesson.statement
        form.owner.data = lesson.owner_id
        form.target_date.data = lesson.due_date
        form.risk.data = lesson.risks[0].id if len(lesson.risks) == 1 else None
    page_errors = {}
    if form.validate_on_submit():
        action, _, page_errors = save(form, lambda: lesson_service.raise_action(
            lesson, current_user, risk=choices.chosen(risks, [form.risk.data], "risk", "the risk")[0],
            description=form.description.data, owner=choices.person(form.owner.data, "owner"),
            target_date=form.target_date.data), place=place_error)
        if action:
            flash(f"Action raised on {action.risk.reference}, answering {lesson.reference}.", "success")
            return redirect(url_for("lessons.show", lesson_id=lesson.id))
    return page("lessons/raise_action.html", form, None, page_errors,
                title=f"Raise an action for {lesson.reference}", lesson=lesson)


@bp.post("/lessons/<int:lesson_id>/actions/link")
def link_action(lesson_id):
    """Record that an existing action on one of the lesson's risks also answers it."""
    permissions.require(current_user, "edit_exercises")
    lesson = lesson_service.get_lesson(lesson_id)
    form = event_forms.LinkActionForm()
    linkable = _link_choices(form, lesson)
    page_errors = {}
    if form.validate_on_submit():
        def change():
            action = choices.chosen(linkable, [form.action.data], "action", "an action")[0]
            lesson_service.link_action(lesson, current_user, action)
            return action

        action, _, page_errors = save(form, change, place=place_error)
        if action:
            flash(f"{lesson.reference} is now answered by the action on"
                  f" {action.risk.reference} too.", "success")
            return redirect(url_for("lessons.show", lesson_id=lesson.id))
    return _show(lesson, link_form=form, failed=form, page_errors=page_errors)


@bp.route("/observations/<int:observation_id>/lesson", methods=["GET", "POST"])
def new(observation_id):
    """Turn an observation into a lesson with a recommendation, owner and due date."""
    permissions.require(current_user, "edit_exercises")
    observation = debrief_service.get_observation(observation_id)
    return _lesson_form(None, observation)


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
def edit(lesson_id):
    """Change a lesson's words, owner, due date, priority, risks and controls."""
    permissions.require(current_user, "edit_exercises")
    return _lesson_form(lesson_service.get_lesson(lesson_id), None)


def _lesson_form(lesson, observation):
    event = lesson.event if lesson else observation.debrief.event
    form = event_forms.LessonForm()
    if not event.partner_led:
        del form.for_partner
    choices.owner_choices(form.owner)
    risks = choices.risk_choices(form.risks, keep=lesson.risks if lesson else event.risks)
    stamp(form, lesson)
    if not form.is_submitted():
        if lesson is not None:
            for name, value in form.record_values(lesson).items():
                form[name].data = value
        else:
            form.statement.data = observation.text
            form.owner.data = event.lead_id
            form.risks.data = [r.id for r in event.risks]
    controls = choices.control_choices(form, risks)
    conflict, page_errors = None, {}
    if form.is_submitted() and not form.refresh.data and form.validate():
        saved, conflict, page_errors = save(form, lambda: lesson_service.save_lesson(
            current_user, lesson, event=event,
            observation=lesson.observation if lesson else observation,
            statement=form.statement.data, recommendation=form.recommendation.data or "",
            owner=choices.person(form.owner.data, "owner"), due_date=form.due_date.data,
            priority=form.priority.data, risks=choices.chosen(risks, form.risks.data, "risks", "the risks"),
            controls=choices.chosen_controls(controls, form.controls.data),
            for_partner="for_partner" in form and form.for_partner.data,
            expected_version=expected(form)), lesson, place_error, entity="lesson",
            entity_id=lesson.id if lesson else None)
        if saved:
            flash(f"{saved.reference} saved.", "success")
            return redirect(url_for("lessons.show", lesson_id=saved.id))
    title = f"Edit {lesson.reference}" if lesson else "Turn an observation into a lesson"
    return page("lessons/form.html", form, conflict, page_errors, title=title, lesson=lesson,
                observation=observation or (lesson.observation if lesson else None), event=event)
