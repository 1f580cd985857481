"""The CLI through Click's runner, and the installed command in a real process."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from riskkit.services.risks import get_risk

PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the checkout
DATA = Path(__file__).parent / "data"


def test_risks_json_lists_the_directorate_register_with_the_papers_scores(demo, runner):
    result = runner.invoke(args=["risks", "--register", "AH", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(r["reference"] for r in rows) == [
        "AH0005", "AH0011", "AH0033", "AH0035", "AH0037", "AH0038"]
    by_ref = {r["reference"]: r for r in rows}
    assert by_ref["AH0005"]["current"]["label"] == "High 20 Serious (4) Very Likely (5)"
    assert by_ref["AH0005"]["target"]["label"] == "Medium 12 Serious (4) Possible (3)"
    assert by_ref["AH0038"]["current"]["label"] == "Medium 12 Serious (4) Possible (3)"
    assert by_ref["AH0033"]["next_review_date"] == "2021-08-13"
    assert sorted(r["current"]["colour_name"] for r in rows) == ["Amber"] * 4 + ["Red"] * 2
    assert set(rows[0]) >= {"reference", "title", "owner", "register", "current", "target",
                            "previous", "trend", "next_review_date", "above_appetite"}


def test_risks_table_and_csv(demo, runner):
    table = runner.invoke(args=["risks", "--register", "OPS"])
    assert table.exit_code == 0
    assert "OPS0003" in table.stdout and "AH0005" not in table.stdout
    csv_out = runner.invoke(args=["risks", "--owner", "Chris McKenzie", "--format", "csv"])
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0] == "reference,title,owner,current,target,trend,next_review"
    assert len(lines) == 2 and lines[1].startswith("AH0033,")


def test_risk_shows_controls_actions_and_review_comments(demo, runner):
    result = runner.invoke(args=["risk", "AH0005"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Current risk:          High 20 Serious (4) Very Likely (5)" in out
    assert "Previous current risk: High 16 Serious (4) Likely (4)" in out
    assert "Monthly forecasting is in place" in out
    assert "Reviewed at DMT" in out
    risk = get_risk("AH0005")
    assert f"Controls ({len(risk.controls)}):" in out and f"Actions ({len(risk.actions)}):" in out


def test_risk_json_is_whole(demo, runner):
    data = json.loads(runner.invoke(args=["risk", "ah0033", "--format", "json"]).stdout)
    assert data["reference"] == "AH0033"
    assert data["controls"] and data["actions"] and data["reviews"]
    assert {"description", "owner", "target_date", "status"} <= set(data["actions"][0])


def test_unknown_reference_is_one_line_and_exit_1(demo, runner):
    result = runner.invoke(args=["risk", "NOPE"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: No risk with reference 'NOPE'"
    assert "Traceback" not in result.output


def test_unknown_register_lists_the_known_ones(demo, runner):
    result = runner.invoke(args=["risks", "--register", "XYZ"])
    assert result.exit_code == 1
    assert "No register with code 'XYZ'; known registers: AH, CORP, OPS" in result.stderr


def test_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "9 risks" in first.stdout
    assert "18 people" in first.stdout and "1 issue," in first.stdout
    second = runner.invoke(args=["demo"])
    assert second.stdout.strip().endswith("Demo data already loaded: nothing to add.")
    assert "Data directory: " in second.stdout


def test_matrices_list_and_show(app, runner):
    listing = runner.invoke(args=["matrices"])
    assert "council-5x5" in listing.stdout and "nhs-5x5" in listing.stdout
    shown = runner.invoke(args=["matrices", "show", "nhs-5x5"])
    assert shown.exit_code == 0
    assert "Extreme 25" in shown.stdout and "Catastrophic" in shown.stdout
    assert "Extreme (Red) 15-25: review every 1 month" in shown.stdout


def test_import_own_format(app, runner, tmp_path):
    definition = {
        "slug": "four-by-four", "name": "Four by four",
        "likelihood": ["Rare", "Possible", "Likely", "Certain"],
        "impact": ["Low", "Medium", "High", "Severe"],
        "bands": [
            {"name": "Green", "colour": "#00703c", "min": 1, "max": 4, "review_months": 12},
            {"name": "Amber", "colour": "#f47738", "min": 6, "max": 9, "review_months": 6},
            {"name": "Red", "colour": "#d4351c", "min": 12, "max": 16, "review_months": 1},
        ],
    }
    path = tmp_path / "four.yaml"
    path.write_text(yaml.safe_dump(definition))
    result = runner.invoke(args=["matrices", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Added matrix four-by-four" in result.stdout
    again = runner.invoke(args=["matrices", "import", str(path)])
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_import_ciso_assistant_library(app, runner):
    result = runner.invoke(args=["matrices", "import", str(DATA / "ciso-4x4.yaml")])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["matrices", "show", "test-4x4"])
    # The grid, not the score, decides: Certain x Minor (4) is Medium, Unlikely x Critical (4) Medium,
    # Likely x Critical (8) High.
    assert "High (High)" in shown.stdout
    from riskkit import scoring
    from riskkit.services.matrices import get_matrix

    m = get_matrix("test-4x4").matrix
    assert scoring.rating(m, 4, 1).name == "Medium"
    assert scoring.rating(m, 2, 4).name == "High"
    assert scoring.rating(m, 1, 1).name == "Low"
    assert m.band("High").review_months == 1


def test_import_with_a_gap_is_refused_naming_the_scores(app, runner, tmp_path):
    definition = yaml.safe_load((PROJECT_ROOT / "riskkit/matrices/council-5x5.yaml").read_text())
    definition["slug"] = "gappy"
    definition["bands"][1]["max"] = 12  # 15 now in no band
    path = tmp_path / "gappy.yaml"
    path.write_text(yaml.safe_dump(definition))
    result = runner.invoke(args=["matrices", "import", str(path)])
    assert result.exit_code == 1
    assert "scores in no band: 15" in result.stderr
    assert "gappy" not in runner.invoke(args=["matrices"]).stdout


def test_import_of_a_missing_file(app, runner, tmp_path):
    result = runner.invoke(args=["matrices", "import", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "Cannot read" in result.stderr and "none.yaml" in result.stderr


@pytest.mark.parametrize("args", [
    ["matrices", "import", "{file}"],
    ["indicators", "roles", "--load", "{file}"],
    ["import", "{workbook}", "--register", "AH", "--mapping", "{file}"],
])
def test_a_file_that_is_not_text_is_one_line_naming_it(app, runner, tmp_path, args):
    """As when a workbook or PDF is named where a YAML file belongs."""
    from tests.factories import gen_register

    gen_register("AH")
    not_text = tmp_path / "roles.yaml"
    not_text.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x91\x86]M\x7f\x86")
    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(b"")
    result = runner.invoke(args=[a.format(file=not_text, workbook=workbook) for a in args])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: Cannot read {not_text}: it is not a text file (UTF-8)"]


@pytest.mark.parametrize("args", [["matrices", "import", "{missing}"],
                                  ["indicators", "record", "--file", "{missing}"],
                                  ["indicators", "roles", "--load", "{missing}"]])
def test_a_file_that_is_not_there_is_one_line_naming_it(app, runner, tmp_path, args):
    missing = tmp_path / "readings.csv"
    result = runner.invoke(args=[a.format(missing=missing) for a in args])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: Cannot read {missing}: No such file or directory"]


@pytest.mark.parametrize("args", [
    ["controls", "assure", "99999999999999999999", "--line", "1", "--opinion", "substantial"],
    ["tokens", "revoke", "99999999999999999999"],
    ["issues", "raise", "--register", "AH", "--title", "Flooded", "--severity", "3",
     "--incident", "99999999999999999999"],
])
def test_a_number_past_every_record_is_a_usage_error(app, runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert "is not in the range 1<=x<=2147483647" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["99999999999999999999", "\u00b2"])
def test_a_name_that_only_looks_like_a_number_is_looked_up_as_a_name(app, runner, name):
    """A number past every id, or a superscript two (a digit to Python, but no number)."""
    for args in (["indicators", "triggers", name, "--band", "1:0:10"],
                 ["indicators", "roles", "--role", name],
                 ["exercises", "report", name, "report.pdf"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("Error: No "), (args, result.stderr)


def test_users_add_list_and_set_role(app, runner):
    added = runner.invoke(args=["users", "add", "sam@example.gov.uk", "--name", "Sam Jones",
                                "--role", "owner", "--password-stdin"],
                          input="correct horse battery\n")
    assert added.exit_code == 0, added.output
    listing = runner.invoke(args=["users", "list"])
    assert "Sam Jones" in listing.stdout and "owner" in listing.stdout
    changed = runner.invoke(args=["users", "set-role", "sam@example.gov.uk", "manager"])
    assert changed.stdout.strip() == "Sam Jones is now manager (dmt member)"
    short = runner.invoke(args=["users", "add", "x@example.gov.uk", "--name", "X",
                                "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.stderr


def _run(args, database, **env):
    environment = {"PATH": os.environ["PATH"], "RISKKIT_DATABASE_URL": database, **env}
    return subprocess.run(args, capture_output=True, text=True, env=environment,
                          cwd=PROJECT_ROOT, timeout=120)


def test_installed_command_and_cli_py_behave_the_same(tmp_path):
    database = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    riskkit = str(Path(sys.executable).with_name("riskkit"))
    loaded = _run([riskkit, "demo"], database)
    assert loaded.returncode == 0, loaded.stderr
    by_script = _run([riskkit, "risks", "--format", "json"], database)
    by_module = _run([sys.executable, "cli.py", "risks", "--format", "json"], database)
    assert by_script.returncode == by_module.returncode == 0
    assert json.loads(by_script.stdout) == json.loads(by_module.stdout)
    missing = _run([sys.executable, "cli.py", "risk", "NOPE"], database)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == ["Error: No risk with reference 'NOPE'"]


def test_uninitialised_database_is_one_line_not_a_traceback(tmp_path):
    result = _run([sys.executable, "cli.py", "risks"], f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: Database problem: no such table: appetites. Check RISKKIT_DATABASE_URL and run"
        " `riskkit init` to create or upgrade the database."]


# --- start-up: what each command imports ------------------------------------------------

#: Imported only by the commands that need them: the report renderers, the importer's
#: tables, and Alembic (through Flask-Migrate) for migrations.
HEAVY = ("pandas", "reportlab", "openpyxl", "alembic", "flask_migrate")


def _imported(tmp_path, *args: str) -> set[str]:
    """The top-level modules loaded by `riskkit ARGS` in a fresh process."""
    script = ("import json, sys\nfrom riskkit.cli import main\nsys.argv = ['riskkit', *sys.argv[1:]]\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} | {m for m in sys.modules"
              " if m.startswith('riskkit.')})), file=sys.stderr)")
    env = {**os.environ, "RISKKIT_DATA_DIR": str(tmp_path)}
    env.pop("RISKKIT_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    return set(json.loads(result.stderr.strip().splitlines()[-1])), result.stdout


def test_help_lists_every_command_without_importing_flask_or_the_renderers(tmp_path):
    from riskkit.commands import TABLE

    modules, shown = _imported(tmp_path, "--help")
    assert modules.isdisjoint(HEAVY + ("flask", "sqlalchemy"))
    listed = shown.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == sorted(TABLE)


def test_a_command_imports_only_what_it_needs(tmp_path):
    init, shown = _imported(tmp_path, "init")
    assert "alembic" in init and "Added matrices" in shown  # a migration needs Alembic
    modules, shown = _imported(tmp_path, "overdue", "--as-of", "2026-06-01")
    assert shown == ""  # an empty database has nothing overdue
    assert modules.isdisjoint(HEAVY) and "riskkit.web" not in modules


def test_the_command_table_summarises_each_command_as_its_own_help(app):
    from riskkit.commands import TABLE, load

    for name, (_, summary) in TABLE.items():
        command = load(name)
        assert command.get_short_help_str(limit=1000) == summary, name
    # Every command of every module of riskkit.commands is in the table.
    package = Path(importlib.import_module("riskkit.commands").__file__).parent
    for path in package.glob("*.py"):
        module = importlib.import_module(f"riskkit.commands.{path.stem}")
        for command in getattr(module, "COMMANDS", []):
            assert TABLE.get(command.name, ("",))[0] == path.stem, command.name


def test_db_runs_flask_migrates_commands_wiring_it_in_first(tmp_path):
    from riskkit.services.health import head_revision

    _imported(tmp_path, "init")
    _, shown = _imported(tmp_path, "db", "current")
    assert shown.split() == [head_revision(), "(head)"]
