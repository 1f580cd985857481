"""Evidence packs: each pack's page for a period (?from=&to=, the audit pack also
?register=), and its PDF and workbook downloads, which are written to the log of
committee documents. Views parse, call services.evidence, and render."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from riskkit.errors import NotFound, ValidationError
from riskkit.services import document_log, evidence
from riskkit.services.query_args import date_arg
from riskkit.services.registers import get_register
from riskkit.web.documents import send_document
from riskkit.web.forms import page
from riskkit.web.params import refuse, today

bp = Blueprint("evidence", __name__)
PACK = "<any(eprr, iso22301, audit):name>"


@bp.get("/evidence")
def index():
    """The evidence packs, each with what it holds."""
    return render_template("evidence/index.html", title="Evidence packs", section="assurance",
                           titles=evidence.TITLES)


def _build(name: str):
    """The pack for the period in the address, or the errors naming the fields."""
    errors: dict[str, str] = {}
    day = today()
    end = date_arg(request.args, "to", day, errors)
    start = date_arg(request.args, "from", evidence.default_period(end)[0], errors)
    code = (request.args.get("register") or "").strip().upper() if name == "audit" else ""
    register = None
    if code:
        try:
            register = get_register(code)
        except NotFound as error:
            errors["register"] = str(error)
    built = None
    if not errors:
        try:
            built = evidence.build(name, start, end, day,
                                   target=current_app.config["ACTION_DELIVERY_TARGET"],
                                   assurance_months=current_app.config["ASSURANCE_MONTHS"],
                                   register=register, by=current_user._get_current_object())
        except ValidationError as error:
            errors[error.field or "to"] = str(error)
    return built, errors, start, end, code


@bp.get(f"/evidence/{PACK}")
def show(name):
    """One pack's sections as tables, for the period chosen, with its downloads."""
    built, errors, start, end, code = _build(name)
    return page("evidence/pack.html", None, None, errors, title=evidence.TITLES[name],
                section="assurance", name=name, pack=built, start=start, end=end, code=code,
                period={"from": start.isoformat(), "to": end.isoformat(),
                        **({"register": code} if code else {})})


@bp.get(f"/evidence/{PACK}.<any(pdf, xlsx):kind>")
def download(name, kind):
    """The pack as a PDF or an Excel workbook; the download is logged."""
    from riskkit.reports.evidence import evidence_pdf, evidence_workbook

    built, errors, start, end, code = _build(name)
    if errors:
        refuse(". ".join(errors.values()))
    data = evidence_pdf(built, current_app.config["ORGANISATION_NAME"], today()) \
        if kind == "pdf" else evidence_workbook(built)
    file_name = f"evidence-{name}{'-' + code if code else ''}-{start}-to-{end}"
    document_log.record(current_user._get_current_object(), "downloaded",
                        f"{built.title}, {built.period_words}", f"{file_name}.{kind}")
    return send_document(data, file_name, kind)
