"""Publishing a quarter's committee papers: frozen as bytes, listed, downloaded byte for
byte after later edits, never published twice, kept by backup and restore; through the
CLI and the web page's Publish button (managers and admins only)."""

import hashlib
import re
import subprocess
from datetime import UTC, date, datetime

import pytest

from riskkit import clock
from riskkit.extensions import db
from riskkit.models import Publication, PublishedDocument
from riskkit.services.reviews import record_review
from tests.factories import gen_register, gen_risk, gen_user
from tests.test_backup import sqlite_app, tables_of
from tests.web_helpers import error_messages

DOCUMENTS = ["register-appendix-2025Q1.pdf", "register-appendix-2025Q1-public.pdf",
             "heat-map-2025Q1.pdf", "changes-2025Q1.csv"]


def at(day: date, hour: int = 10):
    return clock.frozen(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())


@pytest.fixture
def register(app):
    """A corporate register with a directorate below it, as it stood in Q1 2025."""
    with at(date(2025, 1, 6)):
        manager = gen_user("Mona Manager", role="manager")
        viewer = gen_user("Vic Viewer", role="viewer")
        corporate = gen_register("CORP", level="corporate")
        directorate = gen_register("DIR", parent=corporate)
        risk = gen_risk(register=directorate, owner=manager, likelihood=4, impact=4,
                        title="Funding pressures", as_of=date(2025, 1, 6))
        db.session.commit()
    return {"manager": manager, "viewer": viewer, "risk": risk, "directorate": directorate}


def publish(runner, quarter="2025Q1", day=date(2025, 4, 2)):
    with at(day):
        return runner.invoke(args=["report", "publish", "--quarter", quarter])


def test_published_papers_download_byte_for_byte_after_later_edits(login, register, runner, tmp_path):
    result = publish(runner)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Published 2025Q1 as at 31/03/2025 (changes since 31/12/2024):")
    listed = dict(re.findall(r"(\S+)  sha256 ([0-9a-f]{64})", result.stdout))
    assert list(listed) == DOCUMENTS

    with at(date(2025, 5, 1)):  # a quarter later, the register moves on
        record_review(register["risk"], register["manager"], date(2025, 5, 1), 5, 5, "Much worse")
        gen_risk(register=register["directorate"], owner=register["manager"], title="Cyber attack")
        client = login(register["viewer"])
        page = client.get("/published").get_data(as_text=True)
        assert "2025Q1, as at" in page and 'name="quarter"' not in page  # a viewer cannot publish
        for name, checksum in listed.items():
            response = client.get(f"/published/2025Q1/{name}")
            assert response.status_code == 200
            assert hashlib.sha256(response.data).hexdigest() == checksum
            assert checksum in page
            stored = db.session.query(PublishedDocument).filter_by(name=name).one()
            assert response.data == stored.content
        saved = runner.invoke(args=["report", "published", "--quarter", "2025q1", "--save", str(tmp_path)])
    assert saved.exit_code == 0, saved.output
    for name, checksum in listed.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == checksum
        assert checksum in saved.stdout
    appendix = pdf_text((tmp_path / DOCUMENTS[0]).read_bytes(), tmp_path)
    assert "High 16" in appendix and "Funding pressures" in appendix
    assert "Cyber attack" not in appendix and "Much worse" not in appendix
    changes = (tmp_path / "changes-2025Q1.csv").read_text()
    assert changes.splitlines()[0].startswith("register,reference,title,change,previous,current")
    assert "DIR0001,Funding pressures,New,,High 16" in changes


def test_a_quarter_is_published_once_and_only_after_it_ends(register, runner):
    assert publish(runner).exit_code == 0
    again = publish(runner, day=date(2025, 4, 3))
    assert again.exit_code == 1
    assert re.match(r"Error: 2025Q1 was published on 02/04/2025 by command line.*: published papers are never"
                    r" replaced\n", again.stderr)
    early = publish(runner, "2025Q2", day=date(2025, 6, 30))
    assert early.exit_code == 1
    assert early.stderr == "Error: 2025Q2 ends on 30/06/2025: its papers can be published from the day after\n"
    bad = publish(runner, "2025-1")
    assert bad.exit_code == 1
    assert bad.stderr == "Error: Quarter must be a year and quarter like 2025Q1, not '2025-1'\n"
    assert db.session.query(Publication).count() == 1


def test_the_next_papers_report_changes_since_the_last_published(register, runner, tmp_path):
    assert publish(runner).exit_code == 0
    with at(date(2025, 5, 1)):
        record_review(register["risk"], register["manager"], date(2025, 5, 1), 5, 4, "Worse")
    with at(date(2025, 7, 1)):
        result = runner.invoke(args=["report", "changes", str(tmp_path / "q2.csv"), "--as-of", "2025-06-30"])
        published = publish(runner, "2025Q2", day=date(2025, 7, 1))
    assert "from 31/03/2025 to 30/06/2025" in result.stdout
    assert "DIR0001,Funding pressures,Increased,High 16,High 20" in (tmp_path / "q2.csv").read_text()
    assert "changes since 31/03/2025" in published.stdout


def test_the_publish_button_is_for_managers_and_admins(login, register):
    with at(date(2025, 4, 2)):
        viewer = login(register["viewer"])
        assert viewer.post("/published", data={"quarter": "2025Q1"}).status_code == 403
        manager = login(register["manager"])
        assert 'name="quarter"' in manager.get("/published").get_data(as_text=True)
        refused = manager.post("/published", data={"quarter": "Q1"})
        assert refused.status_code == 400
        assert error_messages(refused) == ["Quarter must be a year and quarter like 2025Q1, not &#39;Q1&#39;"]
        done = manager.post("/published", data={"quarter": "2025q1"})
        assert done.status_code == 302
        page = manager.get("/published").get_data(as_text=True)
    assert "Published 2025Q1: 4 documents as at 31/03/2025" in page
    assert "by Mona Manager" in page
    assert db.session.query(Publication).one().published_by == "Mona Manager"
    assert manager.get("/published/2025Q1/no-such.pdf").status_code == 404


def test_backup_and_restore_keep_the_published_bytes(register, runner, tmp_path):
    assert publish(runner).exit_code == 0
    stored = {d.name: d.content for d in db.session.query(PublishedDocument)}
    archive = tmp_path / "backup.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    tables = tables_of(archive)
    assert {"tables/publications.jsonl", "tables/published_documents.jsonl"} <= tables.keys()
    with sqlite_app(tmp_path / "restored.sqlite") as other:
        assert other.test_cli_runner().invoke(args=["restore", str(archive)]).exit_code == 0
        assert {d.name: d.content for d in db.session.query(PublishedDocument)} == stored
        again = tmp_path / "again.zip"
        assert other.test_cli_runner().invoke(args=["backup", str(again)]).exit_code == 0
    assert tables_of(again) == tables
