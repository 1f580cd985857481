"""Migrations: an empty database upgrades to exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from riskkit.extensions import db


def test_migrated_schema_matches_the_models(app):
    """The test database was built by running the migrations from empty (conftest)."""
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_every_table_is_there(app):
    tables = set(inspect(db.engine).get_table_names())
    assert {"alembic_version", "users", "registers", "matrices", "risks", "controls",
            "actions", "reviews", "history", "appetites"} <= tables


def test_init_on_an_existing_database_is_an_upgrade_not_a_reset(demo, runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert f"Database: {db.engine.url.get_backend_name()}" in result.stdout
    assert len(runner.invoke(args=["risks", "--format", "csv"]).stdout.splitlines()) == 10


def test_the_indicator_tables_are_there_with_opel_built_in(app):
    from riskkit.services import levels

    tables = set(inspect(db.engine).get_table_names())
    assert {"level_schemes", "scheme_levels", "areas", "indicators", "indicator_areas",
            "indicator_triggers", "readings", "indicator_risks", "indicator_plans",
            "declarations", "response_roles", "role_holders", "card_steps",
            "step_completions", "decision_log"} <= tables
    opel = levels.get_scheme("opel")
    assert [(level.rank, level.name, level.word) for level in opel.levels] == [
        (1, "OPEL 1", "Green"), (2, "OPEL 2", "Amber"), (3, "OPEL 3", "Red"),
        (4, "OPEL 4", "Black")]
