"""Database wiring: engine settings per backend, and migrations."""

import sqlite3
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.engine import Engine

from riskkit.extensions import db, migrate

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


def init_app(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    from riskkit import audit  # noqa: F401  (registers the history and score hooks)


def upgrade_database() -> None:
    """Create the schema or bring it up to date (inside an app context)."""
    upgrade(directory=MIGRATIONS)
    refresh_statistics()


def refresh_statistics() -> None:
    """SQLite plans queries from the statistics ANALYZE gathers, and without them reads a
    whole register to sort it rather than walk the score index (PostgreSQL gathers its
    own): gathered at every `riskkit init`."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
