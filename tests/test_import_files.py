"""riskkit import: files that cannot be imported whole, the round trip with the export,
and a process killed mid-import."""

import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from sqlalchemy import func, select

from riskkit.extensions import db
from riskkit.models import Register, Risk
from riskkit.services.imports.creating import BATCH
from riskkit.services.risks import describe_whole, get_risk
from tests.factories import gen_person
from tests.import_helpers import workbook

HEADER = ["Ref", "Title", "Owner", "Likelihood", "Impact"]


def run(runner, *args):
    return runner.invoke(args=["import", *map(str, args), "--register", "BAD", "--matrix",
                               "council-5x5"])


def nothing_written():
    return db.session.scalar(select(func.count(Register.id)).where(Register.code == "BAD")) == 0


@pytest.mark.parametrize("name, content, message", [
    ("register.xlsx", b"PK\x03\x04 not really a zip", "register.xlsx is not an Excel workbook:"
     " it cannot be opened as .xlsx"),
    ("register.pdf", b"%PDF-1.4", "register.pdf is not a spreadsheet riskkit reads: save it as"
     " an Excel workbook (.xlsx) or a CSV file (.csv)"),
    ("register.csv", b"\x00\x01\x02binary", "register.csv is not a CSV text file"),
    ("register.xlsx", b"", "register.xlsx is empty"),
    ("register.csv", b"\n\n,,\n", "register.csv has no rows to import"),
    # An encrypted workbook is an OLE compound file holding an EncryptedPackage stream.
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
     "locked.xlsx is password-protected (or an old .xls workbook): open it in Excel, remove the"
     " password (File > Info > Protect Workbook) and save it as .xlsx"),
    ("notes.csv", b"Meeting notes\nNothing here looks like a register\n",
     "notes.csv: no sheet has a header riskkit recognises (a row with headings such as Ref,"
     " Title, Owner, Likelihood, Impact). Name the columns in a mapping file (see --dry-run for"
     " its form)"),
])
def test_unreadable_files_give_one_clear_line(runner, tmp_path, name, content, message):
    file = tmp_path / name
    file.write_bytes(content)
    result = run(runner, file)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert nothing_written()


def test_a_50_mb_file_is_refused_before_it_is_read(runner, tmp_path):
    file = tmp_path / "huge.csv"
    with file.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = run(runner, file)
    assert result.stderr == "Error: huge.csv is 50 MB; the largest file riskkit imports is 20 MB\n"
    assert nothing_written()


def test_merged_data_cells_and_unsaved_formulas_are_errors(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    file = workbook(tmp_path / "m.xlsx", {"Risks": [
        HEADER + ["Score"],
        ["M1", "Merged owner", "Pat Owner", 2, 2, 4],
        ["M2", "Below it", None, 2, 2, 4],
        ["M3", "Formula never calculated", "Pat Owner", 3, 3, "=D4*E4"],
        [],
        ["Key", "Scores are likelihood x impact"],
        ["Red", "16 to 25"],
    ]}, {"Risks": ["C2:C3", "A6:B6"]})
    result = run(runner, file)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Risks row 3, Owner: a risk needs an owner",
        "Risks row 4, Score: the formula in this cell has no saved value: open the file in Excel"
        " and save it again, or type the value",
        "Risks row 2: cells C2:C3 are merged: unmerge them so each row has its own values",
        "Error: 3 problem(s) in m.xlsx; nothing was imported",
    ]  # the merged key below the table is not data
    assert nothing_written()


def test_round_trip_through_the_export_gives_the_same_register(demo, runner, tmp_path):
    register = db.session.scalar(select(Register).where(Register.code == "AH"))
    matrix = register.matrix_definition.slug
    exported = tmp_path / "ah.xlsx"
    assert runner.invoke(args=["export", str(exported), "--register", "AH"]).exit_code == 0
    references = list(db.session.scalars(select(Risk.reference).where(
        Risk.register_id == register.id).order_by(Risk.reference)))
    before = {ref: _comparable(ref) for ref in references}
    threatened = {ref: [o.name for o in get_risk(ref).objectives] for ref in references}
    assert any(threatened.values())  # the demo's risks threaten objectives: they come back
    # An empty database but for the people, matrices, registers and the objectives the
    # risks threaten (the import links risks to objectives, never makes them), then the import.
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in ("users", "matrices", "alembic_version", "registers", "register_objectives"):
            db.session.execute(table.delete())
    db.session.commit()
    result = runner.invoke(args=["import", str(exported), "--register", "AH", "--matrix", matrix])
    assert result.exit_code == 0, result.stderr
    assert f"Imported into AH: {len(references)} created" in result.output
    after = {ref: _comparable(ref) for ref in references}
    for ref in references:
        for key in before[ref]:
            assert after[ref][key] == before[ref][key], (ref, key)
        assert sorted(o.name for o in get_risk(ref).objectives) == sorted(threatened[ref]), ref


def _comparable(reference):
    data = describe_whole(get_risk(reference), {})
    data.pop("version")
    for item in data["controls"] + data["actions"]:  # a new row starts at its first version
        item.pop("id")
        item.pop("version")
    for review in data["reviews"]:  # and has a new id
        review.pop("id")
    return data


KILLER = """
import sys, time
from riskkit import bulk
marker, workbook = sys.argv[1:3]
written = []
insert_rows = bulk.insert_rows
def pause(connection, table, rows):
    if table.name == "risks" and "history" in written:
        # A batch written whole with its history, the next begun: tell the test, wait.
        open(marker, "w").close()
        time.sleep(600)
    written.append(table.name)
    insert_rows(connection, table, rows)
bulk.insert_rows = pause
from riskkit.cli import main
sys.argv = ["riskkit", "import", workbook, "--register", "KIL", "--matrix", "council-5x5",
            "--create-owners"]
main()
"""


def test_a_killed_import_leaves_nothing(app, tmp_path):
    # More rows than one batch: the first is written whole before the process is killed.
    rows = [HEADER] + [[f"K{n}", f"Risk {n}", "Pat Owner", 1 + n % 5, 1 + n % 3]
                       for n in range(BATCH + 100)]
    file = workbook(tmp_path / "big.xlsx", {"Risks": rows})
    marker = tmp_path / "halfway"
    db.session.commit()
    db.engine.dispose()  # the test holds no connection the import could wait on
    env = dict(os.environ, RISKKIT_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               RISKKIT_DATA_DIR=str(tmp_path))
    process = subprocess.Popen([sys.executable, "-c", KILLER, str(marker), str(file)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.05)  # polling for the marker, not timing the import
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.communicate()  # waits, and closes the pipe
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Risk.id))) == 0
    assert db.session.scalar(select(func.count(Register.id)).where(Register.code == "KIL")) == 0
    assert zipfile.is_zipfile(file)
