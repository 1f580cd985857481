"""The register: every risk, filtered and sorted by what is in the URL."""

from math import ceil

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import select

from riskkit import scoring, vocab
from riskkit.extensions import db
from riskkit.models import Risk
from riskkit.services import issues, levels
from riskkit.services.appetite import appetites
from riskkit.services.objectives import list_objectives
from riskkit.services.register_query import query_args, read_query
from riskkit.services.risks import count_risks, list_risks, summarise
from riskkit.web.params import as_of_arg, int_arg, today

bp = Blueprint("register", __name__)
PER_PAGE = 25
STATUS_CHOICES = (("live", "Open and escalated"),) + vocab.RISK_STATUSES + (("all", "All"),)


@bp.get("/risks")
def index():
    """The register list: filter by register, owner, rating, category, status, overdue."""
    args = request.args
    query = read_query(args, as_of_arg())
    filters, errors = query.filters, query.errors
    registers = query.registers
    page = int_arg(args, "page") or 1
    total = count_risks(filters)
    rows = list_risks(filters, sort=query.sort, page=page, per_page=PER_PAGE)
    appetite = appetites()
    pressure = levels.pressure_by_risk([r.id for r in rows], today())
    pages = max(ceil(total / PER_PAGE), 1)
    return render_template(
        "register/index.html", section="register", errors=errors,
        title=(f"Risks on the {filters.registers[0].name} register" if filters.registers
               else "Risk register") + (f", page {page} of {pages}" if pages > 1 else ""),
        rows=[summarise(r, appetite) for r in rows], total=total, page=page, pages=pages,
        pressure={r.reference: pressure[r.id] for r in rows if r.id in pressure},
        args=args, sort=query.sort, status=query.status, registers=registers,
        status_choices=STATUS_CHOICES, owner=filters.owner,
        categories=db.session.scalars(select(Risk.category).distinct().where(
            Risk.category != "").order_by(Risk.category)).all(),
        ratings=scoring.bands_by_severity([r.matrix for r in registers]),
        objective_choices=list_objectives(),
        export_url=url_for("exports.workbook", **query_args(args)),
        open_issues=issues.count_open([r.id for r in filters.registers] or None),
        filter_code=filters.registers[0].code if len(filters.registers) == 1 else "",
        page_url=lambda n: url_for("register.index", **{**args.to_dict(), "page": n}),
        sort_url=lambda s: url_for("register.index", **{**args.to_dict(), "sort": s, "page": 1}),
    )
