"""riskkit backup and restore, through the CLI: a round trip gives the same data, a
SQLite backup restores into PostgreSQL and back unchanged (when the suite runs on
PostgreSQL), and a damaged, newer or misplaced archive is refused with nothing written."""

import json
import re
import zipfile
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

from riskkit import create_app
from riskkit.database import upgrade_database
from riskkit.extensions import db
from riskkit.services.backup import row_counts
from tests.conftest import POSTGRES_URL, _initialise

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@contextmanager
def sqlite_app(path):
    """A second riskkit on a SQLite file of its own, beside the test's app."""
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                        "SECRET_KEY": "test-only"})
    with other.app_context():
        upgrade_database()
        yield other
        db.session.remove()
        db.engine.dispose()


def tables_of(archive) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist() if name.startswith("tables/")}


def rewrite(archive, target, change_manifest=None, change_table=None):
    """Copy an archive, changing the manifest or one table's bytes on the way."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w") as copy:
        for name in source.namelist():
            data = source.read(name)
            if name == "manifest.json" and change_manifest:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = json.dumps(manifest).encode()
            elif change_table and name == f"tables/{change_table[0]}.jsonl":
                data = change_table[1](data)
            copy.writestr(name, data)
    return target


def test_a_backup_restores_into_a_new_database_with_every_row(demo, runner, tmp_path):
    archive = tmp_path / "riskkit-backup.zip"
    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    counts = row_counts()
    assert counts["risks"] == 9 and counts["lessons"] == 11 and counts["history"] > 100
    assert counts["team_members"] == 3  # the demo's Divisional Directors and Short Term Pathway Team
    assert f"Backed up {sum(counts.values())} rows" in made.stdout
    with sqlite_app(tmp_path / "restored.sqlite") as other:
        _initialise(other)  # `riskkit init` first is fine: its defaults are replaced
        result = other.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert row_counts() == counts
        again = tmp_path / "again.zip"
        assert other.test_cli_runner().invoke(args=["backup", str(again)]).exit_code == 0
    assert tables_of(again) == tables_of(archive)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs the PostgreSQL pass (RISKKIT_TEST_DATABASE_URL)")
def test_sqlite_to_postgresql_and_back_gives_identical_exports(app, runner, tmp_path):
    from riskkit.services.demo import load_demo

    original, through_pg, back = (tmp_path / name for name in ("sqlite.zip", "pg.zip", "back.zip"))
    with sqlite_app(tmp_path / "source.sqlite") as source:
        _initialise(source)
        load_demo(source.config["SEED_DATA_DIR"])
        assert source.test_cli_runner().invoke(args=["backup", str(original)]).exit_code == 0
    with app.app_context():  # the PostgreSQL test database, empty
        result = runner.invoke(args=["restore", str(original)])
        assert result.exit_code == 0, result.output
        assert runner.invoke(args=["backup", str(through_pg)]).exit_code == 0
    with sqlite_app(tmp_path / "back.sqlite") as target:
        result = target.test_cli_runner().invoke(args=["restore", str(through_pg)])
        assert result.exit_code == 0, result.output
        assert target.test_cli_runner().invoke(args=["backup", str(back)]).exit_code == 0
    assert tables_of(through_pg) == tables_of(original)
    assert tables_of(back) == tables_of(original)


def test_a_damaged_archive_is_refused_before_anything_is_written(demo, runner, tmp_path):
    archive = tmp_path / "good.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    damaged = rewrite(archive, tmp_path / "damaged.zip",
                      change_table=("risks", lambda data: data.replace(b"Business", b"Busyness")))
    with sqlite_app(tmp_path / "new.sqlite") as other:
        result = other.test_cli_runner().invoke(args=["restore", str(damaged)])
        assert result.exit_code == 1
        assert "checksum of table risks does not match" in result.stderr
        assert "Traceback" not in result.output
        assert not any(row_counts().values())
        garbage = tmp_path / "garbage.zip"
        garbage.write_bytes(b"not a zip at all")
        result = other.test_cli_runner().invoke(args=["restore", str(garbage)])
        assert result.exit_code == 1 and "is not a readable riskkit backup" in result.stderr


def test_a_backup_into_a_folder_that_is_not_there_is_one_line_and_no_file(app, runner, tmp_path):
    """As when the night's backup names a share that is not mounted."""
    result = runner.invoke(args=["backup", str(tmp_path / "not-mounted" / "riskkit.zip")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: Cannot write {tmp_path / 'not-mounted' / 'riskkit.zip'}: No such file or directory"]
    assert not (tmp_path / "not-mounted").exists()
    too_long = tmp_path / ("a" * 300)
    result = runner.invoke(args=["backup", str(too_long)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: Cannot write {too_long}: File name too long"]


def test_a_backup_replaces_an_earlier_backup_but_nothing_else(app, runner, tmp_path):
    """The nightly job writes over last night's backup; arguments swapped by mistake must
    not write a zip over the database itself, or over any other file."""
    nightly = tmp_path / "nightly.zip"
    for _ in range(2):
        assert runner.invoke(args=["backup", str(nightly)]).exit_code == 0
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    notes = tmp_path / "notes.txt"
    notes.write_text("Minutes of the DMT")
    others = [notes] + ([database] if database.is_file() else [])
    for other in others:
        before = other.read_bytes()
        result = runner.invoke(args=["backup", str(other)])
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"Error: Cannot write {other}: it is not a riskkit backup, and a backup replaces"
            " only an earlier backup. Name a new file."]
        assert other.read_bytes() == before


def test_a_backup_from_a_newer_schema_is_refused(demo, runner, tmp_path):
    archive = tmp_path / "good.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    newer = rewrite(archive, tmp_path / "newer.zip",
                    change_manifest=lambda m: m.update(schema_revision="9999"))
    with sqlite_app(tmp_path / "new.sqlite") as other:
        result = other.test_cli_runner().invoke(args=["restore", str(newer)])
        assert result.exit_code == 1
        assert "from a newer riskkit (schema 9999)" in result.stderr
        assert not any(row_counts().values())


def test_restore_refuses_a_database_with_data_unless_told_to_replace_it(demo, runner, tmp_path):
    archive = tmp_path / "good.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    counts = row_counts()
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1 and "The database is not empty" in refused.stderr
    declined = runner.invoke(args=["restore", str(archive), "--replace"], input="n\n")
    assert declined.exit_code == 1 and row_counts() == counts
    replaced = runner.invoke(args=["restore", str(archive), "--replace", "--yes"])
    assert replaced.exit_code == 0, replaced.output
    assert row_counts() == counts


def test_a_restore_that_fails_part_way_writes_nothing(demo, runner, tmp_path):
    archive = tmp_path / "good.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0

    def orphan(data: bytes) -> bytes:  # the last review points at a risk that is not there
        lines = data.decode().splitlines()
        row = json.loads(lines[-1])
        row["risk_id"] = 999_999
        return ("\n".join([*lines[:-1], json.dumps(row)]) + "\n").encode()

    import hashlib

    changed = orphan(tables_of(archive)["tables/reviews.jsonl"])
    bad = rewrite(archive, tmp_path / "bad.zip", change_table=("reviews", lambda _: changed),
                  change_manifest=lambda m: m["tables"]["reviews"].update(
                      sha256=hashlib.sha256(changed).hexdigest()))
    counts = row_counts()
    result = runner.invoke(args=["restore", str(bad), "--replace", "--yes"])
    assert result.exit_code == 1
    assert "could not be restored" in result.stderr and "nothing was written" in result.stderr
    assert row_counts() == counts


def _last_reviews_match(archive) -> int:
    """Every review saved here has a later date than any before it, and a review sets its
    risk's last review date in the same transaction: in a consistent snapshot each risk's
    last review date is its newest review's date. Returns how many reviews it holds."""
    tables = tables_of(archive)
    risks = [json.loads(line) for line in tables["tables/risks.jsonl"].decode().splitlines()]
    reviews = [json.loads(line) for line in tables["tables/reviews.jsonl"].decode().splitlines()]
    for risk in risks:
        dates = [review["reviewed_on"] for review in reviews if review["risk_id"] == risk["id"]]
        assert risk["last_review_date"] == max(dates, default=None), risk["reference"]
    return len(reviews)


def test_a_backup_taken_while_reviews_are_saved_is_one_consistent_snapshot(app, live_server, tmp_path):
    import threading

    from tests.factories import gen_person, gen_register, gen_risk
    from tests.live_server import csrf_token

    manager = gen_person(email="manager@example.gov.uk", password="a-long-password", role="manager")
    register = gen_register()
    risks = [gen_risk(register=register, owner=manager, title=f"Risk {n}") for n in range(3)]
    references = [risk.reference for risk in risks]
    stop, statuses, days = threading.Event(), [], iter(range(1, 10_000))
    first_day = date(2026, 1, 5)

    def reviewer(n: int) -> None:
        client = live_server.session("manager@example.gov.uk", "a-long-password")
        while not stop.is_set():
            reference = references[n % len(references)]
            day = first_day + timedelta(days=next(days))
            form = client.get(f"{live_server.url}/risks/{reference}/review", timeout=30)
            version = re.search(r'name="version" type="hidden" value="(\d+)"', form.text).group(1)
            saved = client.post(f"{live_server.url}/risks/{reference}/review", timeout=30,
                                allow_redirects=False, data={
                                    "csrf_token": csrf_token(form.text), "version": version,
                                    "reviewed_on": [str(day.day), str(day.month), str(day.year)],
                                    "likelihood": "3",
                                    "impact": "4", "no_change": "y"})
            statuses.append(saved.status_code)

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        archives = []
        for n in range(3):
            archive = tmp_path / f"during-{n}.zip"
            made = live_server.cli("backup", str(archive))
            assert made.returncode == 0, made.stderr
            archives.append(archive)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert statuses.count(302) >= 3 and not [s for s in statuses if s >= 500]
    assert [_last_reviews_match(archive) for archive in archives] != [0, 0, 0]
