"""Alembic environment for riskkit: the engine and metadata come from the Flask app."""

import logging
import sqlite3
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import event

config = context.config
if config.config_file_name:
    # Keep the application's own loggers working after a migration runs.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def run_migrations_offline():
    """Emit SQL for the migrations without a database (`riskkit db upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _transactional_sqlite_ddl(connection):
    """Python's sqlite3 commits each CREATE, ALTER and DROP as it runs, so a process killed
    mid-upgrade left half a migration behind and the next upgrade failed. SQLite can undo
    DDL: beginning each transaction explicitly makes every migration all or nothing. (Not
    when the engine already begins its own transactions: isolation_level None.)"""
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite3.Connection) and driver.isolation_level is not None:
        event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Never write an empty migration when autogenerate finds no change.
        if getattr(config.cmd_opts, "autogenerate", False):
            if directives[0].upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with target_db.engine.connect() as connection:
        _transactional_sqlite_ddl(connection)
        context.configure(connection=connection, target_metadata=target_db.metadata,
                          **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
