"""The register list's filters and order as its address gives them. The register page
and the Excel download it offers both read them here, so the download holds what the
page lists (every page of it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from riskkit.errors import ValidationError
from riskkit.models import Register
from riskkit.services.query_args import objective_arg, owner_arg, whole_number
from riskkit.services.registers import all_registers
from riskkit.services.risks import LIVE, SORTS, RiskFilter, check_rating

#: The status filter's choices beyond one status: the default, and every status.
STATUS_GROUPS = {"live": LIVE, "all": ()}
#: The parameters that say what is listed and in what order (not which page of it).
PARAMETERS = ("register", "owner", "status", "rating", "category", "likelihood", "impact",
              "objective", "overdue", "as_of", "sort")


@dataclass
class RegisterQuery:
    registers: list[Register]  # every register, for the page's choice of one
    filters: RiskFilter
    status: str  # as chosen: "live", "all" or one status
    sort: str
    as_of: date
    errors: dict[str, str]  # parameter -> what was wrong; that filter is not applied


def read_query(args: Mapping[str, str], as_of: date) -> RegisterQuery:
    """Filters by register (a corporate one takes in those below it), owner, status,
    rating, category, heat-map cell and review overdue as of `as_of` (the face reads
    ?as_of= as every page does, web.params.as_of_arg), and the sort. A register, owner
    or rating that cannot be used is reported in `errors` and not filtered on; a cell
    that is not a whole number is a ValidationError naming it."""
    errors: dict[str, str] = {}
    filters = RiskFilter()
    registers = all_registers()
    code = (args.get("register") or "").strip()
    if code:
        register = next((r for r in registers if r.code == code.upper()), None)
        if register is None:
            errors["register"] = f"There is no register with the code {code[:40]!r}"
        else:
            filters.registers = [register]
            filters.include_children = register.level == "corporate"
    filters.owner = owner_arg(args, errors)
    status = args.get("status") or "live"
    filters.statuses = STATUS_GROUPS.get(status, (status,))
    rating = (args.get("rating") or "").strip()
    if rating:
        try:
            check_rating(rating)
            filters.rating = rating
        except ValidationError as error:
            errors["rating"] = str(error)
    filters.category = args.get("category") or None
    filters.likelihood, filters.impact = whole_number(args, "likelihood"), whole_number(args, "impact")
    filters.objective_id = objective_arg(args, errors)
    if args.get("overdue") == "yes":
        filters.overdue_as_of = as_of
    sort = args.get("sort") if args.get("sort") in SORTS else "score"
    return RegisterQuery(registers, filters, status, sort, as_of, errors)


def query_args(args: Mapping[str, str]) -> dict[str, str]:
    """The parameters of `args` that choose what is listed: for the download's address."""
    return {name: args[name] for name in PARAMETERS if args.get(name)}
