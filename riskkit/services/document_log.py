"""Who published, exported or downloaded each committee document, and when: kept in its
own table (the history is for changes to records, and a download changes none), listed
for managers and admins, and read by internal audit beside the documents themselves."""

from __future__ import annotations

from sqlalchemy import select

from riskkit import permissions, vocab
from riskkit.audit import current_actor
from riskkit.extensions import db
from riskkit.models import DocumentLog, User

DETAIL_LIMIT = 300


def note(by: User | None, action: str, document: str, detail: str = "") -> DocumentLog:
    """Add a line to the log in the session (the caller's commit writes it): by the signed-in
    person, or, for None, whoever is acting (the command line, under its account's name)."""
    user_id, actor = (by.id, by.name) if by is not None else current_actor()
    entry = DocumentLog(user_id=user_id, actor=actor[:120],
                        action=vocab.check(vocab.DOCUMENT_ACTIONS, action, "action"),
                        document=document[:200], detail=detail[:DETAIL_LIMIT])
    db.session.add(entry)
    return entry


def record(by: User | None, action: str, document: str, detail: str = "") -> DocumentLog:
    """As note, committed at once: for a download or an export, which changes nothing else."""
    entry = note(by, action, document, detail)
    db.session.commit()
    return entry


def log_statement(by: User | None):
    """The log, newest first: to read a page at a time (services.paging)."""
    permissions.require_unless_operator(by, "read_document_log")
    return select(DocumentLog).order_by(DocumentLog.at.desc(), DocumentLog.id.desc())
