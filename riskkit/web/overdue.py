"""The overdue page: the same report as `riskkit overdue`, filterable, with a CSV download."""

import csv
import io

from flask import Blueprint, Response, render_template, request
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import User
from riskkit.services.overdue import KIND_LABELS, KINDS, by_owner, describe_due, due_items, path_of
from riskkit.services.registers import all_registers
from riskkit.web.params import date_arg, int_arg, today

bp = Blueprint("overdue", __name__)
CSV_HEADERS = ["kind", "reference", "title", "action", "owner", "register", "due_date", "days_overdue"]


def _report():
    args, errors = request.args, {}
    as_of = date_arg(args, "as_of", today(), errors)
    registers = all_registers()
    chosen = [r.id for r in registers if r.code == args.get("register")] or None
    owner_id = int_arg(args, "owner")
    owner = db.session.get(User, owner_id) if owner_id else None
    kinds = (args["kind"],) if args.get("kind") in KINDS else KINDS
    due_within = int_arg(args, "due_within", 0, 366) or 0
    items = due_items(as_of, chosen, owner, due_within, kinds)
    return items, {"as_of": as_of, "errors": errors, "registers": registers, "args": args,
                   "due_within": due_within}


@bp.get("/overdue")
def index():
    """Overdue reviews and actions, grouped by owner."""
    items, context = _report()
    owners = db.session.scalars(select(User).where(User.active).order_by(User.name)).all()
    return render_template("overdue/index.html", title="Overdue", section="overdue", items=items,
                           groups=by_owner(items), describe_due=describe_due, owners=owners,
                           path_of=path_of, kind_labels=KIND_LABELS, **context)


@bp.get("/overdue.csv")
def download():
    """The same report as CSV."""
    items, context = _report()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    writer.writerows([i.kind, i.reference, i.title, i.action or "", i.owner, i.register,
                      i.due_date.isoformat(), i.days_overdue] for i in items)
    name = f"overdue-{context['as_of'].isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
