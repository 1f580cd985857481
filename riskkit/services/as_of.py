"""The register as it stood at the end of a day, rebuilt from the history: the one answer
every report gives to "as of".

Each record is read as it is now, then every change recorded after the day ended is
undone, newest first, from the old values the history kept: an update puts the old value
back, a creation removes the record, a deletion brings it back as it was deleted. So a
risk added, reviewed, re-scored, escalated or closed after the day, a control or action
added, changed or removed after it, shows as it was; and a day that has not ended yet (or
today) undoes nothing, which costs one query that finds no rows.

A load (the demo loader, an import) is where riskkit's knowledge of a record begins: what
a load wrote about a record it created is never undone, so a register loaded today with
its reviews from years ago reads the same as of any earlier day, and nothing it added is
"new". Later changes to those records by people are undone as any others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace

from sqlalchemy import Boolean, Date, Integer, func, inspect, or_, select, tuple_
from sqlalchemy.orm import joinedload

from riskkit import clock, scoring
from riskkit.audit import AUDITED, DEMO_ACTOR, PEOPLE_FIELDS, REGISTER_FIELDS, UNTRACKED
from riskkit.extensions import db
from riskkit.models import Action, Control, HistoryEntry, Register, Review, Risk
from riskkit.services.imports.importer import IMPORT_ACTOR


class Past(SimpleNamespace):
    """A record as it stood: its id and every tracked field under the name the history
    gives it (owner, reviewer and register by name or code, not by id)."""

    @property
    def score(self) -> int:
        return scoring.score(self.likelihood, self.impact)


@dataclass
class RiskAt:
    """A risk at the end of a day, with what hung off it then."""

    risk: Past
    created: datetime  # when riskkit first recorded it
    loaded: bool  # added by the demo loader or an import, not by a person
    controls: list[Past] = field(default_factory=list)
    actions: list[Past] = field(default_factory=list)
    reviews: list[Past] = field(default_factory=list)  # oldest first


def is_load(actor: str) -> bool:
    """Whether a history row was written by a load rather than a person's change."""
    return actor == DEMO_ACTOR or actor.startswith(IMPORT_ACTOR)


def _names(model) -> dict[str, object]:
    """History field name -> the column type its text is read back as."""
    names = {}
    for attr in inspect(model).column_attrs:
        if attr.key in UNTRACKED:
            continue
        name = PEOPLE_FIELDS.get(attr.key) or REGISTER_FIELDS.get(attr.key) or attr.key
        names[name] = None if name != attr.key else attr.columns[0].type
    return names


def _read(kind, text: str | None):
    """A history value (text) as the column held it."""
    if text is None or kind is None:
        return text
    if isinstance(kind, Boolean):
        return text == "yes"
    if isinstance(kind, Integer):
        return int(text)
    if isinstance(kind, Date):
        return date.fromisoformat(text[:10])
    return text


def _now(obj) -> dict:
    """A live record's tracked fields as the history names them."""
    values = {"id": obj.id}
    for attr in inspect(obj).mapper.column_attrs:
        key = attr.key
        if key in UNTRACKED:
            continue
        if key in PEOPLE_FIELDS or key in REGISTER_FIELDS:
            name = PEOPLE_FIELDS.get(key) or REGISTER_FIELDS[key]
            linked = getattr(obj, name)
            values[name] = None if linked is None else getattr(linked, "code", None) or linked.name
        else:
            values[key] = getattr(obj, key)
    return values


def _undo(model, records: dict[int, dict], later: Iterable[HistoryEntry]) -> dict[int, dict]:
    """Undo, newest first, the changes recorded after the day (`later`, newest first)."""
    kinds = _names(model)
    loaded = {row.entity_id for row in later if row.change == "create" and is_load(row.actor)}
    for row in later:
        if row.field not in kinds or (row.entity_id in loaded and is_load(row.actor)):
            continue  # a link kept in an association table: not a field of the record
        value = _read(kinds[row.field], row.old_value)
        if row.change == "create":
            records.pop(row.entity_id, None)
        elif row.change == "delete":
            record = records.setdefault(row.entity_id, {"id": row.entity_id, "risk_id": row.risk_id})
            record[row.field] = value
        elif row.entity_id in records:
            records[row.entity_id][row.field] = value
    for record in records.values():
        for name in kinds:
            record.setdefault(name, None)
    return records


def _later(model, cut: datetime, *scope) -> list[HistoryEntry]:
    return list(db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == AUDITED[model], HistoryEntry.at >= cut,
                                   *scope)
        .order_by(HistoryEntry.id.desc())))


def risks_at(day: date, register_codes: Iterable[str] | None = None,
             ids: Iterable[int] | None = None) -> list[RiskAt]:
    """The risks on these registers (or with these ids; all when neither is given) at the
    end of `day`, whatever their status then, without their controls, actions and
    reviews (see with_children)."""
    cut = clock.end_of(day)
    later = _later(Risk, cut)
    codes = set(register_codes) if register_codes is not None else None
    statement = select(Risk).options(joinedload(Risk.owner), joinedload(Risk.register),
                                     joinedload(Risk.origin_register))
    if codes is not None:
        # Those on the registers now, and any that changed register after the day.
        moved = {row.entity_id for row in later if row.field == "register"}
        statement = statement.where(or_(
            Risk.register_id.in_(select(Register.id).where(Register.code.in_(codes))),
            Risk.id.in_(moved)))
    if ids is not None:
        statement = statement.where(Risk.id.in_(list(ids)))
    records = {risk.id: _now(risk) for risk in db.session.scalars(statement).unique()}
    records = _undo(Risk, records, later)
    if codes is not None:
        records = {i: r for i, r in records.items() if r["register"] in codes}
    first = _first_recorded(list(records))
    now = clock.utcnow()
    return [RiskAt(Past(**record), *first.get(record["id"], (now, False)))
            for record in records.values()]


def _first_recorded(risk_ids: list[int]) -> dict[int, tuple[datetime, bool]]:
    """When each risk was first recorded, and whether a load recorded it."""
    found: dict[int, tuple[datetime, bool]] = {}
    for start in range(0, len(risk_ids), 1000):
        first = (select(HistoryEntry.entity_id, func.min(HistoryEntry.id).label("id"))
                 .where(HistoryEntry.entity == "risk", HistoryEntry.change == "create",
                        HistoryEntry.entity_id.in_(risk_ids[start:start + 1000]))
                 .group_by(HistoryEntry.entity_id).subquery())
        for risk_id, at, actor in db.session.execute(
                select(HistoryEntry.entity_id, HistoryEntry.at, HistoryEntry.actor)
                .join(first, first.c.id == HistoryEntry.id)):
            # SQLite gives back the UTC moment without its zone.
            found[risk_id] = (at if at.tzinfo else at.replace(tzinfo=UTC), is_load(actor))
    return found


CHILDREN = {"controls": (Control, ("id",)), "actions": (Action, ("id",)),
            "reviews": (Review, ("reviewed_on", "id"))}


def with_children(day: date, risks: list[RiskAt], kinds: Iterable[str] = tuple(CHILDREN)) -> list[RiskAt]:
    """Fill in each risk's controls, actions and reviews (or the kinds named) as they
    stood at the end of `day`: two queries a kind for the risks given. Each kind asked
    for is read afresh, so filling a risk twice (the changes table reads its reviews,
    then its page) does not list them twice."""
    cut = clock.end_of(day)
    by_id = {r.risk.id: r for r in risks}
    ids = list(by_id)
    for name in kinds:
        model, order = CHILDREN[name]
        for risk in risks:
            setattr(risk, name, [])
        people = Review.reviewer if model is Review else model.owner
        records = {obj.id: _now(obj) | {"risk_id": obj.risk_id} for obj in db.session.scalars(
            select(model).where(model.risk_id.in_(ids)).options(joinedload(people)))}
        records = _undo(model, records, _later(model, cut, HistoryEntry.risk_id.in_(ids)))
        for record in sorted(records.values(), key=lambda r: tuple(r[k] for k in order)):
            if record["risk_id"] in by_id:
                getattr(by_id[record["risk_id"]], name).append(Past(**record))
    return risks


def records_at(day: date, objects: list) -> dict[int, Past]:
    """The records given (of one audited model: lessons, actions...) as they stood at
    the end of `day`, by id; those created after it are left out."""
    if not objects:
        return {}
    model = type(objects[0])
    return _rebuilt(model, day, {obj.id: _now(obj) for obj in objects})


def records_by_id(model, day: date, ids: Iterable[int]) -> dict[int, Past]:
    """The records of `model` with these ids as they stood at the end of `day`: those
    deleted since come back, those created since are left out (see changed_after)."""
    found: dict[int, Past] = {}
    ids = list(ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        people = [joinedload(getattr(model, name)) for key, name in (PEOPLE_FIELDS | REGISTER_FIELDS).items()
                  if hasattr(model, key) and hasattr(model, name)]
        records = {obj.id: _now(obj) for obj in db.session.scalars(
            select(model).where(model.id.in_(chunk)).options(*people)).unique()}
        found |= _rebuilt(model, day, records, chunk)
    return found


def _rebuilt(model, day: date, records: dict[int, dict], ids: list[int] | None = None) -> dict[int, Past]:
    later = _later(model, clock.end_of(day), HistoryEntry.entity_id.in_(ids if ids is not None else list(records)))
    return {i: Past(**record) for i, record in _undo(model, records, later).items()}


def changed_after(models: Iterable, day: date):
    """The records of these models that stood otherwise at the end of `day` than they
    stand now, as a query of (entity, id): created, changed or deleted since, except
    what a load wrote about a record it created (see is_load). A report reads these
    from the history (records_by_id) and every other record as it is."""
    entities = [AUDITED[model] for model in models]
    later = (HistoryEntry.entity.in_(entities), HistoryEntry.at >= clock.end_of(day))
    load = or_(HistoryEntry.actor == DEMO_ACTOR, HistoryEntry.actor.startswith(IMPORT_ACTOR))
    loaded = select(HistoryEntry.entity, HistoryEntry.entity_id).where(
        *later, HistoryEntry.change == "create", load)
    return select(HistoryEntry.entity, HistoryEntry.entity_id).where(
        *later, or_(~load, tuple_(HistoryEntry.entity, HistoryEntry.entity_id).not_in(loaded))).distinct()
