"""Delivery of actions against their target dates, per register and per owner, and the
log of who published, exported or downloaded committee documents."""

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user

from riskkit.errors import ValidationError
from riskkit.services import delivery as delivery_service
from riskkit.services import document_log
from riskkit.services.paging import paginate
from riskkit.services.query_args import date_arg
from riskkit.web.forms import page
from riskkit.web.params import int_arg, today

bp = Blueprint("delivery", __name__)
PER_PAGE = 50


@bp.get("/actions/delivery")
def index():
    """The share of actions completed by their target date over a period (?from=&to=)."""
    args, errors = request.args, {}
    as_of = today()
    end = date_arg(args, "to", as_of, errors)
    start = date_arg(args, "from", delivery_service.last_year(end), errors)
    report = None
    if not errors:
        try:
            report = delivery_service.delivery(start, end, as_of,
                                               current_app.config["ACTION_DELIVERY_TARGET"])
        except ValidationError as error:
            errors[error.field or "to"] = str(error)
    return page("delivery/index.html", None, None, errors, title="Delivery of actions",
                section="register", report=report, start=start, end=end)


@bp.get("/published/log")
def log():
    """Who published, exported or downloaded each committee document, and when."""
    listing = paginate(document_log.log_statement(current_user._get_current_object()),
                       int_arg(request.args, "page"), PER_PAGE)
    return page("delivery/log.html", None, None, None, title="Committee documents log",
                section="published", listing=listing,
                page_url=lambda n: url_for("delivery.log", page=n))
