"""The people a file names (owners, action owners, reviewers), matched by name or email in
any case, or added without a sign-in when the mapping allows it."""

from __future__ import annotations

from sqlalchemy import select

from riskkit.errors import RiskkitError
from riskkit.extensions import db
from riskkit.models import User
from riskkit.services.imports.results import ImportResult
from riskkit.services.people import add_person


class People:
    def __init__(self):
        self.known = {u.name.lower(): u for u in db.session.scalars(select(User))}
        self.known.update({u.email: u for u in list(self.known.values()) if u.email})

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.known

    def get(self, name: str) -> User:
        """The person named, added (without a sign-in) if riskkit does not know them."""
        key = name.lower()
        if key not in self.known:
            self.known[key] = add_person(name, role="owner")
        return self.known[key]

    def add_all(self, plans, result: ImportResult) -> None:
        """Everyone the plans name, before any risk is written, so that new people are
        added (and given ids) in one flush; a name riskkit refuses rejects its row."""
        for plan in plans:
            names = [plan.owner, *(c["owner"] for c in plan.controls),
                     *(a["owner"] for a in plan.actions), *(r["reviewer"] for r in plan.reviews)]
            for name in dict.fromkeys(names):
                try:
                    self.get(name)
                except RiskkitError as error:
                    result.problem(plan.result, getattr(error, "field", "") or "", str(error))
                    break
        db.session.flush()
