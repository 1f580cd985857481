"""Faults: the database going away under a running server, and processes killed with
SIGKILL while they write. The PostgreSQL tests start a throwaway cluster of their own."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.pool import NullPool

from riskkit import create_app
from riskkit.database import upgrade_database
from riskkit.extensions import db
from riskkit.models import HistoryEntry, Review, Risk
from tests.conftest import POSTGRES_URL
from tests.factories import gen_person, gen_register, gen_risk
from tests.live_server import RISKKIT, ROOT, LiveServer, csrf_token, free_port

EMAIL, PASSWORD = "pat@example.gov.uk", "a-long-password"
#: The tables the demo fills (matrices, themes and cadence rules are also made by init).
DEMO_TABLES = ("users", "registers", "risks", "controls", "actions", "reviews", "events",
               "lessons", "history_entries")
_VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


# --- a throwaway PostgreSQL cluster --------------------------------------------------


def _postgres_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class Cluster:
    """A PostgreSQL cluster in a folder of its own, to stop and start at will."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="riskkit-pg-"))
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/riskkit"
        # PostgreSQL refuses to run as root.
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", f"{self.folder}/data", "-A", "trust", "-U", "postgres",
                  "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "riskkit")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.prefix, str(self.bin / program), *args], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", f"{self.folder}/data", "-l", f"{self.folder}/log", "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                  "start")

    def stop(self) -> None:
        """As a crash or a pulled cable would: no goodbye to the clients."""
        self._run("pg_ctl", "-D", f"{self.folder}/data", "-m", "immediate", "stop")

    def remove(self) -> None:
        subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", f"{self.folder}/data",
                        "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's initdb is not installed (apt-get install postgresql)")
    made = Cluster(bin_dir)
    yield made
    made.remove()


def _app_on(url: str):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-only"})


def _error_page(response) -> dict:
    return {
        "heading": (re.findall(r'<h1 class="govuk-heading-l">(.*?)</h1>', response.text) or [None])[0],
        "layout": 'class="govuk-footer"' in response.text,
        "signed_in": "rk-signed-in" in response.text,
        "reference": (re.findall(r'class="rk-reference">([0-9a-f]{8})<', response.text) or [None])[0],
    }


# --- 15. the database going away ------------------------------------------------------


def test_postgresql_stopped_under_a_running_server_gives_503_then_recovers_by_itself(cluster, tmp_path):
    app = _app_on(cluster.url)
    with app.app_context():
        upgrade_database()
        gen_person(email=EMAIL, password=PASSWORD)
        db.session.commit()
        db.engine.dispose()
    server = LiveServer(cluster.url, tmp_path).start()
    try:
        client = server.session(EMAIL, PASSWORD)
        assert client.get(server.url + "/", timeout=30).status_code == 200

        cluster.stop()
        for _ in range(2):  # and again: nothing is left half-broken by the first failure
            down = client.get(server.url + "/", timeout=30)
            page = _error_page(down)
            assert down.status_code == 503
            assert page["heading"] == "Sorry, riskkit is unavailable"
            assert page["layout"] and not page["signed_in"] and page["reference"]
            assert f"Database unreachable, reference {page['reference']}" in server.log

        cluster.start()
        back = client.get(server.url + "/", timeout=30)
        assert back.status_code == 200 and "rk-signed-in" in back.text

        # Restarted between two requests: the pooled connections are dead, and pre-ping
        # replaces them before use, so the very next request works.
        cluster.stop()
        cluster.start()
        for _ in range(10):  # more than one pooled connection
            assert client.get(server.url + "/", timeout=30).status_code == 200
        assert server.process.poll() is None
        assert "Traceback" not in server.log
    finally:
        server.stop()


def test_sqlite_file_out_of_reach_gives_503_then_recovers_by_itself(tmp_path, capsys):
    """SQLite's analogue: the folder holding the database is not there (a volume not
    mounted). Root ignores file permissions, so an unreadable file cannot stand in."""
    folder = tmp_path / "volume"
    app = _app_on(f"sqlite:///{folder}/riskkit.sqlite")
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    capsys.readouterr()
    down = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    log = capsys.readouterr().err
    page = _error_page(down)
    assert down.status_code == 503
    assert page["layout"] and page["heading"] == "Sorry, riskkit is unavailable"
    assert f"Database unreachable, reference {page['reference']}: unable to open database file" in log
    assert "Traceback" not in log

    folder.mkdir()
    with app.app_context():
        upgrade_database()
        gen_person(email=EMAIL, password=PASSWORD)
        db.session.commit()
    signed_in = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 302


# --- 16. killed mid-write -------------------------------------------------------------


def _save_review(client: requests.Session, server: LiveServer, reference: str,
                 likelihood: int) -> bool:
    """Record a review through the form; False if the server did not answer (killed)."""
    try:
        form = client.get(f"{server.url}/risks/{reference}/review", timeout=30)
        answer = client.post(f"{server.url}/risks/{reference}/review", timeout=30,
                             allow_redirects=False, data={
                                 "csrf_token": csrf_token(form.text),
                                 "version": _VERSION.search(form.text).group(1), "opened_at": "",
                                 "reviewed_on": ["2", "2", "2026"], "likelihood": str(likelihood),
                                 "impact": "4", "comment": "Reviewed", "confirm_lower": "y"})
    except requests.RequestException:
        return False
    assert answer.status_code == 302, answer.text[:2000]
    return True


def _save_reviews(server: LiveServer, reference: str, saved: list) -> None:
    """Review one risk again and again, alternating its likelihood, until the server dies;
    `saved` collects each review the server said it saved."""
    client = server.session(EMAIL, PASSWORD)
    likelihood = 3  # as gen_risk made it: every review changes it
    while True:
        likelihood = 5 - likelihood
        if not _save_review(client, server, reference, likelihood):
            return
        saved.append(reference)


def test_a_server_killed_while_saving_reviews_leaves_the_database_consistent(app, live_server):
    owner = gen_person(email=EMAIL, password=PASSWORD)
    register = gen_register()
    risks = [gen_risk(register=register, owner=owner, title=f"Risk {n}") for n in range(4)]
    before = {r.reference: (r.version, len(r.reviews)) for r in risks}
    db.session.commit()

    saved: list[str] = []
    threads = [threading.Thread(target=_save_reviews, args=(live_server, r.reference, saved))
               for r in risks]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while (min(saved.count(r.reference) for r in risks) < 3 and time.monotonic() < deadline
           and all(t.is_alive() for t in threads)):
        time.sleep(0.02)
    live_server.kill()  # SIGKILL, with saves in flight
    for thread in threads:
        thread.join(timeout=60)
    assert min(saved.count(r.reference) for r in risks) >= 3, live_server.log

    db.session.remove()
    for reference, (version, reviews_before) in before.items():
        risk = db.session.scalar(select(Risk).where(Risk.reference == reference))
        reviews = list(db.session.scalars(select(Review).where(Review.risk_id == risk.id)
                                          .order_by(Review.id)))
        added = len(reviews) - reviews_before
        # Every save the server answered is there; at most one more, whose answer was lost.
        assert saved.count(reference) <= added <= saved.count(reference) + 1
        last = reviews[-1]
        assert (risk.likelihood, risk.impact) == (last.after_likelihood, last.after_impact)
        assert risk.version == version + added
        reviews_in_history = db.session.scalar(
            select(func.count(func.distinct(HistoryEntry.entity_id))).where(
                HistoryEntry.entity == "review", HistoryEntry.change == "create",
                HistoryEntry.risk_id == risk.id))
        assert reviews_in_history == len(reviews)
        score_changes = db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.entity == "risk", HistoryEntry.field == "likelihood",
            HistoryEntry.entity_id == risk.id, HistoryEntry.change == "update"))
        assert score_changes == added  # each review flips the likelihood
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
    db.session.commit()

    # and a new server saves on the same database
    again = LiveServer(live_server.database_url, live_server.folder).start()
    try:
        assert _save_review(again.session(EMAIL, PASSWORD), again, risks[0].reference, 1)
    finally:
        again.stop()


def _demo_counts(url: str) -> dict[str, int]:
    """Rows in each table the demo fills (a table not made yet counts as empty)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() if t in tables
                    else 0 for t in DEMO_TABLES}
    finally:
        engine.dispose()


def _writing(url: str, phase: str) -> bool:
    """Whether `riskkit demo` has reached `phase`: "schema" (it is migrating) or "data"
    (the schema is done and it is loading the demo)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":  # already migrated by the fixtures
                return bool(connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'riskkit-demo'"
                )).scalar())
            tables = set(inspect(connection).get_table_names())
            if phase == "schema":
                return bool(tables - {"alembic_version"})
            return "alembic_version" in tables and connection.execute(text(
                "SELECT version_num FROM alembic_version")).scalar() == _head()
    except Exception:  # noqa: BLE001 (the file is being made or is locked: not yet)
        return False
    finally:
        engine.dispose()


def _head() -> str:
    versions = Path(ROOT / "riskkit/migrations/versions").glob("*.py")
    return max(re.search(r"^revision = ['\"](\w+)", p.read_text(), re.M).group(1) for p in versions)


def _run_demo(url: str, kill_at: tuple[str, float] | None = None) -> subprocess.CompletedProcess | None:
    """`riskkit demo`; with kill_at=(phase, delay), SIGKILL it that long after it reaches
    the phase (see _writing). Returns the finished run, or None if it was killed."""
    env = {k: v for k, v in os.environ.items() if k != "RISKKIT_TEST_DATABASE_URL"}
    env.update(RISKKIT_DATABASE_URL=url, PGAPPNAME="riskkit-demo")
    process = subprocess.Popen([str(RISKKIT), "demo"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if kill_at is not None:
        phase, delay = kill_at
        deadline = time.monotonic() + 120
        while process.poll() is None and not _writing(url, phase) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.communicate()
            return None
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_riskkit_demo_killed_midway_leaves_no_demo_or_the_whole_demo(app, tmp_path):
    """On SQLite from a new file, so the first kill lands while the schema is being made;
    on PostgreSQL on the migrated test database."""
    if POSTGRES_URL:
        url, phases = POSTGRES_URL, ["data", "data", "data"]
        db.session.commit()
    else:
        url, phases = f"sqlite:///{tmp_path}/new.sqlite", ["schema", "data", "data"]
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    seen = []
    for phase in phases:
        # At once when the first of riskkit's tables appears: inside the first migration.
        delay = 0 if phase == "schema" else rng.uniform(0, 0.8)
        finished = _run_demo(url, kill_at=(phase, delay))
        assert finished is None or finished.returncode == 0, (seed, finished.stderr)
        seen.append((phase, round(delay, 3), finished is None, _demo_counts(url)))
    assert any(killed for _, _, killed, _ in seen), seen  # not every run had finished

    complete = _run_demo(url)
    assert complete.returncode == 0, (seed, seen, complete.stderr)
    whole = _demo_counts(url)
    assert whole["risks"] and whole["lessons"]
    nothing = dict.fromkeys(DEMO_TABLES, 0)
    for phase, delay, _, counts in seen:
        assert counts in (nothing, whole), (seed, phase, delay, counts, whole)
    assert "nothing to add" in _run_demo(url).stdout
