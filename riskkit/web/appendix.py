"""The committee register appendix as a PDF download, and its accessible HTML version."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from riskkit import permissions
from riskkit.errors import ValidationError
from riskkit.services.appendix import build_appendix, default_since
from riskkit.services.query_args import date_arg
from riskkit.web.documents import send_logged
from riskkit.web.params import as_of_arg, today

bp = Blueprint("appendix", __name__)


@bp.get("/appendix.pdf")
def download():
    """The appendix for ?register=CODE (repeatable; all when absent), since, as_of, public=1."""
    from riskkit.reports.appendix import render_appendix  # on first use: the CLI starts fast
    return _send(render_appendix, "pdf")


@bp.get("/appendix.html")
def accessible():
    """The accessible HTML version of the same appendix, from the same parameters."""
    from riskkit.reports.html import appendix_html  # on first use: the CLI starts fast
    return _send(appendix_html, "html")


def _send(render, kind: str):
    permissions.require(current_user, "view")
    as_of = as_of_arg()
    errors: dict[str, str] = {}
    since = date_arg(request.args, "since", default_since(as_of), errors)
    if errors:
        return render_template("errors/400.html", message=". ".join(errors.values())), 400
    codes = [code for code in request.args.getlist("register") if code.strip()]
    public = request.args.get("public") == "1"
    try:
        # An unknown register is NotFound, answered by the 404 page listing the known ones.
        appendix = build_appendix(codes, as_of, since, current_app.config["ORGANISATION_NAME"],
                                  public=public)
    except ValidationError as error:
        return render_template("errors/400.html", message=str(error)), 400
    which = "-".join(s.code for s in appendix.sections) if codes else "all"
    name = f"register-appendix-{which}-{as_of.isoformat()}{'-public' if public else ''}"
    return send_logged(render(appendix, generated_on=today()),
                       "Register appendix" + (", public version" if public else ""), name, kind)
