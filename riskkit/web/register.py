"""The register: every risk, filtered and sorted by what is in the URL."""

from math import ceil

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import select

from riskkit import scoring, vocab
from riskkit.errors import RiskkitError
from riskkit.extensions import db
from riskkit.models import Risk
from riskkit.services.appetite import appetites
from riskkit.services.registers import all_registers
from riskkit.services.risks import SORTS, RiskFilter, count_risks, list_risks, summarise
from riskkit.web.params import date_arg, int_arg, owner_arg, today

bp = Blueprint("register", __name__)
PER_PAGE = 25
STATUS_CHOICES = (("live", "Open and escalated"),) + vocab.RISK_STATUSES + (("all", "All"),)


@bp.get("/risks")
def index():
    """The register list: filter by register, owner, rating, category, status, overdue."""
    args = request.args
    errors: dict[str, str] = {}
    registers = all_registers()
    by_code = {r.code: r for r in registers}
    filters = RiskFilter()
    code = args.get("register", "")
    if code in by_code:
        register = by_code[code]
        filters.registers = [register]
        filters.include_children = register.level == "corporate"
    filters.owner = owner_arg(args, errors)
    status = args.get("status", "live")
    filters.statuses = {"live": ("open", "escalated"), "all": ()}.get(status, (status,))
    filters.rating = args.get("rating") or None
    filters.category = args.get("category") or None
    filters.likelihood, filters.impact = int_arg(args, "likelihood"), int_arg(args, "impact")
    as_of = date_arg(args, "as_of", today(), errors)
    if args.get("overdue") == "yes":
        filters.overdue_as_of = as_of
    sort = args.get("sort") if args.get("sort") in SORTS else "score"
    page = int_arg(args, "page") or 1
    try:
        total = count_risks(filters)
        rows = list_risks(filters, sort=sort, page=page, per_page=PER_PAGE)
    except RiskkitError as error:
        errors["rating"] = str(error)
        filters.rating, total, rows = None, 0, []
    appetite = appetites()
    pages = max(ceil(total / PER_PAGE), 1)
    return render_template(
        "register/index.html", section="register", errors=errors,
        title=(f"Risks on the {filters.registers[0].name} register" if filters.registers
               else "Risk register") + (f", page {page} of {pages}" if pages > 1 else ""),
        rows=[summarise(r, appetite) for r in rows], total=total, page=page, pages=pages,
        args=args, sort=sort, status=status, registers=registers, status_choices=STATUS_CHOICES,
        owner=filters.owner,
        categories=db.session.scalars(select(Risk.category).distinct().where(
            Risk.category != "").order_by(Risk.category)).all(),
        ratings=scoring.bands_by_severity([r.matrix for r in registers]),
        page_url=lambda n: url_for("register.index", **{**args.to_dict(), "page": n}),
        sort_url=lambda s: url_for("register.index", **{**args.to_dict(), "sort": s, "page": 1}),
    )
