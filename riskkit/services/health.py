"""Is this riskkit able to serve: the database answers and its schema is current. Read
by /healthz (for load balancers and monitoring) and by the backup service."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from riskkit.database import MIGRATIONS
from riskkit.extensions import db


def migrations():
    """The migration scripts (Alembic's ScriptDirectory), imported when first asked for:
    every page and command would otherwise pay for importing Alembic at start."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(MIGRATIONS)


def head_revision() -> str:
    """The schema revision this riskkit's code expects."""
    return migrations().get_current_head()


def schema_revision(connection=None) -> str | None:
    """The schema revision the database is at (None before `riskkit init`)."""
    connection = connection or db.session
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except SQLAlchemyError:
        if connection is db.session:
            db.session.rollback()
        return None


@dataclass
class Health:
    ok: bool
    schema: str | None
    expected: str
    problem: str = ""


def health() -> Health:
    """Never raises: a problem is described for the operator, without any data."""
    expected = head_revision()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        return Health(False, None, expected, f"database unreachable: {reason}")
    schema = schema_revision()
    if schema != expected:
        return Health(False, schema, expected,
                      f"schema is {schema or 'not created'}, expected {expected}: run `riskkit init`")
    return Health(True, schema, expected)
