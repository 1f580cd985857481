"""Downloads of the register as Excel, and each person's calendar feed of what falls due.

The feed is fetched by calendar programs, which cannot sign in: a secret token in its
address stands in for the sign-in, and is the one page outside the login wall.
"""

import io
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.reports.calendar import calendar_bytes
from riskkit.services import document_log
from riskkit.services.exports import (
    CalendarEntry,
    calendar_entries,
    calendar_owner,
    export_sheets,
    new_calendar_token,
)
from riskkit.services.register_query import read_query
from riskkit.web.params import as_of_arg, today

bp = Blueprint("exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/export.xlsx")
def workbook():
    """The workbook `riskkit export` writes, of the risks the register page lists with
    the same filters and order (?register=AH&rating=High&sort=reference), every page."""
    from riskkit.reports.workbook import workbook_bytes  # on first use: the CLI starts fast
    query = read_query(request.args, as_of_arg())
    if query.errors:
        raise ValidationError("Cannot export these risks: " + "; ".join(
            f"{name}: {message}" for name, message in query.errors.items()))
    register = query.filters.registers[0] if query.filters.registers else None
    title = f"Risk register {register.code}" if register else "Risk registers"
    data = workbook_bytes(export_sheets(query.filters, query.sort), title=title)
    name = f"riskkit-{register.code if register else 'all'}-{today()}.xlsx"
    document_log.record(current_user._get_current_object(), "exported", title, name)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/calendar")
def calendar():
    """The signed-in person's feed address, and the button that makes a new one."""
    token = current_user.calendar_token
    feed_url = url_for(".calendar_feed", token=token, _external=True) if token else None
    return render_template("exports/calendar.html", title="Calendar feed", feed_url=feed_url)


@bp.post("/calendar")
def new_calendar():
    replacing = current_user.calendar_token is not None
    new_calendar_token(current_user._get_current_object())
    db.session.commit()
    flash("Your new calendar address is below. The old one no longer works: subscribe again with this one."
          if replacing else "Your calendar address is below.", "success")
    return redirect(url_for(".calendar"))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token):
    """Public (see PUBLIC_ENDPOINTS): the token is the credential; an unknown one is a 404."""
    user, settings = calendar_owner(token), current_app.config["SETTINGS"]
    # UIDs and links from the settings, not from the address the feed was fetched at:
    # a calendar subscribed through another address would otherwise duplicate every event.
    data = calendar_bytes(
        calendar_entries(user), name=f"riskkit: {user.name}", stamp=datetime.now(UTC),
        domain=settings.domain, page_url=lambda entry: _page_url(settings.base_url, entry))
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="riskkit.ics"',
        # Only the owner's calendar program should keep a copy, not a shared proxy.
        "Cache-Control": "private, max-age=300",
    })


def _page_url(base_url: str, entry: CalendarEntry) -> str:
    """On RISKKIT_BASE_URL when it is set; else the address the feed was fetched at."""
    endpoint = {"risk": "risks.show", "issue": "issues.show"}[entry.record]
    if base_url:
        return base_url + url_for(endpoint, reference=entry.reference)
    return url_for(endpoint, reference=entry.reference, _external=True)
