"""Fixtures: an app per test on a database holding what `riskkit init` adds (SQLite by
default, PostgreSQL when RISKKIT_TEST_DATABASE_URL is set), the CLI runner, and the demo
register."""

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


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out the tests that never open the test database (no `app`
    fixture): the SQLite pass runs them, and here they would only run again unchanged."""
    if not POSTGRES_URL:
        return
    apart = [item for item in items if "app" not in getattr(item, "fixturenames", ())]
    if apart:
        config.hook.pytest_deselected(items=apart)
        items[:] = [item for item in items if "app" in getattr(item, "fixturenames", ())]


def _config(url: str) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-only"}


def _initialise(app) -> None:
    """What `riskkit init` adds to a new database."""
    matrices.ensure_builtin()
    levels.ensure_builtin()
    themes.ensure_defaults()
    programme.ensure_defaults()
    db.session.commit()


class Snapshot:
    """On PostgreSQL, the rows of every table kept in a schema of its own, and one script
    that puts the test database back to them: a DELETE of each table (children first),
    the kept rows copied back, and every id sequence set past them. Deleting the few
    rows a test leaves costs PostgreSQL far less than a TRUNCATE of every table, which
    makes new files for every table and index, and sent as one script it is one round
    trip per test, not a hundred."""

    def __init__(self, schema: str):
        tables = db.metadata.sorted_tables
        db.session.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        db.session.execute(text(f"CREATE SCHEMA {schema}"))
        kept, sequences = [], []
        for table in tables:
            db.session.execute(text(f'CREATE TABLE {schema}."{table.name}" AS TABLE "{table.name}"'))
            if db.session.scalar(text(f'SELECT EXISTS (SELECT FROM "{table.name}")')):
                kept.append(f'INSERT INTO "{table.name}" SELECT * FROM {schema}."{table.name}";')
            if "id" in table.c:
                # The next id is the one after the kept rows', as if they had just been added.
                last = db.session.scalar(text(f'SELECT MAX(id) FROM "{table.name}"'))
                sequences.append(f"setval(pg_get_serial_sequence('\"{table.name}\"', 'id'),"
                                 f" {last or 1}, {'true' if last else 'false'})")
        # The kept rows were consistent when kept: checking each one's foreign keys again
        # (a trigger per row, 19,000 rows for the demo) would double the copy's cost. Only
        # a superuser may turn the checks off; for anyone else they stay on.
        superuser = db.session.scalar(text("SELECT current_setting('is_superuser')")) == "on"
        db.session.commit()
        self.script = "\n".join(
            ["SET LOCAL session_replication_role = replica;"] * superuser
            + [f'DELETE FROM "{table.name}";' for table in reversed(tables)] + kept
            + [f"SELECT {', '.join(sequences)};"])

    def restore(self) -> None:
        db.session.connection().exec_driver_sql(self.script)
        db.session.commit()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate and initialise (as `riskkit init` does) one database per session; tests
    then start from a copy of it (SQLite: a file; PostgreSQL: a Snapshot). Migrating, not
    create_all, so migrations are exercised."""
    if POSTGRES_URL:
        app = create_app(_config(POSTGRES_URL))
        with app.app_context():  # a connection failure here fails the run: no silent skip
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
            upgrade_database()
            _initialise(app)
            snapshot = Snapshot("initialised_snapshot")
            db.engine.dispose()
        return snapshot
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade_database()
        _initialise(app)
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    """The demo loaded once (it takes over a second, and most tests use it), then copied
    for each test that asks for it, as database_template is."""
    if POSTGRES_URL:
        app = create_app(_config(POSTGRES_URL))
        with app.app_context():
            database_template.restore()
            load_demo(app.config["SEED_DATA_DIR"])
            snapshot = Snapshot("demo_snapshot")
            db.engine.dispose()
        return snapshot
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    shutil.copy(database_template, path)
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        load_demo(app.config["SEED_DATA_DIR"])
        db.engine.dispose()
    return path


@pytest.fixture
def app(request, database_template, tmp_path):
    """An app on a database holding what `riskkit init` adds (and the demo, for tests
    that ask for `demo`)."""
    template = request.getfixturevalue("demo_template") if "demo" in request.fixturenames \
        else database_template
    if POSTGRES_URL:
        app = create_app(_config(POSTGRES_URL))
        with app.app_context():
            template.restore()
    else:
        copy = tmp_path / "riskkit.sqlite"
        shutil.copy(template, copy)
        app = create_app(_config(f"sqlite:///{copy}"))
    with app.app_context():
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
