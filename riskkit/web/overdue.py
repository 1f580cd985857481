"""The overdue page: the same report as `riskkit overdue`, filterable, with a CSV download.
The page gives the counts of the whole report and its items a page at a time; the
download is the whole report, streamed."""

import csv
import io
from datetime import date

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from riskkit.formulas import neutralise
from riskkit.services.overdue import (
    KIND_LABELS,
    KINDS,
    Scope,
    iter_items,
    page,
    path_of,
    summarise_due,
)
from riskkit.services.query_args import owner_arg
from riskkit.services.registers import all_registers
from riskkit.web.params import as_of_arg, int_arg

bp = Blueprint("overdue", __name__)
CSV_HEADERS = ["kind", "reference", "title", "action", "owner", "register", "due_date", "days_overdue"]
PER_PAGE = 100


def _scope():
    args, errors = request.args, {}
    as_of = as_of_arg()
    registers = all_registers()
    chosen = [r.id for r in registers if r.code == args.get("register")] or None
    owner = owner_arg(args, errors)
    kinds = (args["kind"],) if args.get("kind") in KINDS else KINDS
    due_within = int_arg(args, "due_within", 0, 366) or 0
    return Scope(as_of, chosen, owner, due_within, kinds), {
        "as_of": as_of, "errors": errors, "registers": registers, "args": args, "owner": owner,
        "due_within": due_within}


def _key(raw: str, errors: dict):
    """?after=2021-08-13~AH0033~review~0: the last item of the page before."""
    if not raw:
        return None
    try:
        day, reference, kind, number = raw.split("~")
        if kind not in KINDS:
            raise ValueError
        return date.fromisoformat(day), reference, kind, int(number)
    except ValueError:
        errors["after"] = f"{raw!r} is not a place in the report: showing the first page"
        return None


def key_text(key) -> str:
    day, reference, kind, number = key
    return f"{day.isoformat()}~{reference}~{kind}~{number}"


@bp.get("/overdue")
def index():
    """The counts by kind and register, then the items a page at a time, most overdue first."""
    scope, context = _scope()
    after = _key(request.args.get("after", ""), context["errors"])
    items, next_key = page(scope, after, PER_PAGE)
    keep = {k: v for k, v in request.args.to_dict().items() if k != "after"}
    return render_template(
        "overdue/index.html", title="Overdue", section="overdue", items=items,
        summary=summarise_due(scope), path_of=path_of,
        kind_labels=KIND_LABELS, first_page=after is None,
        first_url=url_for("overdue.index", **keep),
        next_url=url_for("overdue.index", **keep, after=key_text(next_key)) if next_key else None,
        **context)


@bp.get("/overdue.csv")
def download():
    """The whole report as CSV, written as it is read."""
    scope, context = _scope()

    def rows():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADERS)
        for i in iter_items(scope):
            writer.writerow([neutralise(value) for value in (
                i.kind, i.reference, i.title, i.action or "", i.owner, i.register, i.due_date.isoformat(),
                i.days_overdue)])
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    name = f"overdue-{context['as_of'].isoformat()}.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
