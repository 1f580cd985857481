"""Delivery of actions: of the actions whose target date fell in a period, the share
completed by that date, per register and per owner, against the target share (an NHS
trust's is 80%: RISKKIT_ACTION_DELIVERY_TARGET). Internal audit and the DMT read it as
"are we doing what we said we would, when we said we would".

An action counts when its target date is in the period and has passed by as_of (one not
yet due cannot be late); a cancelled one does not count. It was delivered on time when
its completion date is on or before its target date. Counted by the database in one
pass over the period's actions (grouped by register and owner together, from an index
that holds every column it reads), then the registers' and owners' names: three
statements, whatever the number of actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, func, select

from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import Action, Register, Risk, User


@dataclass(frozen=True)
class DeliveryRow:
    name: str  # a register's code and name, or an owner's name
    due: int  # actions whose target date fell in the period
    on_time: int  # of them, completed by their target date
    target: int  # the target share, per cent

    @property
    def late(self) -> int:
        return self.due - self.on_time

    @property
    def share(self) -> int | None:
        """The share on time, in whole per cent (rounded down, so 79.9% is not 80%)."""
        return self.on_time * 100 // self.due if self.due else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.share is None else self.share >= self.target

    def as_json(self) -> dict:
        return {"name": self.name, "due": self.due, "on_time": self.on_time, "late": self.late,
                "share": self.share, "meets_target": self.meets_target}


@dataclass(frozen=True)
class Delivery:
    start: date
    end: date
    target: int
    total: DeliveryRow
    registers: list[DeliveryRow]
    owners: list[DeliveryRow]

    def as_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "target": self.target, "total": self.total.as_json(),
                "registers": [r.as_json() for r in self.registers],
                "owners": [o.as_json() for o in self.owners]}


def last_year(as_of: date) -> date:
    """The first day of the twelve months that end on as_of: the dashboard's period."""
    return as_of - relativedelta(years=1) + timedelta(days=1)


def check_period(start: date | None, end: date | None) -> None:
    if start is None or end is None:
        raise ValidationError("Give the period's start and end", field="from" if start is None
                              else "to")
    if end < start:
        raise ValidationError(f"The period's end ({end:%d/%m/%Y}) is before its start"
                              f" ({start:%d/%m/%Y})", field="to")


def delivery(start: date, end: date, as_of: date, target: int,
             register_ids: list[int] | None = None) -> Delivery:
    """Actions delivered on time between start and end (as they stood on as_of)."""
    check_period(start, end)
    last = min(end, as_of)
    on_time = func.sum(case((Action.completed_date.is_not(None)
                             & (Action.completed_date <= Action.target_date)
                             & (Action.completed_date <= as_of), 1), else_=0))
    where = [Action.status != "cancelled", Action.target_date >= start,
             Action.target_date <= last]
    if register_ids is not None:
        where.append(Risk.register_id.in_(register_ids))
    counts = db.session.execute(
        select(Risk.register_id, Action.owner_id, func.count(Action.id), on_time)
        .join(Risk, Risk.id == Action.risk_id).where(*where)
        .group_by(Risk.register_id, Action.owner_id)).all()
    by_register: dict[int, list[int]] = {}
    by_owner: dict[int, list[int]] = {}
    for register_id, owner_id, due, done in counts:
        for tally in (by_register.setdefault(register_id, [0, 0]),
                      by_owner.setdefault(owner_id, [0, 0])):
            tally[0] += due
            tally[1] += int(done or 0)
    register_names = {i: f"{code} {name}" for i, code, name in db.session.execute(
        select(Register.id, Register.code, Register.name).where(Register.id.in_(by_register)))}
    owner_names = dict(db.session.execute(select(User.id, User.name)
                                           .where(User.id.in_(by_owner))).all())
    registers = sorted((DeliveryRow(register_names[i], due, done, target)
                        for i, (due, done) in by_register.items()), key=lambda r: r.name)
    owners = sorted((DeliveryRow(owner_names[i], due, done, target)
                     for i, (due, done) in by_owner.items()), key=lambda r: r.name)
    total = DeliveryRow("All", sum(r.due for r in registers), sum(r.on_time for r in registers),
                        target)
    return Delivery(start, end, target, total, registers, owners)
