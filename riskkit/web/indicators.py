"""Indicator pages: the list with each indicator's level by area, defining an indicator
and its bands (managers), an indicator's page with its quick reading form, changing a
reading, a team's daily grid and a CSV upload. Views parse, call a service, commit and
redirect; the rules are in services.indicators and services.readings."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from riskkit import permissions
from riskkit.errors import Conflict, ValidationError
from riskkit.extensions import db
from riskkit.models import Area, Reading, User
from riskkit.services import history_words, levels, readings
from riskkit.services import indicators as service
from riskkit.services.names import as_number
from riskkit.services.plans import list_plans
from riskkit.services.risks import commit
from riskkit.services.teams import list_teams
from riskkit.web import choices
from riskkit.web.event_forms import place_error
from riskkit.web.forms import expected, options, page, put_error, save, stamp
from riskkit.web.indicator_forms import (
    ArchiveForm,
    AreaForm,
    IndicatorForm,
    ReadingEditForm,
    ReadingForm,
    UploadForm,
)
from riskkit.web.params import int_arg, refuse, today

bp = Blueprint("indicators", __name__, url_prefix="/indicators")


@bp.get("")
def index():
    """Every indicator in each of its areas: latest reading, level, trend, staleness."""
    return page("indicators/index.html", title="Indicators", section="indicators",
                statuses=levels.statuses(today()), teams=_recording_teams(),
                archived=service.list_indicators(archived=True),
                areas=service.list_areas(), area_form=AreaForm(formdata=None))


def _recording_teams() -> list[User]:
    """The teams some indicator is recorded by, for the daily grid's links."""
    ids = {indicator.team_id for indicator in service.list_indicators()}
    return [team for team in list_teams() if team.id in ids]


@bp.route("/new", methods=["GET", "POST"], defaults={"indicator_id": None})
@bp.route("/<int:indicator_id>/edit", methods=["GET", "POST"])
def edit(indicator_id):
    """Add an indicator, or change it and its trigger bands."""
    permissions.require(current_user, "define_indicators")
    indicator = service.get_indicator(indicator_id) if indicator_id else None
    scheme = indicator.scheme if indicator else levels.get_scheme()
    form = IndicatorForm(obj=indicator if request.method == "GET" else None)
    stamp(form, indicator)
    offered = _fill_choices(form, indicator, scheme)
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        def change():
            return service.save_indicator(
                current_user, indicator, expected(form), name=form.name.data,
                owner=choices.person(form.owner.data, "owner", what="an owner"),
                scheme=scheme, direction=form.direction.data, unit=form.unit.data,
                description=form.description.data,
                team=choices.record(User, form.team.data, "team", "a team"),
                frequency_days=form.frequency_days.data,
                triggers_state=form.triggers_state.data, min_value=form.min_value.data,
                max_value=form.max_value.data, triggers=_posted_bands(form, scheme),
                areas=choices.chosen(offered["areas"], form.areas.data, "areas", "areas"),
                risks=choices.chosen(offered["risks"], form.risks.data, "risks", "risks"),
                plans=choices.chosen(offered["plans"], form.plans.data, "plans", "plans"))

        history_of = {"entity": "indicator", "entity_id": indicator.id} if indicator else {}
        saved, conflict, page_errors = save(form, change, indicator, place=_place_band_error,
                                  **history_of)
        if saved:
            flash(f"Saved indicator {saved.name}.", "success")
            return redirect(url_for("indicators.show", indicator_id=saved.id))
    return page("indicators/form.html", form, conflict, page_errors, section="indicators",
                title=f"Change {indicator.name}" if indicator else "Add an indicator",
                indicator=indicator, levels=list(scheme.levels),
                back=url_for("indicators.show", indicator_id=indicator.id) if indicator
                else url_for("indicators.index"))


@bp.route("/<int:indicator_id>/archive", methods=["GET", "POST"])
def archive(indicator_id):
    """Archive an indicator no longer measured, or restore an archived one (managers)."""
    permissions.require(current_user, "define_indicators")
    indicator = service.get_indicator(indicator_id)
    form = ArchiveForm()
    stamp(form, indicator)
    restoring = indicator.archived
    form.submit.label.text = "Restore indicator" if restoring else "Archive indicator"
    conflict, page_errors = None, {}
    if form.validate_on_submit():
        saved, conflict, page_errors = save(
            form, lambda: service.set_archived(current_user, indicator, not restoring,
                                               expected(form)),
            indicator, entity="indicator", entity_id=indicator.id)
        if saved:
            flash(f"{'Restored' if restoring else 'Archived'} {indicator.name}.", "success")
            return redirect(url_for("indicators.show", indicator_id=indicator.id))
    if form.errors:  # a post without the version read
        page_errors = {name: messages[0] for name, messages in form.errors.items()}
    return page("indicators/archive.html", form, conflict, page_errors, section="indicators",
                title=f"{'Restore' if restoring else 'Archive'} {indicator.name}",
                indicator=indicator, restoring=restoring,
                back=url_for("indicators.edit", indicator_id=indicator.id))


def _fill_choices(form, indicator, scheme) -> dict[str, list]:
    """Fill the selects and checkboxes; on first display, one band row per level with the
    indicator's bounds. Returns what each checkbox list offered."""
    choices.owner_choices(form.owner)
    form.team.choices = options([("", "No team")] + [(t.id, t.name) for t in list_teams()])
    offered = {
        "areas": service.list_areas(),
        "risks": choices.risk_choices(form.risks, keep=indicator.risks if indicator else ()),
        "plans": list_plans(),
    }
    form.areas.choices = options((a.id, a.name) for a in offered["areas"])
    form.plans.choices = options((p.id, p.service) for p in offered["plans"])
    if not form.is_submitted():
        if indicator is not None:
            form.owner.data, form.team.data = indicator.owner_id, indicator.team_id
            form.areas.data = [a.id for a in indicator.areas]
            form.risks.data = [r.id for r in indicator.risks]
            form.plans.data = [p.id for p in indicator.plans]
            form.min_value.data = service.number(indicator.min_value)
            form.max_value.data = service.number(indicator.max_value)
        bounds = {t.level_id: t for t in indicator.triggers} if indicator else {}
        while len(form.bands):
            form.bands.pop_entry()
        for level in scheme.levels:
            row = bounds.get(level.id)
            form.bands.append_entry({
                "level_id": level.id, "lower": service.number(row.lower) if row else "",
                "upper": service.number(row.upper) if row else ""})
    return offered


def _posted_bands(form, scheme) -> dict[int, tuple]:
    """{level id: (lower, upper)} from the band rows, each row's level one of the scheme's."""
    ids = {level.id for level in scheme.levels}
    bands = {}
    for entry in form.bands:
        level_id = as_number(entry.form.level_id.data)
        if level_id not in ids:
            raise ValidationError("The bands do not match the levels: reload the page",
                                  "triggers")
        bands[level_id] = (entry.form.lower.data, entry.form.upper.data)
    return bands


def _place_band_error(form, error: ValidationError):
    """A refused band is shown above the bands (the fieldset's error); others on their field."""
    if error.field in ("triggers", "lower", "upper"):
        return {"bands": str(error)}
    put_error(form, error)
    return None


@bp.route("/<int:indicator_id>", methods=["GET", "POST"])
def show(indicator_id):
    """An indicator: its bands in words, its readings and history, and the quick form to
    record a reading (for those who may)."""
    indicator = service.get_indicator(indicator_id)
    form = ReadingForm()
    form.area.choices = options([("", "Choose an area")] + [(a.id, a.name)
                                                           for a in indicator.areas])
    if not form.is_submitted():
        form.reading_date.data = today()
    page_errors, status = {}, None
    if request.method == "POST":
        permissions.require(current_user, "record_readings", indicator)
        if form.validate():
            try:
                commit(lambda: readings.record_reading(
                    current_user, indicator,
                    choices.record(Area, form.area.data, "area", "an area"),
                    form.reading_date.data, form.value.data, today(), note=form.note.data))
            except ValidationError as error:
                page_errors = place_error(form, error, "value")
            except Conflict as error:
                page_errors, status = {"value": str(error)}, 409
            else:
                flash(f"Recorded the reading of {indicator.name}.", "success")
                return redirect(url_for("indicators.show", indicator_id=indicator.id))
    body, code = _show_page(indicator, form, page_errors)
    return body, status or code


def _show_page(indicator, form, page_errors):
    recent = list(db.session.scalars(select(Reading).where(Reading.indicator_id == indicator.id)
                                     .order_by(Reading.reading_date.desc(), Reading.id)
                                     .limit(30)))
    entries = service.indicator_history(indicator)
    changes = history_words.describe(entries, own_entity="indicator",
                                     names=service.trigger_names(entries))
    return page("indicators/show.html", form, None, page_errors, section="indicators",
                title=indicator.name, indicator=indicator, bands=service.bands(indicator),
                statuses=levels.statuses(today(), indicators_=[indicator]), recent=recent,
                changes=changes, may_record=permissions.can(current_user, "record_readings",
                                                            indicator),
                level_of=service.level_of, number=service.number)


@bp.route("/readings/<int:reading_id>", methods=["GET", "POST"])
def reading(reading_id):
    """Change a reading: only from the version read (a stale save is a 409 showing both)."""
    found = db.session.get(Reading, reading_id) or abort(404)
    permissions.require(current_user, "record_readings", found.indicator)
    form = ReadingEditForm(obj=found if request.method == "GET" else None)
    stamp(form, found)
    if not form.is_submitted():
        form.value.data = service.number(found.value)
    conflict = None
    if form.validate_on_submit():
        saved, conflict, _ = save(form, lambda: readings.record_reading(
            current_user, found.indicator, found.area, found.reading_date, form.value.data,
            today(), note=form.note.data, expected_version=expected(form)), found,
            entity="reading", entity_id=found.id)
        if saved:
            flash("Saved the reading.", "success")
            return redirect(url_for("indicators.show", indicator_id=found.indicator_id))
    where = f" in {found.area.name}" if found.area else ""
    return page("indicators/reading.html", form, conflict, None, section="indicators",
                title=f"Change the reading of {found.indicator.name}{where} on"
                      f" {found.reading_date:%-d %B %Y}",
                back=url_for("indicators.show", indicator_id=found.indicator_id))


@bp.route("/grid", methods=["GET", "POST"])
def grid():
    """A day's readings for all of a team's indicators (or all indicators) in one form,
    saved all or nothing."""
    team_id = int_arg(request.args, "team")
    team = db.session.get(User, team_id) if team_id is not None else None
    if team_id is not None and (team is None or not team.is_team):
        refuse("There is no such team: choose one from the indicators page")
    on = _day(request.values.get("date"))
    chosen = [i for i in service.list_indicators(team) if permissions.can(current_user, "record_readings", i)]
    cells = readings.grid(chosen, on)
    errors, posted, conflict = {}, {}, False
    if request.method == "POST":
        if not chosen:
            permissions.require(current_user, "record_readings")
        posted = {cell.key: (request.form.get(cell.key, ""),
                             request.form.get(f"{cell.key}-version", ""))
                  for cell in cells}
        try:
            result = readings.record_grid(current_user, cells, on, posted, today())
            if not result.errors:
                db.session.commit()
                flash(f"Recorded {result.saved} reading{'s' if result.saved != 1 else ''} for"
                      f" {on:%-d %B %Y}.", "success")
                return redirect(url_for("levels.index"))
            errors, conflict = result.errors, result.conflict
        except ValidationError as error:
            errors = {"date": str(error)}
    body, _ = page("indicators/grid.html", None, None, errors, section="indicators",
                title=f"Readings for {on:%-d %B %Y}" + (f": {team.name}" if team else ""),
                team=team, on=on, cells=cells, posted=posted, number=service.number,
                level_of=service.level_of)
    return body, 409 if conflict else 400 if errors else 200


def _day(text) -> date:
    """The grid's day: ?date=YYYY-MM-DD, today if none; a future or unreadable day is a 400."""
    if not text:
        return today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        refuse(f"{text[:20]!r} is not a date in the form YYYY-MM-DD")
    if day > today():
        refuse("Readings are of days that have happened: choose today or an earlier day")
    return day


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """Record the readings in a CSV file, all or nothing."""
    permissions.require(current_user, "record_readings")
    form = UploadForm()
    page_errors = {}
    if form.validate_on_submit():
        content = form.file.data.read() if form.file.data else b""
        try:
            count = commit(lambda: readings.record_csv(current_user, content, today()))
        except (ValidationError, Conflict) as error:
            page_errors = {"file": str(error)}
        else:
            flash(f"Recorded {count} reading{'s' if count != 1 else ''}.", "success")
            return redirect(url_for("indicators.index"))
    return page("indicators/upload.html", form, None, page_errors, section="indicators",
                title="Upload readings", back=url_for("indicators.index"))


@bp.post("/areas")
def add_area():
    """Add an area indicators can be measured for."""
    permissions.require(current_user, "define_indicators")
    form = AreaForm()
    if form.validate_on_submit():
        try:
            area = commit(lambda: service.add_area(current_user, form.name.data))
        except ValidationError as error:
            put_error(form, error)
        else:
            flash(f"Added the area {area.name}.", "success")
            return redirect(url_for("indicators.index"))
    return page("indicators/index.html", None, None, {"name": form.name.errors[0]}
                if form.name.errors else {}, title="Indicators", section="indicators",
                statuses=levels.statuses(today()), teams=_recording_teams(),
                areas=service.list_areas(), area_form=form)
