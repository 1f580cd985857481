"""Database wiring: engine settings per backend, and migrations."""

import sqlite3
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from riskkit.extensions import db

MIGRATIONS = str(Path(__file__).parent / "migrations")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite leaves foreign keys off and locks readers out during writes unless told.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_write_lock_first(conn):
    # A request that may change data takes SQLite's write lock when its transaction
    # begins, not at its first write: concurrent writers then queue behind busy_timeout,
    # and what a request read is still true when it writes. Left to pysqlite, reads run
    # outside any transaction, so two requests could both read the same version or the
    # same next reference number and both write.
    if conn.dialect.name == "sqlite" and has_request_context() and request.method not in (
            "GET", "HEAD", "OPTIONS"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
        # A connection the database dropped (a restart) is replaced before use, so the app
        # recovers by itself once the database is back.
        "pool_pre_ping": True,
        # Statement values (names, emails) stay out of error messages and so out of logs.
        "hide_parameters": True,
    })
    db.init_app(app)
    from riskkit import audit  # noqa: F401  (registers the history and score hooks)


def configure_migrations(app: Flask) -> None:
    """Wire in Flask-Migrate when a migration is first needed (`riskkit init`, `demo`,
    `db`), not at every start: it imports Alembic, a good part of a command's start-up."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(db=db, directory=MIGRATIONS, render_as_batch=True).init_app(app)


def upgrade_database() -> None:
    """Create the schema or bring it up to date (inside an app context)."""
    from flask_migrate import upgrade

    configure_migrations(current_app)
    upgrade(directory=MIGRATIONS)
    refresh_statistics()


def refresh_statistics() -> None:
    """SQLite plans queries from the statistics ANALYZE gathers, and without them reads a
    whole register to sort it rather than walk the score index (PostgreSQL gathers its
    own): gathered at every `riskkit init`."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
