"""The levels page: the declared and proposed level of the organisation and of each
area, with the rule and the reason, and the form a manager declares a level with."""

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.errors import Conflict, ValidationError
from riskkit.extensions import db
from riskkit.models import Area
from riskkit.reports.card_mail import email_cards
from riskkit.services import indicators as indicator_service
from riskkit.services import levels
from riskkit.services.names import as_number
from riskkit.services.risks import commit
from riskkit.web.event_forms import place_error
from riskkit.web.forms import options, page
from riskkit.web.indicator_forms import DeclareForm
from riskkit.web.params import int_arg, refuse, today

bp = Blueprint("levels", __name__, url_prefix="/levels")


@bp.get("")
def index():
    """The organisation's level and each area's: declared, proposed, and why."""
    as_of = today()
    scheme = levels.get_scheme()
    places = [None] + indicator_service.list_areas()
    proposals = [levels.propose(as_of, scheme, area) for area in places]
    return page("levels/index.html", title="Pressure levels", section="levels",
                scheme=scheme, proposals=proposals, as_of=as_of,
                history=levels.declarations(limit=10))


@bp.route("/declare", methods=["GET", "POST"])
def declare():
    """Declare the level for the organisation (or ?area=ID), with a reason."""
    permissions.require(current_user, "declare_level")
    area_id = int_arg(request.args, "area")
    area = db.session.get(Area, area_id) if area_id is not None else None
    if area_id is not None and area is None:
        refuse("There is no such area: choose one from the levels page")
    place = area.name if area else "the organisation"
    scheme = levels.get_scheme()
    proposal = levels.propose(today(), scheme, area)
    form = DeclareForm()
    form.level.choices = options((level.id, level.label) for level in scheme.levels)
    if not form.is_submitted():
        form.level.data = proposal.level.id
        form.seen.data = proposal.current.id if proposal.current else 0
    page_errors, status = {}, None
    if form.validate_on_submit():
        chosen = next((lv for lv in scheme.levels if lv.id == form.level.data), None)
        try:
            if chosen is None:
                raise ValidationError("Choose the level to declare from the list", "level")
            seen = as_number(form.seen.data)
            declaration = commit(lambda: levels.declare(current_user, area, chosen,
                                                        form.reason.data, today(), proposal,
                                                        seen))
        except ValidationError as error:
            page_errors = place_error(form, error, "reason")
        except Conflict as error:
            page_errors, status = {"level": str(error)}, 409
            form.seen.data = proposal.current.id if proposal.current else 0
        else:
            flash(f"Declared {declaration.level.label} for {place}.{_cards_sent(declaration)}", "success")
            return redirect(url_for("levels.index"))
    body, code = page("levels/declare.html", form, None, page_errors, section="levels",
                      title=f"Declare the level for {place}",
                      proposal=proposal, back=url_for("levels.index"))
    return body, status or code


def _cards_sent(declaration) -> str:
    """Email the holders their cards at the organisation's new level; what to add to the
    confirmation (services.action_cards.CardMail.words)."""
    words = email_cards(declaration, current_app.config, datetime.now().astimezone()).words()
    return f" {words}" if words else ""
