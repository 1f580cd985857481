"""Heat map downloads: the same PDF (and accessible HTML) as `riskkit heatmap`, for the
dashboard's register cards."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from riskkit import permissions
from riskkit.errors import ValidationError
from riskkit.services.heatmaps import SCORES, build_report
from riskkit.services.registers import default_register, get_register
from riskkit.web.documents import send_logged
from riskkit.web.params import as_of_arg, today

bp = Blueprint("heatmaps", __name__)


@bp.get("/heatmap.pdf")
def download():
    """?register=AH&scores=current|target|both&as_of=YYYY-MM-DD; without a register, the
    corporate roll-up."""
    from riskkit.reports.heatmap import to_pdf  # on first use: the CLI starts fast
    return _send(to_pdf, "pdf")


@bp.get("/heatmap.html")
def accessible():
    """The accessible HTML version of the same heat map: a table, each cell in words."""
    from riskkit.reports.html import heat_map_html  # on first use: the CLI starts fast
    return _send(heat_map_html, "html")


def _send(render, kind: str):
    permissions.require(current_user, "view")
    scores = request.args.get("scores") or "current"
    if scores not in SCORES:
        return render_template("errors/400.html", message=(
            f"Scores must be one of {', '.join(SCORES)}, not {scores!r}.")), 400
    code = request.args.get("register")
    try:
        # An unknown code is NotFound: the 404 page names the known registers.
        register = get_register(code) if code else default_register()
    except ValidationError as error:
        return render_template("errors/400.html", message=str(error)), 400
    as_of = as_of_arg()
    report = build_report(register, scores, None, as_of, today(),
                          current_app.config["ORGANISATION_NAME"])
    which = "" if scores == "current" else f"-{scores}"
    name = f"heatmap-{register.code}{which}-{as_of.isoformat()}"
    return send_logged(render(report), f"Heat map {register.code}", name, kind)
