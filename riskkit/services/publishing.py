"""Publishing a quarter's committee papers: the register appendix (full and public), the
heat map and the changes table as the registers stood at the end of the quarter, frozen
as bytes in the database with who published them, when, and each document's SHA-256.

A published paper is never regenerated: it is downloaded as the bytes stored, however the
register changes later. A quarter is published once; publishing it again is refused (the
papers a committee received cannot be replaced). Only managers and admins publish (the
command line acts as the operator).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from riskkit import clock, permissions
from riskkit.audit import current_actor
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Publication, PublishedDocument, User
from riskkit.services import document_log
from riskkit.services.appendix import Appendix, build_appendix
from riskkit.services.heatmaps import HeatMapReport, build_report
from riskkit.services.registers import default_register

_QUARTER = re.compile(r"(\d{4})Q([1-4])")


@dataclass(frozen=True)
class Renderers:
    """How the faces turn the gathered papers into bytes (the renderers live in
    riskkit.reports, which services never import)."""

    appendix: Callable[[Appendix, date], bytes]  # (appendix, generated on) -> PDF
    heat_map: Callable[[HeatMapReport], bytes]  # -> PDF
    changes: Callable[[Appendix], bytes]  # -> CSV


def quarter_end(quarter: str) -> date:
    """The last day of a calendar quarter named like 2025Q1 (January to March)."""
    found = _QUARTER.fullmatch((quarter or "").strip().upper())
    if found is None:
        raise ValidationError(f"Quarter must be a year and quarter like 2025Q1, not {quarter!r}",
                              field="quarter")
    year, number = int(found.group(1)), int(found.group(2))
    return date(year, 3 * number, 1) + relativedelta(months=1, days=-1)


def last_published(before: date) -> date | None:
    """The as-of day of the latest papers published for a day before `before`."""
    return db.session.scalar(select(Publication.as_of).where(Publication.as_of < before)
                             .order_by(Publication.as_of.desc()).limit(1))


def publications() -> list[Publication]:
    """Every publication, newest quarter first, with its documents (not their bytes)."""
    return list(db.session.scalars(select(Publication).options(selectinload(Publication.documents))
                                   .order_by(Publication.as_of.desc())))


def get_document(quarter: str, name: str) -> PublishedDocument:
    document = db.session.scalar(select(PublishedDocument).join(PublishedDocument.publication)
                                 .where(Publication.quarter == quarter.strip().upper(),
                                        PublishedDocument.name == name))
    if document is None:
        raise NotFound(f"No published document {name!r} for {quarter}")
    return document


def publish(quarter: str, by: User | None, organisation: str, render: Renderers) -> Publication:
    """Freeze the quarter's papers as they stood at the end of its last day."""
    permissions.require_unless_operator(by, "publish_papers")
    quarter = quarter.strip().upper()
    as_of = quarter_end(quarter)
    today = clock.today()
    if as_of >= today:
        raise ValidationError(f"{quarter} ends on {as_of:%d/%m/%Y}: its papers can be published"
                              " from the day after", field="quarter")
    earlier = db.session.scalar(select(Publication).where(Publication.quarter == quarter))
    if earlier is not None:
        raise ValidationError(
            f"{quarter} was published on {earlier.published_at.astimezone():%d/%m/%Y} by"
            f" {earlier.published_by}: published papers are never replaced", field="quarter")
    since = last_published(before=as_of) or as_of - relativedelta(months=3)
    full = build_appendix([], as_of, since, organisation)
    public = build_appendix([], as_of, since, organisation, public=True)
    heat_map = build_report(default_register(), "current", None, as_of, today, organisation)
    documents = [
        (f"register-appendix-{quarter}.pdf", "Register appendix, full (contains exempt information)",
         "application/pdf", render.appendix(full, today)),
        (f"register-appendix-{quarter}-public.pdf", "Register appendix, public version",
         "application/pdf", render.appendix(public, today)),
        (f"heat-map-{quarter}.pdf", "Heat map of current risk", "application/pdf",
         render.heat_map(heat_map)),
        (f"changes-{quarter}.csv", "Changes table, public version", "text/csv",
         render.changes(build_appendix([], as_of, since, organisation, public=True))),
    ]
    publication = Publication(
        quarter=quarter, as_of=as_of, since=since, published_by_id=by.id if by else None,
        published_by=by.name if by else current_actor()[1],
        documents=[PublishedDocument(name=name, title=title, media_type=kind, size=len(content),
                                     sha256=hashlib.sha256(content).hexdigest(), content=content)
                   for name, title, kind, content in documents])
    db.session.add(publication)
    document_log.note(by, "published", f"Committee papers {quarter}",
                      ", ".join(name for name, *_ in documents))
    try:
        db.session.commit()
    except IntegrityError:  # someone published the same quarter a moment before
        db.session.rollback()
        raise ValidationError(f"{quarter} has just been published by someone else: published"
                              " papers are never replaced", field="quarter") from None
    return publication
