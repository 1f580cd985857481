"""Fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL when
RISKKIT_TEST_DATABASE_URL is set), the CLI runner, and the demo register."""

import os
import shutil
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.routing.rules import Rule

from riskkit import create_app
from riskkit.database import upgrade_database
from riskkit.extensions import db
from riskkit.services import levels, matrices, programme, themes
from riskkit.services.demo import load_demo

POSTGRES_URL = os.environ.get("RISKKIT_TEST_DATABASE_URL")

# Each test builds an app of its own, and Werkzeug compiles every URL rule's builder
# afresh for each: over half of create_app's time, a thousand times a run. A builder's
# code depends only on the rule's parts and defaults (it reads the rule's converters when
# called), so one compiled per rule serves every test's app.
_compile_builder = Rule._compile_builder
_builders: dict = {}


def _shared_builder(self, append_unknown=True):
    key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
           self.map.host_matching, self.subdomain, self.host, append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


Rule._compile_builder = _shared_builder
SNAPSHOT = "demo_snapshot"  # the PostgreSQL schema the demo tables are copied into


def _config(url: str) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-only"}


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate one database per session; tests then start from a copy (SQLite) or an
    emptied schema (PostgreSQL). Migrating, not create_all, so migrations are exercised."""
    if POSTGRES_URL:
        app = create_app(_config(POSTGRES_URL))
        with app.app_context():  # a connection failure here fails the run: no silent skip
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
            upgrade_database()
            db.engine.dispose()
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade_database()
        db.engine.dispose()
    return path


def _initialise(app) -> None:
    """What `riskkit init` adds to a new database."""
    matrices.ensure_builtin()
    levels.ensure_builtin()
    themes.ensure_defaults()
    programme.ensure_defaults()
    db.session.commit()


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    """The demo loaded once (it takes over a second, and most tests use it), then copied
    for each test that asks for it: on SQLite a database file; on PostgreSQL a copy of
    every table in a schema of its own (SNAPSHOT)."""
    if POSTGRES_URL:
        app = create_app(_config(POSTGRES_URL))
        with app.app_context():
            _empty()
            _initialise(app)
            load_demo(app.config["SEED_DATA_DIR"])
            db.session.execute(text(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE"))
            db.session.execute(text(f"CREATE SCHEMA {SNAPSHOT}"))
            for table in db.metadata.sorted_tables:
                db.session.execute(text(f'CREATE TABLE {SNAPSHOT}."{table.name}" AS TABLE "{table.name}"'))
            db.session.commit()
            db.engine.dispose()
        return SNAPSHOT
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    shutil.copy(database_template, path)
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        _initialise(app)
        load_demo(app.config["SEED_DATA_DIR"])
        db.engine.dispose()
    return path


def _empty() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def _restore_snapshot() -> None:
    """Copy the demo tables back, and move each id sequence past the copied ids."""
    for table in db.metadata.sorted_tables:
        db.session.execute(text(f'INSERT INTO "{table.name}" SELECT * FROM {SNAPSHOT}."{table.name}"'))
        if "id" in table.c:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'),"
                f' COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table.name}"'))
    db.session.commit()


@pytest.fixture
def app(request, database_template, tmp_path):
    wants_demo = "demo" in request.fixturenames
    if POSTGRES_URL:
        app = create_app(_config(POSTGRES_URL))
        with app.app_context():
            if wants_demo:
                request.getfixturevalue("demo_template")
            _empty()
            if wants_demo:
                _restore_snapshot()
    else:
        source = request.getfixturevalue("demo_template") if wants_demo else database_template
        copy = tmp_path / "riskkit.sqlite"
        shutil.copy(source, copy)
        app = create_app(_config(f"sqlite:///{copy}"))
    with app.app_context():
        _initialise(app)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(app):
    """The demo organisation from seed_data/ (the committee paper's register), copied
    from the demo template (see demo_template)."""
    return app


@pytest.fixture
def live_server(app, tmp_path):
    """A real `riskkit serve` on this test's database (see tests/live_server.py). Build
    the data first and commit it; the server sees what is committed."""
    from tests.live_server import LiveServer

    db.session.commit()
    folder = tmp_path / "live"
    folder.mkdir()
    server = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], folder).start()
    yield server
    server.stop()


@pytest.fixture
def runner(app):
    """Click's runner bound to the test app; result.stderr is kept apart from stdout."""
    return app.test_cli_runner()


@pytest.fixture
def today():
    return date(2021, 9, 29)


class FreshContextClient(FlaskClient):
    """Gives each request its own app context, as a real server does, although the
    test holds one open: otherwise `g` (the signed-in user) and the database session
    would carry over from one request to the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own session re-reads what the request changed
        return response


def _for_page_tests(app):
    """CSRF checks off, for tests about what pages do (CSRF itself is tested with it on,
    in test_web_security.py), and each request in its own app context."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture
def site(app):
    """The app with no demo data (what `riskkit init` leaves), ready for page tests: each
    test builds what it needs with tests/factories.py and signs in with `login`."""
    return _for_page_tests(app)


@pytest.fixture
def login(site):
    """login(person) -> a test client signed in as person (made with gen_user) through
    the login form; login(None) -> a client signed in as nobody."""
    from tests.factories import PASSWORD

    def sign_in(person):
        db.session.commit()  # the request sees only what is committed
        client = site.test_client()
        if person is not None:
            response = client.post("/login", data={"email": person.email, "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return sign_in


@pytest.fixture
def web(demo):
    """The demo app ready for page tests: for the few end-to-end journeys on the demo
    (see test_demo.py) and the permission matrix."""
    return _for_page_tests(demo)


@pytest.fixture
def client(web):
    return web.test_client()
