"""One set of error handlers: every HTTP error, a riskkit error a view did not catch, the
database out of reach and any other exception are rendered in the site layout; and one
log line per request."""

import logging
import secrets
import time
from contextlib import suppress

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc, inspect
from werkzeug.exceptions import HTTPException

from riskkit.api import problems
from riskkit.errors import Conflict, NotFound, PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.web.auth import login_manager

log = logging.getLogger("riskkit")
request_log = logging.getLogger("riskkit.request")

#: The page title and plain-English message per status. A description given in the code
#: (abort(400, description=...)) or a riskkit error's own message replaces the message.
PAGES = {
    400: ("There is a problem with this request",
          "Something in the web address or the form could not be used. Go back and try again"),
    403: ("You do not have permission to do that",
          "Your role does not allow this. Ask an administrator if you need it"),
    404: ("Page not found",
          "If you typed the web address, check it is correct. If you pasted it, check you copied"
          " the whole address"),
    405: ("This page cannot be used that way",
          "This address does not take that kind of request. Go back and use the page's own links"
          " and buttons"),
    409: ("Someone else changed this at the same time",
          "Nothing of yours was saved. Reload the page to see their change, then make yours again"),
    413: ("What you sent is too large",
          "The form or file you sent is larger than riskkit accepts. Send less, or a smaller file"),
    429: ("Too many requests",
          "You have made too many requests in a short time. Wait a few minutes and try again"),
    500: ("Sorry, there is a problem with riskkit",
          "Try again later. If it keeps happening, tell your riskkit administrator"),
    503: ("Sorry, riskkit is unavailable",
          "riskkit cannot reach its database just now. Try again in a few minutes; if you were"
          " saving something, check whether it was saved before you save it again"),
}
#: User errors that reach the handlers because a view let them through.
CODES = {ValidationError: 400, PermissionDenied: 403, NotFound: 404, Conflict: 409}
#: The database refused or dropped the connection, or none was free in time.
UNREACHABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
#: The largest request body riskkit reads: far above any form (a risk's texts at their
#: longest are a few hundred kB), so a larger one is refused with a 413 before it is read.
#: The import upload allows more, on its own page (web.imports).
MAX_BODY_BYTES = 1024 * 1024
CSRF_MESSAGE = ("This form had expired or did not come from riskkit. Go back, reload the page and"
                " try again")


def init_app(app: Flask) -> None:
    """Register before any other request hook, so that the timer starts first and the
    request line is written last, with the final status."""
    if app.config["MAX_CONTENT_LENGTH"] is None:  # Flask's default: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request(_start)
    app.after_request(_log_request)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_refused)
    for kind, code in CODES.items():
        app.register_error_handler(kind, lambda error, code=code: _refused(error, code))
    for kind in UNREACHABLE:
        app.register_error_handler(kind, _database_unreachable)
    app.register_error_handler(Exception, _unexpected)


def reference() -> str:
    """This request's short reference: in its log lines and on a 5xx page, so that what a
    user quotes can be found in the log."""
    return g.setdefault("request_reference", secrets.token_hex(4))


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_reference = secrets.token_hex(4)


def _log_request(response):
    """Time, reference, user id, method, the route's rule (not the path, which may name
    someone), status and duration: nothing else about the person."""
    elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
    request_log.info("%s user=%s %s %s %s %dms", reference(), _user_id(), request.method, _rule(),
                     response.status_code, round(elapsed * 1000))
    return response


def _rule() -> str:
    return request.url_rule.rule if request.url_rule is not None else "-"


def _user_id() -> str:
    """The signed-in user's id, only if this request has loaded them already: logging must
    not query the database (which may be the thing that failed)."""
    if "request_user_id" in g:
        return g.request_user_id
    state = inspect(g.get("_login_user"), raiseerr=False)
    return str(state.identity[0]) if state is not None and state.identity else "-"


def _page(code: int, message: str | None = None, headers=(), error: Exception | None = None):
    if problems.wanted():
        if code >= 500:
            message = f"{PAGES[code][1]} (reference {reference()})"
        return problems.from_error(code, error, message, headers)
    title, default = PAGES.get(code, ("Sorry, something went wrong", "Go back and try again"))
    return render_template("errors/error.html", title=title, message=message or default,
                           reference=reference() if code >= 500 else None), code, list(headers)


def _http_error(error: HTTPException):
    # Werkzeug's own descriptions are written for developers; one given in the code is ours.
    message = error.description if error.description != type(error).description else None
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if error.code == 500:
        _rollback()
        log.error("Error 500, reference %s", reference(),
                  exc_info=getattr(error, "original_exception", None))
    return _page(error.code or 500, message, headers, error)


def _refused(error, code: int):
    _rollback()  # nothing half-made is left for a later flush
    return _page(code, str(error), error=error)


def _csrf_refused(error):
    # The API's routes are exempt; under its prefix only an address or method that
    # matches none of them gets here, and that is what to say.
    if problems.wanted() and request.routing_exception is not None:
        return _http_error(request.routing_exception)
    return _page(400, CSRF_MESSAGE)


def _database_unreachable(error):
    _rollback()
    # The layout asks who is signed in, and a user read earlier would be re-read after the
    # rollback: show the rest of this request as signed out. The log keeps who it was.
    g.request_user_id = _user_id()
    g._login_user = login_manager.anonymous_user()
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    log.error("Database unreachable, reference %s: %s", reference(), reason)
    return _page(503)


def _unexpected(error: Exception):
    _rollback()
    log.error("Unhandled error, reference %s, %s %s", reference(), request.method, _rule(),
              exc_info=error)
    return _page(500)


def _rollback() -> None:
    # A failed flush leaves the session unusable until rolled back, and the page needs it.
    with suppress(exc.SQLAlchemyError):
        db.session.rollback()
